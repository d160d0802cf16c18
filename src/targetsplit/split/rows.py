"""One node's row, and one parent's children's rows, rounded over time: the
ledger's steps (:mod:`targetsplit.split.ledger`), which the search
(:mod:`targetsplit.split.search`) also starts from. Exact values are integers
over a denominator; every cell comes out the floor or the ceiling of exact."""

from __future__ import annotations

from collections.abc import Sequence

from targetsplit.numbers.flow import INF, feasible_flow


def round_row(exact: Sequence[int], denom: int, total: int) -> list[int]:
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


def round_children(
    rows: Sequence[Sequence[int]],
    denoms: Sequence[int],
    row_totals: Sequence[int],
    col_totals: Sequence[int],
    *,
    greedy_only: bool = False,
) -> list[list[int]] | None:
    """Integer rows, each cell the floor or ceiling of ``row / its denominator``,
    with the given row and column totals; ``None`` when there is no such rounding.

    Period by period, a column's spare units go to the children that are most
    behind their exact running total, so that each child's targets to date stay
    close to exact too (a max-flow settles the rare case this cannot finish).
    """
    k = len(rows)
    floors = [[x // d for x in row] for row, d in zip(rows, denoms, strict=True)]
    rems = [[x % d for x in row] for row, d in zip(rows, denoms, strict=True)]
    same = len(set(denoms)) == 1

    def key(i: int, deficit: int, rem: int) -> tuple[int, int, int]:
        if same:
            return deficit, rem, -i
        # Over different denominators: in units of 2**-64 (integers compare
        # fast; Fractions were most of the time of a team of 10,000 reps with
        # seasonality of their own). Only the order matters, and only between
        # children: which one gets a spare unit.
        d = denoms[i]
        return (deficit << 64) // d, (rem << 64) // d, -i

    need_col = [c - sum(col) for c, col in zip(col_totals, zip(*floors, strict=True), strict=True)]
    need_row = [t - sum(f) for t, f in zip(row_totals, floors, strict=True)]
    # Where a column or a row needs a cell below its floor, the greedy cannot
    # round it (the flows may, with their loose cells).
    ok = all(c >= 0 for c in need_col) and all(r >= 0 for r in need_row)
    result = [list(f) for f in floors]
    running = [0] * k  # exact running totals (numerators)
    given = [0] * k  # rounded running totals, times each row's denominator
    left = list(need_row)
    columns = zip(
        zip(*rows, strict=True),
        zip(*floors, strict=True),
        zip(*rems, strict=True),
        need_col,
        strict=True,
    )
    for j, (xs, fs, rs, spare) in enumerate(columns if ok else ()):
        running = [a + x for a, x in zip(running, xs, strict=True)]
        given = [g + f * d for g, f, d in zip(given, fs, denoms, strict=True)]
        if not spare:
            continue
        cand = [key(i, running[i] - given[i], rs[i]) for i in range(k) if rs[i] and left[i] > 0]
        if len(cand) < spare:
            ok = False
            break
        chosen = [max(cand)] if spare == 1 else sorted(cand, reverse=True)[:spare]
        for _, _, neg in chosen:
            i = -neg
            result[i][j] += 1
            given[i] += denoms[i]
            left[i] -= 1
    if ok and not any(left) and running_within_a_unit(rows, result, denoms):
        return result
    if greedy_only:  # no flows: where the greedy cannot finish, None
        return None
    return round_by_prefix_flow(rows, denoms, row_totals, col_totals) or round_by_prefix_flow(
        rows, denoms, row_totals, col_totals, loose=True
    )


def running_within_a_unit(
    rows: Sequence[Sequence[int]], result: Sequence[Sequence[int]], denoms: Sequence[int]
) -> bool:
    """Whether every running total of ``result`` is the floor or the ceiling of exact."""
    for row, out, denom in zip(rows, result, denoms, strict=True):
        exact = given = 0
        for x, y in zip(row, out, strict=True):
            exact += x
            given += y * denom
            if given - exact >= denom or exact - given >= denom:
                return False
    return True


def cell_bounds(x: int, denom: int, loose: bool) -> tuple[int, int]:
    """A cell's bounds: the floor and the ceiling of exact, or, ``loose``, any
    number of units where there is something to carry (never on days without
    working time, never below zero) — used only where running totals within a
    unit need a cell to take one unit more than its ceiling."""
    if not loose:
        return bounds(x, denom)
    return (0, INF) if x else (0, 0)


def bounds(x: int, denom: int) -> tuple[int, int]:
    """The floor and the ceiling of ``x / denom``."""
    q, r = divmod(x, denom)
    return q, q + (1 if r else 0)


def round_by_prefix_flow(
    rows: Sequence[Sequence[int]],
    denoms: Sequence[int],
    row_totals: Sequence[int],
    col_totals: Sequence[int],
    *,
    loose: bool = False,
) -> list[list[int]] | None:
    """Children's rows as one feasible flow in which every cell *and every
    running total* is the floor or the ceiling of its exact value; ``None`` when
    the parent's row allows no such rounding.

    Child ``i`` is a chain of nodes, one per period, each holding the running
    total through its period: the chain's head receives the child's figure, and
    each link passes on the running total of the periods before, while the
    period's own cell flows to that period's column (which must carry the
    parent's figure for it)."""
    k, p = len(rows), len(col_totals)
    source, sink = k * p + p, k * p + p + 1
    edges: list[tuple[int, int, int, int]] = []
    cells: list[tuple[int, int, int]] = []  # child, period, edge
    for i, (row, denom) in enumerate(zip(rows, denoms, strict=True)):
        base = i * p
        edges.append((source, base + p - 1, row_totals[i], row_totals[i]))
        running = sum(row)
        for j in range(p - 1, -1, -1):
            running -= row[j]  # now the exact total of the periods before j
            cells.append((i, j, len(edges)))
            edges.append((base + j, k * p + j, *cell_bounds(row[j], denom, loose)))
            if j:
                edges.append((base + j, base + j - 1, *bounds(running, denom)))
    for j, total in enumerate(col_totals):
        edges.append((k * p + j, sink, total, total))
    edges.append((sink, source, 0, INF))
    flows = feasible_flow(sink + 1, edges)
    if flows is None:
        return None
    out = [[0] * p for _ in range(k)]
    for i, j, e in cells:
        out[i][j] = flows[e]
    return out
