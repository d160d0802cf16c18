"""``progress``: attainment to date from the actuals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.track.actuals import Early, read_actuals_while, reading_early

if TYPE_CHECKING:
    from targetsplit.api.common import ActualsMapGiven, Inputs, WarningSink
    from targetsplit.plan.load import Loaded
    from targetsplit.plan.tree import Metric, Node
    from targetsplit.track.progress import Progress


class ProgressResult(NamedTuple):
    progress: Progress
    metrics: tuple[Metric, ...]  # the metrics asked for, in plan order
    actuals: str  # the actuals file as named in messages
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read
    node: Node | None = None  # the subtree shown (--node), None for the whole plan


@exact
def progress(
    plan: str | Path | None = None,
    *,
    week: int | str | None = None,
    as_of: date | str | None = None,
    actuals: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    node: str | None = None,
    on_warning: WarningSink | None = None,
    actuals_map: ActualsMapGiven | None = None,
) -> ProgressResult:
    """Progress at the end of ``week`` (32, ``W32`` or ``2026-W32``) or of ``as_of``
    (default: today), from ``actuals`` (``-``: standard input) or the plan's own
    actuals file; with ``node`` (a path or a unique name), to be shown for that
    subtree only (every node's figures are worked out as without it); ``actuals_map``:
    how an export's columns map (over the plan's ``actuals:`` mapping, key by key)."""
    if week is not None and as_of is not None:
        raise UsageError("give --week or --as-of, not both")
    # A large actuals file (--actuals, or the plan's own) is read into DuckDB by a
    # child process from here on, beside the plan's loading (and the imports for
    # it), and summed there once the cut-off is known, while the targets to date
    # are rounded here: two cores, side by side.
    # (Not for an export read through a mapping given here: its own reader reads it.)
    with reading_early(*((None, None) if actuals_map else (actuals, plan))) as early:
        return _progress(plan, week, as_of, actuals, metrics, node, on_warning, early, actuals_map)


def _progress(
    plan: str | Path | None,
    week: int | str | None,
    as_of: date | str | None,
    actuals: str | Path | None,
    metrics: Sequence[str] | None,
    node: str | None,
    on_warning: WarningSink | None,
    early: Early | None,
    actuals_map: ActualsMapGiven | None = None,
) -> ProgressResult:
    from targetsplit.api.common import (
        Warnings,
        actuals_source,
        one_stdin,
        pick_metrics,
        pick_node,
        read_plan,
    )
    from targetsplit.split.hierarchy import allocate
    from targetsplit.track.progress import compute, cutoff, targets_to_date

    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    b = p.breakdown
    assert b is not None
    chosen = pick_metrics(p, metrics)
    under = None if node is None else pick_node(p, node)
    number = None if week is None else _week_number(loaded, week)
    day = _cut_day(loaded, number, as_of)
    path, shown, mapping = actuals_source(loaded, actuals, actuals_map)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    cut = cutoff(b, day, number)
    alloc = allocate(p)
    facts, to_date = read_actuals_while(
        path,
        shown,
        p,
        cut.day,
        lambda: targets_to_date(alloc, cut.day),
        early=early,
        mapping=mapping,
    )
    warnings.add(facts.warnings)
    result = compute(alloc, cut, to_date, facts.direct)
    inputs += (("actuals", path),)
    return ProgressResult(result, chosen, shown, warnings.all(), inputs, under)


def _week_number(loaded: Loaded, week: int | str) -> int:
    assert loaded.plan.breakdown is not None
    try:
        return loaded.plan.breakdown.week_number(week)
    except ValueError as e:
        raise UsageError(f"--week: {e}") from None


def _cut_day(loaded: Loaded, week: int | None, as_of: date | str | None) -> date:
    from targetsplit.track.progress import week_end

    assert loaded.plan.breakdown is not None
    if week is not None:
        try:
            return week_end(loaded.plan.breakdown, week)
        except ValueError as e:
            raise UsageError(f"--week: {e}") from None
    if isinstance(as_of, str):
        try:
            return date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of takes a date such as 2026-08-09, not '{as_of}'") from None
    return as_of if as_of is not None else date.today()
