"""``allocate``: every node's figures, and with a granularity its periods."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from targetsplit.api.common import (
    Inputs,
    Warnings,
    WarningSink,
    check_tier,
    periods_shown,
    pick_metrics,
    read_plan,
)
from targetsplit.errors import Diagnostic
from targetsplit.numbers.exact import exact
from targetsplit.plan.tree import Metric
from targetsplit.split import hierarchy
from targetsplit.split.hierarchy import Allocation

if TYPE_CHECKING:
    from targetsplit.calendar.workdays import Granularity
    from targetsplit.split.timesplit import PeriodSplit


class AllocateResult(NamedTuple):
    allocation: Allocation
    metrics: tuple[Metric, ...]  # the metrics asked for, in plan order
    split: PeriodSplit | None  # the figures over time, when periods were asked for
    periods: tuple[int, ...]  # the slots of ``split`` to show
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read


@exact
def allocate(
    plan: str | Path | None = None,
    *,
    metrics: Sequence[str] | None = None,
    tier: str | None = None,
    by: Granularity | None = None,
    period: str | None = None,
    on_warning: WarningSink | None = None,
) -> AllocateResult:
    """Split the plan (under ``tier``); with ``by`` or ``period``, over time too."""
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    chosen = pick_metrics(p, metrics)
    tier = check_tier(p, tier)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    allocation = hierarchy.allocate(p, tier)
    if by is None and period is None:
        return AllocateResult(allocation, chosen, None, (), warnings.all(), inputs)
    from targetsplit.split.timesplit import split_over_time

    granularity, slots = periods_shown(p, period, by)
    split = split_over_time(allocation, granularity, slots=slots)
    shown = tuple(range(len(split.slots)))
    return AllocateResult(allocation, chosen, split, shown, warnings.all(), inputs)
