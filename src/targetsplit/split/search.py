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

The search fixes the bits boundary by boundary (time first, then the tree from
the top), each the nearer of the two first, and after each choice propagates
what the rules force (a family whose count is decided forces the rest of its
bits; a node ahead forces its later bits until its next unit; one behind
forces its earlier ones). A choice that leads to a contradiction is undone and
the other value tried, going back as far as needed, within a budget of
contradictions; then it starts again, taking the farther value first at
random choices (seeded: the same every run). Searches like this one have
heavy tails — a few early choices can doom a try that a fresh start avoids —
and the restarts settled the plans a single longer try gave up on
(tests/ledger/outside-s*.yaml).

Should those tries give up, a search that learns from its contradictions
follows (:mod:`targetsplit.split.learn`). Undoing choices one by one only
reaches the latest few hundred (a boundary's worth of a 300-node plan), while
what dooms a boundary may have been chosen many boundaries before; that search
works out which choices caused each contradiction and goes straight back to
them. It settles plans of many copies of a hard team on which these tries, and
tries going back a few boundaries at a time blindly (an earlier version), gave
up after a minute or more. The plain tries stay first: they are cheap, settle
nearly every plan that needs a search at all, and keep its figures as they
were.
"""

from __future__ import annotations

import itertools
import random
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import replace

from targetsplit.plan.tree import Node
from targetsplit.split.learn import Learner, Outcome

#: First, plain tries: per way of taking the top node's bits, :data:`PLAIN`
#: tries of :data:`CONTRADICTIONS` contradictions each, undoing the latest
#: choices only (the first try taking the nearer value everywhere, the others
#: the farther one at random at one choice in :data:`FLIP`). They are cheap and
#: settle most trees (some that the tries below do not).
PLAIN = 12
CONTRADICTIONS = 400
FLIP = 20
#: Then the search that learns (:mod:`targetsplit.split.learn`), within a
#: budget of work (bits set and undone): :data:`LEARN_PASSES` passes over the
#: bits to set, at least :data:`LEARN_LEAST` and at most :data:`LEARN_MOST`
#: (about a minute).
LEARN_PASSES = 100
LEARN_LEAST = 2_000_000
LEARN_MOST = 30_000_000
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
) -> dict[str, list[int]] | None:
    """Each node's cells (``exact[key]`` over ``denoms[key]`` rounded, adding up
    to ``units[key]``) with every running total the floor or the ceiling of
    exact. The top node's row is ``root_row`` where given (a subtree's, its
    top's row kept); else the plan total's running totals are rounded half up
    wherever that leaves a solution (so within half a unit), else as the search
    finds them. ``None`` when no try of the search finds one within its budget.

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
    for tree in trees:
        search = _Search(tree, units, exact, denoms)
        if not search.start():
            continue
        # The search that learns, the top's row as given, else rounded half up
        # (where that leaves a solution: the search proves it where it does
        # not), else free.
        work = max(LEARN_LEAST, min(LEARN_MOST, LEARN_PASSES * search.free))
        b = search.b
        tops: list[Sequence[int] | None] = [fixed] if fixed is not None else [[], None]
        for top in tops:
            learner = Learner(search)
            if top == []:
                ok = all(learner.fix(j, search.near[j]) for j in range(b) if learner.val[j] < 0)
            elif top is not None:
                ok = all(
                    0 <= x - search.floor[j] <= 1 and learner.fix(j, x - search.floor[j])
                    for j, x in enumerate(top)
                )
            else:
                ok = True
            outcome = learner.solve(work) if ok else Outcome.NONE
            if outcome == Outcome.FOUND:
                return learner.rows()
        if outcome == Outcome.NONE:  # proved: none with the top's row as it may be
            continue
        # Should it give up, the plain tries (an earlier version's: restarts of
        # a search that undoes its latest choices only, at random).
        modes = ("fixed",) if fixed is not None else ("nearest", "free")
        plain = PLAIN if fixed is None else PLAIN // 3
        for mode in modes:
            for seed in range(plain):
                found = search.run(mode, fixed, CONTRADICTIONS, seed)
                if found is not None:
                    return found
    return None


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
        self.sum = array("q")  # of the bits set, the parent's negated
        self.free_kids = array("q")
        self.free_parent = array("q")
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
                self.sum.append(0)
                self.free_kids.append(len(free))
                self.free_parent.append(1 if val[v] < 0 else 0)
                for w in free:
                    up[w] = f
                if val[v] < 0:
                    down[v] = f
        self.trail: list[int] = []
        self.free = 0  # the bits left to set after :meth:`start`
        self.queue: list[int] = []
        self.order: list[int] = []  # the bits in the order the search sets them

    def _set(self, v: int, x: int) -> bool:
        """Set bit ``v`` to ``x`` (queued for propagation); False on a contradiction."""
        have = self.val[v]
        if have >= 0:
            return have == x
        self.val[v] = x
        self.trail.append(v)
        f = self.up[v]
        if f >= 0:
            self.sum[f] += x
            self.free_kids[f] -= 1
        f = self.down[v]
        if f >= 0:
            self.sum[f] -= x
            self.free_parent[f] -= 1
        self.queue.append(v)
        return True

    def _undo(self, mark: int) -> None:
        """Unset the bits set since the trail had ``mark`` entries."""
        trail, val = self.trail, self.val
        while len(trail) > mark:
            v = trail.pop()
            x = val[v]
            val[v] = -1
            f = self.up[v]
            if f >= 0:
                self.sum[f] -= x
                self.free_kids[f] += 1
            f = self.down[v]
            if f >= 0:
                self.sum[f] += x
                self.free_parent[f] += 1
        self.queue.clear()

    def _family(self, f: int) -> bool:
        """What family ``f``'s count forces; False on a contradiction."""
        left = self.need[f] - self.sum[f]  # what the unset bits must add up to
        most, least = self.free_kids[f], -self.free_parent[f]
        if left > most or left < least:
            return False
        if left == most:
            kid_bit, parent_bit = 1, 0
        elif left == least:
            kid_bit, parent_bit = 0, 1
        else:
            return True
        val = self.val
        for w in self.kids[self.first[f] : self.first[f + 1]]:
            if val[w] < 0 and not self._set(w, kid_bit):
                return False
        v = self.parent[f]
        return v < 0 or val[v] >= 0 or self._set(v, parent_bit)

    def _propagate(self) -> bool:
        val, link, b, queue = self.val, self.link, self.b, self.queue
        while queue:
            v = queue.pop()
            x = val[v]
            j = v % b
            # Along the node: ahead stays ahead (and nothing due keeps the bit)
            # forwards; behind was behind backwards.
            if j + 1 < b and link[v] and (x or link[v] == 2) and not self._set(v + 1, x):
                return False
            if j and link[v - 1] and (not x or link[v - 1] == 2) and not self._set(v - 1, x):
                return False
            f = self.up[v]
            if f >= 0 and not self._family(f):
                return False
            f = self.down[v]
            if f >= 0 and not self._family(f):
                return False
        return True

    def start(self) -> bool:
        """What the whole running totals force, once for all tries; False on a
        contradiction (then no try can succeed)."""
        ok = all(self._family(f) for f in range(len(self.need))) and self._propagate()
        self.free = self.val.count(-1)  # the bits the tries are to set
        return ok

    def run(
        self, mode: str, fixed: Sequence[int] | None, budget: int, seed: int
    ) -> dict[str, list[int]] | None:
        """One try (after :meth:`start`): the top node's bits as ``mode`` says
        ("nearest", "free", or "fixed" to the running totals ``fixed`` gives);
        with a ``seed``, the farther value first at random choices (the same
        every run). Undone when it fails, for the next try."""
        mark = len(self.trail)
        found = self._try(mode, fixed, budget, seed)
        if found is None:
            self._undo(mark)
        return found

    def _try(
        self, mode: str, fixed: Sequence[int] | None, budget: int, seed: int
    ) -> dict[str, list[int]] | None:
        b, val, near, floor = self.b, self.val, self.near, self.floor
        ok = True  # the top node's bits, as asked
        if mode == "nearest":
            ok = all(val[j] >= 0 or self._set(j, near[j]) for j in range(b))
        if ok and fixed is not None:
            ok = all(
                0 <= x - floor[j] <= 1 and self._set(j, x - floor[j]) for j, x in enumerate(fixed)
            )
        if not ok or not self._propagate():
            return None
        rng = random.Random(seed) if seed else None
        if not self.order:
            self.order = [i * b + j for j in range(b) for i in range(len(self.nodes))]
        order = self.order
        # Each choice: (position in order, the other value, the trail's length before).
        choices: list[tuple[int, int, int]] = []
        at = 0
        while True:
            while at < len(order) and val[order[at]] >= 0:
                at += 1
            if at == len(order):
                break
            v = order[at]
            first = near[v]
            if rng is not None and not rng.randrange(FLIP):
                first = 1 - first
            choices.append((at, 1 - first, len(self.trail)))
            if self._set(v, first) and self._propagate():
                continue
            # A contradiction: the other value of the latest choice that has one.
            while True:
                budget -= 1
                if budget < 0 or not choices:
                    return None
                at, other, mark = choices.pop()
                self._undo(mark)
                if other < 0:
                    continue
                choices.append((at, -1, mark))
                if self._set(order[at], other) and self._propagate():
                    break
        return self._rows()

    def _rows(self) -> dict[str, list[int]]:
        b, floor, val = self.b, self.floor, self.val
        out = {}
        for i, n in enumerate(self.nodes):
            before = 0
            cells = []
            for j in range(b):
                now = floor[i * b + j] + val[i * b + j]
                cells.append(now - before)
                before = now
            cells.append(self.units[n.key] - before)
            out[n.key] = cells
        return out
