"""How a period's target spreads over its months, weeks and quarters (SPEC §3).

Seasonality gives quarters, months or the months within each quarter their
shares; whatever it does not give is spread in proportion to working days.
A week's share is the sum, over its working days, of each month's share
spread evenly over that month's working days. All shares are exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from targetsplit.calendar.workdays import Breakdown, Granularity, Slot


@dataclass(frozen=True)
class Seasonality:
    """Normalised share lists (each adds up to 1), as given in the plan."""

    quarters: tuple[Fraction, ...] | None = None
    months: tuple[Fraction, ...] | None = None
    within_quarter: tuple[Fraction, ...] | None = None


class SeasonalityError(ValueError):
    """A seasonality that does not fit the period; ``key`` names the list at fault."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def _normalise(values: Sequence[Fraction]) -> tuple[Fraction, ...]:
    total = sum(values, Fraction(0))
    return tuple(v / total for v in values)


def month_shares(s: Seasonality | None, b: Breakdown) -> tuple[Fraction, ...]:
    """Each month's exact share of the period; raise :class:`SeasonalityError`."""
    s = s or Seasonality()
    n = len(b.months)
    wd = b.month_workdays
    if s.months is not None:
        if s.quarters is not None or s.within_quarter is not None:
            raise SeasonalityError(
                "give either months or quarters/within_quarter, not both", "months"
            )
        if len(s.months) != n:
            raise SeasonalityError(
                f"months has {len(s.months)} values but the period has {n} month(s)", "months"
            )
        shares = s.months
    else:
        total_wd = sum(wd)
        if s.quarters is not None:
            if len(s.quarters) != len(b.quarters):
                raise SeasonalityError(
                    f"quarters has {len(s.quarters)} values but the period has"
                    f" {len(b.quarters)} quarter(s)",
                    "quarters",
                )
            q_shares = s.quarters
        else:
            if total_wd == 0:
                raise SeasonalityError("the period has no working days")
            q_shares = tuple(Fraction(sum(wd[i] for i in q), total_wd) for q in b.quarters)
        out: list[Fraction] = []
        for qi, q in enumerate(b.quarters):
            if s.within_quarter is not None:
                if len(q) != 3:
                    raise SeasonalityError(
                        f"within_quarter needs whole quarters, but quarter {qi + 1}"
                        f" of the period has {len(q)} month(s)",
                        "within_quarter",
                    )
                inner: Sequence[Fraction] = s.within_quarter
            else:
                q_wd = sum(wd[i] for i in q)
                if q_wd == 0:
                    if q_shares[qi] != 0:
                        raise SeasonalityError(
                            f"quarter {qi + 1} has a share but no working days", "quarters"
                        )
                    inner = [Fraction(0)] * len(q)
                else:
                    inner = [Fraction(wd[i], q_wd) for i in q]
            out.extend(q_shares[qi] * x for x in inner)
        shares = tuple(out)
    for i, share in enumerate(shares):
        if share != 0 and wd[i] == 0:
            raise SeasonalityError(
                f"{b.months[i].label} has a share of the target but no working days"
            )
    return shares


def slot_shares(months: Sequence[Fraction], b: Breakdown, g: Granularity) -> tuple[Fraction, ...]:
    """Each half, quarter, month or week's exact share of the period."""
    slots = b.slots(g)
    if g == "month":
        return tuple(months)
    if g in ("quarter", "half"):
        return tuple(
            sum(
                (months[i] for i, m in enumerate(b.months) if slot.start <= m.start <= slot.end),
                Fraction(0),
            )
            for slot in slots
        )
    return range_shares(months, b, slots)


def range_shares(
    months: Sequence[Fraction], b: Breakdown, slots: Sequence[Slot]
) -> tuple[Fraction, ...]:
    """The exact shares of consecutive day ranges that cover the period: each
    working day carries its month's share over the month's working days."""
    starts = [slot.start for slot in slots]
    counts: dict[tuple[int, int], int] = {}
    for day, mi in b.day_month.items():
        key = (mi, bisect_right(starts, day) - 1)
        counts[key] = counts.get(key, 0) + 1
    out = [Fraction(0)] * len(slots)
    for (mi, k), c in counts.items():
        out[k] += months[mi] * c / b.month_workdays[mi]
    return tuple(out)


def segment_shares(months: Sequence[Fraction], b: Breakdown) -> tuple[Fraction, ...]:
    """Each ledger segment's exact share of the period: its month's share times
    the segment's part of the month's working days."""
    wd = b.month_workdays
    return tuple(
        months[s.month] * s.workdays / wd[s.month] if s.workdays else Fraction(0)
        for s in b.segments
    )


def share_to_date(months: Sequence[Fraction], b: Breakdown, day: date) -> Fraction:
    """The exact share of the period from its start through ``day``."""
    share = Fraction(0)
    for mi, m in enumerate(b.months):
        if m.start > day:
            break
        if m.end <= day:
            share += months[mi]
        elif b.month_workdays[mi]:
            done = sum(1 for d, i in b.day_month.items() if i == mi and d <= day)
            share += months[mi] * done / b.month_workdays[mi]
    return share
