"""``targetsplit review``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import (
    ActualsOpt,
    BomOpt,
    DepthOpt,
    FormatOpt,
    MetricOpt,
    OutputOpt,
    PlanArg,
    QuietOpt,
)
from targetsplit.report.formats import Format


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit review examples/fy2026.yaml --period 2026-H1\n\n"
    "  targetsplit review plan.yaml --period 2026-Q2 --actuals crm-export.csv\n\n"
    "  targetsplit review plan.yaml --period 2026-04..2026-05 --depth 1 --sort rank\n\n"
    "  targetsplit review plan.yaml --format json --output review-2026.json"
)
def review(
    plan: PlanArg = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            metavar="LABEL",
            help="Review this half, quarter, month or week of the plan's period, or a range"
            " (2026-H1, 2026-Q2, 2026-05, 2026-04..2026-05); default: the whole period."
            " One that has not ended is reviewed up to today, with a warning.",
        ),
    ] = None,
    actuals: ActualsOpt = None,
    metric: MetricOpt = None,
    depth: DepthOpt = None,
    sort: Annotated[
        str | None,
        typer.Option("--sort", metavar="rank", help="'rank': siblings best first (leaderboard)."),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The period-end review: target, actual, attainment, over/under and the tier
    reached for every node, after a summary (tiers per level, the largest
    shortfalls and over-achievements, metrics met beside metrics missed)."""
    from targetsplit.api import review as api
    from targetsplit.cli.options import rank_sort
    from targetsplit.cli.show import output_format, show, warner
    from targetsplit.report import review as view

    form = output_format(fmt, output, Format.table, bom, also=(Format.xlsx, Format.html))
    rank = rank_sort(sort)
    result = api.review(
        plan, period=period, actuals=actuals, metrics=metric, on_warning=warner(quiet)
    )
    show(form, output, view.render(result, form, depth, rank), result.inputs, bom=bom)
