"""The output formats, and what a renderer returns: finished text, or grids that
become text (plain, markdown) or terminal tables (table)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from targetsplit.report.grid import Grid

Shown = str | list[Grid]


class Format(StrEnum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def as_text(fmt: Format, shown: Shown) -> str:
    """The text of ``shown``; a table format gives box-drawn text (for a file)."""
    from targetsplit.report import grid

    if isinstance(shown, str):
        return shown
    grids: Sequence[Grid] = shown
    if fmt is Format.plain:
        return grid.plain(grids)
    if fmt is Format.markdown:
        return grid.markdown(grids)
    return grid.table_text(grids)
