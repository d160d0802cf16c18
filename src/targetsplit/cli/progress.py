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
    actuals_given,
    percent,
    rank_sort,
)
from targetsplit.cli.show import output_format, show, warner
from targetsplit.report.formats import Format

if TYPE_CHECKING:
    from targetsplit.api.progress import ProgressResult
    from targetsplit.cli.options import ActualsGiven


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
    dimension: Annotated[
        str | None,
        typer.Option(
            "--dimension",
            metavar="NAME",
            help="Each item of the plan's dimension NAME (product…): its target to date"
            " against its actual, from the actuals' column the mapping's dimensions: names.",
        ),
    ] = None,
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
    from targetsplit.report import progress as view

    form = output_format(fmt, output, Format.table, bom, also=(Format.xlsx, Format.html))
    if dimension is not None:  # each item of a dimension: a view of its own
        return _by_dimension(dict(locals()), form, actuals_given(actuals, amap))
    rank, threshold = rank_sort(sort), percent("--fail-under", fail_under)
    result = api.progress(
        plan,
        week=week,
        as_of=as_of,
        metrics=metric,
        on_warning=warner(quiet),
        **_views(node, window, tier, form),
        **actuals_given(actuals, amap),
        ahead=view.ahead(form, depth, leaderboard),
    )
    show(form, output, view.render(result, form, depth, rank, leaderboard), result.inputs, bom=bom)
    return _failed(result, depth, threshold, leaderboard)


def _views(node: str | None, window: str | None, tier: str | None, form: Format) -> dict[str, Any]:
    """The views asked for; a report's burn-up chart needs the weeks: a workbook's
    (xlsx) as ``burnup``, an HTML report's as ``weekly``."""
    return {
        "node": node,
        "window": window,
        "tier": tier,
        "burnup": form is Format.xlsx,
        "weekly": form is Format.html,
    }


def _by_dimension(asked: dict[str, Any], form: Format, given: ActualsGiven) -> int:
    """``--dimension``: each item's target to date against its actual (``asked``:
    the command's arguments)."""
    from targetsplit.api.dimension import progress_by_dimension
    from targetsplit.errors import UsageError
    from targetsplit.report import dimension as view

    if form in (Format.xlsx, Format.html):
        raise UsageError(f"--dimension: --format {form.value} is not available; give csv or json")
    others = ("window", "tier", "depth", "node", "sort", "fail_under")
    if asked["leaderboard"] or any(asked[k] is not None for k in others):
        raise UsageError(
            "--dimension shows the items of a dimension: it takes --week, --as-of, --metric"
            " and the actuals' options, not --window, --tier, --depth, --node, --leaderboard,"
            " --sort or --fail-under"
        )
    result = progress_by_dimension(
        asked["plan"],
        asked["dimension"],
        week=asked["week"],
        as_of=asked["as_of"],
        metrics=asked["metric"],
        on_warning=warner(asked["quiet"]),
        **given,
    )
    show(form, asked["output"], view.render(result, form), result.inputs, bom=asked["bom"])
    return 0


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
