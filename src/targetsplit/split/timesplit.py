"""Every node's figures split over halves, quarters, months or weeks, exactly.

Controlled rounding: each node's period figures add up to the node's figure
*and* each parent's figure for a period is the sum of its children's, every
cell within one rounding unit of its exact value (the floor or the ceiling
of it). Exact values are integers over one common denominator, so the
arithmetic is exact and fast. The rounding goes top-down: the root's row by
largest remainder, then for each parent a small transportation problem for
its children (a greedy that is exact for the usual case, a max-flow when it
is not); should a parent's row leave its children no solution — possible
only when subtrees have their own seasonality — the whole metric is rounded
at once as one feasible flow over the tree, which always exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.calendar.seasonality import Seasonality, month_shares, range_shares, slot_shares
from targetsplit.calendar.workdays import Granularity, Slot
from targetsplit.numbers.flow import INF, Network, feasible_flow
from targetsplit.plan.tree import Metric, Node
from targetsplit.split.hierarchy import Allocation


@dataclass(frozen=True)
class PeriodSplit:
    """Period figures per node path and metric, in the order of ``slots``,
    held as whole rounding units."""

    granularity: Granularity
    slots: tuple[Slot, ...]
    units: Mapping[str, Mapping[str, list[int]]]
    metrics: Mapping[str, Metric]
    exact: Mapping[str, Mapping[str, tuple[Fraction, ...]]] | None = None

    def values(self, path: str, metric: str) -> tuple[Decimal, ...]:
        m = self.metrics[metric]
        return tuple(m.amount(u) for u in self.units[path][metric])

    def numbers(self, path: str, metric: str) -> list[int] | list[Decimal]:
        """The same figures as :meth:`values`, as ints where the unit is whole."""
        return self.metrics[metric].numbers(self.units[path][metric])


def _round_row(exact: Sequence[int], denom: int, total: int) -> list[int]:
    """One row by rounding its running totals half up: each cell is the floor or
    ceiling of its exact value, and every running total is within half a unit."""
    out = []
    running = 0
    before = 0
    for x in exact:
        running += x
        now = (2 * running + denom) // (2 * denom)
        out.append(now - before)
        before = now
    assert before == total, "a row's exact values add up to its total"
    return out


def _round_children(
    rows: Sequence[Sequence[int]], denom: int, row_totals: Sequence[int], col_totals: Sequence[int]
) -> list[list[int]] | None:
    """Integer rows, each cell the floor or ceiling of ``row/denom``, with the
    given row and column totals; ``None`` when there is no such rounding.

    Period by period, a column's spare units go to the children that are most
    behind their exact running total, so that each child's targets to date stay
    close to exact too (a max-flow settles the rare case this cannot finish).
    """
    k = len(rows)
    floors = [[x // denom for x in row] for row in rows]
    rems = [[x % denom for x in row] for row in rows]
    need_col = [c - sum(col) for c, col in zip(col_totals, zip(*floors, strict=True), strict=True)]
    need_row = [t - sum(f) for t, f in zip(row_totals, floors, strict=True)]
    if any(c < 0 for c in need_col) or any(r < 0 for r in need_row):
        return None
    result = [list(f) for f in floors]
    running = [0] * k  # exact running totals (numerators)
    given = [0] * k  # rounded running totals, times denom
    left = list(need_row)
    ok = True
    columns = zip(
        zip(*rows, strict=True),
        zip(*floors, strict=True),
        zip(*rems, strict=True),
        need_col,
        strict=True,
    )
    for j, (xs, fs, rs, spare) in enumerate(columns):
        running = [a + x for a, x in zip(running, xs, strict=True)]
        given = [g + f * denom for g, f in zip(given, fs, strict=True)]
        if not spare:
            continue
        cand = [(running[i] - given[i], rs[i], -i) for i in range(k) if rs[i] and left[i] > 0]
        if len(cand) < spare:
            ok = False
            break
        chosen = [max(cand)] if spare == 1 else sorted(cand, reverse=True)[:spare]
        for _, _, neg in chosen:
            i = -neg
            result[i][j] += 1
            given[i] += denom
            left[i] -= 1
    if ok and not any(left):
        return result
    return _round_by_flow(rems, floors, need_row, need_col)


def _round_by_flow(
    rems: Sequence[Sequence[int]],
    floors: list[list[int]],
    need_row: Sequence[int],
    need_col: Sequence[int],
) -> list[list[int]] | None:
    k, p = len(rems), len(need_col)
    net = Network(k + p + 2)
    s, t = k + p, k + p + 1
    cells = {}
    for i in range(k):
        net.add(s, i, need_row[i])
        for j in range(p):
            if rems[i][j]:
                cells[(i, j)] = net.add(i, k + j, 1)
    for j in range(p):
        net.add(k + j, t, need_col[j])
    if net.max_flow(s, t) != sum(need_row):
        return None
    for (i, j), e in cells.items():
        floors[i][j] += net.flow_on(e)
    return floors


def _round_tree(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denom: int,
) -> dict[str, list[int]]:
    """Top-down controlled rounding of one metric."""
    out: dict[str, list[int]] = {root.key: _round_row(exact[root.key], denom, units[root.key])}
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.children:
            continue
        kids = node.children
        rounded = _round_children(
            [exact[c.key] for c in kids], denom, [units[c.key] for c in kids], out[node.key]
        )
        if rounded is None:
            return _round_tree_by_flow(root, units, exact, denom)
        for c, row in zip(kids, rounded, strict=True):
            out[c.key] = row
        stack.extend(kids)
    return out


def _round_tree_by_flow(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denom: int,
) -> dict[str, list[int]]:
    """The whole tree as one feasible flow: per period, flow runs from the root
    down the tree; each leaf's flows over all periods meet in its figure."""
    nodes = list(root.walk())
    p = len(exact[root.key])
    index = {n.key: k for k, n in enumerate(nodes)}
    leaves = [n for n in nodes if not n.children]
    leaf_row = {n.key: len(nodes) * p + k for k, n in enumerate(leaves)}
    source, sink = len(nodes) * p + len(leaves), len(nodes) * p + len(leaves) + 1

    def cell(key: str, j: int) -> int:
        return index[key] * p + j

    def bounds(key: str, j: int) -> tuple[int, int]:
        q, r = divmod(exact[key][j], denom)
        return q, q + (1 if r else 0)

    edges: list[tuple[int, int, int, int]] = []
    owner: list[tuple[str, int]] = []
    for j in range(p):
        edges.append((source, cell(root.key, j), *bounds(root.key, j)))
        owner.append((root.key, j))
    for n in nodes:
        for c in n.children:
            for j in range(p):
                edges.append((cell(n.key, j), cell(c.key, j), *bounds(c.key, j)))
                owner.append((c.key, j))
    for leaf in leaves:
        edges.extend((cell(leaf.key, j), leaf_row[leaf.key], 0, INF) for j in range(p))
        edges.append((leaf_row[leaf.key], sink, units[leaf.key], units[leaf.key]))
    edges.append((sink, source, 0, INF))
    flows = feasible_flow(sink + 1, edges)
    if flows is None:  # pragma: no cover - the exact values are a fractional solution
        raise AssertionError("controlled rounding found no solution")
    out: dict[str, list[int]] = {n.key: [0] * p for n in nodes}
    for (key, j), f in zip(owner, flows, strict=False):
        out[key][j] = f
    return out


def split_over_time(
    alloc: Allocation,
    g: Granularity,
    *,
    keep_exact: bool = False,
    slots: tuple[Slot, ...] | None = None,
) -> PeriodSplit:
    """Split every node's figures over the period's halves, quarters, months or
    weeks, or over ``slots``: consecutive day ranges that cover the period."""
    plan = alloc.plan
    b = plan.breakdown
    assert b is not None, "a built plan always has its breakdown"
    custom = slots is not None
    slots = slots if slots is not None else b.slots(g)

    # The seasonality in force at each node, and each one's slot shares.
    vectors: dict[int, tuple[Fraction, ...]] = {}
    in_force: dict[str, int] = {}

    def assign(node: Node, inherited: Seasonality | None) -> None:
        s = node.seasonality or inherited
        key = id(s)
        if key not in vectors:
            months = month_shares(s, b)
            vectors[key] = range_shares(months, b, slots) if custom else slot_shares(months, b, g)
        in_force[node.key] = key
        for c in node.children:
            assign(c, s)

    assign(plan.root, plan.seasonality)
    denom = 1
    for vec in vectors.values():
        for f in vec:
            denom = math.lcm(denom, f.denominator)
    numerators = {k: [int(f * denom) for f in vec] for k, vec in vectors.items()}

    post_order = list(plan.root.walk())[::-1]
    figures: dict[str, dict[str, list[int]]] = {r.path: {} for r in alloc.rows}
    exact_out: dict[str, dict[str, tuple[Fraction, ...]]] = {r.path: {} for r in alloc.rows}
    for metric in plan.metrics:
        units = {r.path: r.units[metric.name] for r in alloc.rows}
        exact: dict[str, list[int]] = {}
        for node in post_order:
            if node.children:
                rows = [exact[c.key] for c in node.children]
                exact[node.key] = [sum(col) for col in zip(*rows, strict=True)]
            else:
                u = units[node.key]
                exact[node.key] = [u * n for n in numerators[in_force[node.key]]]
        rounded = _round_tree(plan.root, units, exact, denom)
        for path, row in rounded.items():
            figures[path][metric.name] = row
            if keep_exact:
                unit = Fraction(metric.unit)
                exact_out[path][metric.name] = tuple(Fraction(x, denom) * unit for x in exact[path])
    metrics = {m.name: m for m in plan.metrics}
    return PeriodSplit(g, slots, figures, metrics, exact_out if keep_exact else None)
