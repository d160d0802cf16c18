"""``targetsplit allocate``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import (
    BomOpt,
    By,
    DepthOpt,
    FormatOpt,
    MetricOpt,
    NodeOpt,
    OutputOpt,
    PlanArg,
    QuietOpt,
    TierOpt,
)
from targetsplit.report.formats import Format


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit allocate examples/fy2026.yaml\n\n"
    "  targetsplit allocate plan.yaml --metric revenue --depth 1 --tier stretch\n\n"
    "  targetsplit allocate plan.yaml --by quarter\n\n"
    "  targetsplit allocate plan.yaml --tiers\n\n"
    "  targetsplit allocate plan.yaml --node 'South/Rep Chen' --by month\n\n"
    "  targetsplit allocate plan.yaml --by week --period 2026-Q3 --metric revenue\n\n"
    "  targetsplit allocate examples/cross-2026.yaml --cross product\n\n"
    "  targetsplit allocate plan.yaml --format json --output targets.json"
)
def allocate(
    plan: PlanArg = None,
    metric: MetricOpt = None,
    depth: DepthOpt = None,
    node: NodeOpt = None,
    tier: TierOpt = None,
    tiers: Annotated[
        bool,
        typer.Option(
            "--tiers",
            help="Every tier's figures side by side (floor, target, stretch…: the"
            " plan's tiers), for every node.",
        ),
    ] = False,
    by: Annotated[
        By | None,
        typer.Option("--by", "-b", help="Add period columns: half, quarter, month or week."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            metavar="LABEL",
            help="Show only this period or range: 2026-Q3, 2026-08, 2026-W32,"
            " 2026-W30..2026-W35; with --by, the periods of that size clipped to it"
            " (the weeks of 2026-Q3 add up to Q3).",
        ),
    ] = None,
    cross: Annotated[
        str | None,
        typer.Option(
            "--cross",
            "-x",
            metavar="DIMENSION",
            help="Split every node by a dimension's items (product…): each node's"
            " cells add up to its figure, and its children's to its cells; fitted to"
            " the nodes' mix: where they give one.",
        ),
    ] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Show every node's target for every metric, split exactly from the totals,
    and with --by its figures for each half, quarter, month or week."""
    from targetsplit.api import allocate as api
    from targetsplit.cli.show import output_format, show, terminal_width, warner
    from targetsplit.report import allocation

    form = output_format(fmt, output, Format.table, bom, also=(Format.xlsx, Format.html))
    result = api.allocate(
        plan,
        metrics=metric,
        tier=tier,
        by=None if by is None else by.value,
        period=period,
        cross=cross,
        node=node,
        tiers=tiers,
        on_warning=warner(quiet),
    )
    shown = allocation.render(result, form, depth, terminal_width(form, output))
    show(form, output, shown, result.inputs, bom=bom)
