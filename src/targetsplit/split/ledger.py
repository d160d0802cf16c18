"""The time ledger: every node's figures over the period, rounded once.

The grain is the *segment* (``Breakdown.segments``): the days between two
consecutive week or month boundaries. Every figure any view shows — a week,
a month, a quarter, a half, a ``--period`` range, a week clipped to a
period, a target to date — is a sum of segments, so two views that cover
the same days always show the same number.

Controlled rounding: each node's segment figures add up to the node's
figure *and* each parent's figure for a segment is the sum of its
children's, every cell within one rounding unit of its exact value (the
floor or the ceiling of it). Exact values are integers over one common
denominator, so the arithmetic is exact and fast. The rounding goes
top-down: the root's row by rounding its running totals (each within half a
unit of exact), then for each parent a small transportation problem for its
children (a greedy that keeps each child's running total close to exact, a
max-flow when it cannot finish), every node's running totals the floor or
the ceiling of exact. Where nodes have time shapes of their own (seasonality
or ramps below the top), this runs over the working days — each segment's
exact value spread evenly over its days, the days summed back to segments —
so that every node's target to date is within a unit on every day, not only
at segment boundaries. Should a parent's row leave its children no solution —
possible only with shapes of their own below it — the smallest subtree around
it is rounded by a search over its nodes' running totals
(:mod:`targetsplit.split.search`), widening to the whole metric where needed.
Over the working days that search gets half its budget first; should
it give up, the segments are searched, with each day on which a target to
date cannot be within a unit as one more boundary, round after round
(:func:`_round_by_cut_days`: far fewer bits); only where days are left off
is the search over all the days tried again. Should it give up again, or prove that no
rounding exists (plans of many copies of a hard team, built to be so, can
still make it give up), those segments are kept, and their days mended where
they can be (:func:`_round_days`); only should the segments' search give up
too is the metric rounded as one feasible flow over the tree, which always
exists but bounds the running totals of the plan total and the leaves only.

A cut-off inside a segment splits that segment's cells once more, top-down
with the same fraction of working days for every node (:meth:`Ledger.to_date`);
not one with the segment's working days all done, or none of them.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, NamedTuple

from targetsplit.calendar.seasonality import (
    Seasonality,
    month_shares,
    segment_shares,
    share_to_date,
)
from targetsplit.calendar.workdays import Breakdown, Segment
from targetsplit.calendar.workdays import days as each_day
from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers.flow import INF, feasible_flow
from targetsplit.plan.rampfit import Profiles, Unfit, fit, has_ramps
from targetsplit.plan.tree import Node, Plan, node_loc
from targetsplit.split import fastround
from targetsplit.split.hierarchy import Allocation
from targetsplit.split.rows import bounds, cell_bounds, round_children, round_row
from targetsplit.split.search import LEARN_FIRST, round_between, round_by_search


def _round_group(
    denom: int, rows: list[list[int]], row_totals: list[int], col_totals: list[int]
) -> list[list[int]] | None:
    """:func:`round_children` for rows over one denominator."""
    return round_children(rows, [denom] * len(rows), row_totals, col_totals)


#: How many segments on each side of one whose days cannot be rounded
#: between its ends are searched with it (:func:`_round_days`).
DAYS_REACH = 4
#: How many searches over the segments and the days found off so far
#: (:func:`_round_by_cut_days`).
CUT_ROUNDS = 8


def _round_tree(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    *,
    by_day: bool = False,
) -> dict[str, list[int]]:
    """:func:`_round_tree_unless_stuck`, else the whole tree as one flow."""
    found = _round_tree_unless_stuck(root, units, exact, denoms, workdays, by_day=by_day)
    return found.rows if found is not None else _round_tree_by_flow(root, units, exact, denoms)


class _Rounded(NamedTuple):
    """A metric's rows per segment, and (rounded ``by_day``, the search over
    the days having given up) the working days on which some node's target
    to date cannot be within a unit (:func:`_round_days`), of ``workdays``."""

    rows: dict[str, list[int]]
    off: tuple[int, ...] = ()
    workdays: int = 0


def _round_tree_unless_stuck(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    *,
    by_day: bool = False,
) -> _Rounded | None:
    """Top-down controlled rounding of one metric; node ``key``'s exact values
    are ``exact[key]`` over ``denoms[key]``, segment ``j`` having
    ``workdays[j]`` working days.

    ``by_day`` (where nodes have time shapes of their own: seasonality or
    ramps): rounded at the grain of the working day — each segment's exact
    value spread evenly over its working days, as a target to date inside a
    segment counts it, the days' cells summed back to segments — so that
    every node's running total is within a unit at the end of every working
    day, and a target to date on any day can be had within a unit for every
    node (:meth:`Ledger.to_date` finds it). Should the search there give up
    with half its budget (far more bits than the segments'), the
    segments and the days found off are searched (:func:`_round_by_cut_days`),
    all the days again only where days are left off; should that give up, the
    segments so found are kept and their days mended where they can be
    (:func:`_round_days`): the working days on which a target to date may
    be more than a unit off for some node are in ``off``. Where all share one
    shape, the segment boundaries are enough: every node's exact value to
    date is then the same fraction of its figure. ``None`` where the search
    gives up: the metric is then to be rounded as one flow
    (:func:`_round_tree_by_flow`).
    """
    if by_day and any(w > 1 for w in workdays):
        common = math.lcm(*(w for w in workdays if w))
        daily = {node.key: _spread(exact[node.key], workdays, common) for node in root.walk()}
        daily_denoms = {key: denoms[key] * common for key in daily}
        days = _round_tree_by_segments(root, units, daily, daily_denoms, most=LEARN_FIRST)
        if days is None:  # the segments and the days found off, then all the days again
            cut = _round_by_cut_days(root, units, exact, denoms, workdays)
            if cut is not None and not cut[1]:
                return _Rounded(cut[0])
            days = _round_tree_by_segments(root, units, daily, daily_denoms)
            if days is None:  # the days found off, mended where they can be
                if cut is None:
                    return None
                off = _round_days(root, units, exact, denoms, workdays, cut[0])
                return _Rounded(cut[0], off, sum(workdays))
        out: dict[str, list[int]] = {}
        for key, cells in days.items():
            summed, at = [], 0
            for w in workdays:
                summed.append(sum(cells[at : at + max(w, 1)]))
                at += max(w, 1)
            out[key] = summed
        return _Rounded(out)
    rows = _round_tree_by_segments(root, units, exact, denoms)
    return None if rows is None else _Rounded(rows)


def _spread(row: Sequence[int], workdays: Sequence[int], common: int) -> list[int]:
    """A row of segment cells spread evenly over their working days, over
    ``common`` times its denominator (a segment without any: one cell)."""
    cells: list[int] = []
    for x, w in zip(row, workdays, strict=True):
        cells += [x * (common // w)] * w if w else [x * common]
    return cells


def _part_range(
    want: int,
    d: int,
    cell: int,
    lows: Mapping[str, int],
    highs: Mapping[str, int],
    kids: Sequence[Node],
) -> tuple[int, int]:
    """What a node's part of its cell to date may be: the floor or the ceiling
    of ``want`` over ``d``, within the cell and within what its members' parts
    (``lows`` to ``highs``) can add up to; low above high where they do not meet."""
    low = min(max(want // d, 0), cell)
    high = max(min(-(-want // d), cell), low)
    if kids:
        low = max(low, sum(lows[c.key] for c in kids))
        high = min(high, sum(highs[c.key] for c in kids))
    return low, high


def _round_by_cut_days(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
) -> tuple[dict[str, list[int]], dict[int, tuple[int, ...]]] | None:
    """The segments' rows, searched over the segments and over the days found
    off so far: each working day on which some node's target to date cannot
    be within a unit (:func:`_all_days_off`) becomes a boundary of the next search
    (its segment cut there, each part's exact value in proportion to its
    days), whose rounding of that day then is one; until none is left, or
    after :data:`CUT_ROUNDS` searches, or where a search gives up (then the
    last rows found); with the days still off (:func:`_all_days_off`). A few
    dozen days more than the segments' bits, not the whole year's days.
    ``None`` where the first search gives up."""
    keys = [n.key for n in root.walk()]
    count = len(workdays)
    cuts: list[set[int]] = [set() for _ in range(count)]  # days after which a segment is cut
    best = None
    for _ in range(CUT_ROUNDS):
        common = math.lcm(1, *(workdays[j] for j in range(count) if cuts[j]))
        pieces = []  # per segment, its parts' numbers of days
        for j, w in enumerate(workdays):
            ends = sorted(cuts[j])
            pieces.append([b - a for a, b in zip([0, *ends], [*ends, w], strict=True)])
        fine = {
            key: [
                x * (common // w) * n if cuts[j] else x * common
                for j, (x, w) in enumerate(zip(exact[key], workdays, strict=True))
                for n in pieces[j]
            ]
            for key in keys
        }
        got = _round_tree_by_segments(root, units, fine, {k: denoms[k] * common for k in keys})
        if got is None:
            break
        rows: dict[str, list[int]] = {}
        for key, cells in got.items():
            summed, at = [], 0
            for parts in pieces:
                summed.append(sum(cells[at : at + len(parts)]))
                at += len(parts)
            rows[key] = summed
        off = _all_days_off(root, exact, denoms, workdays, rows)
        best = rows, off
        if not off:
            break
        for j, days in off.items():
            cuts[j].update(d + 1 for d in days)
    return best


def _all_days_off(
    root: Node,
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    rows: Mapping[str, list[int]],
) -> dict[int, tuple[int, ...]]:
    """Per segment that has any, its working days but its last (counted from
    0) on which some node's target to date cannot be within a unit of exact:
    each node's part of the segment's cell the floor or the ceiling of what
    it wants (the segment's exact value spread evenly over its days), within
    the cell and within what its members' parts can add up to (as
    :func:`_part_range` has it, here in lists: it runs for every node and
    working day)."""
    nodes = list(root.walk())
    count = len(nodes)
    index = {n.key: i for i, n in enumerate(nodes)}
    kids = [[index[c.key] for c in n.children] for n in nodes]
    order = [i for i in range(count - 1, -1, -1) if kids[i]]  # parents, after their members
    leaves = [i for i in range(count) if not kids[i]]
    xs = [exact[n.key] for n in nodes]
    cells = [rows[n.key] for n in nodes]
    dens = [denoms[n.key] for n in nodes]
    before = [0] * count  # exact values before the segment, over the node's denominator
    given = [0] * count  # units before the segment
    lows, highs = [0] * count, [0] * count
    out = {}
    for j, w in enumerate(workdays):
        if w > 1:
            off = []
            for day in range(1, w):
                for i in leaves:
                    d = dens[i] * w
                    want = before[i] * w + xs[i][j] * day - given[i] * d
                    cell = cells[i][j]
                    lows[i] = low = min(max(want // d, 0), cell)
                    highs[i] = max(min(-(-want // d), cell), low)
                for i in order:
                    d = dens[i] * w
                    want = before[i] * w + xs[i][j] * day - given[i] * d
                    cell = cells[i][j]
                    low = min(max(want // d, 0), cell)
                    high = max(min(-(-want // d), cell), low)
                    low = max(low, sum([lows[c] for c in kids[i]]))
                    high = min(high, sum([highs[c] for c in kids[i]]))
                    if low > high:
                        off.append(day - 1)
                        break
                    lows[i], highs[i] = low, high
            if off:
                out[j] = tuple(off)
        for i in range(count):
            before[i] += xs[i][j]
            given[i] += cells[i][j]
    return out


def _round_days(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    rows: dict[str, list[int]],
) -> tuple[int, ...]:
    """The working days (each as its number in the period, from 0) on which a
    target to date cannot be had within a unit of exact for every node (each
    part within its cell, children adding up, as :meth:`Ledger.to_date` seeks
    it) between the segments' ends as ``rows`` have them.

    Where a segment has such days, it is searched again with its neighbours,
    up to :data:`DAYS_REACH` on each side, over their working days, the ends
    between them free and the outer ones kept
    (:func:`~targetsplit.split.search.round_between`, the cells before and
    after lumped into one each): where that finds a rounding, ``rows`` is
    changed so (every running total at a segment's end still within a unit)
    and none of their days is left out."""
    keys = [n.key for n in root.walk()]
    # Exact values and units before each segment, per node.
    exact_before = {key: [0, *itertools.accumulate(exact[key])] for key in keys}
    done = {key: [0, *itertools.accumulate(rows[key])] for key in keys}
    count = len(workdays)
    day_one = [0, *itertools.accumulate(workdays)]  # working days before each segment
    bad = _all_days_off(root, exact, denoms, workdays, rows)
    for j in range(count):
        if not bad.get(j):
            continue
        for reach in range(1, DAYS_REACH + 1):
            first, last = max(0, j - reach), min(count - 1, j + reach)
            if first == 0 and last == count - 1:
                break  # the whole period: the search that gave up
            window = range(first, last + 1)
            common = math.lcm(*(workdays[i] for i in window if workdays[i]))
            cut: dict[str, list[int]] = {}
            for key in keys:
                cut[key] = [
                    exact_before[key][first] * common,
                    *_spread(exact[key][first : last + 1], workdays[first : last + 1], common),
                    (exact_before[key][-1] - exact_before[key][last + 1]) * common,
                ]
            ends = {key: (done[key][first], done[key][last + 1]) for key in keys}
            scaled = {key: denoms[key] * common for key in keys}
            found = round_between(root, units, cut, scaled, ends)
            if found is None:
                continue
            for key in keys:  # the window's days summed back to its segments
                cells, at = found[key], 1
                for i in window:
                    n = max(workdays[i], 1)
                    rows[key][i] = sum(cells[at : at + n])
                    at += n
                    done[key][i + 1] = done[key][i] + rows[key][i]
            for i in window:
                bad.pop(i, None)
            break
    out: list[int] = []
    for j in sorted(bad):
        out += [day_one[j] + k for k in bad[j]]
    return tuple(out)


def _round_tree_by_segments(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    *,
    most: int | None = None,
) -> dict[str, list[int]] | None:
    """:func:`_round_tree` over the cells given; ``None`` where it needs the
    whole-tree flow (``most``: each search's budget, as
    :func:`~targetsplit.split.search.round_by_search` has it).

    A parent's row is rounded before its children's, so it may be one its
    children cannot share with every running total within a unit (with time
    shapes of their own below it, a unit can fall in a stretch where the one
    child that has working days is already a unit ahead). Then the smallest
    subtree around that parent that it can be is rounded by a search over its
    nodes' running totals (:func:`~targetsplit.split.search.round_by_search`):
    the parent's parent's, that node's row kept; else the grandparent's; at
    last the whole metric's (subtrees of one shape in it searched as their top
    and rounded after, as here). Should the search give up on that too, the metric
    is to be rounded as one feasible flow (:func:`_round_tree_by_flow`).
    """
    out = {root.key: round_row(exact[root.key], denoms[root.key], units[root.key])}
    above = {c.key: n for n in root.walk() for c in n.children}  # each node's parent
    settled: set[str] = set()  # rounded by a search, with all below them
    # Subtrees a search took as one node (all of one shape: its members are
    # rounded after, as here), and whether searches may still do so (not once
    # one of those got stuck).
    lumped: set[str] = set()
    lump = True
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.children or node.key in settled:
            continue
        kids = node.children
        rounded = round_children(
            [exact[c.key] for c in kids],
            [denoms[c.key] for c in kids],
            [units[c.key] for c in kids],
            out[node.key],
        )
        if rounded is None:
            up: Node | None = node
            while lump and up is not None:
                lump = up.key not in lumped
                up = above.get(up.key)
            found, top = None, node
            while found is None and top is not root:
                top = above[top.key]
                row = None if top is root else out[top.key]
                found = round_by_search(
                    top, units, exact, denoms, root_row=row, lump=lump, most=most
                )
            if found is None and node is root:
                found = round_by_search(root, units, exact, denoms, lump=lump, most=most)
            if found is None:
                return None
            out.update(found)
            below = [top]
            while below:
                n = below.pop()
                if n.children and n.children[0].key not in found:
                    lumped.add(n.key)  # its members: rounded from its row, as here
                    stack.append(n)
                else:
                    settled.add(n.key)
                    below.extend(n.children)
            continue
        for c, kid_row in zip(kids, rounded, strict=True):
            out[c.key] = kid_row
        stack.extend(kids)
    return out


def _round_tree_by_flow(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
) -> dict[str, list[int]]:
    """The whole tree as one feasible flow: per period, flow runs from the root
    down the tree; each leaf's flows over all periods meet in its figure.

    The root and every leaf are chains of running totals (as in
    :func:`round_by_prefix_flow`): the root's fixed to its own rounding
    (each running total within half a unit) where that leaves a solution,
    else each the floor or the ceiling of exact, as every leaf's is — first
    with every cell the floor or ceiling of exact, then letting a cell take
    more where the running totals need it; should that leave no solution
    either, only the cells are bounded."""
    own = round_row(exact[root.key], denoms[root.key], units[root.key])
    tiers = (
        (own, True, False),
        (own, True, True),
        (None, True, False),
        (None, True, True),
        (None, False, False),
    )
    for root_row, prefix, loose in tiers:
        flows = _tree_flow(
            root, units, exact, denoms, prefix=prefix, root_row=root_row, loose=loose
        )
        if flows is not None:
            return flows
    raise AssertionError("controlled rounding found no solution")  # pragma: no cover


def _tree_flow(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    *,
    prefix: bool,
    root_row: list[int] | None,
    loose: bool,
) -> dict[str, list[int]] | None:
    nodes = list(root.walk())
    p = len(exact[root.key])
    index = {n.key: k for k, n in enumerate(nodes)}
    leaves = [n for n in nodes if not n.children]
    # Node numbers: cells (node, period), then one chain of p links per leaf
    # and one for the root, then the source and the sink.
    chain_base = len(nodes) * p
    root_chain = chain_base + len(leaves) * p
    source, sink = root_chain + p, root_chain + p + 1

    def cell(key: str, j: int) -> int:
        return index[key] * p + j

    def running(key: str, j: int) -> tuple[int, int]:
        return bounds(sum(exact[key][: j + 1]), denoms[key]) if prefix else (0, INF)

    edges: list[tuple[int, int, int, int]] = []
    owner: list[tuple[str, int, int]] = []
    row = exact[root.key]
    edges.append((source, root_chain + p - 1, units[root.key], units[root.key]))
    for j in range(p - 1, -1, -1):
        owner.append((root.key, j, len(edges)))
        own = bounds(row[j], denoms[root.key]) if root_row is None else (root_row[j], root_row[j])
        edges.append((root_chain + j, cell(root.key, j), *own))
        if j:
            edges.append((root_chain + j, root_chain + j - 1, *running(root.key, j - 1)))
    for n in nodes:
        for c in n.children:
            for j in range(p):
                owner.append((c.key, j, len(edges)))
                held = cell_bounds(exact[c.key][j], denoms[c.key], loose)
                edges.append((cell(n.key, j), cell(c.key, j), *held))
    for li, leaf in enumerate(leaves):
        base = chain_base + li * p
        for j in range(p):
            edges.append((cell(leaf.key, j), base + j, 0, INF))
            if j < p - 1:
                edges.append((base + j, base + j + 1, *running(leaf.key, j)))
        edges.append((base + p - 1, sink, units[leaf.key], units[leaf.key]))
    edges.append((sink, source, 0, INF))
    flows = feasible_flow(sink + 1, edges)
    if flows is None:
        return None
    out: dict[str, list[int]] = {n.key: [0] * p for n in nodes}
    for key, j, e in owner:
        out[key][j] = flows[e]
    return out


class Loose(NamedTuple):
    """A metric whose rounding fell back to the whole-tree flow, and how far
    from exact that left its nodes' running totals at the segments' ends; or
    (``days``) one rounded over the segments, every running total within a
    unit at their ends, whose working days could not all be rounded so."""

    metric: str
    nodes: int  # the metric's nodes
    over: int  # of them, those with a running total more than a unit from exact
    worst: Fraction  # the largest distance of any node's running total, in units (shown rounded up)
    ends: bool  # the plan total's and every leaf's running totals within a unit
    # Rounded over the segments: of how many working days (the second) how
    # many (the first) a target to date may be more than a unit off on.
    days: tuple[int, int] | None = None

    def warning(self) -> Diagnostic:
        """The warning a command gives, at the metric in the plan."""
        what = f"metric '{self.metric}': no rounding over time was found that keeps every node's"
        if self.days is not None:
            off, days = self.days
            what += (
                " target to date within a unit of exact on every day, so it was rounded"
                " over the weeks and months: every running total is within a unit at the end"
                " of each week and month, every target to date on a working day between"
                f" them too but on {off:,} of the {days:,}, where it may be further off"
            )
        elif not self.over:
            what += (
                " target to date within a unit of exact on every day, so it was rounded"
                " as one flow: every running total is within a unit at the end of each"
                " week and month, a target to date between them may be further off"
            )
        else:
            worst = math.ceil(self.worst * 100)  # rounded up: a bound never understated
            what += (
                " running total within a unit of exact, so it was rounded as one flow:"
                f" {self.over:,} of {self.nodes:,} nodes' running totals are more than a"
                " unit off at the end of a week or month, by up to"
                f" {worst // 100}.{worst % 100:02} rounding units"
            )
            if self.ends:
                what += (
                    " (the plan total's and every leaf's are within a unit at the end of each"
                    " week and month, a target to date between them may be further off)"
                )
            else:
                what += (
                    " (a target to date between the ends of weeks and months may be further off)"
                )
        return Diagnostic(what, ("metrics", self.metric), severity="warning")


def _loose(
    metric: str,
    root: Node,
    rows: Mapping[str, Sequence[int]],
    exact: Mapping[str, Sequence[int]],
    denoms: Mapping[str, int],
) -> Loose:
    """How far from exact the flow left ``metric``'s running totals."""
    over, worst, ends = 0, Fraction(0), True
    for node in root.walk():
        d = denoms[node.key]
        run = far = 0  # rounded less exact, over ``d``
        for cell, x in zip(rows[node.key], exact[node.key], strict=True):
            run += cell * d - x
            far = max(far, abs(run))
        if far > d:
            over += 1
            ends = ends and node is not root and bool(node.children)
        worst = max(worst, Fraction(far, d))
    return Loose(metric, sum(1 for _ in root.walk()), over, worst, ends)


@dataclass(frozen=True)
class Ledger:
    """Each node's figures per segment and metric, as whole rounding units."""

    alloc: Allocation
    segments: tuple[Segment, ...]
    units: Mapping[str, Mapping[str, list[int]]]  # path -> metric -> per segment
    # Exact values (numerators over the node's ``denoms``), kept only when asked for.
    exact: Mapping[str, Mapping[str, list[int]]] | None
    denoms: Mapping[str, int]
    # With ramps: the exact profile (each segment's share of the node's figure)
    # of every node the ramps move, per metric (plan.rampfit).
    fitted: Profiles | None = None
    # The metrics rounded as one flow (the search gave up), in plan order.
    loose: tuple[Loose, ...] = ()

    def span(self, start: date, end: date) -> range:
        """The segments that make up the days ``start`` to ``end`` (inclusive),
        which must begin and end on segment boundaries."""
        starts = [s.start for s in self.segments]
        i = bisect_left(starts, start)
        j = bisect_right(starts, end)
        assert i < len(starts) and starts[i] == start, "a view starts on a segment boundary"
        assert self.segments[j - 1].end == end, "a view ends on a segment boundary"
        return range(i, j)

    def to_date(self, day: date) -> dict[str, dict[str, int]]:
        """Each node's units from the period's start through ``day``.

        Whole segments are summed; a segment the cut-off falls inside is split
        top-down: each node's part is the floor or the ceiling of what keeps its
        target to date nearest exact (never below zero or above its cell) where
        its members can make that up, the plan total's the nearest such (within
        half a unit where it can); each parent's part is shared among its
        children by how far each is from its exact running total. The split is
        made for each working day of the segment through the cut-off in turn,
        each part no less than the day before's where its members can make
        that (else as if alone), so that no target to date goes down."""
        b = self.alloc.plan.breakdown
        assert b is not None
        rows = self.alloc.rows
        segs = self.segments
        if day < segs[0].start:
            return {r.path: dict.fromkeys(r.units, 0) for r in rows}
        if day >= segs[-1].end:
            return {r.path: dict(r.units) for r in rows}
        k = bisect_right([s.start for s in segs], day) - 1
        # The segment's working days through the cut-off: none, or all of
        # them, and it is not split (a Friday gives what the Sunday after does).
        done = sum(1 for d in each_day(segs[k].start, day) if d in b.day_month)
        whole = k + 1 if segs[k].end == day or done == segs[k].workdays else k
        split = whole == k and done != 0  # the cut-off splits segment k
        held = self.units
        if isinstance(held, fastround.Table):  # in arrays: sums of whole columns
            row = held.tree.row
            sums = held.sums(0, whole)
            out = {path: {m: sums[m][row[path]] for m in sums} for path in held.paths}
            if not split:
                return out
            keys = [n.key for n in held.tree.nodes]
            column = held.column(k)
            cells = {m: dict(zip(keys, column[m], strict=True)) for m in column}
        else:
            out = {
                path: {m: sum(cells[:whole]) for m, cells in by_metric.items()}
                for path, by_metric in held.items()
            }
            if not split:
                return out
            cells = {
                m.name: {path: by_metric[m.name][k] for path, by_metric in held.items()}
                for m in self.alloc.plan.metrics
            }
        plan = self.alloc.plan
        post_order = list(plan.root.walk())[::-1]
        # Split day by day from the segment's first working day, each day's
        # parts no less than the day before's where its members allow: a target
        # to date does not go down from one working day to the next.
        parts: dict[str, dict[str, int]] = {}
        for d in each_day(segs[k].start, day):
            if d not in b.day_month:
                continue
            base = _shares_to_date(plan, b, d)
            by_metric_shares = {m.name: base for m in plan.metrics}
            if self.fitted:  # the nodes the ramps move: by their profiles
                moved = _fitted_to_date(self.fitted, base, b, segs[k], d, k)
                by_metric_shares = {**by_metric_shares, **moved}
            for metric in plan.metrics:
                name = metric.name
                got = None
                if name in parts:
                    got = self._parts(
                        post_order, out, cells[name], by_metric_shares[name], name, parts[name]
                    )
                if got is None:
                    got = self._parts(
                        post_order, out, cells[name], by_metric_shares[name], name, None
                    )
                assert got is not None
                parts[name] = got
        for name, part in parts.items():
            for key, x in part.items():
                out[key][name] += x
        return out

    def _parts(
        self,
        post_order: Sequence[Node],
        out: Mapping[str, Mapping[str, int]],
        cells: Mapping[str, int],
        shares: Mapping[str, Fraction],
        name: str,
        before: Mapping[str, int] | None,
    ) -> dict[str, int] | None:
        """Each node's part of its cell of the segment split by a cut-off
        (:meth:`to_date`), ``out`` holding the whole segments before it;
        ``before``: the day before's parts, each part no less (None where its
        members cannot make that)."""
        # Exact values to date as integers over one common denominator.
        common = 1
        for f in set(shares.values()):
            common = math.lcm(common, f.denominator)
        want: dict[str, int] = {}  # exact to date minus the whole segments, times common
        for node in post_order:
            key = node.key
            if node.children:
                exact = sum(want[c.key] + out[c.key][name] * common for c in node.children)
            else:
                f = shares[key]
                exact = self.alloc.row(key).units[name] * f.numerator * (common // f.denominator)
            want[key] = exact - out[key][name] * common
        # What each node's part may be: the floor or the ceiling of what it
        # wants, within its cell, and within what its members can add up to
        # (where the two do not meet, what its members can add up to).
        lows: dict[str, int] = {}
        highs: dict[str, int] = {}
        for node in post_order:
            key = node.key
            kids = node.children
            low, high = _part_range(want[key], common, cells[key], lows, highs, kids)
            if before is not None:
                low = max(low, before[key])
                if low > high:
                    return None
            elif low > high:
                low = sum(lows[c.key] for c in kids)
                high = sum(highs[c.key] for c in kids)
            lows[key], highs[key] = low, high
        root = post_order[-1]
        nearest = (2 * want[root.key] + common) // (2 * common)
        part = {root.key: min(max(nearest, lows[root.key]), highs[root.key])}
        stack = [root]
        while stack:
            node = stack.pop()
            if not node.children:
                continue
            kids = node.children
            got = _share_part(
                part[node.key],
                [want[c.key] for c in kids],
                common,
                [lows[c.key] for c in kids],
                [highs[c.key] for c in kids],
            )
            for c, x in zip(kids, got, strict=True):
                part[c.key] = x
            stack.extend(kids)
        return part


def _shares_to_date(plan: Plan, b: Breakdown, day: date) -> dict[str, Fraction]:
    """Each node's exact share of its figure from the period's start through ``day``."""
    memo: dict[int, Fraction] = {}
    out: dict[str, Fraction] = {}

    def assign(node: Node, inherited: Seasonality | None) -> None:
        s = node.seasonality or inherited
        if id(s) not in memo:
            memo[id(s)] = share_to_date(month_shares(s, b), b, day)
        out[node.key] = memo[id(s)]
        for c in node.children:
            assign(c, s)

    assign(plan.root, plan.seasonality)
    return out


def _fitted_to_date(
    fitted: Profiles,
    base: Mapping[str, Fraction],
    b: Breakdown,
    seg: Segment,
    day: date,
    k: int,
) -> dict[str, dict[str, Fraction]]:
    """Each node's exact share of its figure through ``day`` (inside segment
    ``k``, which has working days), per metric: a node the ramps move by its
    profile (segment ``k`` by its working days so far: productivity is the same
    all through a segment), the others by their seasonality (``base``)."""
    done = sum(1 for d in b.day_month if seg.start <= d <= day)
    part = Fraction(done, seg.workdays)
    out: dict[str, dict[str, Fraction]] = {}
    for key, by_metric in fitted.items():
        for name, profile in by_metric.items():
            shares = out.setdefault(name, dict(base))
            shares[key] = sum(profile[:k], Fraction(0)) + profile[k] * part
    return out


def _share_part(
    total: int, wants: Sequence[int], denom: int, lows: Sequence[int], highs: Sequence[int]
) -> list[int]:
    """``total`` units shared so that each part is as near its ``want / denom`` as
    can be, between its low and its high (``total`` lies between their sums);
    ties go to the sibling declared first."""
    parts = list(lows)
    need = total - sum(parts)
    assert 0 <= need <= sum(highs) - sum(lows), "a parent's part is what its members can make"
    heap = [(p * denom - w, i) for i, (w, p) in enumerate(zip(wants, parts, strict=True))]
    heap = [(key, i) for key, i in heap if parts[i] < highs[i]]
    heapq.heapify(heap)
    for _ in range(need):  # to those furthest below what they want
        _, i = heapq.heappop(heap)
        parts[i] += 1
        if parts[i] < highs[i]:
            heapq.heappush(heap, (parts[i] * denom - wants[i], i))
    return parts


def build(alloc: Allocation, *, keep_exact: bool = False) -> Ledger:
    """Round every node's figures over the period's segments, once."""
    plan = alloc.plan
    b = plan.breakdown
    assert b is not None, "a built plan always has its breakdown"
    segments = b.segments
    workdays = [s.workdays for s in segments]

    # The seasonality in force at each node, and each one's segment shares.
    vectors: dict[int, tuple[Fraction, ...]] = {}
    in_force: dict[str, int] = {}
    nodes = list(plan.root.walk())

    def assign(node: Node, inherited: Seasonality | None) -> None:
        s = node.seasonality or inherited
        key = id(s)
        if key not in vectors:
            vectors[key] = segment_shares(month_shares(s, b), b)
        in_force[node.key] = key
        for c in node.children:
            assign(c, s)

    if any(n.seasonality is not None for n in nodes):
        assign(plan.root, plan.seasonality)
    else:  # the plan's seasonality everywhere
        vectors[id(plan.seasonality)] = segment_shares(month_shares(plan.seasonality, b), b)
        in_force = dict.fromkeys((n.key for n in nodes), id(plan.seasonality))
    # Each seasonality's shares over its own denominator, and each node's
    # denominator the least common multiple of its members' (so that numbers
    # grow with a subtree's distinct seasonalities, not with the whole plan's).
    numerators: dict[int, list[int]] = {}
    vector_denom: dict[int, int] = {}
    for k, vec in vectors.items():
        d = math.lcm(*(f.denominator for f in vec))
        vector_denom[k] = d
        numerators[k] = [f.numerator * (d // f.denominator) for f in vec]
    post_order = nodes[::-1]
    fitted = _fit(alloc) if has_ramps(plan.root) else None
    denoms: dict[str, int] = {}
    if len(vectors) == 1:  # one denominator for all
        (only,) = vector_denom.values()
        denoms = dict.fromkeys(in_force, only)
    else:
        for node in post_order:
            if node.children:
                denoms[node.key] = math.lcm(*(denoms[c.key] for c in node.children))
            else:
                denoms[node.key] = vector_denom[in_force[node.key]]

    # Per metric, the rows of those rounded one node at a time (and their exact values).
    rounded_by: dict[str, dict[str, list[int]]] = {}
    exact_by: dict[str, dict[str, list[int]]] = {}
    tables: dict[str, Any] = {}  # metric -> the array rounding's matrix
    metric_denoms: dict[str, dict[str, int]] = {}  # with ramps: per node and metric
    loose: list[Loose] = []  # the metrics rounded as one flow
    one = (
        len(numerators) == 1
        and not keep_exact
        and not fitted
        and fastround.worth_it(len(nodes) * len(plan.metrics))
    )
    if one:
        import numpy as np

        tree = fastround.Tree(np, plan.root)
        in_order = [alloc.row(n.key).units for n in tree.nodes]
        ((vector,), (denom,)) = numerators.values(), vector_denom.values()
    for metric in plan.metrics:
        name = metric.name
        total = alloc.rows[0].units[name]
        if one and fastround.small(total, denom, vector):
            root_row = round_row([total * v for v in vector], denom, total)
            table = fastround.round_table(
                np,
                tree,
                np.fromiter((u[name] for u in in_order), dtype=np.int64, count=len(in_order)),
                vector,
                denom,
                root_row,
                functools.partial(_round_group, denom),
            )
            if table is not None:
                tables[name] = table
                continue
        units = {r.path: r.units[name] for r in alloc.rows}
        if fitted:
            moved, by_node = _fitted_exact(
                post_order, units, name, fitted, numerators, vector_denom, in_force
            )
            rounded_by[name] = _rounded(
                name, plan.root, units, moved, by_node, workdays, True, loose
            )
            exact_by[name] = moved
            if keep_exact:
                for path, d in by_node.items():
                    metric_denoms.setdefault(path, {})[name] = d
            continue
        exact: dict[str, list[int]] = {}
        for node in post_order:
            d = denoms[node.key]
            if node.children:
                # Column by column, so that only the sums are in the node's
                # (possibly long) denominator.
                scaled = [(exact[c.key], d // denoms[c.key]) for c in node.children]
                exact[node.key] = [
                    sum(row[j] * f for row, f in scaled) for j in range(len(segments))
                ]
            else:
                u = units[node.key]
                exact[node.key] = [u * n for n in numerators[in_force[node.key]]]
        rounded_by[name] = _rounded(
            name, plan.root, units, exact, denoms, workdays, len(vectors) > 1, loose
        )
        exact_by[name] = exact
    paths = [r.path for r in alloc.rows]
    if fitted and keep_exact:  # each node's exact values over one denominator
        for path, by_metric in metric_denoms.items():
            d = denoms[path] = math.lcm(*by_metric.values())
            for name, nd in by_metric.items():
                exact_by[name][path] = [x * (d // nd) for x in exact_by[name][path]]
    exact_kept = (
        {path: {m.name: exact_by[m.name][path] for m in plan.metrics} for path in paths}
        if keep_exact
        else None
    )
    if tables and len(tables) == len(plan.metrics):  # all in arrays: kept so
        return Ledger(alloc, segments, fastround.Table(tree, paths, tables), exact_kept, denoms)
    for name, table in tables.items():  # some in arrays, some not: all as lists
        rows = table.tolist()
        rounded_by[name] = {node.key: rows[i] for i, node in enumerate(tree.nodes)}
    figures = {path: {m.name: rounded_by[m.name][path] for m in plan.metrics} for path in paths}
    return Ledger(alloc, segments, figures, exact_kept, denoms, fitted or None, tuple(loose))


def _rounded(
    name: str,
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    by_day: bool,
    loose: list[Loose],
) -> dict[str, list[int]]:
    """:func:`_round_tree` of metric ``name``; where it falls back to the flow,
    how far off that leaves the metric appended to ``loose``."""
    found = _round_tree_unless_stuck(root, units, exact, denoms, workdays, by_day=by_day)
    if found is not None:
        if found.off:
            nodes = sum(1 for _ in root.walk())
            days = (len(found.off), found.workdays)
            loose.append(Loose(name, nodes, 0, Fraction(0), True, days))
        return found.rows
    flowed = _round_tree_by_flow(root, units, exact, denoms)
    loose.append(_loose(name, root, flowed, exact, denoms))
    return flowed


def _fit(alloc: Allocation) -> Profiles:
    """The profiles the plan's ramps give at this allocation's figures; a plan
    error naming the ramped node where they cannot be met (the plan's check
    catches that at its totals and tiers; other totals, as a re-plan's, here)."""
    plan = alloc.plan
    assert plan.breakdown is not None
    names = [m.name for m in plan.metrics]
    try:
        return fit(
            plan.root, plan.seasonality, plan.breakdown, lambda n: alloc.row(n.key).units, names
        )
    except Unfit as e:
        raise PlanError([Diagnostic(str(e), node_loc(e.node.path, "start"))]) from None


def _fitted_exact(
    post_order: Sequence[Node],
    units: Mapping[str, int],
    name: str,
    fitted: Profiles,
    numerators: Mapping[int, list[int]],
    vector_denom: Mapping[int, int],
    in_force: Mapping[str, int],
) -> tuple[dict[str, list[int]], dict[str, int]]:
    """One metric's exact values with ramps, as integers over each node's own
    denominator: a node the ramps move has its figure times its profile, the
    others their seasonality's (leaves) or their children's sum (parents)."""
    exact: dict[str, list[int]] = {}
    denoms: dict[str, int] = {}
    memo: dict[int, tuple[list[int], int]] = {}  # a profile shared by nodes: once
    for node in post_order:
        key = node.key
        profile = fitted.get(key, {}).get(name)
        if profile is not None:
            if id(profile) not in memo:
                d = math.lcm(*(f.denominator for f in profile))
                memo[id(profile)] = ([f.numerator * (d // f.denominator) for f in profile], d)
            nums, d = memo[id(profile)]
            u = units[key]
            exact[key], denoms[key] = [u * x for x in nums], d
        elif node.children:
            d = math.lcm(*(denoms[c.key] for c in node.children))
            scaled = [(exact[c.key], d // denoms[c.key]) for c in node.children]
            exact[key] = [sum(row[j] * f for row, f in scaled) for j in range(len(scaled[0][0]))]
            denoms[key] = d
        else:
            k = in_force[key]
            exact[key], denoms[key] = [units[key] * x for x in numerators[k]], vector_denom[k]
    return exact, denoms
