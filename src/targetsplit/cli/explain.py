"""``targetsplit explain``."""

from __future__ import annotations

from typing import Annotated

import typer

from targetsplit.cli.app import app
from targetsplit.cli.options import BomOpt, MetricOpt, OutputOpt, PlainFormatOpt, QuietOpt, TierOpt
from targetsplit.errors import UsageError
from targetsplit.report.formats import Format


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit explain examples/fy2026.yaml 'East/Group 1'\n\n"
    "  targetsplit explain examples/two-reps.yaml 'Rep B' --tier stretch\n\n"
    "  targetsplit explain examples/fy2026.yaml North --metric revenue --period 2026-W32\n\n"
    "  targetsplit explain examples/cross-2026.yaml 'East/Group 1' --cross product"
)
def explain(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[PLAN] NODE",
            help="The plan (optional, as for every command) and the node: a path or a unique name.",
            show_default=False,
        ),
    ],
    metric: MetricOpt = None,
    period: Annotated[
        str | None,
        typer.Option("--period", "-p", metavar="LABEL", help="Also derive this period's figure."),
    ] = None,
    tier: TierOpt = None,
    cross: Annotated[
        str | None,
        typer.Option(
            "--cross",
            "-x",
            metavar="DIMENSION",
            help="Also derive the node's figures by a dimension's items (as allocate --cross).",
        ),
    ] = None,
    fmt: PlainFormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """How each of a node's figures was derived, step by step from the total."""
    from targetsplit.api import explain as api
    from targetsplit.cli.show import output_format, show, warner
    from targetsplit.report import explain as view

    form = output_format(fmt, output, Format.plain, bom)
    plan, node = _plan_and_node(args)
    result = api.explain(
        plan,
        node,
        metrics=metric,
        period=period,
        tier=tier,
        cross=cross,
        on_warning=warner(quiet),
    )
    show(form, output, view.render(result, form), result.inputs, bom=bom)


def _plan_and_node(args: list[str]) -> tuple[str | None, str]:
    """``[PLAN] NODE``; a lone argument that is a plan file means the node was forgotten."""
    from pathlib import Path

    if len(args) > 2:
        raise UsageError("give at most a plan and a node")
    if len(args) == 2:
        return args[0], args[1]
    arg = args[0]
    if arg == "-" or arg.lower().endswith((".yaml", ".yml")) or Path(arg).is_file():
        raise UsageError(
            f"which node? give it after the plan: targetsplit explain {arg} NODE"
            " (a path such as 'East/Group 1', or '' for the whole plan)"
        )
    return None, arg
