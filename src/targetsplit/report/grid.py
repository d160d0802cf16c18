"""Turn neutral tables into text: rich terminal tables, plain, markdown, CSV.

A :class:`Grid` holds display text only; every renderer here makes plan
text inert (no markup, no escapes, no formulas) and none of them prints.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from targetsplit.report.textsafe import csv_cell, markdown_cell, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


@dataclass(frozen=True)
class Column:
    """A column; on a narrow terminal the lowest ``keep`` goes first (rightmost
    first among equals), and only a ``fold`` column (free text) may fold its
    cells: every other cell is shown whole or its column not at all."""

    header: str
    numeric: bool = False
    keep: int = 5
    fold: bool = False
    name: str = ""  # what the drop note calls it when the header is empty

    @property
    def called(self) -> str:
        return self.header or self.name


@dataclass(frozen=True)
class Grid:
    """A titled table of display strings; the first column may be a tree."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    indents: tuple[int, ...] = ()  # depth of each row, for the first column
    styles: tuple[str | None, ...] = ()  # an optional rich style per row
    notes: tuple[str, ...] = field(default_factory=tuple)
    cell_styles: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column)

    @classmethod
    def tree(
        cls,
        title: str,
        columns: Sequence[Column],
        rows: Sequence[tuple[str, ...]],
        depths: Sequence[int],
        cell_styles: dict[tuple[int, int], str] | None = None,
    ) -> Grid:
        """A table whose first column is a tree: indented by depth, the root in bold."""
        return cls(
            title=title,
            columns=tuple(columns),
            rows=tuple(rows),
            indents=tuple(depths),
            styles=tuple("bold" if d == 0 else None for d in depths),
            cell_styles=cell_styles or {},
        )

    def first_cell(self, i: int, indent: str = "  ") -> str:
        depth = self.indents[i] if self.indents else 0
        return indent * depth + visible(self.rows[i][0])


def plain(grids: Sequence[Grid]) -> str:
    """Aligned text (CJK-aware widths via wcwidth) with no colour or escapes."""
    from tabulate import tabulate

    chunks = []
    for g in grids:
        body = [[g.first_cell(i)] + [visible(c) for c in row[1:]] for i, row in enumerate(g.rows)]
        text = tabulate(
            body,
            headers=[visible(c.header) for c in g.columns],
            tablefmt="simple",
            disable_numparse=True,
            colalign=["right" if c.numeric else "left" for c in g.columns],
            preserve_whitespace=True,  # keep the tree's indentation
        )
        text = "\n".join(line.rstrip() for line in text.splitlines())
        chunks.append(visible(g.title) + "\n\n" + text + _notes(g))
    return "\n\n".join(chunks) + "\n"


def _notes(g: Grid) -> str:
    return "".join("\n" + visible(n) for n in g.notes)


def markdown(grids: Sequence[Grid]) -> str:
    from tabulate import tabulate

    chunks = []
    for g in grids:
        body = [
            [markdown_cell(g.first_cell(i, indent="· "))] + [markdown_cell(c) for c in row[1:]]
            for i, row in enumerate(g.rows)
        ]
        text = tabulate(
            body,
            headers=[markdown_cell(c.header) for c in g.columns],
            tablefmt="pipe",
            disable_numparse=True,
            colalign=["right" if c.numeric else "left" for c in g.columns],
        )
        notes = "".join("\n\n" + markdown_cell(n) for n in g.notes)
        chunks.append(f"### {markdown_cell(g.title)}\n\n{text}{notes}")
    return "\n\n".join(chunks) + "\n"


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str | None]], numeric: set[int]) -> str:
    """CSV where text cells are made formula-safe and numeric cells are raw numbers."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(h) for h in header])
    for row in rows:
        w.writerow(
            [
                "" if cell is None else (cell if i in numeric else csv_cell(cell))
                for i, cell in enumerate(row)
            ]
        )
    return buf.getvalue()


def rich_tables(grids: Sequence[Grid], whole: bool = False) -> list[RenderableType]:
    """rich renderables; every string is wrapped in Text so markup is never parsed.
    With ``whole``, no cell but a folding column's is ever narrowed (see fit)."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = []
    for g in grids:
        title = visible(g.title)
        table = Table(
            title=Text(title, style="bold"),
            # at least as wide as its title, so that a narrow table's title stays one
            # line (up to the terminal's width)
            min_width=max((cell_len(line) for line in title.split("\n")), default=0),
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption=Text("\n".join(visible(n) for n in g.notes)) if g.notes else None,
            caption_justify="left",
        )
        widths = _widths(g) if whole else []
        for j, c in enumerate(g.columns):
            folds = c.fold or j == 0
            table.add_column(
                Text(visible(c.header)),
                justify="right" if c.numeric else "left",
                no_wrap=(c.numeric or j == 0) and not (whole and folds),
                overflow="fold" if whole and folds else "ellipsis",
                min_width=widths[j][1] if whole else None,
            )
        for i, row in enumerate(g.rows):
            style = g.styles[i] if g.styles else None
            cells = [Text(g.first_cell(i), style=style or "")]
            cells += [
                Text(visible(c), style=g.cell_styles.get((i, j), ""))
                for j, c in enumerate(row[1:], 1)
            ]
            table.add_row(*cells)
        out.append(table)
    return out


# The narrowest a folding column gets: the node's name, then free text (owner…).
NAME_MIN, FOLD_MIN = 20, 10


def _widths(g: Grid) -> list[tuple[int, int]]:
    """Each column's (full width, narrowest width) in terminal cells."""
    from rich.cells import cell_len

    out = []
    for j, c in enumerate(g.columns):
        cells = [g.first_cell(i) if j == 0 else visible(row[j]) for i, row in enumerate(g.rows)]
        full = max([cell_len(visible(c.header))] + [cell_len(x) for x in cells])
        least = NAME_MIN if j == 0 else FOLD_MIN if c.fold else full
        out.append((full, min(full, least)))
    return out


def fit(g: Grid, width: int) -> tuple[Grid, list[str]]:
    """``g`` without the least important columns that do not fit ``width``
    (the first column stays), and the names of those dropped."""
    widths = _widths(g)
    kept = list(range(len(g.columns)))
    # rich's SIMPLE_HEAD box: a space of padding each side of a column, one
    # between columns and one at each edge.
    while len(kept) > 1 and sum(widths[j][1] for j in kept) + 3 * len(kept) + 1 > width:
        kept.remove(min(kept[1:], key=lambda j: (g.columns[j].keep, -j)))
    if len(kept) == len(g.columns):
        return g, []
    where = {j: k for k, j in enumerate(kept)}
    fitted = Grid(
        title=g.title,
        columns=tuple(g.columns[j] for j in kept),
        rows=tuple(tuple(row[j] for j in kept) for row in g.rows),
        indents=g.indents,
        styles=g.styles,
        notes=g.notes,
        cell_styles={(i, where[j]): st for (i, j), st in g.cell_styles.items() if j in where},
    )
    dropped = [g.columns[j].called for j in range(len(g.columns)) if j not in where]
    return fitted, dropped


def drop_note(dropped: Sequence[str], width: int) -> str:
    return (
        f"not shown at {width} columns: {', '.join(visible(d) for d in dropped)}"
        " (see them with --format plain or a wider terminal)"
    )


def print_tables(console: Console, grids: Sequence[Grid]) -> None:
    """Print to a terminal fitted to its width, dropping the columns that do not
    fit (said in a note under the table: a number is never cut); elsewhere at
    each table's full width."""
    from rich.text import Text

    if console.is_terminal:
        for g in grids:
            fitted, dropped = fit(g, console.width)
            console.print(*rich_tables([fitted], whole=True))
            if dropped:
                console.print(Text(drop_note(dropped, console.width), style="dim"))
        return
    for r in rich_tables(grids):
        width = console.measure(r, options=console.options.update_width(10_000)).maximum
        console.width = max(width, 20)
        console.print(r)
