"""What `targetsplit review` shows: the summary first, then each metric's figures,
as grids, CSV rows (the figures) and JSON (both)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from targetsplit.numbers.amounts import decimal_text, format_percent, round_fraction
from targetsplit.plan.tree import Metric, Node
from targetsplit.report.formats import Format, Shown, Stream, Workbook
from targetsplit.report.grid import Column, Grid, csv_text
from targetsplit.report.progress import bar
from targetsplit.track.review import Figures, Review, ReviewRow, Summary, Window, summarize

if TYPE_CHECKING:
    from targetsplit.api.review import ReviewResult

FIELDS = ("target", "actual", "attainment", "difference", "tier", "rank")
TIER_STYLE = "bold green"
MISSED_STYLE = "bold red"


def window_text(w: Window) -> str:
    """``2026-H1, 2026-01-01 .. 2026-06-30 — 124 working days`` (and how far, when
    the window has not ended)."""
    days = f"{w.start.isoformat()} .. {w.last.isoformat()}"
    if w.ended:
        return f"{w.label}, {days} — {w.workdays_done} working days"
    return (
        f"{w.label} up to today, {days} — {w.workdays_done} of {w.workdays_total} working days"
        f" (it ends on {w.end.isoformat()})"
    )


def _short(w: Window) -> str:
    return w.label if w.ended else f"{w.label} up to today ({w.last.isoformat()})"


def ordered_rows(review: Review, depth: int | None, sort_rank: str | None) -> list[ReviewRow]:
    """Rows depth-first; with ``sort_rank`` (a metric), siblings best first."""
    by_path = {r.path: r for r in review.rows}
    out: list[ReviewRow] = []

    def visit(row: ReviewRow) -> None:
        if depth is not None and row.node.depth > depth:
            return
        out.append(row)
        kids = [by_path[c.key] for c in row.node.children]
        if sort_rank is not None:
            kids.sort(key=lambda r: r.figures[sort_rank].rank or 10**9)
        for k in kids:
            visit(k)

    visit(review.rows[0])
    return out


def _pct(f: Fraction | None) -> str:
    return "—" if f is None else format_percent(f, 1)


def _signed(m: Metric, d: Decimal) -> str:
    """A difference: ``+91.77万`` over the target, ``-411.45万`` under it."""
    return ("+" if d > 0 else "") + m.format(d)


def _who(review: Review, node: Node) -> str:
    return node.key or review.plan.title


def _none_row(width: int) -> tuple[str, ...]:
    return ("none", *([""] * (width - 1)))


def summary_grids(review: Review, metrics: Sequence[Metric], summary: Summary) -> list[Grid]:
    """The summary a manager reads first: tiers per level, the largest shortfalls
    and over-achievements, the nodes that met one metric and missed another."""
    by_name = {m.name: m for m in metrics}
    tiers = [t for t, _ in sorted(review.plan.tiers.items(), key=lambda kv: kv[1], reverse=True)]
    no_target = any(t.no_target for t in summary.tiers)
    columns = [Column("metric"), Column("level"), Column("nodes", True)]
    columns += [Column(t, True) for t in tiers] + [Column("none", True)]
    columns += [Column("no target", True)] if no_target else []
    rows: list[tuple[str, ...]] = []
    for t in summary.tiers:
        row = [t.metric, "total" if t.depth == 0 else str(t.depth), str(t.nodes)]
        row += [str(t.reached[name]) for name in tiers] + [str(t.none)]
        row += [str(t.no_target)] if no_target else []
        rows.append(tuple(row))
    grids = [
        Grid(
            f"{review.plan.title} — review of {_short(review.window)}: tiers reached, by level",
            tuple(columns),
            tuple(rows),
        )
    ]
    standout_columns = (
        Column("metric"),
        Column("node", keep=9, fold=True),
        Column("target", True, keep=3),
        Column("actual", True, keep=4),
        Column("difference", True, keep=8),
        Column("attain.", True, keep=7),
        Column("tier", keep=9),
    )
    for title, found in (
        ("Largest shortfalls", summary.shortfalls),
        ("Largest over-achievements", summary.over),
    ):
        body = []
        for s in found:
            m, f = by_name[s.metric], s.figures
            body.append(
                (
                    s.metric,
                    _who(review, s.node),
                    m.format(f.target),
                    m.format(f.actual),
                    _signed(m, f.difference),
                    _pct(f.attainment),
                    f.tier or "—",
                )
            )
        grids.append(
            Grid(title, standout_columns, tuple(body) or (_none_row(len(standout_columns)),))
        )
    if len(metrics) < 2:  # one metric is met or missed, never both
        return grids
    mixed = tuple(
        (_who(review, x.node), ", ".join(x.met), ", ".join(x.missed)) for x in summary.mixed
    )
    grids.append(
        Grid(
            "Met one metric's target, missed another's",
            (Column("node"), Column("met"), Column("missed")),
            mixed or (_none_row(3),),
        )
    )
    return grids


def figure_grids(
    review: Review, metrics: Sequence[Metric], depth: int | None, sort_rank: str | None
) -> list[Grid]:
    rows = ordered_rows(review, depth, sort_rank)
    columns = (
        Column("node"),
        Column("target", True, keep=7),
        Column("actual", True, keep=8),
        Column("attain.", True, keep=9),
        Column("", keep=1, name="bar"),
        Column("difference", True, keep=6),
        Column("tier", keep=9),
        Column("rank", True, keep=2),
    )
    grids = []
    for m in metrics:
        body = []
        styles: dict[tuple[int, int], str] = {}
        for i, r in enumerate(rows):
            f = r.figures[m.name]
            body.append(
                (
                    r.node.name,
                    m.format(f.target),
                    m.format(f.actual),
                    _pct(f.attainment),
                    bar(f.attainment),
                    _signed(m, f.difference),
                    f.tier or "—",
                    "" if f.rank is None else str(f.rank),
                )
            )
            if f.met is not None:
                styles[(i, 5)] = TIER_STYLE if f.met else MISSED_STYLE
        grids.append(
            Grid.tree(
                f"{review.plan.title} — {m.title}, review of {window_text(review.window)}",
                columns,
                body,
                [r.node.depth for r in rows],
                styles,
            )
        )
    return grids


def _share(f: Fraction | None) -> str:
    from targetsplit.report.jsonout import fraction_text

    return "null" if f is None else fraction_text(f.numerator, f.denominator)


def _figures_json(f: Figures, level: int) -> str:
    from targetsplit.report.jsonout import obj, scalar

    texts = [
        decimal_text(f.target),
        decimal_text(f.actual),
        _share(f.attainment),
        decimal_text(f.difference),
        scalar(f.tier),
        scalar(f.rank),
    ]
    return obj(FIELDS, level, texts)


def _summary_json(review: Review, summary: Summary) -> Any:
    """The summary as plain values for :func:`jsonout.stream`."""

    def standout(s: Any) -> dict[str, Any]:
        f: Figures = s.figures
        return {
            "metric": s.metric,
            "path": s.node.key,
            "name": s.node.name,
            "target": f.target,
            "actual": f.actual,
            "attainment": None if f.attainment is None else round_fraction(f.attainment),
            "difference": f.difference,
            "tier": f.tier,
        }

    return {
        "tiers": [
            {
                "metric": t.metric,
                "depth": t.depth,
                "nodes": t.nodes,
                "reached": dict(t.reached),
                "none": t.none,
                "no_target": t.no_target,
            }
            for t in summary.tiers
        ],
        "shortfalls": [standout(s) for s in summary.shortfalls],
        "over_achievements": [standout(s) for s in summary.over],
        "mixed": [
            {"path": x.node.key, "name": x.node.name, "met": list(x.met), "missed": list(x.missed)}
            for x in summary.mixed
        ],
    }


def review_json(
    review: Review,
    metrics: Sequence[Metric],
    summary: Summary,
    depth: int | None,
    sort_rank: str | None,
) -> Iterator[str]:
    """The review as JSON: the window, the summary, then node by node."""
    from targetsplit.report.jsonout import Rows, node_texts, obj, stream

    names = tuple(m.name for m in metrics)
    keys = ("path", "name", "depth", "owner", "due", "strategy", "note", "review")
    w = review.window

    def node(r: ReviewRow) -> str:
        texts = [
            *node_texts(r.path, r.node),
            obj(names, 3, [_figures_json(r.figures[m], 4) for m in names]),
        ]
        return obj(keys, 2, texts)

    plan = review.plan
    return stream(
        {
            "plan": plan.title,
            "period": {
                "start": plan.period.start,
                "end": plan.period.end,
                "name": plan.period.name,
            },
            "metrics": list(names),
            "tier": None,
            "window": {
                "label": w.label,
                "start": w.start,
                "end": w.end,
                "last": w.last,
                "ended": w.ended,
                "workdays_done": w.workdays_done,
                "workdays_total": w.workdays_total,
            },
            "summary": _summary_json(review, summary),
            "nodes": Rows(ordered_rows(review, depth, sort_rank), node),
        }
    )


def review_csv(
    review: Review, metrics: Sequence[Metric], depth: int | None, sort_rank: str | None
) -> tuple[list[str], list[list[str | None]], set[int]]:
    """One row per node: path, name, depth, then each metric's figures."""
    header = ["path", "name", "depth"]
    for m in metrics:
        header += [f"{m.name}_{name}" for name in FIELDS]
    text_fields = {f"{m.name}_tier" for m in metrics}
    numeric = {i for i, h in enumerate(header) if i >= 2 and h not in text_fields}
    out: list[list[str | None]] = []
    for r in ordered_rows(review, depth, sort_rank):
        cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
        for m in metrics:
            f = r.figures[m.name]
            cells += [
                decimal_text(f.target),
                decimal_text(f.actual),
                None if f.attainment is None else decimal_text(round_fraction(f.attainment)),
                decimal_text(f.difference),
                f.tier,
                None if f.rank is None else str(f.rank),
            ]
        out.append(cells)
    return header, out, numeric


XLSX_HEADER = ("target", "actual", "attainment", "difference", "tier", "rank")


def review_workbook(
    review: Review,
    metrics: Sequence[Metric],
    summary: Summary,
    depth: int | None,
    sort_rank: str | None,
) -> Workbook:
    """The review as a workbook: a Summary sheet (the window, tiers reached per
    level, the largest shortfalls and over-achievements, the nodes that met one
    metric and missed another), then a sheet per metric (the tree as outline
    levels; the difference green when the target was met, red when missed)."""
    from targetsplit.report import xlsx
    from targetsplit.report.allocation import period_text

    w, plan = review.window, review.plan
    by_name = {m.name: m for m in metrics}
    book = xlsx.Book(plan.title, f"{period_text(plan)}; review of {window_text(w)}")

    def figures(m: Metric, f: Figures) -> list[xlsx.Cell]:
        return [
            xlsx.Amount(f.target, m.display),
            xlsx.Amount(f.actual, m.display),
            None if f.attainment is None else xlsx.Share(f.attainment),
            xlsx.Amount(f.difference, m.display),
            f.tier,
            f.rank,
        ]

    facts = xlsx.Block(
        None,
        [
            ["plan", plan.title],
            ["period", period_text(plan)],
            ["review of", w.label],
            ["first day", w.start],
            ["last day counted", w.last],
            ["last day", w.end],
            ["ended", "yes" if w.ended else "no"],
            ["working days counted", w.workdays_done],
            ["working days in it", w.workdays_total],
        ],
    )
    tiers = [t for t, _ in sorted(plan.tiers.items(), key=lambda kv: kv[1], reverse=True)]
    levels = xlsx.Block(
        ["metric", "level", "nodes", *tiers, "none", "no target"],
        [
            [
                t.metric,
                "total" if t.depth == 0 else t.depth,
                t.nodes,
                *(t.reached[name] for name in tiers),
                t.none,
                t.no_target,
            ]
            for t in summary.tiers
        ],
    )
    standout = ["metric", "node", "path", *XLSX_HEADER[:5]]

    def standouts(found: Sequence[Any]) -> list[list[xlsx.Cell]]:
        return [
            [s.metric, s.node.name, s.node.key, *figures(by_name[s.metric], s.figures)[:5]]
            for s in found
        ]

    blocks = [
        facts,
        levels,
        xlsx.Block(standout, standouts(summary.shortfalls), bars=[5], title="Largest shortfalls"),
        xlsx.Block(standout, standouts(summary.over), bars=[5], title="Largest over-achievements"),
    ]
    if len(metrics) > 1:
        blocks.append(
            xlsx.Block(
                ["met one metric's target, missed another's", "path", "met", "missed"],
                [
                    [x.node.name, x.node.key, ", ".join(x.met), ", ".join(x.missed)]
                    for x in summary.mixed
                ],
            )
        )
    book.blocks("Summary", blocks)
    rows = ordered_rows(review, depth, sort_rank)
    tail = ["owner", "due", "strategy", "note", "path"]
    for m in metrics:
        body = []
        for r in rows:
            n = r.node
            info = [n.owner, n.due, n.strategy, n.note, r.path]
            body.append([n.name, *figures(m, r.figures[m.name]), *info])
        header = ["node", *XLSX_HEADER, *tail]
        depths = [r.node.depth for r in rows]
        book.sheet(xlsx.Sheet(m.name, header, body, depths, bars=[3], signs=4))
    return book.done()


def render(result: ReviewResult, fmt: Format, depth: int | None, rank: bool) -> Shown:
    """The review as ``fmt``: the summary (of the nodes down to ``depth``) and the
    figures; ``rank`` orders siblings best first by the first metric."""
    r, metrics = result.review, result.metrics
    sort_metric = metrics[0].name if rank else None
    summary = result.summary
    if depth is not None:
        summary = summarize(r, [m.name for m in metrics], depth)
    if fmt is Format.xlsx:
        return review_workbook(r, metrics, summary, depth, sort_metric)
    if fmt is Format.json:
        return Stream(review_json(r, metrics, summary, depth, sort_metric))
    if fmt is Format.csv:
        return csv_text(*review_csv(r, metrics, depth, sort_metric))
    grids = summary_grids(r, metrics, summary) + figure_grids(r, metrics, depth, sort_metric)
    if fmt is Format.html:
        from targetsplit.report.pages import review_page

        return review_page(result, grids)
    return grids
