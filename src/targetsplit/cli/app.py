"""The typer application that every command module registers with."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit import __version__

app = typer.Typer(
    name="targetsplit",
    help="Split sales targets down a hierarchy exactly, and track actuals against them."
    " Exit codes: 0 success, 1 the plan or actuals are wrong or unreadable,"
    " 2 bad command line, 3 progress --fail-under found a node below.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from targetsplit.report.output import say

        say(f"targetsplit {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Split sales targets down a hierarchy exactly, and check plans.

    Exit codes: 0 success, 1 the plan is wrong or unreadable, 2 bad command line.
    """
