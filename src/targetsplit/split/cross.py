"""The hierarchy crossed with a dimension: every node's figures by the dimension's items.

``allocate --cross product`` gives every node a cell per product, for every
metric, such that a node's cells add up to its figure (across), its children's
cells add up to its own cell (down), and the root's cells are the dimension's
split of the total. It goes top-down, one sibling group at a time: a matrix
of the children (rows, whose totals are their figures) by the items
(columns, whose totals are the parent's cells).

**The fit.** Each child starts from a *seed*: its figure times its ``mix:``
for the dimension, or, without one, times its parent's mix as it came out
(the proportions of the parent's cells). When the seeds' columns already add
up to the parent's cells, they are the fit, exactly. Otherwise the seeds are
fitted bi-proportionally (iterative proportional fitting, IPF: columns
scaled to their totals, then rows, again and again), which keeps each
child's mix as close as the totals allow and never gives an item to a child
whose mix leaves it out. First a max-flow (:mod:`numbers.flow`) checks that
some split follows the mixes and adds up, and finds the cells that no such
split can fill (their child and item lie in different strongly connected
parts of its residual graph): IPF would take those to zero only in the
limit, and slowly, so they are zero from the start. A child with a single
item left (or an item with a single child) is settled next. IPF reaches the
fit of the rest only in the limit, so it runs in exact integers on a fine
grid (2⁻⁶⁴ of a rounding unit; each scaling step apportioned exactly, by
largest remainder, so the totals it scales to are met exactly on the grid)
until, after a row step, the columns are within 2⁻³⁰ of a unit of their
totals in all, or the grid stops changing, or, after 1,000 rounds, once
they are within a unit (20,000 rounds at most).

**The rounding.** The fitted values become whole units by a controlled
rounding: each cell is the floor or the ceiling of its fitted value, every
row adds up to the child's figure and every column to the parent's cell. A
cell that is a whole number of units is kept as it is, so seeds that are
already whole and consistent come out exactly as stated. Such a rounding
exists whenever the rows are exact and the columns are off by less than a
unit in all (the fit ends with a row step, and stops within a unit):
the problem is a flow with integer bounds, every cut condition of which the
fitted values meet to within that error, and the integer sides of a cut
condition that is met to within less than one are met exactly. The units
go to the largest remainders first; a feasible flow finishes what that
cannot. Should IPF stop short of a unit (after 20,000 rounds), each cell may
move further from its fitted value, but rows and columns still add up.

**When it cannot be done.** Where the children's mixes leave an item out
that their parent has, or give a child only items its parent has none of,
no split adds up: an error names the node, the items and the amounts, at the
``mix:`` of a child at fault.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers.apportion import largest_remainder
from targetsplit.numbers.flow import INF, Network, feasible_flow
from targetsplit.plan.tree import Metric, Node, Plan, node_loc
from targetsplit.split.hierarchy import Allocation

#: The grid IPF works on: fitted values are whole multiples of 1/GRID of a unit.
GRID = 1 << 64
#: IPF stops when, after a row step, the columns are this close to their totals
#: in all (in grid steps: 2^-30 of a unit).
TOLERANCE = GRID >> 30
#: After this many rounds, IPF stops once the columns are within a unit in all;
#: after LAST_ROUND, wherever it is.
MAX_ROUNDS = 1000
LAST_ROUND = 20_000


@dataclass(frozen=True)
class Fit:
    """One sibling group's fit for one metric: its children (rows) by the items."""

    parent: Node
    metric: Metric
    rows: tuple[int, ...]  # the children's figures, in units
    columns: tuple[int, ...]  # the parent's cells, in units
    seeds: tuple[tuple[Fraction, ...], ...]  # each child's seed shares (a mix)
    stated: tuple[bool, ...]  # whether the child's seed is its own mix
    numerators: tuple[tuple[int, ...], ...]  # the fitted values, in units x denominator
    denominator: int
    consistent: bool  # whether the seeds already met the totals (they are the fit)
    rounds: int  # IPF rounds (0: none were needed)
    cells: tuple[tuple[int, ...], ...]  # the rounded cells, in units

    @property
    def fitted(self) -> tuple[tuple[Fraction, ...], ...]:
        """The fitted values, in units."""
        d = self.denominator
        return tuple(tuple(Fraction(x, d) for x in row) for row in self.numerators)


@dataclass(frozen=True)
class Cross:
    """Every node's cells by one dimension's items, per metric, in whole units."""

    alloc: Allocation
    dimension: str
    items: tuple[str, ...]
    units: Mapping[str, Mapping[str, tuple[int, ...]]]  # path -> metric -> per item
    fits: Mapping[tuple[str, str], Fit]  # (parent's path, metric) -> its group's fit

    def values(self, path: str, metric: str) -> list[Decimal]:
        """The node's cells as exact amounts, in the items' order."""
        m = self.alloc.plan.metric(metric)
        return [m.amount(u) for u in self.units[path][metric]]


def mixed_dimensions(plan: Plan) -> list[str]:
    """The dimensions some node's ``mix:`` names, in the plan's order."""
    named = {dim for node in plan.nodes() if node.mix for dim in node.mix}
    return [dim for dim in plan.dimensions if dim in named]


def cross(alloc: Allocation, dimension: str) -> Cross:
    """Cross ``alloc`` with ``dimension`` (one of the plan's); raise
    :class:`PlanError` (placed at a ``mix:``) when the mixes cannot add up."""
    plan = alloc.plan
    items = plan.dimensions[dimension]
    names = tuple(it.name for it in items)
    units: dict[str, dict[str, tuple[int, ...]]] = {r.path: {} for r in alloc.rows}
    fits: dict[tuple[str, str], Fit] = {}
    errors: dict[object, Diagnostic] = {}
    dims = alloc.dimensions[dimension]
    for m in plan.metrics:
        root_cells = tuple(_whole(row.targets[m.name], m) for row in dims)
        units[plan.root.key][m.name] = root_cells
        stack = [plan.root]
        while stack:
            node = stack.pop()
            if not node.children:
                continue
            rows = tuple(alloc.row(c.key).units[m.name] for c in node.children)
            fit = fit_group(node, m, dimension, names, rows, units[node.key][m.name])
            if isinstance(fit, Diagnostic):
                errors.setdefault(fit.loc, fit)
                continue
            fits[(node.key, m.name)] = fit
            for child, cells in zip(node.children, fit.cells, strict=True):
                units[child.key][m.name] = cells
            stack.extend(reversed(node.children))
    if errors:
        raise PlanError(list(errors.values()))
    return Cross(alloc, dimension, names, units, fits)


def _whole(value: Decimal, m: Metric) -> int:
    f = Fraction(value) / Fraction(m.unit)
    assert f.denominator == 1, "a figure is a whole number of units"
    return f.numerator


def fit_group(
    parent: Node,
    m: Metric,
    dimension: str,
    items: Sequence[str],
    rows: Sequence[int],
    columns: Sequence[int],
) -> Fit | Diagnostic:
    """The fit of ``parent``'s children (figures ``rows``) to its cells ``columns``;
    a Diagnostic when their mixes allow none."""
    total = sum(columns)
    assert sum(rows) == total, "children add up to their parent"
    own = [c.mix.get(dimension) if c.mix else None for c in parent.children]
    inherited = tuple(Fraction(c, total) if total else Fraction(0) for c in columns)
    seeds = tuple(mix if mix is not None else inherited for mix in own)
    stated = tuple(mix is not None for mix in own)
    # The seeds over one common denominator.
    denom = math.lcm(*(w.denominator for seed in seeds for w in seed))
    nums = [
        [r * (w.numerator * (denom // w.denominator)) for w in seed]
        for r, seed in zip(rows, seeds, strict=True)
    ]
    consistent = all(
        sum(col) == c * denom for col, c in zip(zip(*nums, strict=True), columns, strict=True)
    )
    rounds = 0
    if consistent:  # the seeds are a split that adds up: every cell they fill has room
        room = [[bool(x) for x in row] for row in nums]
    else:
        found = _room(parent, m, dimension, items, rows, columns, seeds, stated)
        if isinstance(found, Diagnostic):
            return found
        room = found
        # Cells no split can fill are where IPF would end up: zero from the start.
        start = [
            [w if ok else Fraction(0) for w, ok in zip(seed, fits, strict=True)]
            for seed, fits in zip(seeds, room, strict=True)
        ]
        nums, rounds = _ipf(rows, columns, start)
        denom = GRID
    cells = _round(nums, denom, rows, columns, room)
    return Fit(
        parent,
        m,
        tuple(rows),
        tuple(columns),
        seeds,
        stated,
        tuple(tuple(row) for row in nums),
        denom,
        consistent,
        rounds,
        tuple(tuple(row) for row in cells),
    )


def _ipf(
    rows: Sequence[int], columns: Sequence[int], seeds: Sequence[Sequence[Fraction]]
) -> tuple[list[list[int]], int]:
    """Iterative proportional fitting on the grid: the fitted values (in grid
    steps, every row exact) and the number of rounds.

    ``seeds`` are zero where no split can put anything. A child with one item
    left, or an item with one child left, is settled first (every split gives
    it the same), so that a settled cell does not slow the others down."""
    n, k = len(rows), len(columns)
    y = [[0] * k for _ in range(n)]
    left_rows, left_cols = list(rows), list(columns)
    live_rows = {i for i in range(n) if rows[i]}
    live_cols = {j for j in range(k) if columns[j]}
    settled = True
    while settled:
        settled = False
        for i in sorted(live_rows):
            open_ = [j for j in live_cols if seeds[i][j]]
            if len(open_) == 1:
                (j,) = open_
                y[i][j] = left_rows[i] * GRID
                left_cols[j] -= left_rows[i]
                live_rows.discard(i)
                settled = True
        for j in sorted(live_cols):
            open_ = [i for i in live_rows if seeds[i][j]]
            if len(open_) == 1 or not left_cols[j]:
                for i in open_:
                    y[i][j] = left_cols[j] * GRID
                    left_rows[i] -= left_cols[j]
                live_cols.discard(j)
                settled = True
        live_rows = {i for i in live_rows if left_rows[i]}
    if not live_rows:
        return y, 0
    r_index, c_index = sorted(live_rows), sorted(live_cols)
    sub_rows = [left_rows[i] for i in r_index]
    sub_cols = [left_cols[j] for j in c_index]
    sub_seeds = [[seeds[i][j] for j in c_index] for i in r_index]
    fitted, rounds = _scale(sub_rows, sub_cols, sub_seeds)
    for i, row in zip(r_index, fitted, strict=True):
        for j, v in zip(c_index, row, strict=True):
            y[i][j] = v
    return y, rounds


def _scale(
    rows: Sequence[int], columns: Sequence[int], seeds: Sequence[Sequence[Fraction]]
) -> tuple[list[list[int]], int]:
    """IPF proper: columns scaled to their totals, then rows, until the columns
    are within TOLERANCE (or, after MAX_ROUNDS, within a unit) of their totals."""
    y = [largest_remainder(r * GRID, seed) for r, seed in zip(rows, seeds, strict=True)]
    targets = [c * GRID for c in columns]
    rounds = 0
    while rounds < LAST_ROUND:
        rounds += 1
        before = y
        cols = [list(col) for col in zip(*y, strict=True)]
        for j, (col, target) in enumerate(zip(cols, targets, strict=True)):
            if any(col):
                cols[j] = largest_remainder(target, col)
        y = [
            largest_remainder(r * GRID, row if any(row) else seed)
            for r, row, seed in zip(rows, zip(*cols, strict=True), seeds, strict=True)
        ]
        off = sum(abs(sum(col) - t) for col, t in zip(zip(*y, strict=True), targets, strict=True))
        if off <= TOLERANCE or y == before or (rounds >= MAX_ROUNDS and off < GRID):
            break
    return y, rounds


def _round(
    nums: Sequence[Sequence[int]],
    denom: int,
    rows: Sequence[int],
    columns: Sequence[int],
    room: Sequence[Sequence[bool]],
) -> list[list[int]]:
    """A controlled rounding of the values ``nums / denom``: each cell its floor or
    its ceiling, the given row and column totals; the units go to the largest
    remainders first (ties: the first child, then the first item)."""
    floors = [[x // denom for x in row] for row in nums]
    need_row = [r - sum(f) for r, f in zip(rows, floors, strict=True)]
    need_col = [c - sum(col) for c, col in zip(columns, zip(*floors, strict=True), strict=True)]
    out = [list(f) for f in floors]
    if any(need_row) and min(need_row) >= 0 and min(need_col) >= 0:
        order = sorted(
            (-(x % denom), i, j)
            for i, row in enumerate(nums)
            for j, x in enumerate(row)
            if x % denom
        )
        for _, i, j in order:
            if need_row[i] and need_col[j]:
                out[i][j] += 1
                need_row[i] -= 1
                need_col[j] -= 1
    if not any(need_row) and not any(need_col):
        return out
    spread = 0
    while True:
        found = _round_by_flow(nums, denom, rows, columns, room, spread)
        if found is not None:
            return found
        spread = 2 * spread or 1


def _round_by_flow(
    nums: Sequence[Sequence[int]],
    denom: int,
    rows: Sequence[int],
    columns: Sequence[int],
    room: Sequence[Sequence[bool]],
    spread: int,
) -> list[list[int]] | None:
    """A rounding as a feasible flow, each cell within ``spread`` units beyond its
    floor and ceiling (never below zero; zero where there is no ``room``).
    With a spread as large as the figures, one exists: the mixes were checked."""
    n, k = len(rows), len(columns)
    source, sink = n + k, n + k + 1
    edges: list[tuple[int, int, int, int]] = []
    for i, r in enumerate(rows):
        edges.append((source, i, r, r))
    cells: list[tuple[int, int]] = []
    for i, row in enumerate(nums):
        for j, x in enumerate(row):
            if not room[i][j]:
                continue
            low, rem = divmod(x, denom)
            cells.append((i, j))
            edges.append((i, n + j, max(low - spread, 0), low + (rem != 0) + spread))
    for j, c in enumerate(columns):
        edges.append((n + j, sink, c, c))
    edges.append((sink, source, 0, INF))
    flows = feasible_flow(sink + 1, edges)
    if flows is None:
        return None
    out = [[0] * k for _ in range(n)]
    for (i, j), f in zip(cells, flows[n : n + len(cells)], strict=True):
        out[i][j] = f
    return out


def _room(
    parent: Node,
    m: Metric,
    dimension: str,
    items: Sequence[str],
    rows: Sequence[int],
    columns: Sequence[int],
    seeds: Sequence[Sequence[Fraction]],
    stated: Sequence[bool],
) -> list[list[bool]] | Diagnostic:
    """Which cells some split that follows the mixes and adds up can fill: a
    child's item where its mix has it, unless the totals leave no room for it
    there. A Diagnostic when no split can follow the mixes and add up.

    One max-flow (children -> the items their mixes include -> the parent's
    cells) decides; a cell outside every split is one whose child and item
    lie in different strongly connected parts of the flow's residual graph."""
    n, k = len(rows), len(columns)
    source, sink = n + k, n + k + 1
    net = Network(n + k + 2)
    for i, r in enumerate(rows):
        if r:
            net.add(source, i, r)
    edges: list[tuple[int, int, int]] = []
    for i, seed in enumerate(seeds):
        if rows[i]:
            for j, w in enumerate(seed):
                if w and columns[j]:
                    edges.append((i, j, net.add(i, n + j, INF)))
    for j, c in enumerate(columns):
        if c:
            net.add(n + j, sink, c)
    if net.max_flow(source, sink) != sum(rows):
        return _no_split(parent, m, dimension, items, rows, columns, seeds, stated, net)
    # Residual graph among children and items: child -> item always, item ->
    # child where the flow carries something.
    out: list[list[int]] = [[] for _ in range(n + k)]
    for i, j, e in edges:
        out[i].append(n + j)
        if net.flow_on(e):
            out[n + j].append(i)
    part = _components(out)
    room = [[False] * k for _ in range(n)]
    for i, j, _ in edges:
        room[i][j] = part[i] == part[n + j]
    return room


def _components(out: Sequence[Sequence[int]]) -> list[int]:
    """Each vertex's strongly connected component (Tarjan's, without recursion)."""
    size = len(out)
    index = [-1] * size
    low = [0] * size
    comp = [-1] * size
    on_stack = [False] * size
    stack: list[int] = []
    counter = 0
    found = 0
    for start in range(size):
        if index[start] >= 0:
            continue
        work = [(start, 0)]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack[start] = True
        while work:
            v, it = work[-1]
            if it < len(out[v]):
                work[-1] = (v, it + 1)
                w = out[v][it]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = found
                    if w == v:
                        break
                found += 1
    return comp


def _no_split(
    parent: Node,
    m: Metric,
    dimension: str,
    items: Sequence[str],
    rows: Sequence[int],
    columns: Sequence[int],
    seeds: Sequence[Sequence[Fraction]],
    stated: Sequence[bool],
    net: Network,
) -> Diagnostic:
    """Why no split can follow the mixes and add up, from a maximum flow that
    falls short: a set of items that the children whose mixes include them
    cannot fill (Hall's condition, read off the minimum cut), at the ``mix:``
    of a child whose mix leaves them all out."""
    n, k = len(rows), len(columns)
    source = n + k
    reached = [False] * (n + k + 2)
    reached[source] = True
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for e in net.head[u]:
            v = net.to[e]
            if net.cap[e] > 0 and not reached[v]:
                reached[v] = True
                queue.append(v)
    # The items out of reach need more than the children that may take them hold;
    # a child in reach has a mix of its own that leaves all of them out.
    short = [j for j in range(k) if not reached[n + j] and columns[j]]
    takers = [i for i in range(n) if any(seeds[i][j] for j in short)]
    culprit = next(i for i in range(n) if reached[i] and stated[i] and rows[i])
    live = [s for s, r in zip(seeds, rows, strict=True) if r]
    untaken = [j for j in range(k) if columns[j] and not any(s[j] for s in live)]
    if untaken:  # plainer: items no child's mix includes at all
        short, takers = untaken, []
        culprit = next(i for i in range(n) if stated[i] and rows[i])
    child = parent.children[culprit]
    crowded = [i for i in range(n) if reached[i] and rows[i]]
    open_ = [j for j in range(k) if reached[n + j] and columns[j]]

    def amount(units: int) -> str:
        return m.format(m.amount(units))

    them = "it" if len(short) == 1 else "them"
    whose = f"'{parent.key}'" if parent.path else "the total"
    where = f"under '{parent.key}'" if parent.path else "at the top level"
    head = f"the mixes by {dimension} {where} cannot add up in {m.name}"
    if untaken:
        text = (
            f"{head}: no child's mix includes {_and([items[j] for j in short])},"
            f" but {whose} has {amount(sum(columns[j] for j in short))} of {them}"
        )
    elif len(crowded) == 1 and open_:
        text = (
            f"{head}: '{child.name}' holds {amount(rows[culprit])}, but its mix includes only"
            f" {_and([items[j] for j in open_])}, of which {whose} has"
            f" {amount(sum(columns[j] for j in open_))}"
        )
    elif len(crowded) == 1:
        text = f"{head}: the mix of '{child.name}' includes only items {whose} has none of"
    else:
        text = (
            f"{head}: {whose} has {amount(sum(columns[j] for j in short))} of"
            f" {_and([items[j] for j in short])}, but the children whose mix includes {them}"
            f" ({_and([parent.children[i].name for i in takers])}) hold only"
            f" {amount(sum(rows[i] for i in takers))}"
        )
    return Diagnostic(text, node_loc(child.path, "mix", dimension))


def _and(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
