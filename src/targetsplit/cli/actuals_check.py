"""``targetsplit actuals-check``."""

from __future__ import annotations

from targetsplit.cli.app import app
from targetsplit.cli.options import (
    ActualsMapOpt,
    ActualsOpt,
    BomOpt,
    OutputOpt,
    PlainFormatOpt,
    PlanArg,
    QuietOpt,
)
from targetsplit.report.formats import Format


@app.command(
    "actuals-check",
    epilog="Examples:\n\n"
    "  targetsplit actuals-check examples/crm-2026.yaml\n\n"
    "  targetsplit actuals-check plan.yaml --actuals deals.csv --actuals-map date='Close Date'"
    " --actuals-map node=Owner --actuals-map values.revenue=Amount",
)
def actuals_check(
    plan: PlanArg = None,
    actuals: ActualsOpt = None,
    amap: ActualsMapOpt = None,
    fmt: PlainFormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Show how an export's rows map to the plan, without progress: rows read, rows
    kept by where, each node's rows and sums over the period, and the names that
    match no node with their rows (exit 1 when there are any: progress refuses them)."""
    from targetsplit.api import actuals_check as api
    from targetsplit.cli.options import actuals_map
    from targetsplit.cli.show import output_format, show, warner
    from targetsplit.report import actuals_check as view

    form = output_format(fmt, output, Format.plain, bom)
    result = api.actuals_check(
        plan, actuals=actuals, actuals_map=actuals_map(amap), on_warning=warner(quiet)
    )
    show(form, output, view.render(result, form), result.inputs, bom=bom)
    return 1 if result.failed() else 0
