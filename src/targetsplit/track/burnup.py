"""The burn-up of the plan's total: its cumulative target and actual at the end
of each week (the chart of a progress workbook)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from targetsplit.numbers.amounts import EXACT
from targetsplit.split.hierarchy import Allocation
from targetsplit.track.progress import Cutoff, Progress

#: The actuals booked on each (node path, metric) through a day, or None when
#: they cannot be read again (standard input, a pipe: read once).
ActualsThrough = Callable[[date], Mapping[tuple[str, str], Decimal] | None]


@dataclass(frozen=True)
class BurnWeek:
    """One week of the burn-up: its label, its last day in the period (the cut-off
    in the week it falls in), and the root's figures from the period's start."""

    label: str
    end: date
    target: Mapping[str, Decimal]  # per metric: exactly allocate --by week's weeks, summed
    actual: Mapping[str, Decimal] | None  # per metric; None after the cut-off or unknown


def burnup(
    alloc: Allocation, cut: Cutoff, through: ActualsThrough, at_cutoff: Progress
) -> tuple[BurnWeek, ...]:
    """Every week of the period: the root's cumulative target at its end, and its
    cumulative actual (``through`` a day) for the weeks up to the cut-off; the
    week of the cut-off ends at it, with the root's target to date and actual
    as progress has them (``at_cutoff``)."""
    from targetsplit.split.timesplit import split_over_time

    weekly = split_over_time(alloc, "week")
    metrics = alloc.plan.metrics
    units = weekly.units[alloc.root.path]
    running = dict.fromkeys((m.name for m in metrics), 0)
    out = []
    for k, slot in enumerate(weekly.slots):
        for m in metrics:
            running[m.name] += units[m.name][k]
        target = {m.name: m.amount(running[m.name]) for m in metrics}
        actual: Mapping[str, Decimal] | None = None
        end = slot.end
        if slot.start <= cut.day < end:
            root = {m.name: at_cutoff.tallies[m.name].figures(0) for m in metrics}
            end = cut.day
            target = {name: f.target_to_date for name, f in root.items()}
            actual = {name: f.actual for name, f in root.items()}
        elif end == cut.day:
            actual = {m.name: at_cutoff.tallies[m.name].figures(0).actual for m in metrics}
        elif end < cut.day:
            booked = through(end)
            if booked is not None:
                sums = dict.fromkeys(target, Decimal(0))
                for (_, metric), value in booked.items():
                    sums[metric] = EXACT.add(sums[metric], value)
                actual = sums
        out.append(BurnWeek(slot.label, end, target, actual))
    return tuple(out)
