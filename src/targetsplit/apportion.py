"""Largest-remainder (Hamilton) apportionment in whole units.

The tie rule: when two remainders are equal, the unit goes to the one that
comes first in the input (the sibling declared first in the plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def largest_remainder(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Split ``total`` whole units in proportion to ``weights``.

    The result adds up to ``total`` exactly and each part is within one unit
    of its exact quota ``total * w / sum(weights)``. Weights must be
    non-negative; if they are all zero, ``total`` must be zero.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum((Fraction(w) for w in weights), Fraction(0))
    if weight_sum == 0:
        if total != 0:
            raise ValueError("cannot split a non-zero total by weights that are all zero")
        return [0] * len(weights)
    parts: list[int] = []
    remainders: list[Fraction] = []
    for w in weights:
        quota = Fraction(total) * Fraction(w) / weight_sum
        whole = quota.numerator // quota.denominator
        parts.append(whole)
        remainders.append(quota - whole)
    left = total - sum(parts)
    # Sort is stable, so equal remainders keep their declaration order.
    order = sorted(range(len(parts)), key=lambda i: remainders[i], reverse=True)
    for i in order[:left]:
        parts[i] += 1
    return parts
