"""The time ledger's rounding of a subtree as a search over running totals,
for where the parent-by-parent rounding gets stuck (time shapes of their own
below a team: a parent's row, rounded first, is one its children cannot
share). Pure Python.

What is sought: each node's running total at each boundary between cells, the
floor or the ceiling of exact — one bit per node and boundary, *ahead* (the
ceiling) or not — such that

- a parent's running total is its children's sum: at each boundary, the number
  of its children ahead is fixed by whether the parent is
  (``sum(children's bits) - parent's bit = floor(parent) - sum(floor(child))``);
- no cell is negative: a node ahead stays ahead until its exact running total
  passes the next whole unit; a cell without anything due (no working day,
  a zero month) keeps the bit as it was;
- the top node's row is the one given (a subtree's top keeps the row its
  parent's rounding gave it), or, for the whole plan, the plan total's running
  totals rounded half up where that leaves a solution.

Each node's cells are then the differences of its running totals; every
running total is within one unit of exact, children add up to their parent in
every cell, and no unit lands where nothing is due. The ledger asks for it over
the working days (:func:`targetsplit.split.ledger._round_tree`), first for the
smallest subtree around the stuck parent, widening until a search finds one.

The search itself is :mod:`targetsplit.split.learn`'s: it sets the bits
boundary by boundary (time first, then the tree from the top), each first as
the ledger's parent-by-parent rounding has it (:meth:`_Search.hint`) and, in
turn with that, as the nearer of the two; propagates what the rules force (a
family whose count is decided forces the rest of its bits; a node ahead
forces its later bits until its next unit; one behind forces its earlier
ones), and learns from each
contradiction which earlier choices caused it. This module states the rules
(:class:`_Search`: the bits, what the whole running totals fix before any
choice, the families) and says what is sought in which order: the top's row as
given; else the plan total rounded half up, then free.

(Earlier versions searched here without learning: a choice that led to a
contradiction was undone and the other value tried, the latest choices first,
with seeded restarts, then tries that went back a few boundaries blindly. What
dooms a boundary may have been chosen many boundaries before, beyond the reach
of undoing the latest few hundred choices: those gave up, after a minute or
more, on plans of many copies of a hard team that the search that learns
settles in seconds.)
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import replace

from targetsplit.plan.tree import Node
from targetsplit.split.learn import Learner, Outcome
from targetsplit.split.rows import round_children, round_row

#: The search's budget of work (bits undone, and contradictions: see
#: :meth:`targetsplit.split.learn.Learner.solve`), for all ways of taking the
#: top's row and both trees (lumped and whole) together: :data:`LEARN_PASSES`
#: passes over the bits to set, at least :data:`LEARN_LEAST` and at most
#: :data:`LEARN_MOST` (about a minute on a 2-core machine of 2026).
LEARN_PASSES = 100
LEARN_LEAST = 2_000_000
LEARN_MOST = 25_000_000
#: The budget of the ledger's first try over the working days, where a
#: cheaper way follows should it give up (half of :data:`LEARN_MOST`, about 30 s).
LEARN_FIRST = 12_500_000
#: The budget of :func:`round_between` (a stretch's working days), likewise.
BETWEEN_LEAST = 30_000
BETWEEN_MOST = 300_000
#: The fewest members of one shape a search takes as one node (``lump``).
LUMP = 16


def round_by_search(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    *,
    root_row: Sequence[int] | None = None,
    lump: bool = False,
    most: int | None = None,
) -> dict[str, list[int]] | None:
    """Each node's cells (``exact[key]`` over ``denoms[key]`` rounded, adding up
    to ``units[key]``) with every running total the floor or the ceiling of
    exact. The top node's row is ``root_row`` where given (a subtree's, its
    top's row kept); else the plan total's running totals are rounded half up
    wherever that leaves a solution (so within half a unit), else as the search
    finds them. ``None`` where the search proves there is none, or gives up
    (after :data:`LEARN_MOST` of work at most, or ``most``: the ledger's first
    try over the working days, :data:`LEARN_FIRST`).

    ``lump``: a subtree below the top whose every node has the time shape of
    its top (exact rows in proportion: plain reps under a team) and that has
    :data:`LUMP` children or more is searched as one node, its top; its
    members are left out of what is returned, for the caller to round from
    the top's row (they share it as a parent's children of one shape do). A
    thousand plain reps beside a stuck team then cost the search nothing.
    Should the search give up on the tree so cut, it tries the whole tree."""
    fixed = None if root_row is None else list(itertools.accumulate(root_row[:-1]))
    trees = [root]
    if lump:  # lumped first; should that search give up, the whole tree
        cut = _lumped(root, exact)
        if sum(1 for _ in cut.walk()) < sum(1 for _ in root.walk()):
            trees.insert(0, cut)
    work: int | None = None  # the budget, set by the first tree searched: for all
    for tree in trees:
        search = _Search(tree, units, exact, denoms)
        phase = search.hint(root_row)
        # The top's row as given; else the plan total's rounded half up (where
        # that leaves a rounding: the search proves it where it does not), with
        # half the budget left, then free, with what is left.
        ways: list[Sequence[int] | None] = [fixed] if fixed is not None else [search.near, None]
        for way in ways:
            if work is not None and work <= 0:
                return None
            learner = Learner(search, [phase])
            top: Sequence[int] | None = None
            strict = False
            if way is None:
                pass
            elif fixed is not None:
                top, strict = [x - search.floor[j] for j, x in enumerate(fixed)], True
                if not all(0 <= x <= 1 for x in top):
                    break
            else:  # the top's bits where the rules left them free
                top = way[: search.b]
            if not learner.start(top, strict=strict):
                continue
            if work is None:
                cap = LEARN_MOST if most is None else most
                work = max(LEARN_LEAST, min(cap, LEARN_PASSES * learner.free))
            budget = work // 2 if way is not None and fixed is None else work
            if learner.solve(budget) == Outcome.FOUND:
                return learner.rows()
            work -= learner.work
    return None


def round_between(
    root: Node,
    units: Mapping[str, int],
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    ends: Mapping[str, tuple[int, int]],
) -> dict[str, list[int]] | None:
    """:func:`round_by_search` with every node's running totals at the first
    boundary and at the last fixed: ``ends[key]``. The ledger rounds a
    stretch's working days so (the cells before and after it lumped into one
    each), its ends as the rounding over weeks and months had them. ``None``
    where there is no such rounding, or the search gives up (after
    :data:`BETWEEN_MOST` of work)."""
    search = _Search(root, units, exact, denoms)
    b = search.b
    learner = Learner(search)
    for i, node in enumerate(search.nodes):
        for j, running in zip((0, b - 1), ends[node.key], strict=True):
            bit = running - search.floor[i * b + j]
            if not 0 <= bit <= 1 or not learner.fix(i * b + j, bit):
                return None
    if not learner.start():
        return None
    work = max(BETWEEN_LEAST, min(BETWEEN_MOST, LEARN_PASSES * learner.free))
    return learner.rows() if learner.solve(work) == Outcome.FOUND else None


def _lumped(root: Node, exact: Mapping[str, list[int]]) -> Node:
    """``root``'s tree with each subtree of one shape below it cut to its top."""

    known: dict[str, bool] = {}

    def one_shape(n: Node) -> bool:
        if n.key not in known:
            row = exact[n.key]
            total = sum(row)
            ok = True
            for c in n.children:
                kid = exact[c.key]
                kid_total = sum(kid)
                if not one_shape(c) or any(
                    k * total != x * kid_total for k, x in zip(kid, row, strict=True)
                ):
                    ok = False
            known[n.key] = ok
        return known[n.key]

    def cut(n: Node) -> Node:
        return replace(n, children=tuple(cut_below(c) for c in n.children))

    def cut_below(n: Node) -> Node:
        # Small ones are left whole: they cost the search little, and the
        # shares a lump's members need are more than any one of them.
        if len(n.children) >= LUMP and one_shape(n):
            return replace(n, children=())
        return cut(n)

    return cut(root)


class _Search:
    def __init__(
        self,
        root: Node,
        units: Mapping[str, int],
        exact: Mapping[str, list[int]],
        denoms: Mapping[str, int],
    ) -> None:
        self.nodes = nodes = list(root.walk())
        self.units = units
        self.exact, self.denoms = exact, denoms
        self.b = b = len(exact[root.key]) - 1  # boundaries: after each segment but the last
        index = {n.key: i for i, n in enumerate(nodes)}
        # Variable i * b + j: node i ahead at boundary j. Floors, whether a
        # node's exact running total is whole there (then it is fixed, not
        # ahead), and the nearer choice.
        size = len(nodes) * b
        self.floor = floor = [0] * size
        self.val = val = array("b", [-1]) * size  # -1: not set yet
        self.near = near = array("b", bytes(size))
        # Along a node: 1 where the bit must not drop to the next boundary (no
        # whole unit passed), 2 where it must stay as it is (nothing due).
        self.link = link = array("b", bytes(size))
        for i, n in enumerate(nodes):
            d, row = denoms[n.key], exact[n.key]
            running = 0
            for j in range(b):
                running += row[j]
                q, r = divmod(running, d)
                v = i * b + j
                floor[v], near[v] = q, 1 if 2 * r >= d else 0
                if not r:
                    val[v] = 0
            for j in range(b - 1):
                v = i * b + j
                if not row[j + 1]:
                    link[v] = 2
                elif val[v] < 0 and floor[v + 1] == floor[v]:
                    link[v] = 1
        # Families: per parent and boundary, its free children's bits less its
        # own sum to ``need`` (whole running totals are fixed: left out).
        # (Compact arrays: a plan of 10,000 nodes over a year's working days has
        # millions of bits.) Family f's free children's bits: kids[first[f]:first[f + 1]].
        self.kids = array("q")
        self.first = array("q", [0])
        self.parent = array("q")  # the parent's variable, -1 when fixed
        self.need = array("q")
        # The family a bit is a child's bit in, and the one it is the parent's in (-1: none).
        self.up = up = array("q", [-1]) * size
        self.down = down = array("q", [-1]) * size
        for i, n in enumerate(nodes):
            if not n.children:
                continue
            kids = [index[c.key] for c in n.children]
            for j in range(b):
                v = i * b + j
                f = len(self.need)
                free = [k * b + j for k in kids if val[k * b + j] < 0]
                self.kids.extend(free)
                self.first.append(len(self.kids))
                self.need.append(floor[v] - sum(floor[k * b + j] for k in kids))
                self.parent.append(v if val[v] < 0 else -1)
                for w in free:
                    up[w] = f
                if val[v] < 0:
                    down[v] = f

    def hint(self, top: Sequence[int] | None) -> array[int]:
        """A value to try first for each bit: the ledger's parent-by-parent
        rounding from the top down — the top's row ``top`` (else half up), each
        parent's children's rows as the ledger's greedy rounds them, half up
        where it cannot finish (the search is there to mend those). Every
        family's count is then right wherever the greedy could keep it, and the
        search mostly keeps what it can: on 60 copies of the largest team of
        random plans 0-29 it gave up on 7 of 30 from each bit's nearer value
        alone, and on 1 from this and that in turn (:meth:`Learner.solve`)."""
        b, nodes, floor = self.b, self.nodes, self.floor
        exact, denoms, units = self.exact, self.denoms, self.units
        index = {n.key: i for i, n in enumerate(nodes)}
        root = nodes[0].key
        rows = {
            0: list(top) if top is not None else round_row(exact[root], denoms[root], units[root])
        }
        phase = array("b", bytes(len(floor)))
        for i, n in enumerate(nodes):
            row, running = rows.pop(i), 0
            for j in range(b):
                running += row[j]
                phase[i * b + j] = min(1, max(0, running - floor[i * b + j]))
            kids = [index[c.key] for c in n.children]
            if not kids:
                continue
            got = round_children(
                [exact[nodes[k].key] for k in kids],
                [denoms[nodes[k].key] for k in kids],
                [units[nodes[k].key] for k in kids],
                row,
                greedy_only=True,  # the flows would cost more than all the rest
            )
            for at, k in enumerate(kids):
                key = nodes[k].key
                rows[k] = got[at] if got else round_row(exact[key], denoms[key], units[key])
        return phase

    def _row(self, i: int, bits: Sequence[int]) -> list[int]:
        """Node ``i``'s cells, its running totals ahead where ``bits`` say."""
        b, floor = self.b, self.floor
        before, cells = 0, []
        for j in range(b):
            now = floor[i * b + j] + bits[j]
            cells.append(now - before)
            before = now
        cells.append(self.units[self.nodes[i].key] - before)
        return cells

    def _rows(self) -> dict[str, list[int]]:
        b, val = self.b, self.val
        return {n.key: self._row(i, val[i * b : (i + 1) * b]) for i, n in enumerate(self.nodes)}
