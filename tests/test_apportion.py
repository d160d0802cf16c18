"""The largest-remainder allocator: published cases and its invariants."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targetsplit.numbers.apportion import largest_remainder


def reference(total: int, weights: list[Fraction]) -> list[int]:
    """A deliberately plain Hamilton: floors, then one unit each by remainder."""
    s = sum(weights)
    quotas = [Fraction(total) * w / s for w in weights]
    floors = [int(q) for q in quotas]  # int() truncates: quotas are >= 0
    ranked = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in ranked[: total - sum(floors)]:
        floors[i] += 1
    return floors


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [5117, 4400, 162, 161, 160], [51, 44, 2, 2, 1]),
        (10, [47000, 16000, 15800, 12000, 6100, 3100], [5, 2, 1, 1, 1, 0]),
        (9, [1, 1, 1, 21], [1, 0, 0, 8]),
        (100, [1, 1, 1], [34, 33, 33]),
        (500, [Fraction(12, 10), Fraction(8, 10)], [300, 200]),
        # 0.7 / 0.1 / 0.2 of 5: exact tenths tie at .5 and the first wins;
        # binary floats make 0.7 * 5 = 3.4999... and give 3 / 1 / 1.
        (5, [Fraction(7, 10), Fraction(1, 10), Fraction(2, 10)], [4, 0, 1]),
    ],
)
def test_published_cases(total: int, weights: list[Fraction], expected: list[int]) -> None:
    assert largest_remainder(total, weights) == expected


def test_zero_weights() -> None:
    assert largest_remainder(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder(3, [0, 0])


weights_st = st.lists(
    st.fractions(min_value=0, max_value=1000, max_denominator=1000), min_size=1, max_size=12
).filter(lambda ws: sum(ws) > 0)


@given(st.integers(min_value=0, max_value=10**9), weights_st)
def test_sums_quota_and_reference(total: int, weights: list[Fraction]) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    s = sum(weights)
    for p, w in zip(parts, weights, strict=True):
        quota = Fraction(total) * w / s
        assert abs(p - quota) < 1
        assert p >= 0
    assert parts == reference(total, weights)


@given(st.integers(min_value=0, max_value=10**6), weights_st, st.randoms())
def test_permuting_siblings_permutes_the_result(total: int, weights: list[Fraction], rnd) -> None:  # type: ignore[no-untyped-def]
    s = sum(weights)
    remainders = [(Fraction(total) * w / s) % 1 for w in weights]
    order = list(range(len(weights)))
    rnd.shuffle(order)
    parts = largest_remainder(total, weights)
    permuted = largest_remainder(total, [weights[i] for i in order])
    if len(set(remainders)) == len(remainders):
        assert permuted == [parts[i] for i in order]
    else:  # with ties only the declaration order decides; sums still hold
        assert sum(permuted) == total
