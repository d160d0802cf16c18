"""A node that starts during the period and ramps up (issue 13): its productivity
day by day, and its capacity, the share of working time it works.

Month ``k`` of a ramp is the ``k``-th calendar-month-long span from the start:
for a start on 1 July, month 1 is 1-31 July; for 15 March, 15 March to 14
April, month 2 15 April to 14 May. A start on the 31st moves to the last day
of a shorter month (31 January: month 2 begins on 28 February, month 3 on 31
March). Productivity is 0 before the start, the ramp's ``k``-th value in its
month ``k`` and 100 % after the list ends. A node under a ramped node works at
the product of both (each is a share of the one above).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property

from targetsplit.calendar.workdays import Breakdown

ONE = Fraction(1)


def add_months(d: date, k: int) -> date | None:
    """The day ``k`` calendar months after ``d`` (its day clipped to the month's
    last); None past the year 9999."""
    y, m = divmod(d.month - 1 + k, 12)
    year, month = d.year + y, m + 1
    if year > 9999:
        return None
    return date(year, month, min(d.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Ramp:
    """A start day and the productivity of each month from it (100 % after)."""

    start: date
    steps: tuple[Fraction, ...] = ()

    @cached_property
    def changes(self) -> tuple[date, ...]:
        """The days productivity changes on: the start, then the first day of each
        month of the ramp after the first, and the day the ramp ends."""
        out = [self.start]
        for k in range(1, len(self.steps) + 1):
            d = add_months(self.start, k)
            if d is None:
                break
            out.append(d)
        return tuple(out)

    def at(self, d: date) -> Fraction:
        """The productivity on day ``d``."""
        k = bisect_right(self.changes, d)  # how many changes are on or before d
        if k == 0:
            return Fraction(0)
        return self.steps[k - 1] if k - 1 < len(self.steps) else ONE

    def month_of(self, d: date) -> int:
        """Which month of the ramp day ``d`` falls in (1-based; 0 before the start)."""
        return bisect_right(self.changes, d)


def productivity(ramps: Sequence[Ramp], d: date) -> Fraction:
    """The product of the ramps' productivities on day ``d`` (1 without ramps)."""
    p = ONE
    for r in ramps:
        p *= r.at(d)
        if not p:
            break
    return p


def cuts(ramps: Iterable[Ramp], b_start: date, b_end: date) -> frozenset[date]:
    """The days inside the period on which some ramp's productivity changes (a
    ledger segment starts on each, so productivity is constant inside one)."""
    return frozenset(d for r in ramps for d in r.changes if b_start < d <= b_end)


def capacity(
    months: Sequence[Fraction], b: Breakdown, outer: Sequence[Ramp], own: Ramp
) -> Fraction:
    """The share of the parent's working time (each working day weighted by its
    month's share, spread over the month's working days, and by the productivity
    of the ramps above, ``outer``) in which ``own`` works, each day by its
    productivity: ``Σ w(d)·p(d) / Σ w(d)``; 1 when the parent has no working time."""
    num = [Fraction(0)] * len(b.months)
    den = [Fraction(0)] * len(b.months)
    for d, mi in b.day_month.items():
        w = productivity(outer, d)
        if w:
            den[mi] += w
            num[mi] += w * own.at(d)
    top = sum(
        (months[i] * num[i] / b.month_workdays[i] for i in range(len(num)) if num[i]), Fraction(0)
    )
    bottom = sum(
        (months[i] * den[i] / b.month_workdays[i] for i in range(len(den)) if den[i]), Fraction(0)
    )
    return top / bottom if bottom else ONE


def segment_productivity(b: Breakdown, ramps: Sequence[Ramp]) -> tuple[Fraction, ...]:
    """Each ledger segment's mean productivity over its working days (0 without)."""
    work = sorted(b.day_month)
    out = []
    for s in b.segments:
        lo, hi = bisect_left(work, s.start), bisect_right(work, s.end)
        if hi == lo:
            out.append(Fraction(0))
            continue
        total = sum((productivity(ramps, work[i]) for i in range(lo, hi)), Fraction(0))
        out.append(total / (hi - lo))
    return tuple(out)
