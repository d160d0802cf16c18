"""``rollover``: the next period's plan from this period's results."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from targetsplit.api.common import Warnings, WarningSink, ledger_warnings, one_stdin, read_plan
from targetsplit.api.replan import (
    NewPlanResult,
    document,
    header_lines,
    point_actuals,
    rolled_up,
    written,
)
from targetsplit.calendar.periods import Period, custom_period, parse_period_text
from targetsplit.cycle.common import NewPlan
from targetsplit.cycle.rollover import Result
from targetsplit.errors import AmountError, Diagnostic, TargetsplitError, UsageError
from targetsplit.numbers import amounts
from targetsplit.numbers.exact import exact
from targetsplit.plan.names import Names
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import Allocation, allocate

if TYPE_CHECKING:
    from targetsplit.split.ledger import Loose


@exact
def rollover(
    plan: str | Path | None = None,
    *,
    to: str,
    name: str | None = None,
    growth: str | None = None,
    totals: Sequence[str] = (),
    carry: bool = False,
    actuals: str | Path | None = None,
    output: str | Path | None = None,
    on_warning: WarningSink | None = None,
    today: date | None = None,
) -> NewPlanResult:
    """The plan for the period ``to`` (2027, 2027-Q1, or START..END with
    ``name``): totals from this period's actuals grown by ``growth`` (10%) or
    given as ``totals`` (revenue=1.5亿), shares from each node's actual;
    ``carry`` adds each leaf's shortfall on top of its share."""
    from targetsplit.api.common import actuals_source
    from targetsplit.cycle.common import Unstatable
    from targetsplit.cycle.rollover import rollover as make
    from targetsplit.cycle.rollover import totals as next_totals
    from targetsplit.track.actuals import read_actuals

    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    period, period_value = _next_period(to, name, p.period)
    rise = _growth(growth)
    given = _given(totals, p.metric_names)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    today = today or date.today()
    day = min(p.period.end, today)
    if today < p.period.start:
        note = (
            f"the period {p.period.name} has not started (it starts {p.period.start}): there"
            " are no results yet, so each node keeps its old basis"
        )
    elif today < p.period.end:
        note = (
            f"the period {p.period.name} has not ended (it ends {p.period.end}): its results"
            f" through today, {today}, are rolled over"
        )
    else:
        note = ""
    if note:
        warnings.add([Diagnostic(note, severity="warning")])
    path, shown, mapping = actuals_source(loaded, actuals)
    facts = read_actuals(path, shown, p, day, mapping=mapping)
    warnings.add(facts.warnings)
    rolled = rolled_up(p, facts.direct)
    alloc = allocate(p)
    due = None
    if carry and day < p.period.end:
        due, loose = _due(alloc, day)
        warnings.add(ledger_warnings(loaded, loose, p.metrics))
    results = {
        row.path: {
            m: Result(row.units[m], rolled[row.path][m], due[row.path][m] if due else None)
            for m in p.metric_names
        }
        for row in alloc.rows
    }
    try:
        units = next_totals(p, results[""], rise, given)
    except ValueError as e:
        raise UsageError(str(e)) from None
    warnings.add(
        Diagnostic(
            f"{m.name}: the new total is 0 (this period's actual is"
            f" {m.format(results[''][m.name].actual)}): give --total {m.name}=AMOUNT for another",
            severity="warning",
        )
        for m in p.sources
        if m.name not in given and units[m.name] == 0
    )
    header = header_lines(loaded, inputs[0][1], path, shown, "Rolled over")
    try:
        new = make(
            p,
            document(loaded),
            results,
            period=period,
            period_value=period_value,
            next_units=units,
            header=header,
        )
        new = point_actuals(new, path, output)
        if carry:
            new = _carried(p, new, results, to_date=due is not None)
    except Unstatable as e:
        raise TargetsplitError(str(e)) from None
    warnings.add(Diagnostic(n, severity="warning") for n in new.notes)
    text, checked = written(new)
    return NewPlanResult(text, checked, warnings.all(), (*inputs, ("actuals", path)))


def _due(alloc: Allocation, day: date) -> tuple[dict[str, dict[str, int]], tuple[Loose, ...]]:
    """Each node's target to date at ``day`` (none before the period starts), and
    the metrics the time ledger rounded as one flow."""
    from targetsplit.track.review import window_targets

    plan = alloc.plan
    if day < plan.period.start:
        return {r.path: dict.fromkeys(r.units, 0) for r in alloc.rows}, ()
    return window_targets(alloc, plan.period.start, day)


def _carried(
    p: Plan, new: NewPlan, results: Mapping[str, Mapping[str, Result]], *, to_date: bool
) -> NewPlan:
    """``new`` with each leaf's shortfall of this period (to date, when it has not
    ended) on top of its share, as amounts."""
    from targetsplit.cycle.common import amount_text, rewrite_nodes, total_text
    from targetsplit.cycle.rollover import carried

    _, first = written(new)
    base = {row.path: dict(row.units) for row in allocate(first).rows}
    notes = list(new.notes)
    figures = carried(p, first, base, results, notes)

    def weight(node: Node) -> dict[str, Any]:
        return {m.name: {"amount": amount_text(m, figures[node.key][m.name])} for m in p.sources}

    data = rewrite_nodes(p, new.data, weight, None)
    for m in p.sources:
        data["metrics"][m.name]["total"] = total_text(m, figures[""][m.name])
    return NewPlan(
        data,
        (
            *new.header,
            "--carry: each leaf's figure is its share of the total above plus its",
            (
                "shortfall to date (max(0, target to date - actual), rounded up to the unit),"
                if to_date
                else "shortfall this period (max(0, target - actual), rounded up to the unit),"
            ),
            "written as amounts; parents are the sums.",
        ),
        figures,
        tuple(notes),
    )


_FORMS = (
    "2027, 2027-H1, 2027-Q3, 2027-07, or START..END (2027-04-01..2028-03-31, with --name FY2027)"
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: str) -> date:
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise UsageError(f"--to: '{text}' is not a date (YYYY-MM-DD); write {_FORMS}")


def _next_period(to: str, name: str | None, old: Period) -> tuple[Period, Any]:
    """The next period from ``--to``, and how the new plan states it."""
    text = to.strip()
    if not text:
        raise UsageError(f"give the next period with --to: {_FORMS}")
    if name is not None and not name:
        raise UsageError("--name is empty: give the name of the START..END period (FY2027)")
    if ".." in text:
        a, _, b = text.partition("..")
        start, end = _day(a.strip()), _day(b.strip())
        try:
            period = custom_period(start, end, name)
        except ValueError as e:
            raise UsageError(f"--to: {e}") from None
        value: Any = {"start": start.isoformat(), "end": end.isoformat()}
        if name:
            value["name"] = name
    else:
        if name:
            raise UsageError("--name goes with --to START..END (a named range)")
        try:
            period = parse_period_text(text)
        except ValueError as e:
            reason = str(e) if "year must be" in str(e) or "no month" in str(e) else ""
            raise UsageError(
                f"--to: {reason or repr(text) + ' is not a period'}; write {_FORMS}"
            ) from None
        value = period.name
    if period.start <= old.end:
        raise UsageError(
            f"--to: the next period must start after this one ends ({old.end}); {text} starts"
            f" {period.start}"
        )
    return period, value


def _growth(text: str | None) -> Fraction:
    if text is None:
        return Fraction(0)
    try:
        parsed = amounts.parse(text, allow_negative=True)
    except AmountError as e:
        raise UsageError(f"--growth: {e}") from None
    if parsed.kind != "percent":
        raise UsageError(f"--growth takes a percent such as 10% or -5%, not '{text}'")
    if parsed.value <= -1:
        raise UsageError(f"--growth {text} would leave nothing: give more than -100%")
    return Fraction(parsed.value)


def _given(texts: Sequence[str], metrics: Sequence[str]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    names = Names(list(metrics))
    for text in texts:
        metric, sep, value = text.partition("=")
        if not sep:
            raise UsageError(f"--total takes METRIC=AMOUNT (revenue=1.5亿), not '{text}'")
        found = names.find(metric.strip())
        if found is None:
            raise UsageError(f"--total: unknown metric '{metric.strip()}'{names.hint(metric)}")
        if found in out:
            raise UsageError(f"--total {found} is given twice: give each metric's total once")
        try:
            out[found] = amounts.parse_amount(value)
        except AmountError as e:
            raise UsageError(f"--total {found}: {e}") from None
    return out
