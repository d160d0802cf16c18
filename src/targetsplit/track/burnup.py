"""The burn-up of the plan's total (or of a node's subtree, with --node): its
cumulative target and actual at the end of each week (the chart of a progress
workbook)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from targetsplit.numbers.amounts import EXACT
from targetsplit.plan.tree import Plan
from targetsplit.track.progress import Progress
from targetsplit.track.weekly import Weekly


@dataclass(frozen=True)
class BurnWeek:
    """One week of the burn-up: its label, its last day in the period (the cut-off
    in the week it falls in), and the root's figures from the period's start."""

    label: str
    end: date
    target: Mapping[str, Decimal]  # per metric: exactly allocate --by week's weeks, summed
    actual: Mapping[str, Decimal] | None  # per metric; None after the cut-off


def burnup(plan: Plan, weekly: Weekly, at_cutoff: Progress, top: int = 0) -> tuple[BurnWeek, ...]:
    """Every week of the period: the cumulative target at its end of the node
    ``weekly`` holds (the sum of its targets), and its cumulative actual (of
    its actuals) for the weeks up to the cut-off; the week of the cut-off ends
    at it, with the target to date and actual progress has for that node (row
    ``top`` of ``at_cutoff``)."""
    b = plan.breakdown
    assert b is not None
    cut = at_cutoff.cutoff
    metrics = plan.metrics
    target_units = dict.fromkeys((m.name for m in metrics), 0)
    actual = dict.fromkeys((m.name for m in metrics), Decimal(0))
    out = []
    for k, slot in enumerate(b.weeks()):
        for m in metrics:
            target_units[m.name] += weekly.target[m.name][k]
            actual[m.name] = EXACT.add(actual[m.name], weekly.actual[m.name][k])
        target = {m.name: m.amount(target_units[m.name]) for m in metrics}
        shown: Mapping[str, Decimal] | None = None
        end = slot.end
        if slot.start <= cut.day < end:
            root = {m.name: at_cutoff.tallies[m.name].figures(top) for m in metrics}
            end = cut.day
            target = {name: f.target_to_date for name, f in root.items()}
            shown = {name: f.actual for name, f in root.items()}
        elif end == cut.day:
            shown = {m.name: at_cutoff.tallies[m.name].figures(top).actual for m in metrics}
        elif end < cut.day:
            shown = dict(actual)
        out.append(BurnWeek(slot.label, end, target, shown))
    return tuple(out)
