"""The ledger's controlled rounding for the common case, in whole arrays.

When every node of a metric follows one seasonality, each node's exact row
is its figure times one vector, and the per-parent greedy of
``split.rows.round_children`` can run for all the sibling groups of a
level at once. This module does exactly that greedy — the same candidates,
the same order (furthest behind its exact running total, then the larger
remainder, then the sibling declared first), the same checks — so its
results are identical to the pure-Python rounding; a group the greedy
cannot settle is handed back to it. NumPy is imported only here, and only
when a command rounds a ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from targetsplit.plan.tree import Node

# Exact values must stay well inside 64-bit integers.
LIMIT = 1 << 60
# The greedy's combined sort key must too.
KEY_LIMIT = 1 << 62

Fallback = Callable[[list[list[int]], list[int], list[int]], list[list[int]] | None]


#: Below this many node-metrics, rounding in plain Python takes less time than
#: importing NumPy (~60 ms) and rounding in arrays (measured: 225 nodes x 3 metrics
#: 75 ms in Python, 44 ms in arrays after the import; 27 nodes 12 ms against 27).
ARRAYS_FROM = 600


def worth_it(node_metrics: int) -> bool:
    """Whether to round ``node_metrics`` rows in arrays (NumPy is imported then)."""
    return node_metrics >= ARRAYS_FROM and available()


def available() -> bool:
    try:
        import numpy  # noqa: F401
    except (ImportError, MemoryError):  # not installed, or no memory left to load it
        return False
    return True


def fits(units: Mapping[str, Mapping[str, list[int]]]) -> bool:
    """Whether every node's figures fit comfortably in 64-bit integers."""
    if isinstance(units, Table):
        return True
    return all(sum(cells) < LIMIT for by_metric in units.values() for cells in by_metric.values())


def small(total: int, denom: int, vector: Sequence[int]) -> bool:
    """Whether a metric whose largest figure is ``total`` can be rounded in arrays."""
    return total * denom * 4 < LIMIT and max(vector, default=0) < LIMIT


class Tree:
    """A tree's nodes in level order (the rows of its tables) and its sibling
    groups level by level: the children of one level's parents are consecutive."""

    def __init__(self, np: Any, root: Node) -> None:
        self.nodes: list[Node] = [root]
        # Per level: the parents' rows, each group's first child (counted from the
        # level's first), the groups' sizes, each child's group, the children's rows.
        self.levels: list[tuple[Any, Any, Any, Any, int, int]] = []
        level = [(0, root)]
        while True:
            parents = [(i, n) for i, n in level if n.children]
            if not parents:
                break
            lo = len(self.nodes)
            level = []
            for _, n in parents:
                for c in n.children:
                    level.append((len(self.nodes), c))
                    self.nodes.append(c)
            sizes = np.array([len(n.children) for _, n in parents], dtype=np.int64)
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            group = np.repeat(np.arange(len(parents)), sizes)
            rows = np.array([i for i, _ in parents], dtype=np.int64)
            self.levels.append((rows, starts, sizes, group, lo, len(self.nodes)))
        self.row = {n.key: i for i, n in enumerate(self.nodes)}


def round_table(
    np: Any,
    tree: Tree,
    units: Any,
    vector: Sequence[int],
    denom: int,
    root_row: list[int],
    fallback: Fallback,
) -> Any | None:
    """Every node's row (a matrix, rows in ``tree``'s order), given the root's;
    ``units`` holds each node's figure in that order (see :func:`small`). ``None``
    when a group has no solution (the caller then rounds the whole tree at once).

    ``fallback(rows, row_totals, col_totals)`` rounds one sibling group the
    slow way, for the groups the array greedy leaves unsettled."""
    vec = np.asarray(vector, dtype=np.int64)
    table = np.empty((len(tree.nodes), len(vec)), dtype=np.int64)
    table[0] = root_row
    for parents, starts, sizes, group, lo, hi in tree.levels:
        u = units[lo:hi]
        result, failed = _greedy(np, u, vec, denom, group, starts, table[parents])
        table[lo:hi] = result
        for g in np.flatnonzero(failed).tolist():
            first, last = lo + int(starts[g]), lo + int(starts[g] + sizes[g])
            members = units[first:last].tolist()
            exact = [[x * v for v in vector] for x in members]
            redo = fallback(exact, members, table[parents[g]].tolist())
            if redo is None:
                return None
            table[first:last] = redo
    return table


class Table(Mapping[str, Mapping[str, list[int]]]):
    """Each node's rows per metric, held as one matrix per metric (a node's
    lists are made when it is looked up)."""

    def __init__(self, tree: Tree, paths: Sequence[str], matrices: Mapping[str, Any]) -> None:
        self.tree = tree
        self.paths = paths  # in the order the mapping iterates
        self.matrices = matrices  # metric -> nodes (tree order) x segments
        self._made: dict[str, dict[str, list[int]]] = {}

    def __getitem__(self, path: str) -> Mapping[str, list[int]]:
        made = self._made.get(path)
        if made is None:
            i = self.tree.row[path]
            made = {m: matrix[i].tolist() for m, matrix in self.matrices.items()}
            self._made[path] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def sums(self, start: int, stop: int) -> dict[str, list[int]]:
        """Per metric, each node's sum of segments ``start`` to ``stop`` (tree order)."""
        return {
            m: matrix[:, start:stop].sum(axis=1).tolist() for m, matrix in self.matrices.items()
        }

    def column(self, j: int) -> dict[str, list[int]]:
        """Per metric, each node's cell in segment ``j`` (tree order)."""
        return {m: matrix[:, j].tolist() for m, matrix in self.matrices.items()}


def _greedy(
    np: Any, u: Any, vec: Any, d: int, group: Any, starts: Any, parent_rows: Any
) -> tuple[Any, Any]:
    """The per-parent greedy for every group at once, on the rows ``u ⊗ vec``;
    returns the rounded rows and which groups it could not settle.

    The arrays are held column by column (one segment's cells side by side),
    and a column's candidates are ordered by one sort of a combined integer key
    (group, then furthest behind, then the larger remainder; a stable sort
    keeps the sibling declared first) where the key fits in 64 bits."""
    n, p = len(u), len(vec)
    n_groups = len(starts)
    x = vec[:, None] * u[None, :]  # exact values, one segment a row
    floors, rems = np.divmod(x, d)
    positive = rems > 0
    need_col = parent_rows.T - np.add.reduceat(floors, starts, axis=1)
    left = u - floors.sum(axis=0)
    failed = (need_col < 0).any(axis=0)
    failed |= np.bincount(group, weights=(left < 0), minlength=n_groups) > 0
    result = floors.copy()
    behind = np.zeros(n, dtype=np.int64)  # rounded minus exact running total, times d
    most = np.zeros(n, dtype=np.int64)  # how far ahead and behind it has been
    least = np.zeros(n, dtype=np.int64)
    index = np.arange(n)
    for j in range(p):
        np.maximum(most, behind, out=most)  # after the segment before
        np.minimum(least, behind, out=least)
        behind -= rems[j]  # the floors given, less the exact values
        spare = np.where(failed, 0, need_col[j])
        if not spare.any():
            continue
        rem = rems[j]
        idx = index[positive[j] & (left > 0) & (spare > 0)[group]]
        grp = group[idx]
        count = np.bincount(grp, minlength=n_groups)
        short = (spare > 0) & (count < spare)
        if short.any():
            failed |= short
            spare[short] = 0
            count[short] = 0
            keep = ~short[grp]
            idx, grp = idx[keep], grp[keep]
        if not len(idx):
            continue
        lag = behind[idx]
        low = int(lag.min())
        span = int(lag.max()) - low + 1
        if n_groups * span * d < KEY_LIMIT:
            order = np.argsort((grp * span + (lag - low)) * d + (d - rem[idx]), kind="stable")
        else:
            order = np.lexsort((idx, -rem[idx], lag, grp))
        idx, grp = idx[order], grp[order]
        # Each group's first ``spare`` in that order: positions before its end.
        end = np.cumsum(count) - count + spare
        chosen = idx[index[: len(idx)] < end[grp]]
        result[j, chosen] += 1
        behind[chosen] += d
        left[chosen] -= 1
    np.maximum(most, behind, out=most)
    np.minimum(least, behind, out=least)
    failed |= np.bincount(group, weights=(left != 0), minlength=n_groups) > 0
    # A running total a unit or more from exact (a group that failed on the way
    # is failed already, whatever its rows say).
    far = (most >= d) | (least <= -d)
    failed |= np.bincount(group, weights=far, minlength=n_groups) > 0
    return result.T, failed
