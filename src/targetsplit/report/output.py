"""Writing results: standard output, or a file replaced atomically."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from targetsplit.errors import Diagnostic, TargetsplitError


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


def write_atomic(path: str, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory.

    The old file (if any) stays intact until the new one is complete; on any
    failure the temporary file is removed. With ``overwrite=False`` an
    existing file is never replaced.
    """
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        # A device or a pipe (/dev/stdout, a FIFO): write to it in place.
        try:
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as e:
            raise _fail(path, "write", e) from None
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise _fail(path, "write", e) from None
    try:
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
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


def emit(text: str, output: str | None) -> None:
    """Send a command's result to ``output`` (a file) or to standard output."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
