"""What ``progress --dimension NAME`` shows: each item's target, target to date,
actual, attainment and gap, a table per metric."""

from __future__ import annotations

from typing import TYPE_CHECKING

from targetsplit.numbers.amounts import decimal_text, format_percent, round_fraction
from targetsplit.report.formats import Format, Shown
from targetsplit.report.grid import Column, Grid, csv_text

if TYPE_CHECKING:
    from targetsplit.api.dimension import DimensionProgress

HEADER = ["dimension", "item", "metric", "target", "target_to_date", "actual", "attainment", "gap"]


def render(result: DimensionProgress, fmt: Format) -> Shown:
    c = result.cutoff
    if fmt is Format.json:
        from targetsplit.report.jsonout import dumps

        return dumps(
            {
                "plan": result.plan.title,
                "period": result.plan.period.name,
                "cutoff": {"date": c.day.isoformat(), "week": c.week},
                "dimension": result.dimension,
                "actuals": result.actuals,
                "items": [
                    {
                        "item": f.item,
                        "metric": f.metric,
                        "target": f.target,
                        "target_to_date": f.to_date,
                        "actual": f.actual,
                        "attainment": None
                        if f.attainment is None
                        else round_fraction(f.attainment, 6),
                        "gap": f.gap,
                    }
                    for f in result.items
                ],
            }
        )
    if fmt is Format.csv:
        rows: list[list[str | None]] = [
            [
                result.dimension,
                f.item,
                f.metric,
                decimal_text(f.target),
                decimal_text(f.to_date),
                decimal_text(f.actual),
                None if f.attainment is None else decimal_text(round_fraction(f.attainment, 6)),
                decimal_text(f.gap),
            ]
            for f in result.items
        ]
        return csv_text(HEADER, rows, {3, 4, 5, 6, 7})
    day = f"{c.day:%a} {c.day.day} {c.day:%b %Y}"
    through = f"through week {c.week}, {day}" if c.week is not None else f"through {day}"
    grids = []
    for name in result.metrics:
        m = result.plan.metric(name)
        figures = [f for f in result.items if f.metric == name]
        grids.append(
            Grid(
                title=f"{result.plan.title} — {m.title} by {result.dimension}, {through}",
                columns=(
                    Column(result.dimension),
                    Column("target", True),
                    Column("to date", True),
                    Column("actual", True),
                    Column("attain.", True),
                    Column("gap", True),
                ),
                rows=tuple(
                    (
                        f.item,
                        m.format(f.target),
                        m.format(f.to_date),
                        m.format(f.actual),
                        "—" if f.attainment is None else format_percent(f.attainment, 1),
                        m.format(f.gap),
                    )
                    for f in figures
                ),
            )
        )
    return grids
