"""Reading a hand-made target sheet for `check --against`: CSV in the long form
``node,metric,value`` or the wide form ``node,<metric>,…`` (a spreadsheet export),
in the grammar of :mod:`targetsplit.track.csvfile` (the one actuals use)."""

from __future__ import annotations

from collections.abc import Callable

from targetsplit.audit.against import Entry
from targetsplit.errors import AmountError, TargetsplitError
from targetsplit.numbers import amounts
from targetsplit.plan.names import Names, nfc
from targetsplit.plan.tree import NodeIndex, Plan
from targetsplit.track import csvfile

MAX_SHEET_BYTES = 20 * 1024 * 1024


class SheetError(TargetsplitError):
    """The sheet is wrong or cannot be read (exit 1)."""


def read_sheet(file: str, plan: Plan) -> tuple[str, list[Entry]]:
    """The sheet's name as shown in messages, and its figures (``-``: standard input)."""
    name = "<stdin>" if file == "-" else file
    from targetsplit.track import tables

    if file != "-" and tables.kind(file) is not None:
        # A workbook's first sheet or a Parquet file: written out as CSV, read as
        # one, its messages and lines placed back at the source's rows.
        with tables.as_csv(file, name, SheetError) as converted:
            try:
                return converted.shown, _read(converted.csv, converted.shown, plan, converted.row)
            except SheetError as e:
                raise tables.placed(e, converted) from None
    try:
        with csvfile.regular_file(file, name, "sheet", MAX_SHEET_BYTES, SheetError) as path:
            return name, _read(path, name, plan)
    except MemoryError:
        raise csvfile.fail(SheetError, name, f"out of memory reading {name}") from None


def _read(
    path: str, name: str, plan: Plan, row_of: Callable[[int], int | None] | None = None
) -> list[Entry]:
    """The sheet's figures; ``row_of``: a record's row in the source (a workbook's
    sheet, a Parquet file) from its line in the CSV written out."""
    opened = csvfile.open_csv(path, name, "sheet", "node,metric,value")
    problems, it, header = opened.problems, opened.rows, opened.header
    if header is None:
        raise SheetError(problems.diagnostics())
    names = header.names
    lower = [h.lower() for h in names]
    if lower[0] != "node" or len(names) < 2:
        problems.add(
            header.line,
            "the header must be node,metric,value or node followed by metric columns"
            f" ({', '.join(plan.metric_names)}); got {csvfile.clip(','.join(names), 120)}",
        )
        raise SheetError(problems.diagnostics())
    long_form = lower[1:3] == ["metric", "value"]
    metric_names = Names(plan.metric_names)
    if long_form:
        for extra in names[3:]:
            problems.add(
                header.line,
                f"an extra column '{csvfile.clip(extra)}' after node,metric,value; remove it",
            )
    else:
        for h in names[1:]:
            if metric_names.find(h) is None:
                problems.add(
                    header.line,
                    f"unknown metric column '{csvfile.clip(h)}'{metric_names.hint(h, 1)}",
                )
    if problems:
        raise SheetError(problems.diagnostics())
    index = NodeIndex(plan)
    columns = [metric_names.find(h) or h for h in names[1:]]
    entries: list[Entry] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}  # (node, metric) -> first line, as written
    for line, row in it:
        place = line if row_of is None else (row_of(line) or line)
        if csvfile.is_blank(row):
            continue
        wrong = csvfile.field_count(row, header) or csvfile.extra_cells(row, header)
        if wrong:
            problems.add(line, wrong)
            continue
        node_text = row[0].strip()
        try:
            node = index.find(node_text)
        except LookupError as e:
            problems.add(line, str(e))
            continue
        node_path = None if node is None else node.key
        hint = "" if node is not None else index.hint(node_text)
        pairs = (
            [(row[1].strip(), row[2])]
            if long_form
            else list(zip(columns, row[1 : len(names)], strict=True))
        )
        for written, raw in pairs:
            metric = metric_names.find(written)
            if metric is None:
                problems.add(
                    line, f"unknown metric '{csvfile.clip(written)}'{metric_names.hint(written, 1)}"
                )
                continue
            if not raw.strip():
                if long_form:
                    problems.add(line, "a row has no value")
                continue
            try:
                value = amounts.parse_amount(raw, allow_negative=True)
            except AmountError as e:
                problems.add(line, str(e))
                continue
            key = (nfc(node_text) if node_path is None else node_path, metric)
            if key in seen:
                first, as_written = seen[key]
                also = "" if as_written == node_text else f" (as '{csvfile.clip(as_written)}')"
                problems.add(
                    line,
                    f"'{csvfile.clip(node_text)}' {metric} is given twice: already on line"
                    f" {first}{also}",
                )
                continue
            seen[key] = (place, node_text)
            entries.append(Entry(place, node_text, node_path, metric, value, hint))
    if problems:
        raise SheetError(problems.diagnostics())
    return entries
