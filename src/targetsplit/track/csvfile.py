"""The one CSV grammar of targetsplit's inputs: actuals and target sheets.

What a file may hold, and what it becomes:

- UTF-8 text (a BOM is fine). UTF-16/32, other encodings (Latin-1, GBK) and
  NUL bytes are errors at the line where they show, with what to do.
- Lines end in ``\\n``, ``\\r\\n`` or ``\\r`` (old Mac, some exports), mixed or not.
- Fields are separated by commas. A field may be quoted (``"1,234.5万"``),
  with ``""`` for a quote inside and spaces allowed around the quotes; a
  quoted field may run over lines (the record is placed at its first line).
  Text after a closing quote, or a quote never closed, is an error.
- Excel's ``sep=,`` first line is skipped; ``sep=;`` or a header that holds
  ``;`` or tabs instead of commas is an error: save as CSV UTF-8.
- Blank lines, and records whose cells are all blank, are skipped.
- Every record has as many fields as the header (error otherwise, with the
  hint to quote values that hold commas). Columns with no name at the end of
  the header (trailing commas, as some exports write) are ignored, their
  cells must be blank.

Input that is not a regular file (standard input as ``-``, a pipe, a device)
is read exactly once, into a temporary file, so that it can be scanned twice.
Errors are collected in file order; the first 20 are shown, then "and N more".
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from targetsplit.errors import Diagnostic, TargetsplitError

MAX_ERRORS = 20
#: The longest record (characters), quoted values over several lines included.
MAX_RECORD = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
# A quoted field: spaces, "…" with "" inside, spaces.
_OPENS_QUOTE = re.compile(r' *"')


def clip(text: str, width: int = 60) -> str:
    """A cell as quoted in a message: one line, at most ``width`` characters."""
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass
class Problems:
    """The errors of one file: each message once, at its first line, in file
    order; repeats are counted; at most 20 are shown, then 'and N more'."""

    name: str
    first: dict[str, int | None] = field(default_factory=dict)
    repeats: dict[str, int] = field(default_factory=dict)

    def add(self, line: int | None, message: str) -> None:
        if message in self.first:
            self.repeats[message] = self.repeats.get(message, 0) + 1
        else:
            self.first[message] = line

    def __bool__(self) -> bool:
        return bool(self.first)

    def diagnostics(self) -> list[Diagnostic]:
        ordered = sorted(self.first.items(), key=lambda kv: kv[1] or 0)
        out = []
        for message, line in ordered[:MAX_ERRORS]:
            more = self.repeats.get(message, 0)
            text = message + (f" (and on {more:,} more row(s))" if more else "")
            out.append(Diagnostic(text).placed(self.name, line, None))
        if len(ordered) > MAX_ERRORS:
            rest = len(ordered) - MAX_ERRORS
            out.append(Diagnostic(f"and {rest:,} more error(s)").placed(self.name, None, None))
        return out


def fail(
    error: type[TargetsplitError], name: str, message: str, line: int | None = None
) -> Exception:
    return error([Diagnostic(message).placed(name, line, None)])


@contextmanager
def regular_file(
    path: str, name: str, what: str, limit: int, error: type[TargetsplitError]
) -> Iterator[str]:
    """A regular file holding the input at ``path``: the file itself, or for
    ``-`` (standard input), a pipe or a device, a temporary copy of what it gave,
    read exactly once. Refuse more than ``limit`` bytes."""
    too_big = f"larger than {_size(limit)}; " + (
        "split the actuals by period" if what == "actuals" else f"not {_a(what)} file?"
    )
    if path != "-":
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise fail(error, name, f"no such {what} file") from None
        except OSError as e:
            raise fail(error, name, f"cannot read: {e.strerror}") from None
        if stat.S_ISDIR(st.st_mode):
            raise fail(error, name, f"is a directory, not {_a(what)} file")
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise fail(error, name, too_big)
            try:
                with open(path, "rb"):
                    pass
            except OSError as e:
                raise fail(error, name, f"cannot read: {e.strerror}") from None
            yield path
            return
    spool = _spool(path, name, limit, too_big, error)
    try:
        yield spool
    finally:
        os.unlink(spool)


def _a(what: str) -> str:
    return f"an {what}" if what[0] in "aeiou" else f"a {what}"


def _size(limit: int) -> str:
    return f"{limit // 1024**3} GiB" if limit >= 1024**3 else f"{limit // 1024**2} MiB"


def _spool(path: str, name: str, limit: int, too_big: str, error: type[TargetsplitError]) -> str:
    """Copy a stream into a temporary file; its path."""
    try:
        source: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as e:
        raise fail(error, name, f"cannot read: {e.strerror}") from None
    fd, spool = tempfile.mkstemp(prefix="targetsplit-", suffix=".csv")
    done = False
    try:
        with os.fdopen(fd, "wb") as out:
            total = 0
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except OSError as e:
                    raise fail(error, name, f"cannot read: {e.strerror}") from None
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise fail(error, name, too_big)
                try:
                    out.write(chunk)
                except OSError as e:
                    raise fail(
                        error,
                        name,
                        f"cannot keep a copy in {tempfile.gettempdir()}: {e.strerror}"
                        " (set TMPDIR, or give a file)",
                    ) from None
        done = True
        return spool
    finally:
        if path != "-":
            source.close()
        if not done:
            os.unlink(spool)


class Records:
    """The records of a CSV file, each as ``(line, cells)`` with the line it
    starts on; grammar errors go to ``problems`` (an encoding error, a NUL
    byte, a quote never closed or an overlong record end the reading)."""

    def __init__(self, path: str, problems: Problems, encoding: str | None = None) -> None:
        self.path = path
        self.problems = problems
        self.line = 0  # the last physical line read
        # An encoding named (an actuals mapping's ``encoding:``; None: UTF-8 as our
        # own files are, and its messages).
        self.encoding = encoding

    def __iter__(self) -> Generator[tuple[int, list[str]], None, None]:
        with open(self.path, "rb") as f:
            start = f.read(4)
        named = self.encoding is not None and self.encoding.startswith("utf-16")
        if start.startswith((b"\xff\xfe", b"\xfe\xff")) and not named:
            self.problems.add(
                1,
                "UTF-16 text (Excel's 'Unicode text'); save the file as CSV UTF-8"
                + ("" if self.encoding is None else ", or say encoding: utf-16"),
            )
            return
        encoding = self.encoding or "utf-8"
        with open(self.path, encoding=encoding, errors="surrogateescape", newline=None) as f:
            yield from self._records(f)

    def _next(self, f: IO[str]) -> str | None:
        """The next physical line without its line break; None at the end or
        on an error that ends the reading."""
        text = f.readline(MAX_RECORD)
        if not text:
            return None
        self.line += 1
        if text.endswith("\n"):
            text = text[:-1]
        elif len(text) >= MAX_RECORD:
            self.problems.add(self.line, f"a line longer than {MAX_RECORD // 1024**2} MiB")
            return None
        if self.line == 1 and text.startswith(("PK\x03\x04", "PAR1")):
            what = "a Parquet file" if text.startswith("PAR1") else "an Excel workbook (a zip)"
            self.problems.add(
                self.line,
                f"{what}, not a CSV: give it as a file named .xlsx or .parquet"
                " (standard input and other names are read as CSV)",
            )
            return None
        if "\x00" in text:
            self.problems.add(
                self.line, "a NUL byte: not a text file (UTF-16?); save the file as CSV UTF-8"
            )
            return None
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as e:
                byte = ord(text[e.start]) - 0xDC00
                self.problems.add(self.line, self._not_text(byte))
                return None
            if self.line == 1:
                text = text.removeprefix("\ufeff")
        return text

    def _not_text(self, byte: int) -> str:
        """What to say of a byte that is not text in the file's encoding."""
        if self.encoding is None:
            return (
                f"not UTF-8 text (byte 0x{byte:02x}: Latin-1, GBK, Windows-1252?);"
                " save the file as CSV UTF-8"
            )
        if self.encoding == "utf-8":
            return (
                f"not UTF-8 text (byte 0x{byte:02x}); say the file's encoding in the"
                " mapping: encoding: gb18030 for Excel's Chinese CSV (GBK), cp1252 or"
                " latin-1 for Western Excel"
            )
        return (
            f"not valid {self.encoding} text (byte 0x{byte:02x}); is encoding:"
            f" {self.encoding} the file's encoding? (utf-8, gb18030, big5, cp1252 …)"
        )

    def _records(self, f: IO[str]) -> Iterator[tuple[int, list[str]]]:
        while (text := self._next(f)) is not None:
            if not text:
                continue
            if '"' not in text:
                yield self.line, text.split(",")
                continue
            record = self._quoted(f, text)
            if record is None:
                return
            if record[1]:
                yield record

    def _quoted(self, f: IO[str], text: str) -> tuple[int, list[str]] | None:
        """The record that starts with ``text``, which holds a quote: (its first
        line, its cells), no cells after an error in it, None when reading ends."""
        first = self.line
        cells: list[str] = []
        pos = 0
        while True:
            if opens := _OPENS_QUOTE.match(text, pos):
                # A value over several lines: each line is searched once for the
                # closing quote, so a quote never closed costs one pass over the
                # file, not one per line it runs over.
                close = _closing_quote(text, opens.end())
                if close < 0:
                    pieces, size = [text], len(text)
                    while close < 0:
                        known = len(self.problems.first)
                        more = None if size > MAX_RECORD else self._next(f)
                        if more is None:
                            if len(self.problems.first) == known:  # not an encoding error
                                self.problems.add(
                                    first,
                                    "a quote opened on this line is never closed"
                                    ' (a stray " in a value?)',
                                )
                            return None
                        close = _closing_quote(more, 0)
                        if close >= 0:
                            close += size + 1
                        pieces.append(more)
                        size += 1 + len(more)
                    text = "\n".join(pieces)
                cells.append(text[opens.end() : close].replace('""', '"'))
                end = close + 1
                while text.startswith(" ", end):
                    end += 1
                if end == len(text):
                    return first, cells
                if text[end] != ",":
                    self.problems.add(
                        first,
                        f"text after the closing quote of field {len(cells)}"
                        f" ({clip(text[pos : end + 10])}); inside a quoted value,"
                        ' write a quote as ""',
                    )
                    return first, []
                pos = end
                pos += 1
            else:
                end = text.find(",", pos)
                if end < 0:
                    cells.append(text[pos:])
                    return first, cells
                cells.append(text[pos:end])
                pos = end + 1


def _closing_quote(text: str, scan: int) -> int:
    """Where the quoted value being read in ``text`` closes, searching from
    ``scan`` (inside the value, never between the two quotes of a ``""``);
    -1 when it runs past the end. A quote that ends ``text`` closes it: what
    follows is a line break or the end of the file."""
    while (i := text.find('"', scan)) >= 0:
        if not text.startswith('"', i + 1):
            return i
        scan = i + 2
    return -1


def is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


@dataclass
class Header:
    """The header's column names (stripped), and how many columns carry one."""

    names: list[str]  # the named columns, leading the record
    width: int  # the fields a record must have (nameless trailing columns too)
    line: int  # where the header is
    physical_lines: int  # the lines up to the end of the header (for skipping)


@dataclass
class Opened:
    """A CSV file opened for reading: its problems so far, its records after
    the header, and the header (None when the file has none)."""

    problems: Problems
    rows: Generator[tuple[int, list[str]], None, None]
    header: Header | None


def open_csv(
    path: str, source: str, what: str, example: str = "", encoding: str | None = None
) -> Opened:
    """Start reading ``path`` (named ``source`` in messages): the header is read.
    ``encoding``: the one an actuals mapping names (default: UTF-8)."""
    problems = Problems(source)
    records = Records(path, problems, encoding)
    rows = iter(records)
    return Opened(problems, rows, read_header(records, rows, what, example))


def read_header(
    records: Records, it: Iterator[tuple[int, list[str]]], what: str, example: str = ""
) -> Header | None:
    """The header: the first record (after Excel's ``sep=,``). None when the file
    has none or cannot be read (the reason is in ``records.problems``; for an
    empty file, "empty: expected a header such as ``example``")."""
    problems = records.problems
    for line, cells in it:
        first = ",".join(cells).strip()
        if line == 1 and len(first) <= 5 and first.lower().startswith("sep="):
            sep = first[4:]
            if sep in (",", ""):
                continue
            problems.add(
                line,
                f"the file says sep={sep}: targetsplit reads comma-separated files;"
                " save it as CSV UTF-8 (comma delimited)",
            )
            return None
        names = [c.strip() for c in cells]
        if len(names) == 1:
            for sep, called in ((";", "semicolons"), ("\t", "tabs")):
                if sep in cells[0]:
                    problems.add(
                        line,
                        f"the header is separated by {called}: targetsplit reads"
                        " comma-separated files; save it as CSV UTF-8 (comma delimited)",
                    )
                    return None
        width = len(names)
        while width > 1 and not names[width - 1]:
            width -= 1
        seen: dict[str, int] = {}
        for i, h in enumerate(names[:width], start=1):
            key = h.lower()
            if not h:
                problems.add(line, f"column {i} of the header has no name")
            elif key in seen:
                problems.add(
                    line,
                    f"column '{clip(h)}' appears twice in the header (columns {seen[key]} and"
                    f" {i}); each {what} column must appear once",
                )
            else:
                seen[key] = i
        return Header(names[:width], len(names), line, records.line)
    if example and not problems:
        problems.add(1, f"empty: expected a header such as {example}")
    return None


def field_count(cells: list[str], header: Header) -> str | None:
    """What is wrong with a record's number of fields, if anything."""
    n = len(cells)
    if n == header.width:
        return None
    if n > header.width:
        return (
            f"{n} fields, but the header has {header.width}: quote a value that holds a"
            ' comma ("1,234.5万", "$1,000")'
        )
    return f"{n} field(s), but the header has {header.width} ({','.join(header.names)})"


def extra_cells(cells: list[str], header: Header) -> str | None:
    """A value under one of the header's trailing nameless columns."""
    for i in range(len(header.names), header.width):
        if cells[i].strip():
            return (
                f"a value ('{clip(cells[i])}') in column {i + 1}, which has no name in the header"
            )
    return None
