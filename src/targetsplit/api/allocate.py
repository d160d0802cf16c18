"""``allocate``: every node's figures, and with a granularity its periods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from targetsplit.api.common import (
    Inputs,
    Warnings,
    WarningSink,
    check_dimension,
    check_tier,
    crossed,
    ledger_warnings,
    need_tiers,
    periods_shown,
    pick_metrics,
    pick_node,
    read_plan,
)
from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.tree import Metric, Node
from targetsplit.split import hierarchy
from targetsplit.split.hierarchy import Allocation

if TYPE_CHECKING:
    from targetsplit.calendar.workdays import Granularity
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
    node: Node | None = None  # the subtree shown (--node), None for the whole plan
    tiers: Mapping[str, Allocation] | None = None  # each tier's allocation (--tiers)


@exact
def allocate(
    plan: str | Path | None = None,
    *,
    metrics: Sequence[str] | None = None,
    tier: str | None = None,
    by: Granularity | None = None,
    period: str | None = None,
    cross: str | None = None,
    node: str | None = None,
    tiers: bool = False,
    on_warning: WarningSink | None = None,
) -> AllocateResult:
    """Split the plan (under ``tier``); with ``by`` or ``period``, over time too;
    with ``cross`` (a dimension's name), every node by that dimension's items;
    with ``node`` (a path or a unique name), for that subtree only (its figures
    as in the whole plan's); with ``tiers``, every tier's figures beside each other."""
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    chosen = pick_metrics(p, metrics)
    tier = check_tier(p, tier)
    under = pick_node(p, node)
    dimension = None if cross is None else check_dimension(p, cross)
    if dimension is not None and (by is not None or period is not None):
        raise UsageError(
            "--cross cannot be combined with --by or --period: a node's cells by item and"
            " by period would need rounding in three directions at once; run them separately"
        )
    if tiers:
        _tiers_alone(tier, by, period, cross)
        need_tiers(p)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    allocation = hierarchy.allocate(p, tier)
    if tiers:
        each = {t: hierarchy.allocate(p, t) for t in p.tiers}
        result = AllocateResult(allocation, chosen, None, (), warnings.all(), inputs, None, under)
        return result._replace(tiers=each)
    if dimension is not None:
        by_item = crossed(loaded, allocation, dimension)
        return AllocateResult(allocation, chosen, None, (), warnings.all(), inputs, by_item, under)
    if by is None and period is None:
        return AllocateResult(allocation, chosen, None, (), warnings.all(), inputs, None, under)
    from targetsplit.split.timesplit import split_over_time

    granularity, slots = periods_shown(p, period, by)
    split = split_over_time(allocation, granularity, slots=slots)
    warnings.add(ledger_warnings(loaded, split.loose, chosen))
    shown = tuple(range(len(split.slots)))
    return AllocateResult(allocation, chosen, split, shown, warnings.all(), inputs, None, under)


def _tiers_alone(tier: str | None, by: str | None, period: str | None, cross: str | None) -> None:
    """``--tiers`` shows each tier's figures for the period: not with a tier, a
    time split or a cross (each tier's periods: ``--tier NAME --by …``)."""
    given = [
        name
        for name, value in (
            ("--tier", tier),
            ("--by", by),
            ("--period", period),
            ("--cross", cross),
        )
        if value is not None
    ]
    if given:
        raise UsageError(
            f"--tiers cannot be combined with {' or '.join(given)}: it shows every tier's"
            " figures for the whole period side by side; for one tier's periods use"
            " --tier NAME --by …"
        )
