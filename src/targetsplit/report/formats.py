"""The output formats, and what a renderer returns: finished text, text made
piece by piece (a stream, for large JSON), grids that become text (plain,
markdown) or terminal tables (table), or a workbook's bytes (xlsx)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import NamedTuple

from targetsplit.report.grid import Grid


class Stream(NamedTuple):
    """Text in pieces, written to a file as they are made (never held whole)."""

    pieces: Iterable[str]


class Workbook(NamedTuple):
    """An Excel workbook, whole (``--format xlsx``): bytes, never text."""

    data: bytes


Shown = str | Stream | list[Grid] | Workbook


class Format(StrEnum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"  # a report file: progress and allocate (report.html)
    xlsx = "xlsx"  # a workbook: allocate, progress, review, check --against


#: The formats every command writes; others only where a command takes them.
TEXT_FORMATS = frozenset((Format.table, Format.plain, Format.markdown, Format.csv, Format.json))


def as_text(fmt: Format, shown: Shown) -> str:
    """The text of ``shown`` (for a file): a table is written as ``plain``, never
    box-drawn."""
    from targetsplit.report import grid

    if isinstance(shown, str):
        return shown
    if isinstance(shown, Stream):
        return "".join(shown.pieces)
    assert not isinstance(shown, Workbook), "a workbook is bytes, never text"
    grids: Sequence[Grid] = shown
    if fmt is Format.markdown:
        return grid.markdown(grids)
    return grid.plain(grids)
