"""Reading a hand-made target sheet for `check --against`: CSV in the long form
``node,metric,value`` or the wide form ``node,<metric>,…`` (a spreadsheet export)."""

from __future__ import annotations

import csv
import io

from targetsplit.audit.against import Entry
from targetsplit.errors import AmountError, Diagnostic, TargetsplitError
from targetsplit.numbers import amounts
from targetsplit.plan.load import read_text
from targetsplit.plan.tree import NodeIndex, Plan, did_you_mean


class SheetError(TargetsplitError):
    """The sheet is wrong or cannot be read (exit 1)."""


def read_sheet(file: str, plan: Plan) -> tuple[str, list[Entry]]:
    """The sheet's name as shown in messages, and its figures."""
    try:
        text, name = read_text(file, "sheet")
    except TargetsplitError as e:
        raise SheetError(e.diagnostics) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SheetError(
            [Diagnostic("empty: expected a header such as node,metric,value").placed(name, 1, None)]
        )
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    if lower[0] != "node" or len(header) < 2:
        raise SheetError(
            [
                Diagnostic(
                    "the header must be node,metric,value or node followed by metric columns"
                    f" ({', '.join(plan.metric_names)}); got {','.join(header)}"
                ).placed(name, 1, None)
            ]
        )
    long_form = lower[1:] == ["metric", "value"]
    errors: list[Diagnostic] = []
    if not long_form:
        errors.extend(
            Diagnostic(f"unknown metric column '{h}'{did_you_mean(h, plan.metric_names)}").placed(
                name, 1, None
            )
            for h in header[1:]
            if h not in plan.metric_names
        )
    index = NodeIndex(plan)
    entries: list[Entry] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        node_text = cells[0].strip()
        node_path: str | None
        if node_text in ("", plan.title):
            node_path = ""
        else:
            try:
                node_path = index.lookup(node_text).key
            except LookupError as e:
                if "give its path" in str(e):
                    errors.append(Diagnostic(str(e)).placed(name, line, None))
                    continue
                node_path = None
        pairs = (
            [(cells[1].strip(), cells[2])]
            if long_form
            else list(zip(header[1:], cells[1:], strict=False))
        )
        for metric, raw in pairs:
            if long_form and metric not in plan.metric_names:
                errors.append(
                    Diagnostic(
                        f"unknown metric '{metric}'{did_you_mean(metric, plan.metric_names)}"
                    ).placed(name, line, None)
                )
                continue
            if not raw.strip():
                if long_form:
                    errors.append(Diagnostic("a row has no value").placed(name, line, None))
                continue
            try:
                value = amounts.parse_amount(raw, allow_negative=True)
            except AmountError as e:
                errors.append(Diagnostic(str(e)).placed(name, line, None))
                continue
            entries.append(Entry(line, node_text, node_path, metric, value))
    if errors:
        raise SheetError(errors[:20])
    return name, entries
