"""Writing results: standard output, or a file replaced atomically."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from targetsplit.errors import Diagnostic, TargetsplitError, UsageError
from targetsplit.report.textsafe import safe_text


class ReaderGone(Exception):  # noqa: N818 (an event, not an error: exit 141)
    """The reader of standard output went away (``| head``). Not an OSError, so
    that no library on the way up turns it into exit code 1."""


def _fail(path: str, what: str, e: OSError) -> TargetsplitError:
    reason = e.strerror or str(e)
    return TargetsplitError([Diagnostic(f"cannot {what}: {reason}").placed(path, None, None)])


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 & ~umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: str, text: str | Iterable[str] | bytes, *, overwrite: bool = True) -> None:
    """Write ``text`` (or its pieces, as they come, or bytes: a workbook) to ``path``
    through a temporary file in the same directory.

    The old file (if any) stays intact until the new one is complete; on any
    failure the temporary file is removed. With ``overwrite=False`` an
    existing file is never replaced.
    """
    target = Path(path)
    descriptor = _names_a_descriptor(path)
    if descriptor or (target.exists() and not target.is_file() and not target.is_dir()):
        # A device, a pipe or an open descriptor (/dev/stdout, /dev/fd/3, a FIFO):
        # written in place; a file behind a descriptor is appended to, as the shell
        # opened it (replacing it would leave the shell's descriptor on a lost file).
        append = descriptor and target.is_file()
        try:
            if isinstance(text, bytes):
                with open(target, "ab" if append else "wb") as b:
                    b.write(text)
                return
            with open(target, "a" if append else "w", encoding="utf-8", newline="") as f:
                _write_text(f, text)
        except BrokenPipeError:  # -o /dev/stdout | head
            raise ReaderGone from None
        except OSError as e:
            raise _fail(path, "write", e) from None
        return
    # A symbolic link stays one: the file it points at is replaced.
    target = Path(os.path.realpath(target))
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise _fail(path, "write", e) from None
    try:
        os.chmod(tmp, _mode_for(target))
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as b:
                b.write(text)
                b.flush()
                os.fsync(b.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                _write_text(f, text)
                f.flush()
                os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the target exists: never overwrites
            os.unlink(tmp)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise TargetsplitError(
            [Diagnostic("already exists; not overwriting it").placed(path, None, None)]
        ) from None
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _fail(path, "write", e) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_DESCRIPTOR = re.compile(r"/(?:proc/(?:self|thread-self|\d+)|dev)/fd/\d+")


def _names_a_descriptor(path: str) -> bool:
    """Whether ``path`` reaches an open file descriptor (/dev/stdout, /dev/fd/N,
    /proc/self/fd/N), directly or through symbolic links."""
    current = os.path.abspath(path)
    for _ in range(40):
        if _DESCRIPTOR.fullmatch(current) or current in ("/dev/stdout", "/dev/stderr"):
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return False


def _write_text(f: TextIO, text: str | Iterable[str]) -> None:
    if isinstance(text, str):
        f.write(text)
    else:
        f.writelines(text)


def say(text: str, *, err: bool = False, bom: bool = False) -> None:
    """The one way text reaches standard output (or error): every line made visible,
    so nothing read from a file can reach the terminal as a control sequence.
    ``bom`` puts a UTF-8 byte order mark before it (CSV for Excel)."""
    stream = sys.stderr if err else sys.stdout
    try:
        if bom:
            stream.write("\ufeff")  # ours, not the text's: safe_text would escape it
        stream.write(safe_text(text))
        stream.flush()
    except BrokenPipeError:
        raise ReaderGone from None


def emit_bytes(data: bytes, output: str | None, inputs: Sequence[tuple[str, str]] = ()) -> None:
    """Send a workbook to ``output`` (a file, atomically, never over one of the
    ``inputs``) or to standard output, which is not a terminal (checked before)."""
    if output is None or output == "-":
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        return
    if not output.strip():
        raise UsageError("--output needs a file name (or - for standard output)")
    refuse_inputs(output, inputs)
    write_atomic(output, data)


def emit(
    text: str | Iterable[str],
    output: str | None,
    inputs: Sequence[tuple[str, str]] = (),
    *,
    bom: bool = False,
) -> None:
    """Send a command's result (its text, or its pieces) to ``output`` (a file) or
    to standard output; never over one of the command's ``inputs`` (what it is,
    its path); with ``bom``, a UTF-8 byte order mark first."""
    if output is None or output == "-":
        say(text if isinstance(text, str) else "".join(text), bom=bom)
        return
    if not output.strip():
        raise UsageError("--output needs a file name (or - for standard output)")
    refuse_inputs(output, inputs)
    if isinstance(text, str):
        write_atomic(output, ("\ufeff" if bom else "") + safe_text(text))
    else:
        write_atomic(output, itertools.chain(["\ufeff"] if bom else [], map(safe_text, text)))


def refuse_inputs(output: str, inputs: Sequence[tuple[str, str]]) -> None:
    """Refuse an output file that is an input, under any spelling (links included)."""
    for what, path in inputs:
        try:
            if path == "-":  # standard input: the file it was redirected from
                stdin = os.fstat(0)
                same = stat.S_ISREG(stdin.st_mode) and os.path.samestat(stdin, os.stat(output))
            else:
                same = os.path.samefile(output, path)
        except (OSError, ValueError):  # either does not exist (yet), or a bad name
            continue
        if same:
            raise TargetsplitError(
                [
                    Diagnostic(
                        f"--output is the {what} this command reads"
                        f" ({'standard input' if path == '-' else path});"
                        " refusing to write over it (nothing was written)"
                    ).placed(output, None, None)
                ]
            )
