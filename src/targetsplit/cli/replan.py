"""``targetsplit replan``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import ActualsOpt, OutputOpt, PlanArg, QuietOpt


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit replan plan.yaml --week 26 -o plan-h2.yaml\n\n"
    "  targetsplit replan plan.yaml --as-of 2026-09-30 --policy share -o plan-q4.yaml\n\n"
    "  git diff --no-index plan.yaml plan-h2.yaml"
)
def replan(
    plan: PlanArg = None,
    week: Annotated[
        str | None,
        typer.Option("--week", "-w", metavar="N", help="Cut off at the end of week N."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="Cut off at the end of DATE.")
    ] = None,
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            metavar="keep|share",
            help="keep: each leaf's target is what it still owes; share: the plan's remaining"
            " split by its own shares.",
        ),
    ] = "keep",
    actuals: ActualsOpt = None,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a new plan for the rest of the period, from what is still owed at the
    cut-off: same tree, names, owners, tiers and calendar; exact amounts."""
    from targetsplit.api import replan as api
    from targetsplit.cli.show import warner
    from targetsplit.report.newplan import summary
    from targetsplit.report.output import emit, say

    result = api.replan(
        plan,
        week=week,
        as_of=as_of,
        policy=policy,
        actuals=actuals,
        output=output,
        on_warning=warner(quiet),
    )
    emit(result.text, output, result.inputs)
    if not quiet:
        say(summary(result, output), err=True)
