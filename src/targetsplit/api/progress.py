"""``progress``: attainment to date from the actuals."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.track.actuals import Early, read_actuals_while, reading_early

if TYPE_CHECKING:
    from targetsplit.api.common import ActualsMapGiven, Inputs, Warnings, WarningSink
    from targetsplit.calendar.workdays import Granularity
    from targetsplit.plan.actualsmap import ActualsMap
    from targetsplit.plan.load import Loaded
    from targetsplit.plan.tree import Metric, Node
    from targetsplit.split.hierarchy import Allocation
    from targetsplit.split.ledger import Loose
    from targetsplit.track.burnup import BurnWeek
    from targetsplit.track.progress import Cutoff, Frame, Progress
    from targetsplit.track.weekly import Weekly

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


#: Work done while the actuals are summed (see :func:`progress`).
Ahead = Callable[["Frame", tuple["Metric", ...], "Node | None"], object]


class ProgressResult(NamedTuple):
    progress: Progress
    metrics: tuple[Metric, ...]  # the metrics asked for, in plan order
    actuals: str  # the actuals file as named in messages
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read
    node: Node | None = None  # the subtree shown (--node), None for the whole plan
    burnup: tuple[BurnWeek, ...] | None = None  # the root's weeks, when asked for
    weekly: Weekly | None = None  # the root's weeks (with weekly=True: an HTML report)
    ahead: object = None  # what ``ahead`` made while the actuals were summed


@exact
def progress(
    plan: str | Path | None = None,
    *,
    week: int | str | None = None,
    as_of: date | str | None = None,
    actuals: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    node: str | None = None,
    window: str | None = None,
    tier: str | None = None,
    on_warning: WarningSink | None = None,
    actuals_map: ActualsMapGiven | None = None,
    burnup: bool = False,
    weekly: bool = False,
    ahead: Ahead | None = None,
) -> ProgressResult:
    """Progress at the end of ``week`` (32, ``W32`` or ``2026-W32``) or of ``as_of``
    (default: today), from ``actuals`` (``-``: standard input) or the plan's own
    actuals file; with ``node`` (a path or a unique name), to be shown for that
    subtree only (every node's figures are worked out as without it); ``actuals_map``:
    how an export's columns map (over the plan's ``actuals:`` mapping, key by key);
    with ``window`` (week, month, quarter, half), over the days from the start of
    the cut-off's window (``period``, the default: the whole period's); with
    ``tier``, against that tier's targets (as ``allocate --tier`` splits them);
    ``burnup``: also the root's cumulative target and actual week by week over
    the period (the actuals read again through each week's end; from standard
    input or a pipe, read once, only the cut-off's; none with a ``window``);
    ``weekly``: also the target and actual by week of the root (of ``node``) (the
    actuals are read once more, for the burn-up of an HTML report; not in a window);
    ``ahead(frame, metrics, node)``: work to do while a large actuals file is summed,
    given all the figures need but the actuals (a :class:`~targetsplit.track.progress.Frame`)
    and the metrics and node shown; what it gives is the result's ``ahead``
    (None when it did not run: in a window, or with ``weekly``)."""
    if week is not None and as_of is not None:
        raise UsageError("give --week or --as-of, not both")
    if window is not None:
        window = _window_size(window)
    # A large actuals file (--actuals, or the plan's own) is read into DuckDB by a
    # child process from here on, beside the plan's loading (and the imports for
    # it), and summed there once the cut-off is known, while the targets to date
    # are rounded here: two cores, side by side.
    # (Not for an export read through a mapping given here: its own reader reads it.)
    with reading_early(*((None, None) if actuals_map else (actuals, plan))) as early:
        return _progress(
            plan,
            week,
            as_of,
            actuals,
            metrics,
            (node, window, tier),
            on_warning,
            early,
            actuals_map,
            burnup,
            weekly,
            ahead,
        )


def _progress(
    plan: str | Path | None,
    week: int | str | None,
    as_of: date | str | None,
    actuals: str | Path | None,
    metrics: Sequence[str] | None,
    views: tuple[str | None, str | None, str | None],  # --node, --window, --tier
    on_warning: WarningSink | None,
    early: Early | None,
    actuals_map: ActualsMapGiven | None = None,
    burnup: bool = False,
    weekly: bool = False,
    ahead: Ahead | None = None,
) -> ProgressResult:
    from targetsplit.api.common import (
        Warnings,
        actuals_source,
        check_tier,
        ledger_warnings,
        one_stdin,
        pick_metrics,
        pick_node,
        read_plan,
    )
    from targetsplit.split.hierarchy import allocate
    from targetsplit.track.progress import compute, cutoff, frame, settle, targets_to_date

    node, window, tier = views

    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    b = p.breakdown
    assert b is not None
    chosen = pick_metrics(p, metrics)
    under = None if node is None else pick_node(p, node)
    tier = None if tier is None else check_tier(p, tier)
    number = None if week is None else _week_number(loaded, week)
    day = _cut_day(loaded, number, as_of)
    path, shown, mapping = actuals_source(loaded, actuals, actuals_map)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    cut = cutoff(b, day, number)
    alloc = allocate(p, tier)
    if window is not None and window != "period":
        files = (path, shown, mapping)
        found = (loaded, warnings, inputs)
        return _in_window(alloc, cut, window, files, chosen, found, under, early)
    weeks, made = None, None
    if weekly or burnup:  # a report's burn-up: the weeks' actuals, read with the rest
        from targetsplit.track.weekly import read_with_weeks

        facts, to_date, weeks, loose = read_with_weeks(
            path, shown, alloc, cut.day, early, under, mapping
        )
        result = compute(alloc, cut, to_date, facts.direct)
    else:

        def meanwhile() -> tuple[Frame, object, tuple[Loose, ...]]:
            to_date, loose = targets_to_date(alloc, cut.day)
            ready = frame(alloc, cut, to_date)
            return ready, None if ahead is None else ahead(ready, chosen, under), loose

        # Everything but the actuals' own figures is made while they are summed.
        facts, (ready, made, loose) = read_actuals_while(
            path, shown, p, cut.day, meanwhile, early=early, mapping=mapping
        )
        result = settle(ready, facts.direct)
    warnings.add(ledger_warnings(loaded, loose, chosen))
    warnings.add(facts.warnings)
    inputs += (("actuals", path),)
    burn = None
    if burnup and weeks is not None:
        from targetsplit.track.burnup import burnup as burn_up

        top = 0 if under is None else [n.key for n in result.nodes].index(under.key)
        burn = burn_up(p, weeks, result, top)
    if not weekly:
        weeks = None
    return ProgressResult(result, chosen, shown, warnings.all(), inputs, under, burn, weeks, made)


def _window_size(text: str) -> str:
    """``--window``'s value, checked."""
    from targetsplit.track.progress import WINDOWS

    size = text.strip().lower()
    if size not in WINDOWS:
        raise UsageError(f"--window takes {', '.join(WINDOWS[:-1])} or {WINDOWS[-1]}, not '{text}'")
    return size


def _in_window(
    alloc: Allocation,
    cut: Cutoff,
    size: str,
    files: tuple[str, str, ActualsMap | None],
    chosen: tuple[Metric, ...],
    found: tuple[Loaded, Warnings, Inputs],  # the plan, its warnings, the files read
    under: Node | None,
    early: Early | None,
) -> ProgressResult:
    """Progress over the cut-off's week, month, quarter or half (``size``): the
    targets are the ledger's over the window, the actuals the rows dated in it."""
    from targetsplit.api.common import ledger_warnings
    from targetsplit.track.progress import in_window, settle

    loaded, warnings, inputs = found

    p = alloc.plan
    assert p.breakdown is not None
    cut = in_window(p.breakdown, cut, cast("Granularity", size))
    assert cut.window is not None
    path, shown, mapping = files
    facts, (ready, loose) = read_actuals_while(
        path,
        shown,
        p,
        cut.day,
        lambda: _window_frame(alloc, cut),
        first_day=cut.window.start,
        early=early,
        mapping=mapping,
    )
    warnings.add(ledger_warnings(loaded, loose, chosen))
    warnings.add(facts.warnings)
    result = settle(ready, facts.direct)
    inputs += (("actuals", path),)
    return ProgressResult(result, chosen, shown, warnings.all(), inputs, under)


def _window_frame(alloc: Allocation, cut: Cutoff) -> tuple[Frame, tuple[Loose, ...]]:
    """The frame of a window's progress, and the metrics the ledger rounded as one flow."""
    from targetsplit.track.progress import frame, window_targets

    upto, whole, loose = window_targets(alloc, cut)
    return frame(alloc, cut, upto, whole), loose


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
        try:  # YYYY-MM-DD only: fromisoformat also reads 20260809 and 2026-W32 (its Monday)
            if _DAY.fullmatch(as_of):
                return date.fromisoformat(as_of)
        except ValueError:
            pass
        raise UsageError(f"--as-of takes a date such as 2026-08-09, not '{as_of}'")
    return as_of if as_of is not None else date.today()
