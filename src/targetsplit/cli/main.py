"""``main``: run a command and turn every error into a message and an exit code.

typer and the commands are imported once ``main`` has looked at the command
line: ``progress --actuals FILE`` starts reading a large FILE in DuckDB's child
process first (:func:`_actuals_early`), so that it reads beside everything else.
"""

from __future__ import annotations

import decimal
import errno
import gc
import io
import os
import sys
import types
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn

from targetsplit.errors import TargetsplitError
from targetsplit.numbers.exact import EXACT
from targetsplit.report.output import ReaderGone, say

if TYPE_CHECKING:
    import typer

# Each module registers its commands with ``app``, in --help's order.
COMMAND_MODULES = (
    "allocate",
    "progress",
    "review",
    "explain",
    "check",
    "actuals_check",
    "replan",
    "rollover",
    "files",
)


def _app() -> typer.Typer:
    """The typer application with every command registered (imported on first use)."""
    from targetsplit.cli.app import app

    for name in COMMAND_MODULES:
        import_module(f"targetsplit.cli.{name}")
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _safe_streams() -> None:
    """Never crash on a terminal that cannot show a character (LANG=C, latin-1):
    such characters are written as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure) and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")


def collector_off() -> bool:
    """Stop the cyclic garbage collector for one command's run; whether it was on.

    A command builds millions of objects and drops them all at exit, with few
    reference cycles among them: the collector's passes over them found next to
    nothing and cost about a second on a 10,000-node plan. What is loaded by
    now (the libraries) is frozen out of any later pass, too."""
    was_on = gc.isenabled()
    gc.disable()
    gc.freeze()
    return was_on


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    _numpy_within_limits()
    _no_plugin_scan()
    _standard_streams()
    _safe_streams()
    args = sys.argv[1:] if argv is None else argv
    stop_early = _actuals_early(args)
    try:
        code = _run(argv, args)
    finally:
        # A child the command did not take (an error, another file) is stopped. (No
        # import here: the collector is back on, and its first pass would walk every
        # object the command made.)
        if stop_early is not None:
            stop_early()
    if argv is None:
        _exit_now(code)
    return code


def _run(argv: list[str] | None, args: list[str]) -> int:
    """Run the command ``args``; its exit code."""
    import typer

    command = _click_command(args)
    collector_was_on = collector_off()
    try:
        with decimal.localcontext(EXACT):  # one exact context for everything a command does
            result = command.main(args=argv, prog_name="targetsplit", standalone_mode=False)
        code = result if isinstance(result, int) else 0
        if code == 130:  # typer turns Ctrl-C into exit code 130
            say("interrupted\n", err=True)
        sys.stdout.flush()
    except TargetsplitError as e:
        say("".join(d.render() + "\n" for d in e.diagnostics), err=True)
        code = e.exit_code
    except MemoryError:
        say(
            "error: out of memory (raise the memory limit, or work on a smaller plan or file)\n",
            err=True,
        )
        code = 1
    except (typer.Abort, KeyboardInterrupt):
        say("interrupted\n", err=True)
        code = 130
    except (BrokenPipeError, ReaderGone):
        # The reader went away (| head): stop quietly, as Unix tools do.
        _silence_stdout()
        code = 141
    except SystemExit as e:  # rich's console (typer's --help) exits 1 when the reader went away
        if e.code != 1 or not _reader_gone():
            raise
        _silence_stdout()
        code = 141
    except OSError as e:
        if e.errno is None:
            raise
        _silence_stdout()
        say(f"<stdout>: error: cannot write: {e.strerror}\n", err=True)
        code = 1
    except typer.TyperException as e:  # a usage error: typer's click raises these
        code = _usage_error(e)
    finally:
        if collector_was_on:  # main() called in-process (tests, embedding): as it was
            gc.unfreeze()
            gc.enable()
    return code


def _actuals_early(args: list[str]) -> Callable[[], None] | None:
    """For ``progress … --actuals FILE`` (``-a FILE``, ``--actuals=FILE``): start
    reading FILE in DuckDB's child now, before typer and the command's modules are
    imported and its arguments parsed (a large regular file only; see
    :func:`targetsplit.track.actuals.reading_early`, which takes the child when the
    command asks for the same file). A glance at the words, not a parse: a wrong
    guess only starts a child that is not used. What stops the child unless the
    command took it, when one was started."""
    if not args or args[0] != "progress" or "-h" in args or "--help" in args:
        return None
    path = None
    words = iter(args[1:])
    for word in words:
        if word == "--":
            break
        if word.startswith("--actuals-map"):  # an export, read by its own reader
            return None
        if word in ("--actuals", "-a"):
            path = next(words, None)
        elif word.startswith("--actuals="):
            path = word.removeprefix("--actuals=")
        elif word.startswith("-a") and len(word) > 2:
            path = word[2:]
    if not path:
        return None
    from targetsplit.track.actuals import abandon_early, start_early

    return abandon_early if start_early(path) else None


PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugin_scan() -> None:
    """pydantic looks for plugins among the installed packages (importing
    importlib.metadata: ~15 ms of every start) when it first builds a validator,
    even where plugins are turned off - and a command turns them off for every
    validator it builds (typer around its adapters, plan.document around the
    plan's models). A stand-in for pydantic's loader answers "none" where they are
    off, and hands anything else to the real loader, loaded then."""
    if PLUGIN_LOADER in sys.modules:
        return
    stand_in = types.ModuleType(PLUGIN_LOADER)

    def real() -> Any:
        if sys.modules.get(PLUGIN_LOADER) is stand_in:
            del sys.modules[PLUGIN_LOADER]
        return import_module(PLUGIN_LOADER)

    def get_plugins(*args: Any, **kwargs: Any) -> Any:
        if os.getenv("PYDANTIC_DISABLE_PLUGINS") in ("__all__", "1", "true"):
            return ()
        return real().get_plugins(*args, **kwargs)

    def other(name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of any module
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = other  # type: ignore[method-assign]
    sys.modules[PLUGIN_LOADER] = stand_in


def _click_command(args: list[str]) -> Any:
    """The click command for ``args``: when they start with a command's name, a
    group holding that command alone (typer reads every command's signature to
    build one; the others would only be built to be left unused), else all."""
    import typer

    app = _app()
    name = args[0] if args else None
    chosen = [
        info
        for info in app.registered_commands
        if info.callback is not None
        and (info.name or typer.main.get_command_name(info.callback.__name__)) == name
    ]
    if len(chosen) != 1:
        return typer.main.get_command(app)
    every = app.registered_commands
    app.registered_commands = chosen
    try:
        return typer.main.get_command(app)
    finally:
        app.registered_commands = every


#: What importing numpy adds to the address space (about 80 MiB, OpenBLAS's
#: buffers included), with room to spare.
NUMPY_ROOM = 160 * 1024 * 1024


def _numpy_within_limits() -> None:
    """NumPy only speeds things up, and importing it under a tight memory limit
    (ulimit -v) can end the process: OpenBLAS prints its own message and exits
    with code 1. OpenBLAS gets one thread (it reserves buffers per thread), and
    when the limit leaves too little room numpy is not imported at all: the
    pure-Python paths give the same figures."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "numpy" in sys.modules:
        return
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY:
            return
        with open("/proc/self/statm", encoding="ascii") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return
    if limit - used < NUMPY_ROOM:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # import numpy: ImportError


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it."""
    try:
        import select

        poll = select.poll()
        poll.register(1, select.POLLERR)
        return bool(poll.poll(0))
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no poll()
        return False


def _exit_now(code: int) -> NoReturn:
    """End the process with ``code`` without freeing the heap object by object
    (a 10,000-node plan leaves millions of objects: that took 0.2-0.4 s). The
    standard streams are flushed first; should that fail, the usual exit reports it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def _usage_error(e: typer.TyperException) -> int:
    """Show typer's usage error (or the help, for no arguments); its exit code."""
    if type(e).__name__ == "NoArgsIsHelpError":
        say(str(e) + "\n", err=True)
        return 0
    show = getattr(e, "show", None)
    if callable(show):  # click's usage, hint and message, which may quote argv
        text = io.StringIO()
        show(file=text)
        say(text.getvalue(), err=True)
    else:
        say(f"error: {e}\n", err=True)
    return int(getattr(e, "exit_code", 2))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no descriptor: a stand-in for a closed stdout
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


class _Closed(io.RawIOBase):
    """What a closed standard stream reads and writes: an error a command reports."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError(errno.EBADF, "standard input is closed")

    def write(self, b: Any) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _standard_streams() -> None:
    """Closed standard streams (``<&-``, ``>&-``, ``2>&-``): descriptors 0-2 are
    held by /dev/null so that no file the command opens takes their place; reading
    a closed stdin or writing a closed stdout is an error the command reports; a
    closed stderr swallows the diagnostics (there is nowhere to show them)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            held = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor
            if held != fd:
                os.dup2(held, fd)
                os.close(held)
    if sys.stdin is None:
        sys.stdin = io.TextIOWrapper(io.BufferedReader(_Closed()))
    if sys.stdout is None:
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Closed()), encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
