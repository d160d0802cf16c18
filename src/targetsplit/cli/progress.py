"""``targetsplit progress``."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import (
    ActualsMapOpt,
    ActualsOpt,
    BomOpt,
    DepthOpt,
    FormatOpt,
    MetricOpt,
    NodeOpt,
    OutputOpt,
    PlanArg,
    QuietOpt,
)
from targetsplit.report.formats import Format

if TYPE_CHECKING:
    from targetsplit.api.progress import ProgressResult


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit progress plan.yaml --week 32\n\n"
    "  targetsplit progress plan.yaml --as-of 2026-08-05 --actuals crm-export.csv\n\n"
    "  targetsplit progress plan.yaml --week 32 --actuals deals.csv --actuals-map date='Close Date'"
    " --actuals-map node=Owner --actuals-map values.revenue=Amount\n\n"
    "  targetsplit progress plan.yaml --week 32 --depth 1 --sort rank\n\n"
    "  targetsplit progress plan.yaml --week 32 --leaderboard\n\n"
    "  targetsplit progress plan.yaml --as-of 2026-08-31 --window month\n\n"
    "  targetsplit progress plan.yaml --week 32 --tier stretch\n\n"
    "  targetsplit progress plan.yaml --week 32 --node East --depth 1\n\n"
    "  targetsplit progress plan.yaml --week 32 --fail-under 90 --quiet || notify-team"
)
def progress(
    plan: PlanArg = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", "-w", metavar="N", help="Cut off at the end of week N (32, W32, 2026-W32)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Cut off at the end of DATE (default: today)."
        ),
    ] = None,
    actuals: ActualsOpt = None,
    amap: ActualsMapOpt = None,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            metavar="week|month|quarter|half|period",
            help="Figures over the cut-off's week, month, quarter or half so far (this"
            " week's, month-to-date…): targets and actuals of its days through the"
            " cut-off; projection and pace to its end. Default: period.",
        ),
    ] = None,
    metric: MetricOpt = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            "-t",
            metavar="NAME",
            help="Attainment against a tier's targets (floor, target, stretch…: the"
            " plan's tiers), split as allocate --tier splits them.",
        ),
    ] = None,
    depth: DepthOpt = None,
    node: NodeOpt = None,
    leaderboard: Annotated[
        bool,
        typer.Option(
            "--leaderboard",
            "-l",
            help="One flat table of the leaves (with --depth N, of the nodes N levels down)"
            " ranked by attainment (ties share a rank: 1, 2, 2, 4); nodes without a"
            " target to date last, unranked.",
        ),
    ] = False,
    sort: Annotated[
        str | None,
        typer.Option("--sort", metavar="rank", help="'rank': siblings best first (leaderboard)."),
    ] = None,
    fail_under: Annotated[
        str | None,
        typer.Option(
            "--fail-under",
            metavar="PCT",
            help="Exit 3, listing them, when a node shown is below PCT attainment.",
        ),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Attainment to date from actuals: target to date, actual, attainment, gap,
    pace, projection, red/yellow/green status and rank, for every node."""
    from targetsplit.api import progress as api
    from targetsplit.cli.options import actuals_given, percent, rank_sort
    from targetsplit.cli.show import output_format, show, warner
    from targetsplit.report import progress as view

    form = output_format(fmt, output, Format.table, bom, also=(Format.xlsx,))
    rank, threshold = rank_sort(sort), percent("--fail-under", fail_under)
    result = api.progress(
        plan,
        week=week,
        as_of=as_of,
        metrics=metric,
        on_warning=warner(quiet),
        **_views(node, window, tier, form),
        **actuals_given(actuals, amap),
    )
    show(form, output, view.render(result, form, depth, rank, leaderboard), result.inputs, bom=bom)
    return _failed(result, depth, threshold, leaderboard)


def _views(node: str | None, window: str | None, tier: str | None, form: Format) -> dict[str, Any]:
    """The views asked for; a workbook's burn-up chart (xlsx) needs the weeks."""
    return {"node": node, "window": window, "tier": tier, "burnup": form is Format.xlsx}


def _failed(
    result: ProgressResult, depth: int | None, threshold: Fraction | None, board: bool
) -> int:
    """``--fail-under``: exit 3, listing on standard error the nodes shown below it."""
    if threshold is None:
        return 0
    from targetsplit.report.output import say
    from targetsplit.report.progress import below_text

    below = below_text(result, depth, threshold, board)
    if below is None:
        return 0
    say(below, err=True)
    return 3
