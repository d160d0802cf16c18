"""``review``: the period-end review of the plan's period or of one of its windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

from targetsplit.api.common import (
    Inputs,
    Warnings,
    WarningSink,
    actuals_source,
    ledger_warnings,
    one_stdin,
    pick_metrics,
    read_plan,
)
from targetsplit.calendar.workdays import GRANULARITIES, Breakdown, select
from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.tree import Metric, Plan
from targetsplit.split.hierarchy import allocate
from targetsplit.track.actuals import read_actuals_while
from targetsplit.track.review import Review, Summary, Window, compute, summarize, window
from targetsplit.track.review import window_targets as targets_of


class ReviewResult(NamedTuple):
    review: Review
    metrics: tuple[Metric, ...]  # the metrics asked for, in plan order
    summary: Summary  # of every node, for those metrics
    actuals: str  # the actuals file as named in messages
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read


def _today() -> date:
    """Today (a function, so that tests can stand in another day)."""
    return date.today()


@exact
def review(
    plan: str | Path | None = None,
    *,
    period: str | None = None,
    actuals: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    today: date | None = None,
    on_warning: WarningSink | None = None,
) -> ReviewResult:
    """Review the plan's period, or ``period`` (one of its halves, quarters, months
    or weeks, or a range ``A..B`` of them), from ``actuals`` (``-``: standard
    input) or the plan's own actuals file. A window that has not ended by
    ``today`` (default: the real today) is reviewed up to today, with a warning."""
    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    chosen = pick_metrics(p, metrics)
    win = _window(p, period, _today() if today is None else today)
    path, shown, mapping = actuals_source(loaded, actuals)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    if not win.ended:
        warnings.add([_not_ended(win)])
    alloc = allocate(p)
    # A large actuals file is summed in a child process while the targets are
    # summed here: two cores, side by side.
    facts, (targets, loose) = read_actuals_while(
        path,
        shown,
        p,
        win.last,
        lambda: targets_of(alloc, win.start, win.last),
        first_day=win.start,
        mapping=mapping,
    )
    warnings.add(ledger_warnings(loaded, loose, chosen))
    warnings.add(facts.warnings)
    result = compute(alloc, win, targets, facts.direct)
    summary = summarize(result, [m.name for m in chosen])
    inputs += (("actuals", path),)
    return ReviewResult(result, chosen, summary, shown, warnings.all(), inputs)


def _window(plan: Plan, period: str | None, today: date) -> Window:
    """The days ``period`` names (the plan's period without it), up to ``today``."""
    b = plan.breakdown
    assert b is not None
    label, start, end = plan.period.name, plan.period.start, plan.period.end
    if period is not None and period.strip() != label:
        try:
            _, slots = select(b, period, None)
        except ValueError as e:
            why = str(e).split(" (labels look like")[0]
            raise UsageError(f"--period: {why}; the plan's periods are {_labels(b)}") from None
        start, end = slots[0].start, slots[-1].end
        label = period.strip()  # a label or a range of labels, as select() found them
    if today < start:
        raise UsageError(
            f"{label} has not started: it starts on {start.isoformat()}, after today"
            f" ({today.isoformat()}); there is nothing to review yet"
        )
    return window(b, label, start, end, today)


def _labels(b: Breakdown) -> str:
    """The labels --period takes, in brief: ``2026-H1, 2026-H2; …; 2026-W01 .. 2026-W53``."""
    kinds = []
    for g in GRANULARITIES:
        labels = [s.label for s in b.slots(g)]
        kinds.append(", ".join(labels) if len(labels) <= 4 else f"{labels[0]} .. {labels[-1]}")
    return "; ".join(dict.fromkeys(kinds)) + " (or a range A..B of them)"


def _not_ended(win: Window) -> Diagnostic:
    return Diagnostic(
        f"{win.label} has not ended (it ends on {win.end.isoformat()}): reviewed up to today,"
        f" {win.start.isoformat()} .. {win.last.isoformat()}"
        f" ({win.workdays_done} of {win.workdays_total} working days)",
        severity="warning",
    )
