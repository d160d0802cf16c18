"""What `targetsplit progress` shows: grids, CSV rows and JSON for a Progress."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from targetsplit.numbers.amounts import decimal_text, format_percent, round_fraction
from targetsplit.plan.tree import Metric
from targetsplit.report.formats import Format, Shown, Stream
from targetsplit.report.grid import Column, Grid, csv_text
from targetsplit.track.progress import Figures, Progress, ProgressRow

if TYPE_CHECKING:
    from targetsplit.api.progress import ProgressResult

FIELDS = (
    "target",
    "target_to_date",
    "actual",
    "attainment",
    "attainment_full",
    "gap",
    "remaining",
    "needed_per_week",
    "projection",
    "status",
    "rank",
    "tier",
)
STATUS_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}


def cutoff_text(p: Progress) -> str:
    c = p.cutoff
    day = f"{c.day:%a} {c.day.day} {c.day:%b %Y}"
    through = f"through week {c.week}, {day}" if c.week is not None else f"through {day}"
    if c.day < p.plan.period.start:
        through = f"before the period starts ({p.plan.period.start.isoformat()})"
    return f"{through} — {c.workdays_done} of {c.workdays_total} working days"


def ordered_rows(p: Progress, depth: int | None, sort_rank: str | None) -> list[ProgressRow]:
    """Rows depth-first; with ``sort_rank`` (a metric), siblings best first."""
    by_path = {r.path: r for r in p.rows}
    out: list[ProgressRow] = []

    def visit(row: ProgressRow) -> None:
        if depth is not None and row.node.depth > depth:
            return
        out.append(row)
        kids = [by_path[c.key] for c in row.node.children]
        if sort_rank is not None:
            kids.sort(key=lambda r: r.figures[sort_rank].rank or 10**9)
        for k in kids:
            visit(k)

    visit(p.rows[0])
    return out


def bar(attainment: Fraction | None, width: int = 10) -> str:
    if attainment is None:
        return ""
    filled = max(0, min(width, int(attainment * width)))
    return "█" * filled + "░" * (width - filled) + ("+" if attainment > 1 else " ")


def _pct(f: Fraction | None) -> str:
    return "—" if f is None else format_percent(f, 1)


def _amount(m: Metric, d: Decimal | None) -> str:
    return "—" if d is None else m.format(d)


def progress_grids(
    p: Progress, metrics: Sequence[Metric], depth: int | None, sort_rank: str | None
) -> list[Grid]:
    rows = ordered_rows(p, depth, sort_rank)
    grids = []
    for m in metrics:
        columns = (
            Column("node"),
            Column("target", True),
            Column("to date", True),
            Column("actual", True),
            Column("attain.", True),
            Column(""),
            Column("status"),
            Column("gap", True),
            Column("needed/wk", True),
            Column("projection", True),
            Column("tier"),
            Column("rank", True),
        )
        body = []
        styles: dict[tuple[int, int], str] = {}
        for i, r in enumerate(rows):
            f = r.figures[m.name]
            body.append(
                (
                    r.node.name,
                    m.format(f.target),
                    m.format(f.target_to_date),
                    m.format(f.actual),
                    _pct(f.attainment),
                    bar(f.attainment),
                    f.status or "—",
                    m.format(f.gap),
                    _amount(m, f.needed_per_week),
                    _amount(m, f.projection),
                    f.tier or "—",
                    "" if f.rank is None else str(f.rank),
                )
            )
            if f.status:
                styles[(i, 6)] = STATUS_STYLE[f.status]
                styles[(i, 5)] = STATUS_STYLE[f.status].replace("bold ", "")
        label = m.title
        grids.append(
            Grid.tree(
                f"{p.plan.title} — {label}, {cutoff_text(p)}",
                columns,
                body,
                [r.node.depth for r in rows],
                styles,
            )
        )
    return grids


def _json_value(name: str, f: Figures) -> Any:
    value = getattr(f, name)
    if isinstance(value, Fraction):
        return round_fraction(value)
    return value


def progress_json(
    p: Progress, metrics: Sequence[Metric], depth: int | None, sort_rank: str | None
) -> Iterator[str]:
    """The progress as JSON, node by node."""
    from targetsplit.report.jsonout import Rows, fraction_text, node_texts, obj, scalar, stream

    c = p.cutoff
    names = tuple(m.name for m in metrics)
    keys = ("path", "name", "depth", "owner", "due", "strategy", "note", "targets", "progress")

    def share(f: Fraction | None) -> str:
        return "null" if f is None else fraction_text(f.numerator, f.denominator)

    def figures(f: Figures) -> str:  # FIELDS, in order
        texts = [
            decimal_text(f.target),
            decimal_text(f.target_to_date),
            decimal_text(f.actual),
            share(f.attainment),
            share(f.attainment_full),
            decimal_text(f.gap),
            decimal_text(f.remaining),
            scalar(f.needed_per_week),
            scalar(f.projection),
            scalar(f.status),
            scalar(f.rank),
            scalar(f.tier),
        ]
        return obj(FIELDS, 4, texts)

    def node(r: ProgressRow) -> str:
        n, fs = r.node, r.figures
        texts = [
            *node_texts(r.path, n),
            obj(names, 3, [scalar(fs[m].target) for m in names]),
            obj(names, 3, [figures(fs[m]) for m in names]),
        ]
        return obj(keys, 2, texts)

    return stream(
        {
            "plan": p.plan.title,
            "period": {
                "start": p.plan.period.start,
                "end": p.plan.period.end,
                "name": p.plan.period.name,
            },
            "metrics": list(names),
            "tier": None,
            "cutoff": {
                "date": c.day,
                "week": c.week,
                "workdays_done": c.workdays_done,
                "workdays_total": c.workdays_total,
                "weeks_left": round_fraction(c.weeks_left),
            },
            "nodes": Rows(ordered_rows(p, depth, sort_rank), node),
        }
    )


def progress_csv(
    p: Progress, metrics: Sequence[Metric], depth: int | None, sort_rank: str | None
) -> tuple[list[str], list[list[str | None]], set[int]]:
    header = ["path", "name", "depth"]
    for m in metrics:
        header += [f"{m.name}_{name}" for name in FIELDS]
    text_fields = {f"{m.name}_{n}" for m in metrics for n in ("status", "tier")}
    numeric = {i for i, h in enumerate(header) if i >= 2 and h not in text_fields}
    out: list[list[str | None]] = []
    for r in ordered_rows(p, depth, sort_rank):
        cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
        for m in metrics:
            for name in FIELDS:
                v = _json_value(name, r.figures[m.name])
                cells.append(
                    None if v is None else decimal_text(v) if isinstance(v, Decimal) else str(v)
                )
        out.append(cells)
    return header, out, numeric


def below(
    p: Progress, metrics: Sequence[Metric], depth: int | None, threshold: Fraction
) -> list[str]:
    """Lines naming each shown node and metric whose attainment is below ``threshold``."""
    out = []
    for r in ordered_rows(p, depth, None):
        for m in metrics:
            a = r.figures[m.name].attainment
            if a is not None and a < threshold:
                out.append(f"{r.path or r.node.name}: {m.name} at {format_percent(a, 1)}")
    return out


def render(result: ProgressResult, fmt: Format, depth: int | None, rank: bool) -> Shown:
    """The progress as ``fmt``; ``rank`` orders siblings best first by the first metric."""
    p, metrics = result.progress, result.metrics
    sort_metric = metrics[0].name if rank else None
    if fmt is Format.json:
        return Stream(progress_json(p, metrics, depth, sort_metric))
    if fmt is Format.csv:
        return csv_text(*progress_csv(p, metrics, depth, sort_metric))
    return progress_grids(p, metrics, depth, sort_metric)


def below_text(result: ProgressResult, depth: int | None, threshold: Fraction) -> str | None:
    """What ``--fail-under`` says when a node shown is below ``threshold`` (else None)."""
    low = below(result.progress, result.metrics, depth, threshold)
    if not low:
        return None
    lines = [f"below {format_percent(threshold)} attainment:", *(f"  {line}" for line in low)]
    return "\n".join(lines) + "\n"
