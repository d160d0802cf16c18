"""The HTML reports of ``progress`` and ``allocate`` (``--format html``).

Each figure is the string the table shows (the cells of the report's grids,
reused), and its cell carries the exact value as the JSON output writes it;
the charts are drawn from the exact figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from targetsplit.numbers.amounts import decimal_text, format_percent, round_fraction
from targetsplit.plan.tree import Metric
from targetsplit.report import html, svg
from targetsplit.report.html import Cell, esc

if TYPE_CHECKING:
    from targetsplit.api.allocate import AllocateResult
    from targetsplit.api.check import CheckResult
    from targetsplit.api.progress import ProgressResult
    from targetsplit.api.review import ReviewResult
    from targetsplit.calendar.workdays import Slot
    from targetsplit.plan.tree import Node
    from targetsplit.report.formats import Shown
    from targetsplit.report.grid import Grid
    from targetsplit.track.progress import Progress, Tally
    from targetsplit.track.weekly import Weekly

LEADERS = 100  # leaves shown in a leaderboard (the best and the worst half of them)
SPLITS = 40  # parents whose split is drawn
CHILD_BARS = 60  # children of the root in the attainment chart

# The progress grid's columns: the JSON field each one shows ("" none).
PROGRESS_FIELDS = (
    "",
    "target",
    "target_to_date",
    "actual",
    "attainment",
    "",
    "status",
    "gap",
    "needed_per_week",
    "projection",
    "tier",
    "rank",
)


def _footer(inputs: Sequence[tuple[str, str]]) -> str:
    from targetsplit import __version__

    read = ", ".join(f"{what} {name}" for what, name in inputs)
    return (
        f"Made by targetsplit {__version__} from {read}." if read else f"targetsplit {__version__}"
    )


# --- progress ----------------------------------------------------------------------


def progress_page(
    result: ProgressResult, depth: int | None, sort_metric: str | None, board: bool = False
) -> str:
    """The progress report (of ``result.node``'s subtree, when given); with
    ``board``, its leaderboard is of the nodes ``depth`` levels down, as
    ``--leaderboard`` ranks them."""
    from targetsplit.report.allocation import period_text
    from targetsplit.report.progress import cutoff_text, heading

    p = result.progress
    c = p.cutoff
    about = [
        ("Period", period_text(p.plan)),
        ("Cut-off", c.day.isoformat() + ("" if c.week is None else f" (end of week {c.week})")),
        ("Working days", f"{c.workdays_done} of {c.workdays_total}"),
        ("Weeks left", decimal_text(round_fraction(c.weeks_left, 2))),
        ("Actuals", result.actuals),
        ("Metrics", ", ".join(m.title for m in result.metrics)),
    ]
    title = heading(p, result.node)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">Progress {esc(cutoff_text(p))}</p>',
        html.facts(about),
    ]
    for m in result.metrics:
        parts += _progress_metric(result, m, depth, sort_metric, depth if board else None)
    return html.page(f"{title} — progress", parts, _footer(result.inputs))


def _progress_metric(
    result: ProgressResult,
    m: Metric,
    depth: int | None,
    sort_metric: str | None,
    board: int | None,
) -> list[str]:
    from targetsplit.report.progress import order, progress_grids

    p, under = result.progress, result.node
    t = p.tallies[m.name]
    top = order(p, 0, None, under)[0]  # the subtree's root (the plan's without --node)
    root = p.rows[top].figures[m.name]
    parts = [f'<section class="metric"><h2>{esc(m.title)}</h2>']
    parts.append(
        html.kpis(
            [
                ("target", m.format(root.target)),
                ("target to date", m.format(root.target_to_date)),
                ("actual", m.format(root.actual)),
                ("attainment", _pct(root.attainment)),
                ("status", root.status or "—"),
                ("projection", "—" if root.projection is None else m.format(root.projection)),
            ]
        )
    )
    if result.weekly is not None:
        parts.append(f"<h3>Burn-up: {esc(p.nodes[top].name)}</h3>")
        parts.append(svg.burnup(_burnup(p, m, result.weekly, top)))
        parts.append(_burnup_legend(p, m, top, result.weekly))
    if p.nodes[top].children:
        parts.append(f"<h3>Attainment by child of {esc(p.nodes[top].name)}</h3>")
        parts.append(_child_bars(p, t, top))
    grid = progress_grids(p, [m], depth, sort_metric, under)[0]
    shown = order(p, depth, sort_metric, under)
    texts = _figure_texts(t, shown)
    rows = []
    for k, (i, cells) in enumerate(zip(shown, grid.rows, strict=True)):
        row = []
        for j, (text, field) in enumerate(zip(cells, PROGRESS_FIELDS, strict=True)):
            numeric = grid.columns[j].numeric
            value = texts[field][k] if field else None
            markup = None
            if field == "status":
                markup = html.status_pill(t.status[i])
            elif j == 5:
                markup = _bar(t.attainment(i), t.status[i])
            row.append(Cell(text, field, value, numeric, markup))
        rows.append(row)
    headers = [(col.header, col.numeric) for col in grid.columns]
    parts.append(f"<h3>{esc('Tree')}</h3>")
    parts.append(
        html.table(
            grid.title,
            headers,
            rows,
            list(grid.indents),
            [p.nodes[i].key for i in shown],
            cls="tree",
            metric=m.name,
        )
    )
    parts.append(_leaderboard(p, m, under, board))
    parts.append("</section>")
    return parts


def _figure_texts(t: Tally, shown: list[int]) -> dict[str, list[str]]:
    from targetsplit.report.progress import FIELDS, figure_texts

    return dict(zip(FIELDS, figure_texts(t, shown), strict=True))


def _pct(f: Fraction | None) -> str:
    return "—" if f is None else format_percent(f, 1)


def _bar(attainment: Fraction | None, status: str | None) -> str:
    if attainment is None:
        return ""
    filled = max(Fraction(0), min(Fraction(1), attainment))
    return html.bar(decimal_text(round_fraction(filled * 100, 1)), status, attainment > 1)


def _burnup(p: Progress, m: Metric, weekly: Weekly, top: int) -> svg.BurnUp:
    b = p.plan.breakdown
    assert b is not None
    weeks = b.weeks()
    c = p.cutoff
    target = _running([Fraction(m.amount(u)) for u in weekly.target[m.name]])
    counted = [i for i, w in enumerate(weeks) if w.start <= c.day]
    actual = _running([Fraction(weekly.actual[m.name][i]) for i in counted])
    root = p.rows[top].figures[m.name]
    return svg.BurnUp(
        title=f"Burn-up of {p.nodes[top].name}: {m.title}",
        week_labels=[w.label for w in weeks],
        target=target,
        actual=actual,
        cut=_place(weeks, c.day),
        to_date=Fraction(root.target_to_date),
        y_labels=[
            (Fraction(0), m.format(Decimal(0))),
            (Fraction(root.target), m.format(root.target)),
        ],
    )


def _burnup_legend(p: Progress, m: Metric, top: int, weekly: Weekly) -> str:
    root = p.rows[top].figures[m.name]
    c = p.cutoff
    when = f"{c.day:%a} {c.day.day} {c.day:%b %Y}"
    return html.legend(
        [
            ("target", f"cumulative target, by week (total {m.format(root.target)})"),
            ("actual", f"cumulative actual ({m.format(root.actual)} at the cut-off)"),
            ("cut", f"cut-off {when}: target to date {m.format(root.target_to_date)}"),
        ]
    )


def _running(values: list[Fraction]) -> list[Fraction]:
    out, total = [], Fraction(0)
    for v in values:
        total += v
        out.append(total)
    return out


def _place(weeks: Sequence[Slot], day: date) -> Fraction:
    """Where ``day``'s end falls, in weeks from the period's start."""
    for k, w in enumerate(weeks):
        if day < w.start:
            return Fraction(k)
        if day <= w.end:
            return k + Fraction((day - w.start).days + 1, (w.end - w.start).days + 1)
    return Fraction(len(weeks))


def _child_bars(p: Progress, t: Tally, top: int) -> str:
    where = {id(n): i for i, n in enumerate(p.nodes)}
    kids = [where[id(c)] for c in p.nodes[top].children]
    items = [
        svg.Bar(p.nodes[i].name, t.attainment(i), _pct(t.attainment(i)), t.status[i])
        for i in kids[:CHILD_BARS]
    ]
    chart = svg.bars(f"Attainment by child of {p.nodes[top].name}", items)
    if len(kids) > CHILD_BARS:
        chart += f'<p class="note">The first {CHILD_BARS} of {len(kids)} are drawn.</p>'
    return chart


def _leaderboard(p: Progress, m: Metric, under: Node | None, depth: int | None) -> str:
    """The leaves (or the nodes ``depth`` levels down) by attainment, best first,
    as ``progress --leaderboard`` ranks them; equal attainments share a rank."""
    from targetsplit.report.progress import board_label, board_title
    from targetsplit.track.progress import leaderboard

    board = leaderboard(p, m.name, under, depth)
    if not board:
        return ""
    shown = list(range(len(board)))
    note = ""
    if len(board) > LEADERS:
        half = LEADERS // 2
        shown = shown[:half] + shown[-half:]
        note = f'<p class="note">The first {half} and the last {half} of {len(board)}.</p>'
    rows = []
    for k in shown:
        rank, i = board[k]
        f = p.rows[i].figures[m.name]
        ranked = "" if rank is None else str(rank)
        rows.append(
            [
                Cell(ranked, "rank", "null" if rank is None else ranked, True),
                Cell(board_label(p, i)),
                Cell(_pct(f.attainment), "attainment", None, True),
                Cell(m.format(f.actual), "actual", None, True),
                Cell(m.format(f.target_to_date), "target_to_date", None, True),
                Cell(f.status or "—", "status", None, markup=html.status_pill(f.status)),
            ]
        )
    headers = [
        ("rank", True),
        ("node", False),
        ("attain.", True),
        ("actual", True),
        ("to date", True),
        ("status", False),
    ]
    keys = [p.nodes[board[k][1]].key for k in shown]
    title = board_title(p, m, depth, under)
    table = html.table(title, headers, rows, keys=keys, cls="leaderboard", metric=m.name)
    return f"<h3>Leaderboard</h3>{table}{note}"


# --- allocate ----------------------------------------------------------------------


def allocation_page(result: AllocateResult, depth: int | None) -> str:
    """The allocation (of ``result.node``'s subtree, when given): the tree with
    its figures and shares, each level's split, and with ``--by`` the periods
    (a table per metric and a chart of the subtree's root)."""
    from targetsplit.report.allocation import allocation_grids, heading, period_text

    alloc, metrics, split, under = result.allocation, result.metrics, result.split, result.node
    plan = alloc.plan
    tier = f"{alloc.tier} ({format_percent(plan.tiers[alloc.tier])})" if alloc.tier else "—"
    about = [
        ("Period", period_text(plan)),
        ("Metrics", ", ".join(m.title for m in metrics)),
        ("Tier", tier),
    ]
    if split is not None:
        about.append(("By", split.granularity))
    title = heading(plan, under)
    parts = [f"<h1>{esc(title)}</h1>", '<p class="sub">Targets</p>', html.facts(about)]
    grids = allocation_grids(alloc, metrics, depth, under)
    parts += ["<h2>Tree</h2>", _allocation_tree(result, depth, grids[0])]
    parts += [html.grid_table(g) for g in grids[1:]]  # the dimensions' splits
    for m in metrics:
        parts.append(f'<section class="metric"><h2>{esc(m.title)}: each level’s split</h2>')
        parts += _splits(result, m, depth)
        if split is not None:
            parts += _periods(result, m, depth)
        parts.append("</section>")
    return html.page(f"{title} — targets", parts, _footer(result.inputs))


def _allocation_tree(result: AllocateResult, depth: int | None, tree: Grid) -> str:
    from targetsplit.report.allocation import visible_rows
    from targetsplit.report.jsonout import scalar

    alloc, metrics = result.allocation, result.metrics
    rows = visible_rows(alloc, depth, result.node)
    by_path = {r.path: r for r in alloc.rows}
    body = []
    for r, cells in zip(rows, tree.rows, strict=True):
        parent = by_path["/".join(r.node.path[:-1])] if r.node.path else None
        row = [Cell(cells[0])]
        for k, m in enumerate(metrics):
            u, whole = r.units[m.name], alloc.root.units[m.name]
            up = "1" if parent is None else _share(u, parent.units[m.name])
            texts = cells[1 + 3 * k : 4 + 3 * k]
            row += [
                Cell(texts[0], f"targets.{m.name}", scalar(r.targets[m.name]), True),
                Cell(texts[1], f"shares.{m.name}.of_parent", up, True),
                Cell(texts[2], f"shares.{m.name}.of_total", _share(u, whole), True),
            ]
        row += [Cell(c) for c in cells[1 + 3 * len(metrics) :]]
        body.append(row)
    headers = [(c.header, c.numeric) for c in tree.columns]
    keys = [r.path for r in rows]
    return html.table(tree.title, headers, body, list(tree.indents), keys, cls="tree")


def _periods(result: AllocateResult, m: Metric, depth: int | None) -> list[str]:
    """``--by``: a chart of the top node's periods, and every node's in a table."""
    from targetsplit.report.allocation import period_grids, visible_rows
    from targetsplit.report.jsonout import scalar

    alloc, split, under = result.allocation, result.split, result.node
    assert split is not None
    chosen = list(result.periods)
    rows = visible_rows(alloc, depth, under)
    grid = period_grids(alloc, split, [m], depth, chosen, None, under)[0]
    top = rows[0]
    top_values = split.values(top.path, m.name)
    labels = [split.slots[k].label for k in chosen]
    name = f"{top.node.name} by {split.granularity}"
    parts = [
        f"<h3>{esc(name)}</h3>",
        svg.columns(
            name,
            labels,
            [Fraction(top_values[k]) for k in chosen],
            [m.format(top_values[k]) for k in chosen],
        ),
    ]
    body = []
    for r, cells in zip(rows, grid.rows, strict=True):
        values = split.values(r.path, m.name)
        row = [
            Cell(cells[0]),
            Cell(cells[1], f"targets.{m.name}", scalar(r.targets[m.name]), True),
        ]
        row += [
            Cell(text, f"periods.{m.name}.{label}", scalar(values[k]), True)
            for text, label, k in zip(cells[2:], labels, chosen, strict=True)
        ]
        body.append(row)
    headers = [(c.header, c.numeric) for c in grid.columns]
    keys = [r.path for r in rows]
    parts.append(
        html.table(
            grid.title, headers, body, list(grid.indents), keys, cls="periods", metric=m.name
        )
    )
    return parts


def grids_page(result: AllocateResult, grids: Sequence[Grid]) -> str:
    """An allocation shown as tables only (``--cross``)."""
    from targetsplit.report.allocation import period_text

    plan = result.allocation.plan
    about = [("Period", period_text(plan)), ("Metrics", ", ".join(m.title for m in result.metrics))]
    return html.grids_page(f"{plan.title} — targets", grids, about, _footer(result.inputs))


def review_page(result: ReviewResult, grids: Sequence[Grid]) -> str:
    """The review's tables (the summary, then each metric's figures) as a page."""
    from targetsplit.report.allocation import period_text
    from targetsplit.report.review import window_text

    r = result.review
    about = [
        ("Period", period_text(r.plan)),
        ("Reviewed", window_text(r.window)),
        ("Actuals", result.actuals),
        ("Metrics", ", ".join(m.title for m in result.metrics)),
    ]
    title = f"{r.plan.title} — review"
    return html.grids_page(title, grids, about, _footer(result.inputs))


def check_page(result: CheckResult, shown: Shown) -> str:
    """Where a target sheet differs from the plan (or that it agrees), as a page."""
    about = [("Plan", result.source), ("Sheet", result.sheet or "—")]
    title = f"{result.plan.title} — check of {result.sheet}"
    if isinstance(shown, list):
        return html.grids_page(title, shown, about, _footer(result.inputs))
    assert isinstance(shown, str), "check shows its tables, or a line"
    text = shown
    parts = [f"<h1>{esc(title)}</h1>", html.facts(about), f"<p>{esc(text.strip())}</p>"]
    return html.page(title, parts, _footer(result.inputs))


def _share(part: int, whole: int) -> str:
    """A share as JSON writes it."""
    from targetsplit.report.jsonout import fraction_text

    return "null" if whole == 0 else fraction_text(part, whole)


def _splits(result: AllocateResult, m: Metric, depth: int | None) -> list[str]:
    """A bar per parent shown (depth first, above ``depth``): its children's shares."""
    from targetsplit.report.allocation import visible_rows

    alloc = result.allocation
    by_path = {r.path: r for r in alloc.rows}
    shown = visible_rows(alloc, None if depth is None else depth - 1, result.node)
    parents = [r for r in shown if r.node.children]
    out = []
    for r in parents[:SPLITS]:
        whole = r.units[m.name]
        parts = []
        for child in r.node.children:
            c = by_path[child.key]
            u = c.units[m.name]
            share = Fraction(u, whole) if whole else Fraction(0)
            label = m.format(c.targets[m.name]) + (
                f" ({format_percent(share, 1)})" if whole else ""
            )
            parts.append(svg.Part(child.name, share, label))
        title = f"{r.node.name}: {m.format(r.targets[m.name])}"
        out.append(svg.split_bar(f"Split of {r.node.name}", title, parts))
    if len(parents) > SPLITS:
        out.append(f'<p class="note">The first {SPLITS} of {len(parents)} parents are drawn.</p>')
    return out
