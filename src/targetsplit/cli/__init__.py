"""The command line: read arguments, make one core call, render, exit.

Errors from the core arrive as :class:`~targetsplit.errors.TargetsplitError`
and are printed once, here, as ``file:line:col: error: …`` lines with the
documented exit code. Nothing else in the package prints or exits.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from targetsplit import __version__
from targetsplit.errors import Diagnostic, TargetsplitError, UsageError

if TYPE_CHECKING:
    from decimal import Decimal

    from targetsplit.audit.against import Difference
    from targetsplit.audit.explain import Step
    from targetsplit.calendar.workdays import Granularity
    from targetsplit.plan.tree import Metric, Plan
    from targetsplit.report.grid import Grid
    from targetsplit.split.hierarchy import Allocation
    from targetsplit.split.timesplit import PeriodSplit

app = typer.Typer(
    name="targetsplit",
    help="Split sales targets down a hierarchy exactly, and track actuals against them."
    " Exit codes: 0 success, 1 the plan or actuals are wrong or unreadable,"
    " 2 bad command line, 3 progress --fail-under found a node below.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class By(StrEnum):
    half = "half"
    quarter = "quarter"
    month = "month"
    week = "week"


class OutputFormat(StrEnum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    csv = "csv"
    json = "json"


PlanArg = Annotated[
    str | None,
    typer.Argument(
        help="The plan file; '-' reads standard input."
        " Default: $TARGETSPLIT_PLAN, then ./targetsplit.yaml.",
        show_default=False,
        metavar="PLAN",
    ),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write the result to FILE (atomically).", metavar="FILE"),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Do not print warnings.")]
MetricOpt = Annotated[
    list[str] | None,
    typer.Option("--metric", "-m", metavar="NAME", help="Show only this metric (repeatable)."),
]
TierOpt = Annotated[
    str | None,
    typer.Option(
        "--tier", "-t", metavar="NAME", help="Scale the total by a tier (floor, target, stretch…)."
    ),
]
DepthOpt = Annotated[
    int | None,
    typer.Option("--depth", "-d", min=0, metavar="N", help="Show nodes down to this depth."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"targetsplit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Split sales targets down a hierarchy exactly, and check plans.

    Exit codes: 0 success, 1 the plan is wrong or unreadable, 2 bad command line.
    """


def _warn(diagnostics: tuple[Diagnostic, ...], quiet: bool) -> None:
    if quiet:
        return
    for d in diagnostics:
        sys.stderr.write(d.render() + "\n")


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit allocate examples/fy2026.yaml\n\n"
    "  targetsplit allocate plan.yaml --metric revenue --depth 1 --tier stretch\n\n"
    "  targetsplit allocate plan.yaml --by quarter\n\n"
    "  targetsplit allocate plan.yaml --by week --period 2026-Q3 --metric revenue\n\n"
    "  targetsplit allocate plan.yaml --format json --output targets.json"
)
def allocate(
    plan: PlanArg = None,
    metric: MetricOpt = None,
    depth: DepthOpt = None,
    tier: TierOpt = None,
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
            help="Show only this period or range: 2026-Q3, 2026-08, 2026-W32, 2026-W30..2026-W35.",
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Show every node's target for every metric, split exactly from the totals,
    and with --by its figures for each half, quarter, month or week."""
    from targetsplit.plan.load import load_plan
    from targetsplit.split.hierarchy import allocate as do_allocate

    loaded = load_plan(plan)
    p = loaded.plan
    metrics = tuple(p.metric(m) for m in _pick_metrics(p.metric_names, metric))
    _check_tier(p, tier)
    _warn(p.warnings, quiet)
    result = do_allocate(p, tier)
    if by is None and period is None:
        _show(fmt, output, result, metrics, depth)
        return
    from targetsplit.calendar.workdays import select
    from targetsplit.split.timesplit import split_over_time

    assert p.breakdown is not None
    wanted: Granularity | None = by.value if by is not None else None
    granularity: Granularity = wanted or "month"
    chosen: list[int] | None = None
    if period is not None:
        try:
            granularity, chosen = select(p.breakdown, period, wanted)
        except ValueError as e:
            raise UsageError(f"--period: {e}") from None
    split = split_over_time(result, granularity)
    if chosen is None:
        chosen = list(range(len(split.slots)))
    _show_periods(fmt, output, result, split, metrics, depth, chosen)


def _check_tier(p: Plan, tier: str | None) -> None:
    if tier is not None and tier not in p.tiers:
        raise UsageError(f"unknown tier '{tier}'; the plan's tiers are: {', '.join(p.tiers)}")


def _pick_metrics(available: tuple[str, ...], wanted: list[str] | None) -> tuple[str, ...]:
    from targetsplit.plan.tree import did_you_mean

    if not wanted:
        return available
    for m in wanted:
        if m not in available:
            raise UsageError(
                f"unknown metric '{m}'{did_you_mean(m, available)};"
                f" the plan's metrics are: {', '.join(available)}"
            )
    return tuple(m for m in available if m in wanted)


def _show(
    fmt: OutputFormat,
    output: str | None,
    result: Allocation,
    metrics: tuple[Metric, ...],
    depth: int | None,
) -> None:
    from targetsplit.report import allocation as views
    from targetsplit.report.grid import csv_text

    if fmt is OutputFormat.json:
        _emit_json(views.allocation_json(result, metrics, depth), output)
    elif fmt is OutputFormat.csv:
        _emit(csv_text(*views.allocation_csv(result, metrics, depth)), output)
    else:
        _emit_grids(fmt, output, views.allocation_grids(result, metrics, depth))


def _show_periods(
    fmt: OutputFormat,
    output: str | None,
    result: Allocation,
    split: PeriodSplit,
    metrics: tuple[Metric, ...],
    depth: int | None,
    chosen: list[int],
) -> None:
    from targetsplit.report import allocation as views
    from targetsplit.report.grid import csv_text

    if fmt is OutputFormat.json:
        doc = views.allocation_json(result, metrics, depth)
        _emit_json(views.add_periods_json(doc, split, metrics, chosen), output)
    elif fmt is OutputFormat.csv:
        _emit(csv_text(*views.period_csv(result, split, metrics, depth, chosen)), output)
    else:
        per_grid = None
        if fmt is OutputFormat.table and output is None:
            per_grid = _columns_that_fit(split, result, metrics, chosen)
        _emit_grids(
            fmt, output, views.period_grids(result, split, metrics, depth, chosen, per_grid)
        )


def _columns_that_fit(
    split: PeriodSplit, result: Allocation, metrics: tuple[Metric, ...], chosen: list[int]
) -> int | None:
    """How many period columns fit the terminal beside the node and total columns."""
    import shutil

    if not sys.stdout.isatty():
        return None
    width = shutil.get_terminal_size().columns
    name_w = max(len(r.node.name) + 2 * r.node.depth for r in result.rows) + 3
    cell_w = 3 + max(
        max(len(split.slots[k].label) for k in chosen),
        max(len(m.format(r.targets[m.name])) for m in metrics for r in result.rows),
    )
    return max(1, (width - name_w - cell_w) // cell_w)


def _emit(text: str, output: str | None) -> None:
    from targetsplit.report.output import emit

    emit(text, output)


def _emit_json(doc: dict[str, object], output: str | None) -> None:
    from targetsplit.report.jsonout import dumps

    _emit(dumps(doc), output)


def _emit_grids(fmt: OutputFormat, output: str | None, grids: list[Grid]) -> None:
    from targetsplit.report import grid as render

    if fmt is OutputFormat.plain:
        _emit(render.plain(grids), output)
    elif fmt is OutputFormat.markdown:
        _emit(render.markdown(grids), output)
    elif output is not None and output != "-":
        _emit(render.table_text(grids), output)
    else:
        import os

        from rich.console import Console

        plain = bool(os.environ.get("NO_COLOR"))  # no-color.org: no styling at all
        console = Console(
            highlight=False, emoji=False, markup=False, color_system=None if plain else "auto"
        )
        render.print_tables(console, grids)


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit progress plan.yaml --week 32\n\n"
    "  targetsplit progress plan.yaml --as-of 2026-08-05 --actuals crm-export.csv\n\n"
    "  targetsplit progress plan.yaml --week 32 --depth 1 --sort rank\n\n"
    "  targetsplit progress plan.yaml --week 32 --fail-under 90 --quiet || notify-team"
)
def progress(
    plan: PlanArg = None,
    week: Annotated[
        int | None,
        typer.Option("--week", "-w", metavar="N", help="Cut off at the end of week N."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Cut off at the end of DATE (default: today)."
        ),
    ] = None,
    actuals: Annotated[
        str | None,
        typer.Option(
            "--actuals", "-a", metavar="FILE", help="The actuals CSV (overrides the plan's)."
        ),
    ] = None,
    metric: MetricOpt = None,
    depth: DepthOpt = None,
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
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Attainment to date from actuals: target to date, actual, attainment, gap,
    pace, projection, red/yellow/green status and rank, for every node."""
    from datetime import date
    from fractions import Fraction
    from pathlib import Path

    from targetsplit.errors import AmountError
    from targetsplit.numbers import amounts
    from targetsplit.plan.load import load_plan
    from targetsplit.report import progress as progress_views
    from targetsplit.report.grid import csv_text
    from targetsplit.split.hierarchy import allocate as do_allocate
    from targetsplit.track.actuals import read_actuals
    from targetsplit.track.progress import compute, cutoff, targets_to_date, week_end

    if week is not None and as_of is not None:
        raise UsageError("give --week or --as-of, not both")
    if sort not in (None, "rank"):
        raise UsageError(f"--sort takes 'rank', not '{sort}'")
    threshold = None
    if fail_under is not None:
        try:
            threshold = Fraction(amounts.parse(fail_under.rstrip("%％") + "%").value)
        except AmountError:
            raise UsageError(
                f"--fail-under takes a percent such as 90, not '{fail_under}'"
            ) from None
    loaded = load_plan(plan)
    p = loaded.plan
    b = p.breakdown
    assert b is not None
    metrics = tuple(p.metric(m) for m in _pick_metrics(p.metric_names, metric))
    if week is not None:
        try:
            day = week_end(b, week)
        except ValueError as e:
            raise UsageError(f"--week: {e}") from None
    elif as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of takes a date such as 2026-08-09, not '{as_of}'") from None
    else:
        day = date.today()
    source = actuals
    if source is None:
        if p.actuals is None:
            raise TargetsplitError(
                [
                    Diagnostic(
                        "no actuals: give --actuals FILE, or actuals: FILE in the plan"
                    ).placed(loaded.source, None, None)
                ]
            )
        source = str(loaded.base_dir / p.actuals)
        shown = p.actuals if not Path(p.actuals).is_absolute() else source
    else:
        shown = source
    _warn(p.warnings, quiet)
    cut = cutoff(b, day, week)
    alloc = do_allocate(p)
    facts = read_actuals(source, shown, p, cut.day)
    _warn(facts.warnings, quiet)
    result = compute(alloc, cut, targets_to_date(alloc, cut.day), facts.direct)
    sort_metric = metrics[0].name if sort == "rank" else None
    if fmt is OutputFormat.json:
        _emit_json(progress_views.progress_json(result, metrics, depth, sort_metric), output)
    elif fmt is OutputFormat.csv:
        _emit(csv_text(*progress_views.progress_csv(result, metrics, depth, sort_metric)), output)
    else:
        _emit_grids(fmt, output, progress_views.progress_grids(result, metrics, depth, sort_metric))
    if threshold is not None:
        low = progress_views.below(result, metrics, depth, threshold)
        if low:
            sys.stderr.write(f"below {amounts.format_percent(threshold)} attainment:\n")
            for line in low:
                sys.stderr.write(f"  {line}\n")
            raise typer.Exit(3)


@app.command(
    epilog="Examples:\n\n"
    "  targetsplit explain examples/fy2026.yaml 'East/Group 1'\n\n"
    "  targetsplit explain examples/two-reps.yaml 'Rep B' --tier stretch\n\n"
    "  targetsplit explain examples/fy2026.yaml North --metric revenue --period 2026-W32"
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
    fmt: FormatOpt = OutputFormat.plain,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """How each of a node's figures was derived, step by step from the total."""
    from targetsplit.audit import explain as ex
    from targetsplit.plan.load import load_plan
    from targetsplit.plan.tree import NodeIndex
    from targetsplit.split.hierarchy import allocate as do_allocate

    if len(args) > 2:
        raise UsageError("give at most a plan and a node")
    plan_arg, node_arg = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    loaded = load_plan(plan_arg)
    p = loaded.plan
    metrics = tuple(p.metric(m) for m in _pick_metrics(p.metric_names, metric))
    _check_tier(p, tier)
    try:
        node = NodeIndex(p).lookup(node_arg) if node_arg not in ("", p.title) else p.root
    except LookupError as e:
        raise UsageError(str(e)) from None
    _warn(p.warnings, quiet)
    alloc = do_allocate(p, tier)
    steps: list[Step] = []
    for m in metrics:
        steps += ex.derivation(alloc, node, m)
    if period is not None:
        from targetsplit.calendar.workdays import select
        from targetsplit.split.timesplit import split_over_time

        assert p.breakdown is not None
        try:
            granularity, chosen = select(p.breakdown, period, None)
        except ValueError as e:
            raise UsageError(f"--period: {e}") from None
        split = split_over_time(alloc, granularity)
        for m in metrics:
            values = split.values(node.key, m.name)
            for k in chosen:
                steps += ex.period_steps(alloc, node, m, split.slots[k], values[k])
    title = node.key or p.title
    if fmt is OutputFormat.json:
        doc: dict[str, object] = {
            "node": node.key,
            "tier": tier,
            "steps": [{"metric": st.metric, "text": st.text, "value": st.value} for st in steps],
        }
        _emit_json(doc, output)
    elif fmt is OutputFormat.csv:
        from targetsplit.numbers.amounts import decimal_text
        from targetsplit.report.grid import csv_text

        rows: list[list[str | None]] = [
            [st.metric, st.text, None if st.value is None else decimal_text(st.value)]
            for st in steps
        ]
        _emit(csv_text(["metric", "step", "value"], rows, {2}), output)
    else:
        _emit(_explain_text(title, steps, markdown=fmt is OutputFormat.markdown), output)


def _explain_text(title: str, steps: list[Step], *, markdown: bool) -> str:
    from targetsplit.report.textsafe import markdown_cell, visible

    lines: list[str] = []
    current = None
    n = 0
    for st in steps:
        if st.metric != current:
            current, n = st.metric, 0
            head = f"{title} — {st.metric}"
            lines += ["", f"### {markdown_cell(head)}", ""] if markdown else ["", visible(head)]
        n += 1
        text = markdown_cell(st.text) if markdown else visible(st.text)
        lines.append(f"{n}. {text}" if markdown else f"  {n}. {text}")
    return "\n".join(lines[1:]) + "\n"


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
            help="Compare a hand-made target sheet (CSV node,metric,value or node,<metric>…).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    fmt: FormatOpt = OutputFormat.plain,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Validate a plan: report every error (exit 1) and every warning (exit 0, or
    1 with --strict); with --against, list where a target sheet disagrees (exit 1)."""
    from targetsplit.audit.lint import lint
    from targetsplit.plan.load import load_plan
    from targetsplit.split.hierarchy import allocate as do_allocate

    loaded = load_plan(plan)
    p = loaded.plan
    alloc = do_allocate(p)
    warnings = p.warnings + tuple(loaded.place(d) for d in lint(alloc))
    if not (quiet and not strict):
        _warn(warnings, False)
    failed = strict and bool(warnings)
    if against is None:
        nodes = sum(1 for _ in p.nodes()) - 1
        noted = f", {len(warnings)} warning(s)" if warnings else ""
        typer.echo(
            f"{loaded.source}: ok: {nodes} nodes, {len(p.metrics)} metric(s),"
            f" period {p.period.name}{noted}"
        )
    else:
        from targetsplit.audit.against import compare
        from targetsplit.audit.sheets import read_sheet

        sheet_name, entries = read_sheet(against, p)
        differences = compare(alloc, entries)
        _show_differences(fmt, output, sheet_name, len(entries), differences, p)
        failed = failed or bool(differences)
    if failed:
        raise typer.Exit(1)


def _show_differences(
    fmt: OutputFormat,
    output: str | None,
    sheet: str,
    checked: int,
    differences: list[Difference],
    p: Plan,
) -> None:
    from targetsplit.numbers.amounts import decimal_text
    from targetsplit.report.grid import Column, Grid, csv_text

    def fmt_value(metric: str, v: Decimal | None) -> str:
        return "—" if v is None else p.metric(metric).format(v)

    if fmt is OutputFormat.json:
        _emit_json(
            {
                "sheet": sheet,
                "checked": checked,
                "agrees": not differences,
                "differences": [
                    {
                        "node": d.name,
                        "metric": d.metric,
                        "sheet": d.sheet,
                        "computed": d.computed,
                        "difference": d.difference,
                        "cause": d.cause,
                        "line": d.line,
                    }
                    for d in differences
                ],
            },
            output,
        )
        return
    if fmt is OutputFormat.csv:
        rows: list[list[str | None]] = [
            [
                d.name,
                d.metric,
                None if d.sheet is None else decimal_text(d.sheet),
                None if d.computed is None else decimal_text(d.computed),
                None if d.difference is None else decimal_text(d.difference),
                d.cause,
            ]
            for d in differences
        ]
        header = ["node", "metric", "sheet", "computed", "difference", "cause"]
        _emit(csv_text(header, rows, {2, 3, 4}), output)
        return
    if not differences:
        _emit(
            f"{sheet} agrees with the plan: {checked} figure(s) within one rounding unit\n", output
        )
        return
    grid = Grid(
        title=f"{sheet}: {len(differences)} figure(s) differ from the plan",
        columns=(
            Column("node"),
            Column("metric"),
            Column("sheet", True),
            Column("computed", True),
            Column("difference", True),
            Column("likely cause"),
        ),
        rows=tuple(
            (
                d.name or p.title,
                d.metric,
                fmt_value(d.metric, d.sheet),
                fmt_value(d.metric, d.computed),
                fmt_value(d.metric, d.difference),
                d.cause or "",
            )
            for d in differences
        ),
    )
    _emit_grids(fmt, output, [grid])


@app.command(epilog="Examples:\n\n  targetsplit init\n\n  targetsplit init q3-plan.yaml")
def init(
    path: Annotated[
        str, typer.Argument(help="Where to write the starter plan.")
    ] = "targetsplit.yaml",
) -> None:
    """Write a commented starter plan (never over an existing file)."""
    from importlib.resources import files

    from targetsplit.report.output import write_atomic

    text = files("targetsplit").joinpath("starter.yaml").read_text(encoding="utf-8")
    write_atomic(path, text, overwrite=False)
    typer.echo(f"wrote {path}; next: targetsplit allocate {path}", err=True)


@app.command(epilog="Example:\n\n  targetsplit schema > targetsplit.schema.json")
def schema(output: OutputOpt = None) -> None:
    """Print the plan format's JSON Schema (for editors that validate YAML)."""
    import json

    from targetsplit.plan.document import json_schema
    from targetsplit.report.output import emit

    emit(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", output)


def _safe_streams() -> None:
    """Never crash on a terminal that cannot show a character (LANG=C, latin-1):
    such characters are written as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure) and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    _safe_streams()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="targetsplit", standalone_mode=False)
        code = result if isinstance(result, int) else 0
        if code == 130:  # typer turns Ctrl-C into exit code 130
            sys.stderr.write("interrupted\n")
        sys.stdout.flush()
    except TargetsplitError as e:
        for d in e.diagnostics:
            sys.stderr.write(d.render() + "\n")
        code = e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("interrupted\n")
        code = 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as Unix tools do.
        _silence_stdout()
        code = 141
    except OSError as e:
        if e.errno is None:
            raise
        _silence_stdout()
        sys.stderr.write(f"<stdout>: error: cannot write: {e.strerror}\n")
        code = 1
    except typer.TyperException as e:  # a usage error: typer's click raises these
        if type(e).__name__ == "NoArgsIsHelpError":
            sys.stderr.write(str(e) + "\n")
            code = 0
        else:
            show = getattr(e, "show", None)
            if callable(show):
                show()
            else:
                sys.stderr.write(f"error: {e}\n")
            code = int(getattr(e, "exit_code", 2))
    if argv is None:
        sys.exit(code)
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
