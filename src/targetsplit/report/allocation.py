"""What each command shows, as data: grids for tables, rows for CSV, dicts for JSON.

Pure functions of core results; :mod:`targetsplit.report.grid` turns grids into text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from targetsplit.numbers.amounts import decimal_text, format_percent, round_fraction
from targetsplit.plan.tree import Metric, Node, Plan, shown_nodes
from targetsplit.report.formats import Format, Shown, Stream, Workbook
from targetsplit.report.grid import Column, Grid, csv_text
from targetsplit.split.hierarchy import Allocated, Allocation

if TYPE_CHECKING:
    from targetsplit.api.allocate import AllocateResult
    from targetsplit.split.cross import Cross
    from targetsplit.split.timesplit import PeriodSplit

INFO_FIELDS = ("owner", "due", "strategy", "note")


def _share(part: Decimal, whole: Decimal) -> Fraction | None:
    return None if whole == 0 else Fraction(part) / Fraction(whole)


def period_text(plan: Plan) -> str:
    p = plan.period
    return f"{p.name} ({p.start.isoformat()} .. {p.end.isoformat()})"


def _info_fields(rows: Sequence[Allocated]) -> list[str]:
    return [f for f in INFO_FIELDS if any(getattr(r.node, f) is not None for r in rows)]


def _info(row: Allocated, field: str) -> str:
    value = getattr(row.node, field)
    if value is None:
        return ""
    return value.isoformat() if field == "due" else str(value)


def visible_rows(
    alloc: Allocation, depth: int | None, under: Node | None = None
) -> list[Allocated]:
    """The rows shown: the subtree of ``under`` (all without), down to ``depth``
    levels below its root."""
    rows = alloc.rows
    if under is None:
        return [r for r in rows if depth is None or r.node.depth <= depth]
    return [rows[i] for i in shown_nodes([r.node for r in rows], under, depth)]


def indents(rows: Sequence[Allocated], under: Node | None) -> list[int]:
    """How deep each row shown sits below the first one (the subtree's root)."""
    base = 0 if under is None else under.depth
    return [r.node.depth - base for r in rows]


def heading(plan: Plan, under: Node | None) -> str:
    """The plan's title, and the subtree's path when ``--node`` picked one."""
    return plan.title if under is None or not under.key else f"{plan.title} — {under.key}"


def whole_plan(under: Node | None) -> bool:
    """Whether the whole plan is shown (then the dimensions, cuts of its total, are too)."""
    return under is None or under.depth == 0


def _parents(alloc: Allocation) -> dict[str, Allocated]:
    by_path = {r.path: r for r in alloc.rows}
    return {r.path: by_path["/".join(r.node.path[:-1])] for r in alloc.rows if r.node.path}


def allocation_grids(
    alloc: Allocation, metrics: Sequence[Metric], depth: int | None, under: Node | None = None
) -> list[Grid]:
    plan = alloc.plan
    rows = visible_rows(alloc, depth, under)
    parents = _parents(alloc)
    root = alloc.root
    info = _info_fields(rows)
    columns = [Column("node")]
    for m in metrics:
        label = m.title
        columns += [
            Column(label, True, keep=9),
            Column("of parent", True, keep=4),
            Column("of total", True, keep=3),
        ]
    columns += [Column(f, keep=1, fold=True) for f in info]
    body: list[tuple[str, ...]] = []
    for r in rows:
        cells = [r.node.name]
        for m in metrics:
            value = r.targets[m.name]
            parent = parents.get(r.path)
            of_parent = _share(value, parent.targets[m.name]) if parent else Fraction(1)
            of_total = _share(value, root.targets[m.name])
            cells += [
                m.format(value),
                "" if of_parent is None else format_percent(of_parent, 1),
                "" if of_total is None else format_percent(of_total, 1),
            ]
        cells += [_info(r, f) for f in info]
        body.append(tuple(cells))
    tier = f", tier {alloc.tier} ({format_percent(plan.tiers[alloc.tier])})" if alloc.tier else ""
    grids = [
        Grid.tree(
            f"{heading(plan, under)} — {period_text(plan)}{tier}",
            columns,
            body,
            indents(rows, under),
        )
    ]
    for dim, items in alloc.dimensions.items() if whole_plan(under) else ():
        cols = [Column(dim)]
        for m in metrics:
            cols += [Column(m.name, True), Column("of total", True)]
        dim_rows: list[tuple[str, ...]] = []
        for it in items:
            cells = [it.name]
            for m in metrics:
                share = _share(it.targets[m.name], root.targets[m.name])
                cells += [
                    m.format(it.targets[m.name]),
                    "" if share is None else format_percent(share, 1),
                ]
            dim_rows.append(tuple(cells))
        grids.append(Grid(f"by {dim}", tuple(cols), tuple(dim_rows)))
    return grids


def allocation_csv(
    alloc: Allocation, metrics: Sequence[Metric], depth: int | None, under: Node | None = None
) -> tuple[list[str], list[list[str | None]], set[int]]:
    rows = visible_rows(alloc, depth, under)
    parents = _parents(alloc)
    root = alloc.root
    header = ["section", "path", "name", "depth"]
    for m in metrics:
        header += [m.name, f"{m.name}_share_of_parent", f"{m.name}_share_of_total"]
    header += list(INFO_FIELDS)
    numeric = {i for i, h in enumerate(header) if i >= 4 and h not in INFO_FIELDS}
    numeric.add(3)
    out: list[list[str | None]] = []
    for r in rows:
        cells: list[str | None] = ["hierarchy", r.path, r.node.name, str(r.node.depth)]
        for m in metrics:
            value = r.targets[m.name]
            parent = parents.get(r.path)
            cells += [
                decimal_text(value),
                _fraction_cell(_share(value, parent.targets[m.name]) if parent else Fraction(1)),
                _fraction_cell(_share(value, root.targets[m.name])),
            ]
        cells += [_info(r, f) or None for f in INFO_FIELDS]
        out.append(cells)
    for dim, items in alloc.dimensions.items() if whole_plan(under) else ():
        for it in items:
            cells = [f"dimension:{dim}", it.name, it.name, "1"]
            for m in metrics:
                cells += [
                    decimal_text(it.targets[m.name]),
                    _fraction_cell(_share(it.targets[m.name], root.targets[m.name])),
                    _fraction_cell(_share(it.targets[m.name], root.targets[m.name])),
                ]
            cells += [None] * len(INFO_FIELDS)
            out.append(cells)
    return header, out, numeric


def _fraction_cell(f: Fraction | None) -> str | None:
    return None if f is None else decimal_text(round_fraction(f))


def allocation_json(
    alloc: Allocation,
    metrics: Sequence[Metric],
    depth: int | None,
    split: PeriodSplit | None = None,
    chosen: Sequence[int] = (),
    crossed: Cross | None = None,
    under: Node | None = None,
    tiers: Mapping[str, Allocation] | None = None,
) -> Iterator[str]:
    """The allocation as JSON, node by node (with ``split``, each node's periods;
    with ``crossed``, each node's cells by the dimension's items; with ``under``,
    that subtree's nodes only, and ``"node"``: its path; with ``tiers``, each
    node's figures under each tier, and ``"tiers"``: their percents as shares)."""
    from targetsplit.report.jsonout import (
        Rows,
        fraction_text,
        node_texts,
        obj,
        scalar,
        stream,
        template,
    )

    plan = alloc.plan
    names = tuple(m.name for m in metrics)
    keys: tuple[str, ...] = ("path", "name", "depth", *INFO_FIELDS, "targets", "shares")
    if split is not None:
        keys += ("periods",)
        labels = tuple(split.slots[k].label for k in chosen)
        ints = template(labels, 4)
        every = list(chosen) == list(range(len(split.slots)))
    if crossed is not None:
        keys += ("cross",)
    if tiers is not None:
        keys += ("tiers",)
        tier_names = tuple(tiers)
    by_path = {r.path: r for r in alloc.rows}
    root_units = alloc.root.units
    of_keys = ("of_parent", "of_total")

    def share(part: int, whole: int) -> str:
        return "null" if whole == 0 else fraction_text(part, whole)

    def shares(r: Allocated, parent: Allocated | None, name: str) -> str:
        u = r.units[name]
        of_parent = "1" if parent is None else share(u, parent.units[name])
        return obj(of_keys, 4, (of_parent, share(u, root_units[name])))

    def periods(path: str, name: str) -> str:
        assert split is not None
        numbers: Sequence[int | Decimal] = split.numbers(path, name)
        if not every:
            numbers = [numbers[k] for k in chosen]
        if numbers and type(numbers[0]) is int:  # all ints (a whole unit), or none
            return ints.format(*numbers)
        return obj(labels, 4, map(scalar, numbers))

    def node(r: Allocated) -> str:
        n = r.node
        parent = by_path["/".join(n.path[:-1])] if n.path else None
        texts = [
            *node_texts(r.path, n),
            obj(names, 3, [scalar(r.targets[m]) for m in names]),
            obj(names, 3, [shares(r, parent, m) for m in names]),
        ]
        if split is not None:
            texts.append(obj(names, 3, [periods(r.path, m) for m in names]))
        if crossed is not None:
            texts.append(obj((crossed.dimension,), 3, [cells(r.path)]))
        if tiers is not None:
            each = [tiers[t].row(r.path).targets for t in tier_names]
            texts.append(
                obj(names, 3, [obj(tier_names, 4, [scalar(f[m]) for f in each]) for m in names])
            )
        return obj(keys, 2, texts)

    def cells(path: str) -> str:
        assert crossed is not None
        per_metric = [m.numbers(crossed.units[path][m.name]) for m in metrics]
        return obj(
            crossed.items,
            4,
            [
                obj(names, 5, [scalar(values[j]) for values in per_metric])
                for j in range(len(crossed.items))
            ],
        )

    doc: dict[str, Any] = {
        "plan": plan.title,
        "period": {
            "start": plan.period.start,
            "end": plan.period.end,
            "name": plan.period.name,
        },
        "metrics": list(names),
        "tier": alloc.tier,
    }
    derived = {m.name: m.derived for m in metrics if m.derived is not None}
    if derived:
        from targetsplit.numbers.amounts import to_decimal

        doc["derived"] = {
            name: {"from": d.source, d.driver.kind: to_decimal(d.driver.value)}
            for name, d in derived.items()
        }
    if tiers is not None:
        doc["tiers"] = {t: round_fraction(plan.tiers[t]) for t in tiers}
    if under is not None:
        doc["node"] = under.key
    doc["nodes"] = Rows(visible_rows(alloc, depth, under), node)
    if alloc.dimensions and whole_plan(under):
        doc["dimensions"] = {
            dim: [
                {"name": it.name, "targets": {m.name: it.targets[m.name] for m in metrics}}
                for it in items
            ]
            for dim, items in alloc.dimensions.items()
        }
    if split is not None:
        doc["by"] = split.granularity
    if crossed is not None:
        doc["cross"] = crossed.dimension
    return stream(doc)


def period_grids(
    alloc: Allocation,
    split: PeriodSplit,
    metrics: Sequence[Metric],
    depth: int | None,
    chosen: Sequence[int],
    per_grid: int | None = None,
    under: Node | None = None,
) -> list[Grid]:
    """One table per metric: each node's figure and its period figures.

    ``per_grid`` caps the period columns of one table (the rest continue in
    the next), so that 53 weeks stay readable on a terminal.
    """
    rows = visible_rows(alloc, depth, under)
    grids = []
    step = per_grid or max(len(chosen), 1)
    for m in metrics:
        label = m.title
        for start in range(0, max(len(chosen), 1), step):
            part = chosen[start : start + step]
            columns = [Column("node"), Column(label, True)]
            columns += [Column(split.slots[k].label, True) for k in part]
            body = []
            for r in rows:
                values = split.values(r.path, m.name)
                body.append(
                    (r.node.name, m.format(r.targets[m.name]), *(m.format(values[k]) for k in part))
                )
            more = " (continued)" if start else ""
            grids.append(
                Grid.tree(
                    f"{heading(alloc.plan, under)} — {label} by {split.granularity}{more}",
                    columns,
                    body,
                    indents(rows, under),
                )
            )
    return grids


def period_csv(
    alloc: Allocation,
    split: PeriodSplit,
    metrics: Sequence[Metric],
    depth: int | None,
    chosen: Sequence[int],
    under: Node | None = None,
) -> tuple[list[str], list[list[str | None]], set[int]]:
    header = ["path", "name", "depth"]
    for m in metrics:
        header += [m.name] + [f"{m.name} {split.slots[k].label}" for k in chosen]
    out: list[list[str | None]] = []
    for r in visible_rows(alloc, depth, under):
        cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
        for m in metrics:
            values = split.values(r.path, m.name)
            cells += [decimal_text(r.targets[m.name])] + [decimal_text(values[k]) for k in chosen]
        out.append(cells)
    return header, out, set(range(2, len(header)))


def cross_grids(
    crossed: Cross, metrics: Sequence[Metric], depth: int | None, under: Node | None = None
) -> list[Grid]:
    """One table per metric: each node's figure and its cells, a column per item."""
    alloc = crossed.alloc
    rows = visible_rows(alloc, depth, under)
    tier = f", tier {alloc.tier}" if alloc.tier else ""
    grids = []
    for m in metrics:
        columns = [Column("node"), Column(m.title, True)]
        columns += [Column(item, True) for item in crossed.items]
        body = [
            (
                r.node.name,
                m.format(r.targets[m.name]),
                *(m.format(v) for v in crossed.values(r.path, m.name)),
            )
            for r in rows
        ]
        title = f"{heading(alloc.plan, under)} — {m.title} by {crossed.dimension}{tier}"
        grids.append(Grid.tree(title, columns, body, indents(rows, under)))
    return grids


def cross_csv(
    crossed: Cross, metrics: Sequence[Metric], depth: int | None, under: Node | None = None
) -> tuple[list[str], list[list[str | None]], set[int]]:
    """One row per node and item: ``path,name,depth,dimension,item`` and a column
    per metric."""
    header = ["path", "name", "depth", "dimension", "item", *(m.name for m in metrics)]
    out: list[list[str | None]] = []
    for r in visible_rows(crossed.alloc, depth, under):
        per_metric = [crossed.values(r.path, m.name) for m in metrics]
        for j, item in enumerate(crossed.items):
            cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
            cells += [crossed.dimension, item, *(decimal_text(v[j]) for v in per_metric)]
            out.append(cells)
    return header, out, {2, *range(5, len(header))}


def _node_info(r: Allocated) -> list[Any]:
    """The owner, due, strategy and note cells of a workbook row, and its path."""
    n = r.node
    return [n.owner, n.due, n.strategy, n.note, r.path]


def allocation_workbook(result: AllocateResult, depth: int | None) -> Workbook:
    """The allocation as a workbook: a sheet per metric (the tree, and with --by
    or --cross a column per period or item), and a sheet per dimension."""
    from targetsplit.report import xlsx

    alloc, metrics, split, crossed = result.allocation, result.metrics, result.split, result.cross
    plan = alloc.plan
    tier = f", tier {alloc.tier} ({format_percent(plan.tiers[alloc.tier])})" if alloc.tier else ""
    book = xlsx.Book(heading(plan, result.node), period_text(plan) + tier)
    rows = visible_rows(alloc, depth, result.node)
    parents = _parents(alloc)
    depths = indents(rows, result.node)
    tail = [*INFO_FIELDS, "path"]
    for m in metrics:
        shown = m.display
        header = ["node", m.title]
        if result.tiers is not None:
            header += [f"{t} ({format_percent(plan.tiers[t])})" for t in result.tiers]
        elif crossed is not None:
            header += list(crossed.items)
        elif split is not None:
            header += [split.slots[k].label for k in result.periods]
        else:
            header += ["of parent", "of total"]
        body: list[list[xlsx.Cell]] = []
        for r in rows:
            value = r.targets[m.name]
            cells: list[xlsx.Cell] = [r.node.name, xlsx.Amount(value, shown)]
            if result.tiers is not None:
                each = [a.row(r.path).targets[m.name] for a in result.tiers.values()]
                cells += [xlsx.Amount(v, shown) for v in each]
            elif crossed is not None:
                cells += [xlsx.Amount(v, shown) for v in crossed.values(r.path, m.name)]
            elif split is not None:
                values = split.values(r.path, m.name)
                cells += [xlsx.Amount(values[k], shown) for k in result.periods]
            else:
                parent = parents.get(r.path)
                of_parent = _share(value, parent.targets[m.name]) if parent else Fraction(1)
                of_total = _share(value, alloc.root.targets[m.name])
                cells += [None if f is None else xlsx.Share(f) for f in (of_parent, of_total)]
            body.append(cells + _node_info(r))
        book.sheet(xlsx.Sheet(m.name, header + tail, body, depths))
    for dim, items in alloc.dimensions.items():
        header = [dim]
        for m in metrics:
            header += [m.title, "of total"]
        dim_rows: list[list[xlsx.Cell]] = []
        for it in items:
            cells = [it.name]
            for m in metrics:
                share = _share(it.targets[m.name], alloc.root.targets[m.name])
                cells += [
                    xlsx.Amount(it.targets[m.name], m.display),
                    None if share is None else xlsx.Share(share),
                ]
            dim_rows.append(cells)
        book.sheet(xlsx.Sheet(f"by {dim}", header, dim_rows))
    return book.done()


def tier_grids(
    alloc: Allocation,
    tiers: Mapping[str, Allocation],
    metrics: Sequence[Metric],
    depth: int | None,
    under: Node | None = None,
) -> list[Grid]:
    """One table per metric: each node's figure under each tier, side by side."""
    plan = alloc.plan
    rows = visible_rows(alloc, depth, under)
    grids = []
    for m in metrics:
        columns = [Column("node")]
        columns += [Column(f"{t} ({format_percent(plan.tiers[t])})", True) for t in tiers]
        body = [
            (r.node.name, *(m.format(a.row(r.path).targets[m.name]) for a in tiers.values()))
            for r in rows
        ]
        title = f"{heading(plan, under)} — {m.title} by tier — {period_text(plan)}"
        grids.append(Grid.tree(title, columns, body, indents(rows, under)))
    return grids


def tier_csv(
    alloc: Allocation,
    tiers: Mapping[str, Allocation],
    metrics: Sequence[Metric],
    depth: int | None,
    under: Node | None = None,
) -> tuple[list[str], list[list[str | None]], set[int]]:
    """A row per node: ``path,name,depth``, then each metric's figure under each
    tier (``revenue floor``, ``revenue target``, …)."""
    header = ["path", "name", "depth"]
    for m in metrics:
        header += [f"{m.name} {t}" for t in tiers]
    out: list[list[str | None]] = []
    for r in visible_rows(alloc, depth, under):
        cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
        for m in metrics:
            cells += [decimal_text(a.row(r.path).targets[m.name]) for a in tiers.values()]
        out.append(cells)
    return header, out, set(range(2, len(header)))


def render(result: AllocateResult, fmt: Format, depth: int | None, width: int | None) -> Shown:
    """The allocation as ``fmt``; ``width`` (a terminal's columns) folds period
    columns into several tables."""
    alloc, metrics, split, crossed = result.allocation, result.metrics, result.split, result.cross
    under = result.node
    if fmt is Format.xlsx:
        return allocation_workbook(result, depth)
    if fmt is Format.json:
        return Stream(
            allocation_json(
                alloc, metrics, depth, split, result.periods, crossed, under, result.tiers
            )
        )
    if fmt is Format.html:
        from targetsplit.report import pages

        if result.tiers is not None:
            return pages.grids_page(result, tier_grids(alloc, result.tiers, metrics, depth, under))
        if crossed is not None:
            return pages.grids_page(result, cross_grids(crossed, metrics, depth, under))
        return pages.allocation_page(result, depth)
    if result.tiers is not None:
        if fmt is Format.csv:
            return csv_text(*tier_csv(alloc, result.tiers, metrics, depth, under))
        return tier_grids(alloc, result.tiers, metrics, depth, under)
    if crossed is not None:
        if fmt is Format.csv:
            return csv_text(*cross_csv(crossed, metrics, depth, under))
        return cross_grids(crossed, metrics, depth, under)
    if split is None:
        if fmt is Format.csv:
            return csv_text(*allocation_csv(alloc, metrics, depth, under))
        return allocation_grids(alloc, metrics, depth, under)
    chosen = list(result.periods)
    if fmt is Format.csv:
        return csv_text(*period_csv(alloc, split, metrics, depth, chosen, under))
    per_grid = None if width is None else _columns_that_fit(split, alloc, metrics, chosen, width)
    return period_grids(alloc, split, metrics, depth, chosen, per_grid, under)


def _columns_that_fit(
    split: PeriodSplit,
    alloc: Allocation,
    metrics: Sequence[Metric],
    chosen: list[int],
    width: int,
) -> int:
    """How many period columns fit ``width`` beside the node and total columns,
    in terminal cells (a CJK character takes two), as grid.fit counts them:
    three cells around each column and one at the edge."""
    from rich.cells import cell_len

    from targetsplit.report.grid import NAME_MIN
    from targetsplit.report.textsafe import visible

    name_w = 3 + min(
        NAME_MIN, max(cell_len(visible(r.node.name)) + 2 * r.node.depth for r in alloc.rows)
    )
    figures = max(cell_len(m.format(r.targets[m.name])) for m in metrics for r in alloc.rows)
    total_w = 3 + max(figures, max(cell_len(visible(m.title)) for m in metrics))
    cell_w = 3 + max(figures, max(cell_len(split.slots[k].label) for k in chosen))
    return max(1, (width - 1 - name_w - total_w) // cell_w)
