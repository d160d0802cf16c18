"""The one workbook writer (``--format xlsx``), used by each command's renderer.

A renderer describes sheets of cells (:class:`Sheet`: names, figures, shares,
dates) and charts; this module makes the workbook: every figure a number whose
number format shows it as the plan displays it (``#,##0.5``, ``1.2345万``,
``1.5M``), shares as percents, a tree as Excel outline levels with indented
names, the header row and name column frozen, an autofilter; names and free
text always text cells (``=1+2`` stays text, never a formula).

Figures are exact decimals; an Excel number is a double that shows at most 15
significant digits. A figure of more digits is written as text (its exact
digits) with a note saying why, never as a number that is silently another.

XlsxWriter is imported here only, when a workbook is made.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from targetsplit.errors import UsageError
from targetsplit.numbers.amounts import Display, decimal_text
from targetsplit.report.formats import Workbook

EXCEL_DIGITS = 15  # significant digits an Excel number shows and keeps
MAX_TEXT = 32_767  # characters in a cell
MAX_LEVEL = 7  # outline levels (deeper nodes share the last)
MAX_INDENT = 15  # indent steps of a cell
TOO_LONG_NOTE = (
    "This figure has more than 15 significant digits, more than an Excel number"
    " holds: written as text, digit for digit (the JSON output has it as a number)."
)
STATUS_COLOURS = {"red": "#F8696B", "yellow": "#FFEB84", "green": "#63BE7B"}


@dataclass(frozen=True)
class Amount:
    """A figure, shown as ``display`` shows it (full, 万/亿, k/M/B)."""

    value: Decimal
    display: Display = "full"


@dataclass(frozen=True)
class Share:
    """A share or an attainment, shown as a percent with one decimal."""

    value: Fraction


Cell = Amount | Share | str | int | date | None


@dataclass(frozen=True)
class Sheet:
    """A sheet: a header row and rows of cells. With ``depths`` the rows are a
    tree (depth-first): outline levels by depth and the first column indented."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    depths: Sequence[int] | None = None
    status: int | None = None  # the column of red/yellow/green, coloured
    bars: Sequence[int] = ()  # columns of attainments, with data bars
    widths: Sequence[int] = ()  # column widths (characters), where given
    signs: int | None = None  # a column of differences: green from zero up, red below


@dataclass(frozen=True)
class Block:
    """A table on a sheet of several (:meth:`Book.blocks`): a header (none for
    label/value rows, their labels bold) and rows."""

    header: Sequence[str] | None
    rows: Sequence[Sequence[Cell]]
    status: int | None = None  # the column of red/yellow/green, coloured
    bars: Sequence[int] = ()  # columns of attainments, with data bars
    title: str | None = None  # a line above the header


@dataclass(frozen=True)
class Chart:
    """A native chart of ``data``'s columns over rows ``first``..``last`` (0-based,
    inclusive), categories in column ``categories``, placed on sheet ``place``
    at row ``row``, column ``col``."""

    kind: str  # line, column, bar
    title: str
    data: str
    first: int
    last: int
    categories: int
    series: Sequence[int]
    place: str
    row: int
    col: int
    percent: bool = False  # the values are shares


def significant_digits(value: Decimal) -> int:
    """The significant digits of an exact value (``1200`` has 2, ``0.05`` has 1)."""
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(digits)


def excel_number(value: Decimal) -> int | float | None:
    """The number Excel gets for ``value`` (the nearest double), or None when it
    has more significant digits than an Excel number shows and keeps."""
    if significant_digits(value) > EXCEL_DIGITS:
        return None
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)  # correctly rounded: the nearest double


_SCALES = {"cn": ((8, "亿"), (4, "万")), "short": ((9, "B"), (6, "M"), (3, "k"))}


def number_format(value: Decimal, display: Display) -> str:
    """The Excel number format that shows ``value`` as the plan displays it.

    ``full`` and ``short`` give the display's text exactly (``1,234.5``,
    ``1.25M``: each trailing comma divides by 1,000). Excel cannot divide by
    10,000 in a format, so a whole figure shown in 万 or 亿 keeps its digits and
    a literal point is put before the last ones (``0!.0000"万"``: 12345 shows
    1.2345万), after dropping whole thousands with commas where the figure
    ends in zeros (``0!.0,"万"``: 15000 shows 1.5万); the value shown is the
    figure's exactly, with up to three trailing zeros (120000 shows 12.0万).
    A figure with decimals in 万 display is shown in full (12,345.67)."""
    if display == "cn" and value == value.to_integral_value():
        for exp, suffix in _SCALES["cn"]:
            whole = abs(int(value))
            if whole >= 10**exp and (exp == 4 or whole % 10**4 == 0):
                zeros = len(str(whole)) - len(str(whole).rstrip("0"))
                commas = min(zeros // 3, (exp - 1) // 3)
                point = exp - 3 * commas
                return f'0!.{"0" * point}{"," * commas}"{suffix}"'
    elif display == "short":
        for exp, suffix in _SCALES["short"]:
            if abs(value) >= 10**exp:
                return _full(value.scaleb(-exp)) + "," * (exp // 3) + f'"{suffix}"'
    return _full(value)


def _full(value: Decimal) -> str:
    places = decimal_text(value).partition(".")[2]
    return "#,##0" + ("." + "0" * len(places) if places else "")


_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A sheet name Excel takes: no ``[]:*?/\\``, at most 31 characters, not
    ``History``, unique ignoring case (``revenue (2)`` after ``revenue``)."""
    base = _SHEET_BAD.sub("_", wanted).strip("'")[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in taken or name.lower() == "history":
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _property(text: str) -> str:
    """Document property text: controls (which XML cannot hold) made visible."""
    from targetsplit.report.textsafe import visible

    return visible(text)


class Book:
    """A workbook being made: :meth:`sheet` and :meth:`chart`, then :meth:`done`."""

    def __init__(self, title: str, subject: str) -> None:
        import xlsxwriter

        from targetsplit import __version__

        self._out = io.BytesIO()
        self._wb: Any = xlsxwriter.Workbook(
            self._out,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._wb.set_properties(
            {
                "title": _property(title),
                "subject": _property(subject),
                "comments": f"generated by targetsplit {__version__}",
                "keywords": "targetsplit",
            }
        )
        self._wb.set_custom_property("generator", f"targetsplit {__version__}")
        self._formats: dict[tuple[str, int, bool], Any] = {}
        self._sheets: dict[str, Any] = {}
        self._taken: set[str] = set()

    def _format(self, num: str = "", indent: int = 0, bold: bool = False) -> Any:
        key = (num, indent, bold)
        f = self._formats.get(key)
        if f is None:
            props: dict[str, Any] = {}
            if num:
                props["num_format"] = num
            if indent:
                props["indent"] = indent
            if bold:
                props["bold"] = True
            f = self._formats[key] = self._wb.add_format(props)
        return f

    @staticmethod
    def _text(ws: Any, r: int, c: int, text: str, fmt: Any = None) -> None:
        """A text cell, always: never a formula or a number, whatever it says."""
        if len(text) > MAX_TEXT:
            raise UsageError(
                f"--format xlsx: a cell would hold {len(text):,} characters, and an Excel"
                f" cell holds at most {MAX_TEXT:,} (nothing was written): use csv or json"
            )
        ws.write_string(r, c, text, fmt)

    def _cell(self, ws: Any, r: int, c: int, cell: Cell, indent: int = 0) -> None:
        if cell is None:
            return
        if isinstance(cell, str):
            self._text(ws, r, c, cell, self._format(indent=indent) if indent else None)
        elif isinstance(cell, Amount):
            number = excel_number(cell.value)
            if number is None:
                ws.write_string(r, c, decimal_text(cell.value), self._format("@"))
                ws.write_comment(r, c, TOO_LONG_NOTE)
            else:
                ws.write_number(r, c, number, self._format(number_format(cell.value, cell.display)))
        elif isinstance(cell, Share):
            ws.write_number(r, c, float(cell.value), self._format("0.0%"))
        elif isinstance(cell, date):
            if cell.year < 1900:  # before Excel's first day: the ISO date as text
                ws.write_string(r, c, cell.isoformat())
            else:
                ws.write_datetime(r, c, cell, self._format("yyyy-mm-dd"))
        else:
            ws.write_number(r, c, cell)

    def sheet(self, s: Sheet) -> str:
        """Add ``s``; its name as the workbook has it (made valid and unique)."""
        name = sheet_name(s.name, self._taken)
        ws = self._wb.add_worksheet(name)
        self._sheets[name] = ws
        bold = self._format(bold=True)
        for c, h in enumerate(s.header):
            self._text(ws, 0, c, h, bold)
        depths = s.depths
        for r, row in enumerate(s.rows, 1):
            depth = depths[r - 1] if depths is not None else 0
            if depth:
                ws.set_row(r, None, None, {"level": min(depth, MAX_LEVEL)})
            for c, cell in enumerate(row):
                self._cell(ws, r, c, cell, min(depth, MAX_INDENT) if c == 0 else 0)
        last = len(s.rows)
        if depths is not None:
            ws.outline_settings(True, False, True, False)  # the sums above their parts
            names = (len(str(row[0] or "")) for row in s.rows)
            widths = (min(n, 48) + 2 * d for n, d in zip(names, depths, strict=True))
            widest = max(widths, default=0)
            ws.set_column(0, 0, max(12, min(60, widest + 2)))
        for c, w in enumerate(s.widths):
            if w:
                ws.set_column(c, c, w)
        ws.freeze_panes(1, 1)
        if s.header:
            ws.autofilter(0, 0, max(last, 1), len(s.header) - 1)
        self._marks(ws, 1, last, s.status, s.bars)
        if s.signs is not None and last:
            for criteria, colour in ((">=", "green"), ("<", "red")):
                rule = {
                    "type": "cell",
                    "criteria": criteria,
                    "value": 0,
                    "format": self._wb.add_format({"bg_color": STATUS_COLOURS[colour]}),
                }
                ws.conditional_format(1, s.signs, last, s.signs, rule)
        return name

    def _marks(
        self, ws: Any, first: int, last: int, status: int | None, bars: Sequence[int]
    ) -> None:
        """Colour the status column red/yellow/green; data bars on ``bars``."""
        if last < first:
            return
        if status is not None:
            for word, colour in STATUS_COLOURS.items():
                rule = {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{word}"',
                    "format": self._wb.add_format({"bg_color": colour}),
                }
                ws.conditional_format(first, status, last, status, rule)
        for c in bars:
            bar = {"type": "data_bar", "bar_color": "#63BE7B", "min_type": "num", "min_value": 0}
            ws.conditional_format(first, c, last, c, bar)

    def blocks(self, name: str, blocks: Sequence[Block], width: int = 14) -> tuple[str, list[int]]:
        """A sheet of ``blocks``, one under another with a blank row between; its
        name, and each block's first row (0-based) under its header."""
        name = sheet_name(name, self._taken)
        ws = self._wb.add_worksheet(name)
        self._sheets[name] = ws
        bold = self._format(bold=True)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 16, width)
        r, starts = 0, []
        for b in blocks:
            if b.title is not None:
                self._text(ws, r, 0, b.title, bold)
                r += 1
            if b.header is not None:
                for c, h in enumerate(b.header):
                    self._text(ws, r, c, h, bold)
                r += 1
            starts.append(r)
            for row in b.rows:
                for c, cell in enumerate(row):
                    if c == 0 and b.header is None and isinstance(cell, str):
                        self._text(ws, r, c, cell, bold)
                    else:
                        self._cell(ws, r, c, cell)
                r += 1
            self._marks(ws, starts[-1], r - 1, b.status, b.bars)
            r += 1
        return name, starts

    def chart(self, ch: Chart) -> None:
        chart = self._wb.add_chart({"type": ch.kind})
        for c in ch.series:
            chart.add_series(
                {
                    "name": [ch.data, 0, c],
                    "categories": [ch.data, ch.first, ch.categories, ch.last, ch.categories],
                    "values": [ch.data, ch.first, c, ch.last, c],
                }
            )
        chart.set_title({"name": ch.title})
        axis = "x_axis" if ch.kind == "bar" else "y_axis"
        if ch.percent:
            getattr(chart, f"set_{axis}")({"num_format": "0%"})
        chart.set_size({"width": 720, "height": 360})
        self._sheets[ch.place].insert_chart(ch.row, ch.col, chart)

    def done(self) -> Workbook:
        self._wb.close()
        return Workbook(self._out.getvalue())
