"""Where results go: warnings to stderr, rendered output to stdout or a file."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from targetsplit.errors import Diagnostic
from targetsplit.report.formats import Format, Shown
from targetsplit.report.output import say


def warner(quiet: bool) -> Callable[[Diagnostic], None] | None:
    """What to do with a warning as it arises: print it, unless ``quiet``."""
    if quiet:
        return None

    def write(d: Diagnostic) -> None:
        say(d.render() + "\n", err=True)

    return write


# What an --output file's extension asks for; formats not built yet are refused.
EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "plain",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
}


def output_format(
    fmt: Format | None,
    output: str | None,
    default: Format,
    bom: bool = False,
    also: tuple[Format, ...] = (),
) -> Format:
    """The format asked for: ``--format`` if given, else the one ``--output``'s
    extension names (any case), else ``default``. A file that a format not built
    yet names is refused, whatever ``--format`` says: text is never
    written into it; so is a report file (.html) or a workbook (.xlsx) given
    another ``--format``,
    a report format for a command that does not write it (the command's
    ``also`` lists those it does), and ``--bom`` with any format but CSV. A
    workbook (xlsx) is never written to a terminal."""
    import os

    from targetsplit.errors import UsageError
    from targetsplit.report.formats import TEXT_FORMATS

    wanted = None
    if output not in (None, "-"):
        wanted = EXTENSIONS.get(os.path.splitext(output)[1].lower())
    if wanted is not None and wanted not in Format.__members__:
        raise UsageError(
            f"--output {output}: the {wanted} format is not available yet"
            " (nothing was written); write .csv or .json instead"
        )
    chosen = fmt if fmt is not None else default if wanted is None else Format(wanted)
    if wanted is not None and Format(wanted) not in TEXT_FORMATS and chosen.value != wanted:
        raise UsageError(
            f"--output {output} is an {wanted} file, and --format {chosen.value} was asked"
            " for (nothing was written); drop --format, or name another file"
        )
    if chosen is Format.xlsx and wanted not in (None, "xlsx"):
        raise UsageError(
            f"--output {output} is a {wanted} file, and --format xlsx writes a binary"
            " workbook (nothing was written); name a .xlsx file, or drop --format"
        )
    if chosen not in TEXT_FORMATS and chosen not in also:
        where = "" if output in (None, "-") else f"--output {output}: "
        raise UsageError(
            f"{where}the {chosen.value} format is not available for this command yet"
            " (nothing was written); write .csv or .json instead"
        )
    if bom and chosen is not Format.csv:
        raise UsageError(
            f"--bom is for CSV only, and the output is {chosen.value}"
            " (add --format csv, or write to a .csv file)"
        )
    if chosen is Format.xlsx and output in (None, "-") and sys.stdout.isatty():
        raise UsageError(
            "--format xlsx writes a binary workbook: not to a terminal"
            " (nothing was written); add -o FILE.xlsx, or redirect: > FILE.xlsx"
        )
    return chosen


def terminal_width(fmt: Format, output: str | None) -> int | None:
    """The terminal's columns when a table is drawn on one (else None)."""
    import shutil

    if fmt is not Format.table or output is not None or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def show(
    fmt: Format,
    output: str | None,
    shown: Shown,
    inputs: Sequence[tuple[str, str]] = (),
    bom: bool = False,
) -> None:
    """Write ``shown`` to ``output`` (atomically, never over one of the ``inputs``)
    or stdout, after a UTF-8 BOM with ``bom``; tables on a terminal are drawn by rich."""
    from targetsplit.report.formats import Stream, Workbook, as_text
    from targetsplit.report.output import ReaderGone, emit, emit_bytes

    if isinstance(shown, Workbook):
        emit_bytes(shown.data, output, inputs)
        return
    if isinstance(shown, Stream):  # written as it is made
        emit(shown.pieces, output, inputs, bom=bom)
        return
    if isinstance(shown, str) or fmt is not Format.table or output not in (None, "-"):
        emit(as_text(fmt, shown), output, inputs, bom=bom)
        return
    import os

    from rich.console import Console

    from targetsplit.report.grid import print_tables

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """The reader went away (| head): main() ends quietly with 141, as
            for every other output (rich's own answer is exit code 1)."""
            raise ReaderGone from None

    plain = bool(os.environ.get("NO_COLOR"))  # no-color.org: no styling at all
    console = _Console(
        highlight=False, emoji=False, markup=False, color_system=None if plain else "auto"
    )
    print_tables(console, shown)
