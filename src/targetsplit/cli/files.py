"""``targetsplit init`` and ``targetsplit schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import OutputOpt


@app.command(epilog="Examples:\n\n  targetsplit init\n\n  targetsplit init q3-plan.yaml")
def init(
    path: Annotated[
        str, typer.Argument(help="Where to write the starter plan.")
    ] = "targetsplit.yaml",
) -> None:
    """Write a commented starter plan (never over an existing file)."""
    from targetsplit.api import files as api
    from targetsplit.errors import UsageError
    from targetsplit.report.output import say, write_atomic

    if not path.strip():  # '' is the current directory to a path: never meant
        raise UsageError("init needs a file name (default targetsplit.yaml)")
    write_atomic(path, api.starter_plan(), overwrite=False)
    say(f"wrote {path}; next: targetsplit allocate {path}\n", err=True)


@app.command(epilog="Example:\n\n  targetsplit schema > targetsplit.schema.json")
def schema(output: OutputOpt = None) -> None:
    """Print the plan format's JSON Schema (for editors that validate YAML)."""
    import json

    from targetsplit.api import files as api
    from targetsplit.report.output import emit

    emit(json.dumps(api.schema(), ensure_ascii=False, indent=2) + "\n", output)
