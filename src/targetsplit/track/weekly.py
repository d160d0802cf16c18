"""The root's target and actual week by week, for the burn-up chart of an HTML
report (``progress --format html``).

The targets are the time ledger's (``split.ledger``: a week's target is a sum
of its segments, as ``allocate --by week`` shows). The actuals are the rows
:func:`targetsplit.track.actuals.read_actuals` counts (in the period, through
the cut-off), summed per metric and week: every node is under the root, so
they add up to the root's actual. They are read only when a report asks,
after ``read_actuals`` has read and judged the same file (a file it refuses
never gets here): one more pass, by the Python reader's rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import Allocation
from targetsplit.track import csvfile
from targetsplit.track.actuals import (
    MAX_ACTUALS_BYTES,
    Actuals,
    ActualsError,
    Early,
    _Cells,
    _layout,
    read_actuals_while,
)


@dataclass(frozen=True)
class Weekly:
    """The root's figures per week of the period (``breakdown.weeks()``), per metric."""

    target: Mapping[str, list[int]]  # rounding units: the ledger's weeks
    # The actuals dated in each week, through the cut-off (None: an export read
    # through a mapping, whose rows are not read by week).
    actual: Mapping[str, list[Decimal]] | None


def read_with_weeks(
    path: str,
    source: str,
    alloc: Allocation,
    cut_day: date,
    early: Early | None,
    top: Node | None = None,
    mapping: ActualsMap | None = None,
) -> tuple[Actuals, dict[str, dict[str, int]], Weekly]:
    """The actuals (as :func:`~targetsplit.track.actuals.read_actuals_while`
    reads them), the targets to date at ``cut_day`` (as ``targets_to_date``
    gives them: the ledger is built once, meanwhile) and the weekly targets and
    actuals of the root (of ``top``, when given: its subtree's rows). Standard
    input (``-``) is read once: both reads read the copy made of it. An export
    read through a ``mapping`` gives no weekly actuals."""
    from targetsplit.split.ledger import Ledger, build
    from targetsplit.split.timesplit import view

    b = alloc.plan.breakdown
    assert b is not None

    def work() -> tuple[Ledger, dict[str, dict[str, int]]]:
        ledger = build(alloc)
        return ledger, ledger.to_date(cut_day)

    actual = None
    if mapping is not None:
        facts, (ledger, to_date) = read_actuals_while(
            path, source, alloc.plan, cut_day, work, early=early, mapping=mapping
        )
    else:
        with csvfile.regular_file(path, source, "actuals", MAX_ACTUALS_BYTES, ActualsError) as f:
            facts, (ledger, to_date) = read_actuals_while(
                f, source, alloc.plan, cut_day, work, early=early
            )
            actual = weekly_actuals(f, source, alloc.plan, cut_day, top)
    weeks = view(ledger, "week", b.weeks())
    root = weeks.units[alloc.root.path if top is None else top.key]
    target = {m.name: list(root[m.name]) for m in alloc.plan.metrics}
    return facts, to_date, Weekly(target, actual)


def weekly_actuals(
    path: str, source: str, plan: Plan, cut_day: date, top: Node | None = None
) -> dict[str, list[Decimal]]:
    """Each metric's actuals per week of the period, of the rows of the file at
    ``path`` (a regular file) dated in the period through ``cut_day`` (and
    booked in ``top``'s subtree, when given)."""

    b = plan.breakdown
    assert b is not None
    starts = [w.start for w in b.weeks()]
    out = {m.name: [Decimal(0)] * len(starts) for m in plan.metrics}
    opened = csvfile.open_csv(path, source, "actuals")
    header = opened.header
    layout = None if header is None else _layout(header, plan, opened.problems)
    if layout is None or opened.problems:
        raise ActualsError(opened.problems.diagnostics())
    cells = _Cells(plan, layout, cut_day)
    week_of: dict[str, int | None] = {}
    inside = None if top is None or not top.key else {n.key for n in top.walk()}
    add = amounts.EXACT.add
    for _, row in opened.rows:
        if len(row) < 3 or csvfile.is_blank(row):
            continue
        k = week_of.get(row[0], -1)
        if k == -1:
            counts = cells.day(row[0]) is True
            k = week_of[row[0]] = (
                bisect_right(starts, _day(row[0], layout.time, plan)) - 1 if counts else None
            )
        if k is None or (inside is not None and cells.node(row[1]) not in inside):
            continue
        if layout.metrics:
            pairs = [(name, row[i] if i < len(row) else "") for i, name in layout.metrics]
        else:
            metric = cells.metric(row[2])
            pairs = [(metric if isinstance(metric, str) else "", row[3] if len(row) > 3 else "")]
        for name, text in pairs:
            value = cells.value(text)
            if isinstance(value, Decimal) and name in out:
                out[name][k] = add(out[name][k], value)
    return out


def _day(text: str, time: str, plan: Plan) -> date:
    """The day of a counted row's date or week cell (a week: its last day)."""
    t = text.strip()
    if time == "date":
        try:
            return date.fromisoformat(t)
        except ValueError:
            return datetime.fromisoformat(t).date()
    b = plan.breakdown
    assert b is not None
    return b.weeks()[b.week_number(t) - 1].end
