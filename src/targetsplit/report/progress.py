"""What `targetsplit progress` shows: grids, CSV rows and JSON for a Progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from targetsplit.numbers.amounts import format_percent, round_fraction
from targetsplit.plan.tree import Metric, Node, shown_nodes
from targetsplit.report.formats import Format, Shown, Stream, Workbook
from targetsplit.report.grid import Column, Grid, csv_text
from targetsplit.report.jsonout import (
    ROWS_JOIN,
    Rows,
    node_columns,
    objects,
    scalar,
    scaled_texts,
    share_texts,
    stream,
)
from targetsplit.track.progress import Frame, Progress, ProgressRow, Tally, leaderboard

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
BLOCK = 512  # nodes written to JSON at a time
T = TypeVar("T")
STATUS_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}


def cutoff_text(p: Progress) -> str:
    c = p.cutoff
    day = f"{c.day:%a} {c.day.day} {c.day:%b %Y}"
    through = f"through week {c.week}, {day}" if c.week is not None else f"through {day}"
    if c.day < p.plan.period.start:
        through = f"before the period starts ({p.plan.period.start.isoformat()})"
    if c.window is not None:
        w = c.window
        since = f"{w.start:%a} {w.start.day} {w.start:%b %Y}"
        return (
            f"{c.size} {w.label} to date, {since} {through} — {c.workdays_done} of"
            f" {c.workdays_total} working days (the {c.size} ends {w.end.isoformat()})"
        )
    return f"{through} — {c.workdays_done} of {c.workdays_total} working days"


def order(
    p: Progress, depth: int | None, sort_rank: str | None, under: Node | None = None
) -> list[int]:
    """The indices of the rows shown, depth-first (the subtree of ``under``, all
    without, down to ``depth`` levels below its root); with ``sort_rank`` (a
    metric), siblings best first."""
    nodes = p.nodes
    if sort_rank is None:  # the rows are depth-first already
        if under is None:
            return [i for i, n in enumerate(nodes) if depth is None or n.depth <= depth]
        return shown_nodes(nodes, under, depth)
    where = {id(n): i for i, n in enumerate(nodes)}
    rank = p.tallies[sort_rank].rank
    out: list[int] = []
    top = 0 if under is None else shown_nodes(nodes, under, 0)[0]
    last = None if depth is None else nodes[top].depth + depth

    def visit(i: int) -> None:
        if last is not None and nodes[i].depth > last:
            return
        out.append(i)
        kids = [where[id(c)] for c in nodes[i].children]
        kids.sort(key=lambda k: rank[k] or 10**9)
        for k in kids:
            visit(k)

    visit(top)
    return out


def ordered_rows(
    p: Progress, depth: int | None, sort_rank: str | None, under: Node | None = None
) -> list[ProgressRow]:
    """Rows depth-first; with ``sort_rank`` (a metric), siblings best first."""
    rows = p.rows
    return [rows[i] for i in order(p, depth, sort_rank, under)]


def heading(p: Progress, under: Node | None) -> str:
    """The plan's title, and the subtree's path when ``--node`` picked one."""
    title = p.plan.title
    return title if under is None or not under.key else f"{title} — {under.key}"


def tier_text(p: Progress) -> str:
    """``, against tier stretch (120%)`` with ``--tier``."""
    if p.tier is None:
        return ""
    return f", against tier {p.tier} ({format_percent(p.plan.tiers[p.tier])})"


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
    p: Progress,
    metrics: Sequence[Metric],
    depth: int | None,
    sort_rank: str | None,
    under: Node | None = None,
) -> list[Grid]:
    rows = ordered_rows(p, depth, sort_rank, under)
    base = 0 if under is None else under.depth
    grids = []
    for m in metrics:
        columns = (
            Column("node"),
            Column("target", True, keep=7),
            Column("to date", True, keep=5),
            Column("actual", True, keep=8),
            Column("attain.", True, keep=9),
            Column("", keep=1, name="bar"),
            Column("status", keep=9),
            Column("gap", True, keep=6),
            Column("needed/wk", True, keep=3),
            Column("projection", True, keep=4),
            Column("tier", keep=4),
            Column("rank", True, keep=2),
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
                f"{heading(p, under)} — {label}{tier_text(p)}, {cutoff_text(p)}",
                columns,
                body,
                [r.node.depth - base for r in rows],
                styles,
            )
        )
    return grids


def _unit_texts(t: Tally, units: Sequence[int | None]) -> list[str]:
    """JSON texts of amounts in the metric's rounding units (``null`` for None)."""
    return unit_texts(t.metric, units)


def unit_texts(m: Metric, units: Sequence[int | None]) -> list[str]:
    """JSON texts of amounts in ``m``'s rounding units (``null`` for None): each
    ``u x unit`` exactly (the unit is a whole number, or n / d with d dividing a
    power of ten), as ``decimal_text`` writes it."""
    unit = m.unit
    if unit == unit.to_integral_value():
        whole = int(unit)
        return ["null" if u is None else str(u * whole) for u in units]
    un, ud = unit.as_integer_ratio()
    texts = scaled_texts([0 if u is None else u * un for u in units], ud)
    return ["null" if u is None else x for u, x in zip(units, texts, strict=True)]


def _few_texts(values: Sequence[Any]) -> list[str]:
    """JSON texts of values of which there are few different ones (status, tier, rank)."""
    texts = {v: scalar(v) for v in set(values)}
    return list(map(texts.__getitem__, values))


def figure_texts(t: Tally, rows: list[int]) -> list[list[str]]:
    """For each of ``rows``, the JSON texts of its figures (``FIELDS``, in order)."""
    m = t.metric
    target = unit_texts(m, [t.target[i] for i in rows])
    return [target, unit_texts(m, [t.to_date[i] for i in rows]), *actual_texts(t, rows)]


def actual_texts(t: Tally, rows: list[int]) -> list[list[str]]:
    """For each of ``rows``, the JSON texts of the figures that depend on the
    actuals (``FIELDS`` from ``actual`` on, in order)."""
    pick = _picker(rows)
    target, ttd, actual = pick(t.target), pick(t.to_date), pick(t.actual)
    ut, tick = t.unit_ticks, t.tick
    return [
        scaled_texts(actual, tick),
        share_texts(actual, [u * ut for u in ttd]),
        share_texts(actual, [u * ut for u in target]),
        scaled_texts([u * ut - a for u, a in zip(ttd, actual, strict=True)], tick),
        scaled_texts([u * ut - a for u, a in zip(target, actual, strict=True)], tick),
        ["null"] * len(rows) if t.needed is None else _unit_texts(t, pick(t.needed)),
        _unit_texts(t, pick(t.projection)),
        _few_texts(pick(t.status)),
        _few_texts(pick(t.rank)),
        _few_texts(pick(t.tier)),
    ]


def _picker(rows: list[int]) -> Callable[[Sequence[T]], Sequence[T]]:
    """What takes ``rows`` of a column, in their order (itemgetter: a loop in C)."""
    if len(rows) < 2:  # (itemgetter of one gives the item itself, of none fails)
        return lambda column: [column[i] for i in rows]
    return cast("Callable[[Sequence[T]], Sequence[T]]", itemgetter(*rows))


def _head(p: Progress, names: Sequence[str], under: Node | None) -> dict[str, Any]:
    """The top of the JSON document, before its rows."""
    c = p.cutoff
    head: dict[str, Any] = {
        "plan": p.plan.title,
        "period": {
            "start": p.plan.period.start,
            "end": p.plan.period.end,
            "name": p.plan.period.name,
        },
        "metrics": list(names),
        "tier": p.tier,
        "cutoff": {
            "date": c.day,
            "week": c.week,
            "workdays_done": c.workdays_done,
            "workdays_total": c.workdays_total,
            "weeks_left": round_fraction(c.weeks_left),
        },
    }
    if c.window is not None:
        head["window"] = {
            "size": c.size,
            "label": c.window.label,
            "start": c.window.start,
            "end": c.window.end,
        }
    if under is not None:
        head["node"] = under.key
    return head


NODE_KEYS = ("path", "name", "depth", "owner", "due", "strategy", "note", "targets", "progress")
_HOLE = "\x00"  # where a figure from the actuals goes (JSON never holds a raw NUL)


class JsonAhead(NamedTuple):
    """The progress's JSON rows made before the actuals are summed (all they
    need is the plan's): each node's text around its figures from the actuals.
    A row is ``heads[i][0]``, the first metric's figures from the actuals with
    ``between`` between them, ``heads[i][1]``, the next metric's, ..., and
    ``heads[i][-1]``."""

    names: tuple[str, ...]  # the metrics, in the order written
    heads: dict[int, list[str]]  # node index -> its row's own texts
    between: tuple[str, ...]  # between the figures from the actuals of a metric


def json_ahead(
    f: Frame, metrics: Sequence[Metric], depth: int | None, under: Node | None
) -> JsonAhead:
    """The rows of :func:`progress_json` for the nodes it would show, but for
    the figures from the actuals, from frame ``f``."""
    names = tuple(m.name for m in metrics)
    nodes = f.nodes
    if under is None:
        shown = [i for i, n in enumerate(nodes) if depth is None or n.depth <= depth]
    else:
        shown = shown_nodes(nodes, under, depth)
    if not names:
        return JsonAhead(names, {}, ())
    # A row of holes: the texts between its values (node, targets, each metric's figures).
    one = [[_HOLE]]
    figures = [one * len(FIELDS) for _ in names]
    targets = objects(names, 3, [columns[0] for columns in figures])
    progress = objects(names, 3, [objects(FIELDS, 4, columns) for columns in figures])
    node_keys = len(NODE_KEYS) - 2
    gaps = objects(NODE_KEYS, 2, [*one * node_keys, targets, progress])[0].split(_HOLE)
    start = node_keys + len(names)  # where the first metric's figures start
    between = tuple(gaps[start + 3 : start + len(FIELDS)])
    heads: dict[int, list[str]] = {}
    for b in range(0, len(shown), BLOCK):
        rows = shown[b : b + BLOCK]
        units = []
        for m in metrics:
            target, ttd = f.units[m.name]
            units.append(
                (unit_texts(m, [target[i] for i in rows]), unit_texts(m, [ttd[i] for i in rows]))
            )
        values = [*node_columns([nodes[i] for i in rows]), *(u[0] for u in units), *units[0]]
        parts: list[Iterable[str]] = []
        for gap, column in zip(gaps, values, strict=False):
            parts += (repeat(gap), column)
        parts.append(repeat(gaps[len(values)]))
        made = [list(map("".join, zip(*parts, strict=False)))]  # (repeats never end)
        for k, (target_texts, ttd_texts) in enumerate(units[1:], 1):
            g = gaps[start + k * len(FIELDS) : start + k * len(FIELDS) + 3]
            made.append(
                [g[0] + t + g[1] + d + g[2] for t, d in zip(target_texts, ttd_texts, strict=True)]
            )
        last = gaps[-1]
        for i, *own in zip(rows, *made, strict=True):
            heads[i] = [*own, last]
    return JsonAhead(names, heads, between)


def ahead(
    fmt: Format, depth: int | None, board: bool
) -> Callable[[Frame, Sequence[Metric], Node | None], JsonAhead] | None:
    """What :func:`render` can use made while the actuals are summed (for
    ``api.progress(ahead=...)``): the JSON rows, but for the figures from the
    actuals; None for the other formats."""
    if fmt is not Format.json or board:
        return None
    return lambda f, metrics, under: json_ahead(f, metrics, depth, under)


def progress_json(
    p: Progress,
    metrics: Sequence[Metric],
    depth: int | None,
    sort_rank: str | None,
    under: Node | None = None,
    made: JsonAhead | None = None,
) -> Iterator[str]:
    """The progress as JSON, a block of nodes at a time (with ``made``, from the
    rows made before the actuals were summed)."""
    names = tuple(m.name for m in metrics)
    tallies = [p.tallies[name] for name in names]
    shown = order(p, depth, sort_rank, under)

    def block(rows: list[int]) -> str:
        """The rows' JSON texts, as items of the array of nodes."""
        texts = [figure_texts(t, rows) for t in tallies]
        targets = objects(names, 3, [columns[0] for columns in texts])
        progress = objects(names, 3, [objects(FIELDS, 4, columns) for columns in texts])
        nodes = node_columns([p.nodes[i] for i in rows])
        return ROWS_JOIN.join(objects(NODE_KEYS, 2, [*nodes, targets, progress]))

    def filled(rows: list[int]) -> str:
        """:func:`block` from the rows made ahead, their holes filled."""
        assert made is not None
        heads = [made.heads[i] for i in rows]
        parts: list[Iterable[str]] = []
        for k, t in enumerate(tallies):
            columns = actual_texts(t, rows)
            parts += ([h[k] for h in heads], columns[0])
            for text, column in zip(made.between, columns[1:], strict=True):
                parts += (repeat(text), column)
        parts.append([h[-1] for h in heads])
        return ROWS_JOIN.join(map("".join, zip(*parts, strict=False)))  # (repeats never end)

    if made is not None and (made.names != names or not all(i in made.heads for i in shown)):
        made = None  # (made for other metrics or nodes)
    blocks = [shown[i : i + BLOCK] for i in range(0, len(shown), BLOCK)]
    rows = Rows(blocks, block if made is None or not names else filled)
    return stream({**_head(p, names, under), "nodes": rows})


def progress_csv(
    p: Progress,
    metrics: Sequence[Metric],
    depth: int | None,
    sort_rank: str | None,
    under: Node | None = None,
) -> tuple[list[str], list[tuple[str | None, ...]], set[int]]:
    """The progress as CSV cells: the JSON texts of the figures, empty for null."""
    header = ["path", "name", "depth"]
    for m in metrics:
        header += [f"{m.name}_{name}" for name in FIELDS]
    text_fields = {f"{m.name}_{n}" for m in metrics for n in ("status", "tier")}
    numeric = {i for i, h in enumerate(header) if i >= 2 and h not in text_fields}
    shown = order(p, depth, sort_rank, under)
    nodes = [p.nodes[i] for i in shown]
    columns: list[list[str | None]] = [
        [n.key for n in nodes],
        [n.name for n in nodes],
        [str(n.depth) for n in nodes],
    ]
    for m in metrics:
        t = p.tallies[m.name]
        for name, texts in zip(FIELDS, figure_texts(t, shown), strict=True):
            if name in ("status", "tier"):  # text cells: as they are, not as JSON strings
                columns.append([getattr(t, name)[i] for i in shown])
            else:
                columns.append([None if x == "null" else x for x in texts])
    return header, list(zip(*columns, strict=True)), numeric


#: The leaderboard's figures: the progress's, but the rank among siblings.
BOARD_FIELDS = tuple(f for f in FIELDS if f != "rank")
_BOARD = [FIELDS.index(f) for f in BOARD_FIELDS]


def board_title(p: Progress, m: Metric, depth: int | None, under: Node | None) -> str:
    which = "the leaves" if depth is None else f"depth {depth}"
    title = f"{heading(p, under)} — {m.title}{tier_text(p)}"
    return f"{title}, leaderboard of {which}, {cutoff_text(p)}"


def board_label(p: Progress, i: int) -> str:
    """A leaderboard row's node: its path (the whole plan's title for the root)."""
    return p.nodes[i].key or p.plan.title


def leaderboard_grids(
    p: Progress, metrics: Sequence[Metric], depth: int | None, under: Node | None
) -> list[Grid]:
    """A flat table per metric: the leaves (or the nodes at ``depth``) ranked by attainment."""
    grids = []
    rows = p.rows
    for m in metrics:
        columns = (
            Column("node"),
            Column("rank", True, keep=10),
            Column("target", True, keep=7),
            Column("to date", True, keep=5),
            Column("actual", True, keep=8),
            Column("attain.", True, keep=9),
            Column("", keep=1, name="bar"),
            Column("status", keep=9),
            Column("gap", True, keep=6),
            Column("needed/wk", True, keep=3),
            Column("projection", True, keep=4),
            Column("tier", keep=4),
        )
        body = []
        styles: dict[tuple[int, int], str] = {}
        for k, (rank, i) in enumerate(leaderboard(p, m.name, under, depth)):
            f = rows[i].figures[m.name]
            body.append(
                (
                    board_label(p, i),
                    "" if rank is None else str(rank),
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
                )
            )
            if f.status:
                styles[(k, 7)] = STATUS_STYLE[f.status]
                styles[(k, 6)] = STATUS_STYLE[f.status].replace("bold ", "")
        grids.append(
            Grid(
                board_title(p, m, depth, under),
                columns,
                tuple(body),
                cell_styles=styles,
            )
        )
    return grids


def _board_columns(p: Progress, m: Metric, board: list[tuple[int | None, int]]) -> list[list[str]]:
    """The leaderboard rows' JSON texts, a column per key: metric, rank, the node, figures."""
    shown = [i for _, i in board]
    texts = figure_texts(p.tallies[m.name], shown)
    return [
        [scalar(m.name)] * len(board),
        [scalar(rank) for rank, _ in board],
        *node_columns([p.nodes[i] for i in shown]),
        *(texts[j] for j in _BOARD),
    ]


BOARD_KEYS = ("metric", "rank", "path", "name", "depth", "owner", "due", "strategy", "note")


def leaderboard_json(
    p: Progress, metrics: Sequence[Metric], depth: int | None, under: Node | None
) -> Iterator[str]:
    """The leaderboard as JSON: the top of the progress's, ``leaderboard_of`` (the
    depth, null for the leaves) and ``leaderboard``, one flat array of rows, the
    first metric's best first, then the next metric's."""
    names = tuple(m.name for m in metrics)
    keys = (*BOARD_KEYS, *BOARD_FIELDS)

    def block(m: Metric) -> str:
        columns = _board_columns(p, m, leaderboard(p, m.name, under, depth))
        return ROWS_JOIN.join(objects(keys, 2, columns))

    doc = _head(p, names, under)
    doc["leaderboard_of"] = depth
    doc["leaderboard"] = Rows(list(metrics), block)
    return stream(doc)


def leaderboard_csv(
    p: Progress, metrics: Sequence[Metric], depth: int | None, under: Node | None
) -> tuple[list[str], list[tuple[str | None, ...]], set[int]]:
    """The leaderboard as CSV: a row per metric and node, each metric's best first."""
    header = ["metric", "rank", "path", "name", "depth", *BOARD_FIELDS]
    numeric = {
        i for i, h in enumerate(header) if h not in ("metric", "path", "name", "status", "tier")
    }
    out: list[tuple[str | None, ...]] = []
    for m in metrics:
        board = leaderboard(p, m.name, under, depth)
        t = p.tallies[m.name]
        shown = [i for _, i in board]
        texts = figure_texts(t, shown)
        nodes = [p.nodes[i] for i in shown]
        columns: list[list[str | None]] = [
            [m.name] * len(board),
            [None if rank is None else str(rank) for rank, _ in board],
            [n.key for n in nodes],
            [n.name for n in nodes],
            [str(n.depth) for n in nodes],
        ]
        for name in BOARD_FIELDS:
            if name in ("status", "tier"):  # text cells: as they are, not as JSON strings
                columns.append([getattr(t, name)[i] for i in shown])
            else:
                columns.append([None if x == "null" else x for x in texts[FIELDS.index(name)]])
        out += zip(*columns, strict=True)
    return header, out, numeric


def shown_indices(
    p: Progress,
    metrics: Sequence[Metric],
    depth: int | None,
    under: Node | None = None,
    board: bool = False,
) -> list[int]:
    """The nodes shown: the leaderboard's (in plan order) or the tree's rows."""
    if board:
        return sorted(i for _, i in leaderboard(p, metrics[0].name, under, depth))
    return order(p, depth, None, under)


def below(
    p: Progress,
    metrics: Sequence[Metric],
    depth: int | None,
    threshold: Fraction,
    under: Node | None = None,
    board: bool = False,
) -> list[str]:
    """Lines naming each shown node and metric whose attainment is below ``threshold``."""
    out = []
    tallies = [p.tallies[m.name] for m in metrics]
    for i in shown_indices(p, metrics, depth, under, board):
        for t in tallies:
            a = t.attainment(i)
            if a is not None and a < threshold:
                n = p.nodes[i]
                out.append(f"{n.key or n.name}: {t.metric.name} at {format_percent(a, 1)}")
    return out


XLSX_HEADER = (
    "target",
    "target to date",
    "actual",
    "attainment",
    "attainment (full)",
    "gap",
    "remaining",
    "needed/wk",
    "projection",
    "status",
    "rank",
    "tier",
)


def _figure_cells(m: Metric, f: Any, rank: int | None) -> list[Any]:
    """A node's figures for ``m`` as workbook cells, in ``XLSX_HEADER``'s order."""
    from targetsplit.report.xlsx import Amount, Share

    def amount(d: Decimal | None) -> Amount | None:
        return None if d is None else Amount(d, m.display)

    def share(x: Fraction | None) -> Share | None:
        return None if x is None else Share(x)

    return [
        amount(f.target),
        amount(f.target_to_date),
        amount(f.actual),
        share(f.attainment),
        share(f.attainment_full),
        amount(f.gap),
        amount(f.remaining),
        amount(f.needed_per_week),
        amount(f.projection),
        f.status,
        rank,
        f.tier,
    ]


def progress_workbook(
    result: ProgressResult, depth: int | None, rank: bool, board: bool
) -> Workbook:
    """The progress as a workbook: a Summary sheet (the cut-off, the working days,
    the root's figures, its children's attainment, its weeks; a burn-up chart per
    metric and a chart of the children's attainment), then a sheet per metric
    (the tree as outline levels, or with ``board`` the leaderboard)."""
    from targetsplit.report import xlsx
    from targetsplit.report.allocation import period_text

    p, metrics, under = result.progress, result.metrics, result.node
    c, nodes = p.cutoff, p.nodes
    book = xlsx.Book(heading(p, under), f"{period_text(p.plan)}; {cutoff_text(p)}")
    top = shown_nodes(nodes, under, 0)[0]
    facts = xlsx.Block(
        None,
        [
            ["plan", heading(p, under)],
            ["period", period_text(p.plan)],
            ["cut-off", c.day],
            ["through week", c.week],
            ["working days done", c.workdays_done],
            ["working days in the period", c.workdays_total],
            ["weeks left", xlsx.Amount(round_fraction(c.weeks_left, 2))],
            ["actuals", result.actuals],
        ],
    )
    root = xlsx.Block(
        ["metric", *XLSX_HEADER],
        [[m.title, *_figure_cells(m, p.tallies[m.name].figures(top), None)] for m in metrics],
        status=10,
        bars=[4],
    )
    where = {id(n): i for i, n in enumerate(nodes)}
    kids = [where[id(k)] for k in nodes[top].children]
    children = xlsx.Block(
        ["node", *(f"{m.name} attainment" for m in metrics)],
        [
            [nodes[i].name, *(_share_cell(p.tallies[m.name].attainment(i)) for m in metrics)]
            for i in kids
        ],
        bars=range(1, len(metrics) + 1),
    )
    weeks = result.burnup or ()
    burn = xlsx.Block(
        ["week", "through", *(f"{m.name} {w}" for m in metrics for w in ("target", "actual"))],
        [
            [
                w.label,
                w.end,
                *(
                    cell
                    for m in metrics
                    for cell in (
                        xlsx.Amount(w.target[m.name], m.display),
                        None if w.actual is None else xlsx.Amount(w.actual[m.name], m.display),
                    )
                ),
            ]
            for w in weeks
        ],
    )
    # (With --window there are no weeks: no burn-up, not even its header.)
    summary, starts = book.blocks("Summary", [facts, root, children, *([burn] if weeks else [])])
    chart_row = 0
    if weeks:
        for j, m in enumerate(metrics):
            chart = xlsx.Chart(
                "line",
                f"{m.title}: cumulative target and actual by week",
                summary,
                starts[3],
                starts[3] + len(weeks) - 1,
                0,
                [2 + 2 * j, 3 + 2 * j],
                summary,
                chart_row,
                len(XLSX_HEADER) + 2,
            )
            book.chart(chart)
            chart_row += 20
    if kids:
        book.chart(
            xlsx.Chart(
                "bar",
                f"Attainment to date of {heading(p, under)}'s parts",
                summary,
                starts[2],
                starts[2] + len(kids) - 1,
                0,
                range(1, len(metrics) + 1),
                summary,
                chart_row,
                len(XLSX_HEADER) + 2,
                percent=True,
            )
        )
    tail = ["owner", "due", "strategy", "note", "path"]
    for m in metrics:
        t = p.tallies[m.name]
        if board:
            ranked = leaderboard(p, m.name, under, depth)
            shown, ranks, depths = [i for _, i in ranked], [r for r, _ in ranked], None
        else:
            shown = order(p, depth, m.name if rank else None, under)
            ranks = [t.rank[i] for i in shown]
            base = nodes[top].depth
            depths = [nodes[i].depth - base for i in shown]
        body = []
        for i, r in zip(shown, ranks, strict=True):
            n = nodes[i]
            info = [n.owner, n.due, n.strategy, n.note, n.key]
            body.append([n.name, *_figure_cells(m, t.figures(i), r), *info])
        header = ["node", *XLSX_HEADER, *tail]
        book.sheet(xlsx.Sheet(m.name, header, body, depths, status=10, bars=[4]))
    return book.done()


def _share_cell(x: Fraction | None) -> Any:
    from targetsplit.report.xlsx import Share

    return None if x is None else Share(x)


def render(
    result: ProgressResult, fmt: Format, depth: int | None, rank: bool, board: bool = False
) -> Shown:
    """The progress as ``fmt``; ``rank`` orders siblings best first by the first
    metric; ``board``: the leaderboard of the leaves (or of the nodes at ``depth``)."""
    p, metrics, under = result.progress, result.metrics, result.node
    if fmt is Format.xlsx:
        return progress_workbook(result, depth, rank, board)
    if fmt is Format.html:
        from targetsplit.report.pages import progress_page

        return progress_page(result, depth, metrics[0].name if rank else None, board)
    if board:
        if fmt is Format.json:
            return Stream(leaderboard_json(p, metrics, depth, under))
        if fmt is Format.csv:
            return csv_text(*leaderboard_csv(p, metrics, depth, under))
        return leaderboard_grids(p, metrics, depth, under)
    sort_metric = metrics[0].name if rank else None
    if fmt is Format.json:
        made = result.ahead if isinstance(result.ahead, JsonAhead) else None
        return Stream(progress_json(p, metrics, depth, sort_metric, under, made))
    if fmt is Format.csv:
        return csv_text(*progress_csv(p, metrics, depth, sort_metric, under))
    return progress_grids(p, metrics, depth, sort_metric, under)


def below_text(
    result: ProgressResult, depth: int | None, threshold: Fraction, board: bool = False
) -> str | None:
    """What ``--fail-under`` says when a node shown is below ``threshold`` (else None)."""
    low = below(result.progress, result.metrics, depth, threshold, result.node, board)
    if not low:
        return None
    lines = [f"below {format_percent(threshold)} attainment:", *(f"  {line}" for line in low)]
    return "\n".join(lines) + "\n"
