"""What ``targetsplit actuals-check`` shows: how an export's rows map to the plan."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from targetsplit.numbers.amounts import decimal_text
from targetsplit.plan.actualsmap import COUNT
from targetsplit.plan.names import node_label
from targetsplit.report.formats import Format, Shown
from targetsplit.report.grid import Column, Grid, csv_text

if TYPE_CHECKING:
    from targetsplit.api.actuals_check import ActualsCheckResult

_ZERO = Decimal(0)


def render(result: ActualsCheckResult, fmt: Format) -> Shown:
    """The counts, each node's rows and sums over the period, the names matching no node."""
    check, plan, mapping = result.check, result.plan, result.mapping
    metrics = [m for m, _ in mapping.values]
    paths = [n.key for n in plan.nodes() if n.key in check.per_node]
    sums = {path: {m: check.direct.get((path, m), _ZERO) for m in metrics} for path in paths}
    if fmt is Format.json:
        from targetsplit.report.jsonout import dumps

        return dumps(
            {
                "files": list(check.files),
                "rows": check.rows,
                "kept": check.kept,
                "outside_period": check.outside,
                "columns": {
                    "date": mapping.date,
                    "node": mapping.node,
                    "values": dict(mapping.values),
                    "where": {c: list(v) for c, v in mapping.where},
                },
                "nodes": [
                    {"path": p, "rows": check.per_node[p], "actuals": sums[p]} for p in paths
                ],
                "unmatched": [{"node": n, "rows": c} for n, c in check.unmatched],
            }
        )
    if fmt is Format.csv:
        rows: list[list[str | None]] = [
            [p, str(check.per_node[p]), *(decimal_text(sums[p][m]) for m in metrics)] for p in paths
        ]
        rows += [[n, str(c), *(None for _ in metrics)] for n, c in check.unmatched]
        header = ["node", "rows", *metrics]
        return csv_text(header, rows, set(range(1, len(header))))
    where = f" kept by where ({mapping.describe_where()})" if mapping.where else " kept"
    title = (
        f"{', '.join(check.files)}: {check.rows:,} row(s) read, {check.kept:,}{where},"
        f" {check.outside:,} dated outside the period"
    )
    columns = f"date = {mapping.date}, node = {mapping.node}, " + ", ".join(
        f"{m} = {c + ' (rows)' if c == COUNT else c}" for m, c in mapping.values
    )
    if check.unmatched:
        shown = ", ".join(f"'{n}' ({c:,})" for n, c in check.unmatched[:20])
        more = f" and {len(check.unmatched) - 20:,} more" if len(check.unmatched) > 20 else ""
        total = sum(c for _, c in check.unmatched)
        unmatched = (
            f"{total:,} row(s) match no node: {shown}{more}; add them to a node's aliases,"
            " or leave them out with where:"
        )
    else:
        unmatched = "Every row kept matches a node."
    grid = Grid(
        title=title,
        columns=(
            Column("node"),
            Column("rows", True),
            *(Column(plan.metric(m).title, True) for m in metrics),
        ),
        rows=tuple(
            (
                node_label(p, plan.title),
                f"{check.per_node[p]:,}",
                *(plan.metric(m).format(sums[p][m]) for m in metrics),
            )
            for p in paths
        ),
        notes=("", f"Columns: {columns}.", unmatched),
    )
    return [grid]
