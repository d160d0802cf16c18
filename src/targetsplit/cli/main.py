"""``main``: run a command and turn every error into a message and an exit code."""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from targetsplit.cli.app import app
from targetsplit.errors import TargetsplitError

# Each module registers its commands with ``app``, in --help's order.
COMMAND_MODULES = ("allocate", "progress", "explain", "check", "files")
for _name in COMMAND_MODULES:
    import_module(f"targetsplit.cli.{_name}")


def _safe_streams() -> None:
    """Never crash on a terminal that cannot show a character (LANG=C, latin-1):
    such characters are written as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure) and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    _safe_streams()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="targetsplit", standalone_mode=False)
        code = result if isinstance(result, int) else 0
        if code == 130:  # typer turns Ctrl-C into exit code 130
            sys.stderr.write("interrupted\n")
        sys.stdout.flush()
    except TargetsplitError as e:
        for d in e.diagnostics:
            sys.stderr.write(d.render() + "\n")
        code = e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("interrupted\n")
        code = 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as Unix tools do.
        _silence_stdout()
        code = 141
    except OSError as e:
        if e.errno is None:
            raise
        _silence_stdout()
        sys.stderr.write(f"<stdout>: error: cannot write: {e.strerror}\n")
        code = 1
    except typer.TyperException as e:  # a usage error: typer's click raises these
        code = _usage_error(e)
    if argv is None:
        sys.exit(code)
    return code


def _usage_error(e: typer.TyperException) -> int:
    """Show typer's usage error (or the help, for no arguments); its exit code."""
    if type(e).__name__ == "NoArgsIsHelpError":
        sys.stderr.write(str(e) + "\n")
        return 0
    show = getattr(e, "show", None)
    if callable(show):
        show()
    else:
        sys.stderr.write(f"error: {e}\n")
    return int(getattr(e, "exit_code", 2))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
