"""``targetsplit rollover``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import ActualsOpt, OutputOpt, PlanArg, QuietOpt


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit rollover plan.yaml --to 2027 --growth 15% -o plan-2027.yaml\n\n"
    "  targetsplit rollover plan.yaml --to 2027 --total revenue=1.5亿 --carry -o plan-2027.yaml\n\n"
    "  targetsplit rollover fy2026.yaml --to 2027-04-01..2028-03-31 --name FY2027 -o fy2027.yaml"
)
def rollover(
    plan: PlanArg = None,
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="PERIOD", help="The next period: 2027, 2027-Q1, or START..END."
        ),
    ] = "",
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="The name of a START..END period (FY2027)."),
    ] = None,
    growth: Annotated[
        str | None,
        typer.Option(
            "--growth", metavar="PCT", help="Each total is this period's actual grown by PCT."
        ),
    ] = None,
    total: Annotated[
        list[str] | None,
        typer.Option(
            "--total", metavar="METRIC=AMOUNT", help="A metric's total, given (repeatable)."
        ),
    ] = None,
    carry: Annotated[
        bool,
        typer.Option("--carry", help="Add each leaf's shortfall of this period to its target."),
    ] = False,
    actuals: ActualsOpt = None,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write the next period's plan from this period's results: totals from the
    actuals (grown by --growth, or --total), shares from each node's actual."""
    from targetsplit.api import rollover as api
    from targetsplit.cli.show import warner
    from targetsplit.report.newplan import summary
    from targetsplit.report.output import emit, say

    result = api.rollover(
        plan,
        to=to,
        name=name,
        growth=growth,
        totals=total or (),
        carry=carry,
        actuals=actuals,
        output=output,
        on_warning=warner(quiet),
    )
    emit(result.text, output, result.inputs)
    if not quiet:
        say(summary(result, output), err=True)
