"""The root's target and actual week by week, for the burn-up charts of a
report (``progress --format html`` and ``--format xlsx``).

The targets are the time ledger's (``split.ledger``: a week's target is a sum
of its segments, as ``allocate --by week`` shows). The actuals are the rows
:func:`targetsplit.track.actuals.read_actuals` counts (in the period, through
the cut-off), summed per metric and week (:class:`~targetsplit.track.weeksums.WeekSums`):
every node is under the root, so they add up to the root's actual. An export
read through the plan's ``actuals:`` mapping (files, a glob, standard input, a
database) is summed by week as it is read; our own layout (a CSV, standard
input, a workbook or a Parquet file) is read a second time, after
``read_actuals`` has read and judged the same rows (a file it refuses never
gets here), by the Python reader's rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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
    _fail,
    _layout,
    read_actuals_while,
)
from targetsplit.track.weeksums import WeekSums


@dataclass(frozen=True)
class Weekly:
    """The root's figures per week of the period (``breakdown.weeks()``), per metric."""

    target: Mapping[str, list[int]]  # rounding units: the ledger's weeks
    actual: Mapping[str, list[Decimal]]  # the actuals dated in each week, through the cut-off


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
    input (``-``) is read once: both reads read the copy made of it."""
    from targetsplit.split.ledger import Ledger, build
    from targetsplit.split.timesplit import view
    from targetsplit.track import tables

    plan = alloc.plan
    b = plan.breakdown
    assert b is not None
    weeks = WeekSums(plan, top)

    def work() -> tuple[Ledger, dict[str, dict[str, int]]]:
        ledger = build(alloc)
        return ledger, ledger.to_date(cut_day)

    if mapping is not None:
        from targetsplit.track.mapped import read_mapped

        try:
            facts = read_mapped(path, source, plan, mapping, cut_day, weeks=weeks)
        except MemoryError:
            raise _fail(source, f"out of memory reading {source}") from None
        ledger, to_date = work()
    elif path != "-" and tables.kind(path) is not None:
        # A workbook or a Parquet file in our own layout: written out as our CSV.
        with tables.as_csv(path, source, ActualsError, date_column="date") as converted:
            try:
                facts, (ledger, to_date) = read_actuals_while(
                    converted.csv, converted.shown, plan, cut_day, work, early=early
                )
                add_weeks(converted.csv, converted.shown, plan, cut_day, weeks)
            except ActualsError as e:
                raise tables.placed(e, converted) from None
    else:
        with csvfile.regular_file(path, source, "actuals", MAX_ACTUALS_BYTES, ActualsError) as f:
            facts, (ledger, to_date) = read_actuals_while(
                f, source, plan, cut_day, work, early=early
            )
            add_weeks(f, source, plan, cut_day, weeks)
    shown = view(ledger, "week", b.weeks())
    root = shown.units[alloc.root.path if top is None else top.key]
    target = {m.name: list(root[m.name]) for m in plan.metrics}
    return facts, to_date, Weekly(target, weeks.sums)


def add_weeks(path: str, source: str, plan: Plan, cut_day: date, weeks: WeekSums) -> None:
    """The rows of the file at ``path`` (a regular file, our own CSV layout)
    dated in the period through ``cut_day``, summed per week into ``weeks``."""
    opened = csvfile.open_csv(path, source, "actuals")
    header = opened.header
    layout = None if header is None else _layout(header, plan, opened.problems)
    if layout is None or opened.problems:
        raise ActualsError(opened.problems.diagnostics())
    cells = _Cells(plan, layout, cut_day)
    day_of: dict[str, date | None] = {}
    for _, row in opened.rows:
        if len(row) < 3 or csvfile.is_blank(row):
            continue
        text = row[0]
        if text in day_of:
            day = day_of[text]
        else:
            counts = cells.day(text) is True
            day = day_of[text] = _day(text, layout.time, plan) if counts else None
        if day is None:
            continue
        node = cells.node(row[1])
        if not isinstance(node, str):
            continue
        if layout.metrics:
            pairs = [(name, row[i] if i < len(row) else "") for i, name in layout.metrics]
        else:
            metric = cells.metric(row[2])
            pairs = [(metric if isinstance(metric, str) else "", row[3] if len(row) > 3 else "")]
        for name, text in pairs:
            value = cells.value(text)
            if isinstance(value, Decimal):
                weeks.add(day, node, name, value)


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
