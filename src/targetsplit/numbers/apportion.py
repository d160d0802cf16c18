"""Largest-remainder (Hamilton) apportionment in whole units.

The tie rule: when two remainders are equal, the unit goes to the one that
comes first in the input (the sibling declared first in the plan).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import cast


def whole_weights(weights: Sequence[Fraction | int]) -> list[int]:
    """The weights as integers in the same proportions (over one common
    denominator), for :func:`largest_remainder`; raise ValueError when one is negative."""
    # Each as (numerator, denominator) at once: one call, where reading the two
    # properties took four per weight (a large plan has tens of thousands).
    pairs = [(w if type(w) is Fraction else Fraction(w)).as_integer_ratio() for w in weights]
    if any(n < 0 for n, _ in pairs):
        raise ValueError("weights must not be negative")
    denom = math.lcm(*(d for _, d in pairs)) if pairs else 1
    return [n * (denom // d) for n, d in pairs]


def _whole(weights: Sequence[Fraction | int]) -> Sequence[int]:
    if all(type(w) is int for w in weights):
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")
        return cast(Sequence[int], weights)
    return whole_weights(weights)


def largest_remainder(total: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Split ``total`` whole units in proportion to ``weights``.

    The result adds up to ``total`` exactly and each part is within one unit
    of its exact quota ``total * w / sum(weights)``. Weights must be
    non-negative; if they are all zero, ``total`` must be zero.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    ints = _whole(weights)
    weight_sum = sum(ints)
    if weight_sum == 0:
        if total != 0:
            raise ValueError("cannot split a non-zero total by weights that are all zero")
        return [0] * len(weights)
    quotas = [total * w for w in ints]
    parts = [q // weight_sum for q in quotas]
    left = total - sum(parts)
    if left:
        remainders = [q % weight_sum for q in quotas]
        # Sort is stable, so equal remainders keep their declaration order.
        order = sorted(range(len(parts)), key=remainders.__getitem__, reverse=True)
        for i in order[:left]:
            parts[i] += 1
    return parts
