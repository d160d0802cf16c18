"""``targetsplit check``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import BomOpt, OutputOpt, PlainFormatOpt, PlanArg, QuietOpt
from targetsplit.report.formats import Format


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit check plan.yaml\n\n"
    "  cat plan.yaml | targetsplit check -\n\n"
    "  targetsplit check examples/two-reps.yaml --against examples/two-reps-sheet.csv\n\n"
    "  targetsplit check plan.yaml --strict"
)
def check(
    plan: PlanArg = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="SHEET",
            help="Compare a hand-made target sheet (CSV node,metric,value or node,<metric>…);"
            " '-' reads standard input.",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    fmt: PlainFormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Validate a plan: report every error (exit 1) and every warning (exit 0, or
    1 with --strict); with --against, list where a target sheet disagrees (exit 1)."""
    from targetsplit.api import check as api
    from targetsplit.cli.show import output_format, show, warner
    from targetsplit.report import check as view
    from targetsplit.report.output import say

    writes = (Format.xlsx, Format.html) if against else ()  # a sheet's differences
    form = output_format(fmt, output, Format.plain, bom, also=writes)
    # --strict shows the warnings that fail the check, even with --quiet.
    result = api.check(plan, against=against, on_warning=warner(quiet and not strict))
    if result.sheet is None:
        say(view.ok_line(result) + "\n")
    else:
        show(form, output, view.render(result, form), result.inputs, bom=bom)
    return 1 if result.failed(strict) else 0
