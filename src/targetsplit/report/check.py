"""What `targetsplit check` shows: the ok line, or where a target sheet differs."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from targetsplit.numbers.amounts import decimal_text
from targetsplit.plan.names import node_label
from targetsplit.report.formats import Format, Shown, Workbook
from targetsplit.report.grid import Column, Grid, csv_text

if TYPE_CHECKING:
    from targetsplit.api.check import CheckResult
    from targetsplit.plan.tree import Metric


def ok_line(result: CheckResult) -> str:
    noted = f", {len(result.warnings)} warning(s)" if result.warnings else ""
    return (
        f"{result.source}: ok: {result.nodes} nodes, {len(result.plan.metrics)} metric(s),"
        f" period {result.plan.period.name}{noted}"
    )


def check_workbook(result: CheckResult) -> Workbook:
    """The comparison as a workbook: a Summary sheet (the sheet, the figures
    checked, whether it agrees), then a sheet per metric of its differences."""
    from targetsplit.report import xlsx
    from targetsplit.report.allocation import period_text

    plan, differences = result.plan, result.differences
    book = xlsx.Book(plan.title, f"{period_text(plan)}; {result.sheet} checked against it")
    facts: list[list[xlsx.Cell]] = [
        ["plan", plan.title],
        ["period", period_text(plan)],
        ["sheet", result.sheet],
        ["figures checked", result.checked],
        ["figures that differ", len(differences)],
        ["agrees", "yes" if not differences else "no"],
    ]
    book.blocks("Summary", [xlsx.Block(None, facts)])
    header = ["node", "sheet", "computed", "difference", "likely cause", "line", "path"]
    for m in plan.metrics:

        def amount(v: Decimal | None, m: Metric = m) -> xlsx.Amount | None:
            return None if v is None else xlsx.Amount(v, m.display)

        rows: list[list[xlsx.Cell]] = [
            [
                node_label(d.name, plan.title),
                amount(d.sheet),
                amount(d.computed),
                amount(d.difference),
                d.cause,
                d.line,
                d.name,
            ]
            for d in differences
            if d.metric == m.name
        ]
        book.sheet(xlsx.Sheet(m.name, header, rows, signs=3))
    known = {m.name for m in plan.metrics}
    others: list[list[xlsx.Cell]] = [
        [d.name, d.metric, d.cause, d.line] for d in differences if d.metric not in known
    ]
    if others:  # rows of the sheet naming no metric of the plan
        book.sheet(xlsx.Sheet("other", ["node", "metric", "likely cause", "line"], others))
    return book.done()


def render(result: CheckResult, fmt: Format) -> Shown:
    """Where the sheet differs from the plan, with the likely cause of each difference."""
    if fmt is Format.html:
        from targetsplit.report.pages import check_page

        return check_page(result, _differences(result, Format.plain))
    return _differences(result, fmt)


def _differences(result: CheckResult, fmt: Format) -> Shown:
    differences, sheet, plan = result.differences, result.sheet, result.plan
    if fmt is Format.xlsx:
        return check_workbook(result)
    if fmt is Format.json:
        from targetsplit.report.jsonout import dumps

        return dumps(
            {
                "sheet": sheet,
                "checked": result.checked,
                "agrees": not differences,
                "differences": [
                    {
                        "node": d.name,
                        "metric": d.metric,
                        "sheet": d.sheet,
                        "computed": d.computed,
                        "difference": d.difference,
                        "cause": d.cause,
                        "line": d.line,
                    }
                    for d in differences
                ],
            }
        )
    if fmt is Format.csv:
        rows: list[list[str | None]] = [
            [
                d.name,
                d.metric,
                None if d.sheet is None else decimal_text(d.sheet),
                None if d.computed is None else decimal_text(d.computed),
                None if d.difference is None else decimal_text(d.difference),
                d.cause,
            ]
            for d in differences
        ]
        header = ["node", "metric", "sheet", "computed", "difference", "cause"]
        return csv_text(header, rows, {2, 3, 4})
    if not differences:
        return (
            f"{sheet} agrees with the plan: {result.checked} figure(s) within one rounding unit\n"
        )

    def value(metric: str, v: Decimal | None) -> str:
        return "—" if v is None else plan.metric(metric).format(v)

    grid = Grid(
        title=f"{sheet}: {len(differences)} figure(s) differ from the plan",
        columns=(
            Column("node"),
            Column("metric", keep=9),
            Column("sheet", True, keep=7),
            Column("computed", True, keep=7),
            Column("difference", True, keep=8),
            Column("likely cause", keep=1, fold=True),
        ),
        rows=tuple(
            (
                node_label(d.name, plan.title),
                d.metric,
                value(d.metric, d.sheet),
                value(d.metric, d.computed),
                value(d.metric, d.difference),
                d.cause or "",
            )
            for d in differences
        ),
    )
    return [grid]
