"""Actuals and sheets from Excel workbooks and Parquet files (issue 15).

A workbook's sheet (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``: read by
python-calamine) or a Parquet file (read by DuckDB) is written out as our own
CSV, cell by cell, into a temporary file, and read by the CSV readers: so every
source gives exactly the figures, the checks and the messages the same rows
give in a CSV. Only the places in messages change, back to the source's own:

- a sheet's row: ``deals.xlsx:Deals:12`` (the file, the sheet, the row number
  Excel shows);
- a Parquet file's row: ``deals.parquet:12`` (the 12th row; the first is 1).

How cells become text: a date or date-time cell is its ISO date (a time of day
kept, as a CSV export writes it); a number in the date column of a sheet is an
Excel serial date (46023 is 2026-01-01); any other number is written as the
shortest decimal that reads back as the same binary double (``0.1`` stays
0.1: Excel itself stores every number as a double, and this is the figure it
shows); Parquet's DECIMAL and INTEGER columns are written exactly, its DOUBLE
columns as their shortest decimal (as Excel's), a TIMESTAMP WITH TIME ZONE
in UTC; ``true``/``false`` for booleans.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from targetsplit.errors import Diagnostic, TargetsplitError
from targetsplit.plan.names import did_you_mean, fold
from targetsplit.track import csvfile

if TYPE_CHECKING:
    from targetsplit.plan.tree import Plan
    from targetsplit.track.actuals import Actuals
    from targetsplit.track.mapping import Mapped
    from targetsplit.track.weeksums import WeekSums

T = TypeVar("T")

EXCEL = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
PARQUET = (".parquet", ".pq")
#: Excel's day 0 (its serial dates count from here; 1900's phantom leap day aside).
_EXCEL_EPOCH = date(1899, 12, 30)


def kind(path: str) -> str | None:
    """``excel``, ``parquet`` or None (a CSV file), by the name's extension."""
    lower = path.lower()
    if lower.endswith(EXCEL):
        return "excel"
    if lower.endswith(PARQUET):
        return "parquet"
    return None


@dataclass
class Converted:
    """A source written out as CSV: the temporary file, the source's name in
    messages (``file.xlsx:Sheet`` for a sheet), and each CSV record's place in
    the source (the header's first; None: the k-th record is row k)."""

    csv: str
    shown: str
    places: list[int] | None = None

    _starts: dict[int, int] | None = None

    def place(self, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """``diagnostics`` of the CSV (at its lines) at the source's rows instead."""
        return [
            replace(d, file=self.shown, line=None if d.line is None else self.row(d.line))
            for d in diagnostics
        ]

    def row(self, line: int) -> int | None:
        """The source's row of the CSV record starting on ``line`` (a Parquet
        file's header has none)."""
        if self._starts is None:
            problems = csvfile.Problems(self.csv)
            records = csvfile.Records(self.csv, problems)
            self._starts = {start: k for k, (start, _) in enumerate(records)}
        k = self._starts.get(line)
        if k is None:
            return line
        return self.places[k] if self.places is not None else (k or None)


def placed(error: TargetsplitError, converted: Converted) -> TargetsplitError:
    """``error`` (of the CSV written out) at the source's places."""
    return type(error)(converted.place(error.diagnostics))


@contextlib.contextmanager
def as_csv(
    path: str,
    source: str,
    error: type[TargetsplitError],
    *,
    sheet: str | None = None,
    date_column: str | None = None,
) -> Iterator[Converted]:
    """The workbook's sheet or the Parquet file at ``path`` (named ``source`` in
    messages) written out as a CSV file, removed on leaving. ``date_column``:
    the column whose numbers are Excel serial dates."""
    handle, tmp = tempfile.mkstemp(prefix="targetsplit-", suffix=".csv")
    os.close(handle)
    try:
        if kind(path) == "parquet":
            _parquet(path, source, tmp, error)
            yield Converted(tmp, source)
        else:
            name, places = _excel(path, source, tmp, error, sheet, date_column)
            yield Converted(tmp, f"{source}:{name}", places)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


# --- Excel -----------------------------------------------------------------------


def _excel(
    path: str,
    source: str,
    out: str,
    error: type[TargetsplitError],
    sheet: str | None,
    date_column: str | None,
) -> tuple[str, list[int]]:
    """Write the sheet's rows to ``out``; its name and each row's number."""
    rows, name = _sheet_rows(path, source, error, sheet)
    places: list[int] = []
    dates: set[int] = set()
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for number, cells in enumerate(rows, start=1):
            if not any(c != "" and c is not None for c in cells):
                continue
            if not places and date_column is not None:  # the header
                wanted = fold(date_column)
                dates = {i for i, c in enumerate(cells) if fold(_cell(c)) == wanted}
            texts = [_cell(c, i in dates and bool(places)) for i, c in enumerate(cells)]
            writer.writerow(texts)
            places.append(number)
    return name, places


def _sheet_rows(
    path: str, source: str, error: type[TargetsplitError], sheet: str | None
) -> tuple[list[list[Any]], str]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency
        raise csvfile.fail(error, source, "reading workbooks needs python-calamine") from None
    _readable(path, source, error)
    try:
        book = CalamineWorkbook.from_path(path)
    except Exception as e:
        raise csvfile.fail(error, source, f"cannot read the workbook: {_reason(e)}") from None
    names = list(book.sheet_names)
    if not names:
        raise csvfile.fail(error, source, "the workbook has no sheets")
    if sheet is None:
        name = names[0]
    else:
        found = [n for n in names if n == sheet] or [n for n in names if fold(n) == fold(sheet)]
        if not found:
            raise csvfile.fail(
                error,
                source,
                f"no sheet '{csvfile.clip(sheet)}'{did_you_mean(sheet, names)}"
                f" (sheets: {csvfile.clip(', '.join(names), 200)})",
            )
        name = found[0]
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as e:
        raise csvfile.fail(error, f"{source}:{name}", f"cannot read: {_reason(e)}") from None
    if path.lower().endswith((".xlsx", ".xlsm")):
        for (r, c), text in _error_cells(path, names.index(name)).items():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = text
    return rows, name


_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"[^>]*?(/?)>')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_VALUE = re.compile(rb"<v>([^<]{1,40})</v>")


def _error_cells(path: str, index: int) -> dict[tuple[int, int], str]:
    """The error cells (#DIV/0!, #N/A, #REF!…) of the workbook's sheet ``index``,
    by (row, column) from 0, with their text. The reader gives them as empty
    cells, which would count as nothing without a word; written as their text,
    they are errors at their rows like any value that is not a number."""
    import zipfile

    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as z:
            part = _sheet_part(z, index)
            data = z.read(part) if part is not None else b""
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return found  # the reader read it: nothing more to learn here
    if b't="e"' not in data:
        return found
    for m in _ERROR_CELL.finditer(data):
        ref = _CELL_REF.search(m.group(0))
        if ref is None:
            continue
        letters, digits = ref.groups()
        column = 0
        for ch in letters:
            column = column * 26 + (ch - 64)
        end = data.find(b"</c>", m.end())
        value = None if m.group(1) or end < 0 else _CELL_VALUE.search(data, m.end(), end)
        text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
        found[(int(digits) - 1, column - 1)] = text if text.startswith("#") else f"#{text}"
    return found


def _sheet_part(z: Any, index: int) -> str | None:
    """The zip member holding the workbook's sheet ``index`` (0 first)."""
    book = z.read("xl/workbook.xml")
    ids = re.findall(rb'<sheet\b[^>]*\br:id="([^"]+)"', book)
    if index >= len(ids):
        return None
    rels = z.read("xl/_rels/workbook.xml.rels")
    for tag in re.findall(rb"<Relationship\b[^>]*>", rels):
        rid = re.search(rb'\bId="([^"]+)"', tag)
        target = re.search(rb'\bTarget="([^"]+)"', tag)
        if rid and target and rid.group(1) == ids[index]:
            t = target.group(1).decode("utf-8")
            return t.lstrip("/") if t.startswith("/") else f"xl/{t}"
    return None


def _cell(value: Any, serial_date: bool = False) -> str:
    """A cell's value as our CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if serial_date and 0 < value < 2958466:  # through 9999-12-31
            return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        return number_text(value)
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


def number_text(value: int | float) -> str:
    """A number as exact decimal text: a double as its shortest decimal
    (``Decimal(repr(x))``), positional (no exponent)."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)  # not a number: the value's reader says so
    if value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


# --- Parquet ---------------------------------------------------------------------


def _parquet(path: str, source: str, out: str, error: type[TargetsplitError]) -> None:
    """Write the Parquet file's rows to ``out`` (DuckDB: types kept exactly)."""
    import duckdb

    _readable(path, source, error)
    literal = "'" + path.replace("'", "''") + "'"
    con = duckdb.connect()
    try:
        # A TIMESTAMP WITH TIME ZONE is written in UTC, whatever this machine's zone.
        with contextlib.suppress(duckdb.Error):
            con.execute("set TimeZone = 'UTC'")
        columns = con.execute(f"describe select * from read_parquet({literal})").fetchall()
        picks = []
        for name, kind_, *_ in columns:
            quoted = '"' + str(name).replace('"', '""') + '"'
            upper = str(kind_).upper()
            if upper in ("DOUBLE", "FLOAT", "REAL"):
                # The shortest decimal of the double, positional (DuckDB's text for
                # 1e20 or 1e-05 is in exponent form, which no reader takes).
                picks.append(
                    f"case when abs({quoted}) >= 1e15 or (abs({quoted}) < 1e-4"
                    f" and {quoted} <> 0) then ts_num({quoted}) else"
                    f" cast({quoted} as varchar) end as {quoted}"
                )
            else:
                picks.append(quoted)
        con.create_function("ts_num", _ts_num, ["DOUBLE"], "VARCHAR")
        target = "'" + out.replace("'", "''") + "'"
        con.execute(
            f"copy (select {', '.join(picks)} from read_parquet({literal})) to {target}"
            " (header, delimiter ',', quote '\"', escape '\"')"
        )
    except duckdb.Error as e:
        raise csvfile.fail(error, source, f"cannot read the Parquet file: {_reason(e)}") from None
    finally:
        con.close()


def _ts_num(value: float) -> str:
    return number_text(value)


def _readable(path: str, source: str, error: type[TargetsplitError]) -> None:
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise csvfile.fail(error, source, "no such file") from None
    except IsADirectoryError:
        raise csvfile.fail(error, source, "is a directory, not a file") from None
    except OSError as e:
        raise csvfile.fail(error, source, f"cannot read: {e.strerror}") from None


def _reason(e: BaseException) -> str:
    """An exception's first line, clipped."""
    text = str(e).strip().splitlines()
    return csvfile.clip(text[0] if text else type(e).__name__, 200)


# --- the readers' doors ------------------------------------------------------------


def read_plain(
    path: str,
    source: str,
    plan: Plan,
    cut_day: date,
    work: Callable[[], T],
    *,
    engine: str | None = None,
    first_day: date | None = None,
    weeks: WeekSums | None = None,
) -> tuple[Actuals, T]:
    """Our own actuals layout (date,node,metric,value or a column per metric) in
    the first sheet of a workbook or in a Parquet file: as the same rows in a CSV."""
    from targetsplit.track.actuals import ActualsError, read_actuals_while

    with as_csv(path, source, ActualsError, date_column="date") as converted:
        try:
            return read_actuals_while(
                converted.csv,
                converted.shown,
                plan,
                cut_day,
                work,
                engine=engine,
                first_day=first_day,
                weeks=weeks,
            )
        except ActualsError as e:
            raise placed(e, converted) from None


def read_mapped_one(path: str, source: str, mapped: Mapped) -> list[Diagnostic]:
    """The rows of one workbook's sheet or Parquet file fed to ``mapped`` (an
    export read through the plan's ``actuals:`` mapping); its errors."""
    from targetsplit.track.actuals import ActualsError
    from targetsplit.track.mapped import read_one_csv

    mapping = mapped.mapping
    with as_csv(path, source, ActualsError, sheet=mapping.sheet, date_column=mapping.date) as c:
        problems = read_one_csv(c.csv, c.shown, mapped, encoding="utf-8")
        return c.place(problems.diagnostics()) if problems else []
