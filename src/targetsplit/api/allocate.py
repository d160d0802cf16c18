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
from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.names import Names
from targetsplit.plan.tree import Metric, Plan
from targetsplit.split import hierarchy
from targetsplit.split.hierarchy import Allocation

if TYPE_CHECKING:
    from targetsplit.calendar.workdays import Granularity
    from targetsplit.plan.load import Loaded
    from targetsplit.split.cross import Cross
    from targetsplit.split.timesplit import PeriodSplit


class AllocateResult(NamedTuple):
    allocation: Allocation
    metrics: tuple[Metric, ...]  # the metrics asked for, in plan order
    split: PeriodSplit | None  # the figures over time, when periods were asked for
    periods: tuple[int, ...]  # the slots of ``split`` to show
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read
    cross: Cross | None = None  # every node's cells by a dimension's items, when asked for


@exact
def allocate(
    plan: str | Path | None = None,
    *,
    metrics: Sequence[str] | None = None,
    tier: str | None = None,
    by: Granularity | None = None,
    period: str | None = None,
    cross: str | None = None,
    on_warning: WarningSink | None = None,
) -> AllocateResult:
    """Split the plan (under ``tier``); with ``by`` or ``period``, over time too;
    with ``cross`` (a dimension's name), every node by that dimension's items."""
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    chosen = pick_metrics(p, metrics)
    tier = check_tier(p, tier)
    dimension = None if cross is None else check_dimension(p, cross, by is None and period is None)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    allocation = hierarchy.allocate(p, tier)
    if dimension is not None:
        crossed = _crossed(loaded, allocation, dimension)
        return AllocateResult(allocation, chosen, None, (), warnings.all(), inputs, crossed)
    if by is None and period is None:
        return AllocateResult(allocation, chosen, None, (), warnings.all(), inputs)
    from targetsplit.split.timesplit import split_over_time

    granularity, slots = periods_shown(p, period, by)
    split = split_over_time(allocation, granularity, slots=slots)
    shown = tuple(range(len(split.slots)))
    return AllocateResult(allocation, chosen, split, shown, warnings.all(), inputs)


def check_dimension(plan: Plan, name: str, alone: bool) -> str:
    """The plan's dimension ``name`` names (as the plan spells it); a usage error
    if none, or when ``alone`` is false (periods were asked for too)."""
    names = Names(plan.dimensions)
    found = names.find(name)
    if found is None:
        if not plan.dimensions:
            raise UsageError(
                f"--cross {name}: the plan has no dimensions (add dimensions: {{{name}: {{…}}}})"
            )
        raise UsageError(
            f"unknown dimension '{name}'{names.hint(name, 1)}; the plan's dimensions are:"
            f" {', '.join(plan.dimensions)}"
        )
    if not alone:
        raise UsageError(
            "--cross cannot be combined with --by or --period: a node's cells by item and"
            " by period would need rounding in three directions at once; run them separately"
        )
    return found


def _crossed(loaded: Loaded, allocation: Allocation, dimension: str) -> Cross:
    """The crossing; its errors (mixes that cannot add up) placed in the plan."""
    from targetsplit.errors import PlanError
    from targetsplit.split.cross import cross

    try:
        return cross(allocation, dimension)
    except PlanError as e:
        raise PlanError([loaded.place(d) for d in e.diagnostics]) from None
