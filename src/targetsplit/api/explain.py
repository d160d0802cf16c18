"""``explain``: how a node's figures were derived, step by step."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from targetsplit.api.common import (
    Inputs,
    Warnings,
    WarningSink,
    check_dimension,
    check_tier,
    crossed,
    ledger_warnings,
    periods_shown,
    pick_metrics,
    read_plan,
)
from targetsplit.audit import explain as derive
from targetsplit.audit.explain import Step
from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.names import node_label
from targetsplit.plan.tree import NodeIndex
from targetsplit.split.hierarchy import allocate


class ExplainResult(NamedTuple):
    node: str  # the node's path ("" for the root)
    title: str  # what the derivation is headed with
    tier: str | None
    steps: tuple[Step, ...]
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read


@exact
def explain(
    plan: str | Path | None,
    node: str,
    *,
    metrics: Sequence[str] | None = None,
    period: str | None = None,
    tier: str | None = None,
    cross: str | None = None,
    on_warning: WarningSink | None = None,
) -> ExplainResult:
    """The steps from the total to ``node``'s figures (and its ``period`` figures,
    and with ``cross``, its figures by that dimension's items)."""
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    chosen = pick_metrics(p, metrics)
    tier = check_tier(p, tier)
    dimension = None if cross is None else check_dimension(p, cross)
    try:
        found = NodeIndex(p).lookup(node)
    except LookupError as e:
        raise UsageError(str(e)) from None
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    alloc = allocate(p, tier)
    by_item = None if dimension is None else crossed(loaded, alloc, dimension)
    steps: list[Step] = []
    for m in chosen:
        steps += derive.derivation(alloc, found, m)
        if by_item is not None:
            steps += derive.cross_steps(by_item, found, m)
    if period is not None:
        from targetsplit.split.timesplit import split_over_time

        granularity, slots = periods_shown(p, period, None)
        assert slots is not None
        split = split_over_time(alloc, granularity, slots=slots)
        warnings.add(ledger_warnings(loaded, split.loose, chosen))
        for m in chosen:
            values = split.values(found.key, m.name)
            for k in range(len(slots)):
                steps += derive.period_steps(alloc, found, m, split.slots[k], values[k])
    title = node_label(found.key, p.title)
    return ExplainResult(found.key, title, tier, tuple(steps), warnings.all(), inputs)
