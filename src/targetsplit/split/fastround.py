"""The ledger's controlled rounding for the common case, in whole arrays.

When every node of a metric follows one seasonality, each node's exact row
is its figure times one vector, and the per-parent greedy of
``split.ledger._round_children`` can run for all the sibling groups of a
level at once. This module does exactly that greedy — the same candidates,
the same order (furthest behind its exact running total, then the larger
remainder, then the sibling declared first), the same checks — so its
results are identical to the pure-Python rounding; a group the greedy
cannot settle is handed back to it. NumPy is imported only here, and only
when a command rounds a ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from targetsplit.plan.tree import Node

# Exact values must stay well inside 64-bit integers.
LIMIT = 1 << 60
# The greedy's combined sort key must too.
KEY_LIMIT = 1 << 62

Fallback = Callable[[list[list[int]], list[int], list[int]], list[list[int]] | None]


def available() -> bool:
    try:
        import numpy  # noqa: F401
    except (ImportError, MemoryError):  # not installed, or no memory left to load it
        return False
    return True


def fits(units: Mapping[str, Mapping[str, list[int]]]) -> bool:
    """Whether every node's figures fit comfortably in 64-bit integers."""
    return all(sum(cells) < LIMIT for by_metric in units.values() for cells in by_metric.values())


def round_tree(
    root: Node,
    units: Mapping[str, int],
    vector: Sequence[int],
    denom: int,
    root_row: list[int],
    fallback: Fallback,
) -> dict[str, list[int]] | None:
    """Every node's row, given the root's; ``None`` when a group has no
    solution (the caller then rounds the whole tree at once).

    ``fallback(rows, row_totals, col_totals)`` rounds one sibling group the
    slow way, for the groups the array greedy leaves unsettled."""
    import numpy as np

    if max(units.values(), default=0) * denom * 4 >= LIMIT or max(vector, default=0) >= LIMIT:
        return _python(root, units, vector, denom, root_row, fallback)
    vec = np.asarray(vector, dtype=np.int64)
    out: dict[str, list[int]] = {root.key: root_row}
    level = [root]
    while True:
        parents = [n for n in level if n.children]
        if not parents:
            return out
        kids = [c for n in parents for c in n.children]
        sizes = np.fromiter((len(n.children) for n in parents), dtype=np.int64, count=len(parents))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        group = np.repeat(np.arange(len(parents)), sizes)
        u = np.fromiter((units[c.key] for c in kids), dtype=np.int64, count=len(kids))
        parent_rows = np.array([out[n.key] for n in parents], dtype=np.int64)
        result, failed = _greedy(np, u, vec, denom, group, starts, parent_rows)
        rows = result.tolist()
        for g in np.flatnonzero(failed).tolist():
            lo, hi = int(starts[g]), int(starts[g] + sizes[g])
            exact = [[x * v for v in vector] for x in u[lo:hi].tolist()]
            redo = fallback(exact, u[lo:hi].tolist(), out[parents[g].key])
            if redo is None:
                return None
            rows[lo:hi] = redo
        for c, row in zip(kids, rows, strict=True):
            out[c.key] = row
        level = kids


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
    floors = x // d
    given_step = floors * d
    rems = x - given_step
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
        behind += given_step[j]
        behind -= x[j]
        spare = np.where(failed, 0, need_col[j])
        if not spare.any():
            continue
        rem = rems[j]
        idx = index[(rem > 0) & (left > 0) & (spare[group] > 0)]
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
        chosen = idx[np.arange(len(idx)) < end[grp]]
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


def _python(
    root: Node,
    units: Mapping[str, int],
    vector: Sequence[int],
    denom: int,
    root_row: list[int],
    fallback: Fallback,
) -> dict[str, list[int]] | None:
    """The same rounding without arrays, for figures too large for them."""
    out: dict[str, list[int]] = {root.key: root_row}
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.children:
            continue
        rows = [[units[c.key] * v for v in vector] for c in node.children]
        rounded = fallback(rows, [units[c.key] for c in node.children], out[node.key])
        if rounded is None:
            return None
        for c, row in zip(node.children, rounded, strict=True):
            out[c.key] = row
        stack.extend(node.children)
    return out
