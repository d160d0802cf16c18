"""Reading a hand-made target sheet for `check --against`: CSV in the long form
``node,metric,value`` or the wide form ``node,<metric>,…`` (a spreadsheet export)."""

from __future__ import annotations

import csv
import io

from targetsplit.audit.against import Entry
from targetsplit.errors import AmountError, Diagnostic, TargetsplitError
from targetsplit.numbers import amounts
from targetsplit.plan.load import read_text
from targetsplit.plan.names import Names, nfc
from targetsplit.plan.tree import NodeIndex, Plan


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
    metric_names = Names(plan.metric_names)
    columns = [metric_names.find(h) or h for h in header[1:]]
    if not long_form:
        errors.extend(
            Diagnostic(f"unknown metric column '{h}'{metric_names.hint(h, 1)}").placed(
                name, 1, None
            )
            for h in header[1:]
            if metric_names.find(h) is None
        )
    index = NodeIndex(plan)
    entries: list[Entry] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}  # (node, metric) -> first line, as written
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        node_text = cells[0].strip()
        try:
            node = index.find(node_text)
        except LookupError as e:
            errors.append(Diagnostic(str(e)).placed(name, line, None))
            continue
        node_path = None if node is None else node.key
        hint = "" if node is not None else index.hint(node_text)
        pairs = (
            [(cells[1].strip(), cells[2])]
            if long_form
            else list(zip(columns, cells[1:], strict=False))
        )
        for written, raw in pairs:
            metric = metric_names.find(written)
            if metric is None:
                if not long_form:
                    continue  # the header's error says it
                errors.append(
                    Diagnostic(f"unknown metric '{written}'{metric_names.hint(written, 1)}").placed(
                        name, line, None
                    )
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
            key = (nfc(node_text) if node_path is None else node_path, metric)
            if key in seen:
                first, as_written = seen[key]
                also = "" if as_written == node_text else f" (as '{as_written}')"
                errors.append(
                    Diagnostic(
                        f"'{node_text}' {metric} is given twice: already on line {first}{also}"
                    ).placed(name, line, None)
                )
                continue
            seen[key] = (line, node_text)
            entries.append(Entry(line, node_text, node_path, metric, value, hint))
    if errors:
        raise SheetError(errors[:20])
    return name, entries
