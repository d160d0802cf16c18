"""The time ledger's search over running totals: one that learns from its
contradictions (conflict-driven clause learning, as SAT solvers do). Pure
Python.

It sets the bits of a :class:`targetsplit.split.search._Search` — each
node's running total at each boundary, the floor or the ceiling of exact —
under its rules: a family's count of children ahead fixed by whether its
parent is, a node ahead staying ahead until its next whole unit, nothing moving
where nothing is due. Searches that, at a contradiction, undo their latest
choices (earlier versions) cannot reach a doomed choice made many boundaries
back: a boundary of a 300-node plan alone holds 300 choices. This one works
out which choices caused the contradiction — each bit set by a rule knows the
bits that made the rule fire — records that those choices must not come
together again (a learned rule, which fires from then on like the others),
and goes straight back to the latest of them, however far back it was made.
Choices come boundary by boundary, except that bits met in recent
contradictions come first; each bit is set as it was last set, at first as
a *start* has it: the caller's (the ledger's parent-by-parent rounding,
which keeps every family's count wherever it could) and each bit nearer
exact, taken in turn — :data:`REPHASE` contradictions from each, then twice
as many — since what suits one plan does not suit another. It restarts
often (the Luby sequence times :data:`RESTART` contradictions), keeping what
it learned, whichever start it is on. Nothing is left to chance: the same
figures every run.

Plans built of many copies of a hard team, on which the earlier searches gave
up after a minute or more (``benchmarks/hard_plans.py copies 60``), it settles
in seconds; and it can prove that no rounding exists (a contradiction before
any choice), which they could not.

Literals: ``2 * v + x`` is "bit ``v`` is ``x``"; ``lit ^ 1`` is its negation.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from targetsplit.split.search import _Search

#: Restarts after the Luby sequence (1 1 2 1 1 2 4 …) times this many contradictions.
RESTART = 16
#: Contradictions from each start before the next (doubled once all are taken).
REPHASE = 50
#: Each contradiction weighs this much more than the one before in choosing.
DECAY = 1.1
#: What a contradiction costs, in the budget's unit, a bit undone: tracing it
#: back takes about as long as undoing this many bits (on a plan of 2,521
#: nodes whose contradictions come often and undo little, most of the time).
CONTRADICTION = 300

# Why a bit was set: by a choice (or before the search), by the bit before or
# after it along its node, by a family whose count of true literals (or of
# false ones) was full, by a learned rule.
_CHOICE, _ALONG, _FULL_TRUE, _FULL_FALSE, _RULE = range(5)


def _luby(i: int) -> int:
    """The ``i``-th term (from 1) of the Luby sequence 1 1 2 1 1 2 4 1 1 2 …"""
    while True:
        k = i.bit_length()
        if i == (1 << k) - 1:
            return 1 << (k - 1)
        i -= (1 << (k - 1)) - 1


class Outcome:
    """What :meth:`Learner.solve` comes to."""

    FOUND, NONE, GAVE_UP = "found", "none", "gave up"


class Learner:
    """A conflict-driven search over a :class:`_Search`'s bits.

    Family ``f`` is the rule "exactly ``k[f]`` of its literals are true": its
    free children's bits ahead (``2 * w + 1``) and, where free, its parent's
    not ahead (``2 * p``), ``k`` being the search's ``need`` plus one for the
    parent. Bit ``v`` is a child's bit in family ``up[v]`` and the parent's in
    ``down[v]`` (-1: none), as in the search. ``starts``: values to try
    first for each bit, taken in turn with each bit's nearer value."""

    def __init__(self, s: _Search, starts: Sequence[Sequence[int]] = ()) -> None:
        self.s = s
        self.size = size = len(s.val)
        self.b = s.b
        self.n = size // s.b if s.b else 0
        self.val = array("b", s.val)  # the whole running totals: level 0
        self.level = array("i", [0]) * size
        self.pos = array("i", [-1]) * size  # place on the trail
        self.why = array("b", bytes(size))
        self.why_of = array("q", [0]) * size  # the neighbour, the family or the rule
        self.trail: list[int] = []
        self.limits: list[int] = []  # the trail's length where each level starts
        self.qhead = 0  # the trail up to here is propagated (and counted)
        families = len(s.need)
        self.k = array("q", (s.need[f] + (s.parent[f] >= 0) for f in range(families)))
        self.size_of = array(
            "q", (s.first[f + 1] - s.first[f] + (s.parent[f] >= 0) for f in range(families))
        )
        self.trues = array("q", bytes(8 * families))
        self.falses = array("q", bytes(8 * families))
        self.rules: list[list[int]] = []
        self.watches: dict[int, list[int]] = {}  # literal -> rules to visit when it turns false
        # Choosing: bits met in contradictions by weight (a heap, stale entries
        # skipped), then the others boundary by boundary from ``cursor``.
        self.activity: dict[int, float] = {}
        self.inc = 1.0
        self.heap: list[tuple[float, int]] = []
        self.cursor = 0
        # Each bit's value to try first, as it was last set; the starts taken
        # in turn (:meth:`solve`), each bit's nearer value the last of them.
        self.starts = [*starts, s.near]
        self.phase = array("b", self.starts[0])
        self.conflicts = 0
        self.work = 0  # bits undone, and contradictions (CONTRADICTION each)
        self.free = 0  # the bits left to choose after start()

    # -- setting bits and what the rules force ------------------------------

    def _assign(self, v: int, x: int, why: int, of: int) -> None:
        self.val[v] = x
        self.level[v] = len(self.limits)
        self.pos[v] = len(self.trail)
        self.why[v] = why
        self.why_of[v] = of
        self.trail.append(v)

    def _count(self, f: int, true: bool, sign: int) -> None:
        if true:
            self.trues[f] += sign
        else:
            self.falses[f] += sign

    def _propagate(self) -> list[int] | None:
        """Propagate the trail: the true literals of a contradiction, else None."""
        s, val, b, trail = self.s, self.val, self.b, self.trail
        link, up, down = s.link, s.up, s.down
        kids, first, parent = s.kids, s.first, s.parent
        ks, sizes, trues, falses = self.k, self.size_of, self.trues, self.falses
        while self.qhead < len(trail):
            v = trail[self.qhead]
            self.qhead += 1
            x = val[v]
            fu, fd = up[v], down[v]
            # Counted first: _backjump uncounts what lies before qhead.
            if fu >= 0:
                self._count(fu, x == 1, 1)
            if fd >= 0:
                self._count(fd, x == 0, 1)
            j = v % b
            if j + 1 < b and link[v] and (x or link[v] == 2):  # ahead stays ahead
                w = v + 1
                if val[w] < 0:
                    self._assign(w, x, _ALONG, v)
                elif val[w] != x:
                    return [2 * v + x, 2 * w + val[w]]
            if j and link[v - 1] and (not x or link[v - 1] == 2):  # behind was behind
                w = v - 1
                if val[w] < 0:
                    self._assign(w, x, _ALONG, v)
                elif val[w] != x:
                    return [2 * v + x, 2 * w + val[w]]
            for f in (fu, fd):
                if f < 0:
                    continue
                k, size, t, fl = ks[f], sizes[f], trues[f], falses[f]
                if t > k:
                    return self._full(f, v, True, k + 1)
                if fl > size - k:
                    return self._full(f, v, False, size - k + 1)
                if t + fl == size or (t < k and fl < size - k):
                    continue
                # Full of true literals: the rest false; of false ones: true.
                why = _FULL_TRUE if t == k else _FULL_FALSE
                kid_bit = 0 if t == k else 1
                for w in kids[first[f] : first[f + 1]]:
                    if val[w] < 0:
                        self._assign(w, kid_bit, why, f)
                p = parent[f]
                if p >= 0 and val[p] < 0:
                    self._assign(p, 1 - kid_bit, why, f)
            conflict = self._rules(2 * v + 1 - x)
            if conflict is not None:
                return conflict
        return None

    def _rules(self, false: int) -> list[int] | None:
        """Visit the learned rules watching literal ``false`` (just turned false)."""
        watching = self.watches.get(false)
        if not watching:
            return None
        val, rules = self.val, self.rules
        keep: list[int] = []
        conflict = None
        for at, r in enumerate(watching):
            rule = rules[r]
            if rule[0] == false:
                rule[0], rule[1] = rule[1], rule[0]
            other = rule[0]
            if val[other >> 1] == other & 1:  # true already
                keep.append(r)
                continue
            for i in range(2, len(rule)):
                q = rule[i]
                if val[q >> 1] != 1 - (q & 1):  # not false: watched instead
                    rule[1], rule[i] = q, false
                    self.watches.setdefault(q, []).append(r)
                    break
            else:
                keep.append(r)
                if val[other >> 1] < 0:
                    self._assign(other >> 1, other & 1, _RULE, r)
                else:
                    conflict = [q ^ 1 for q in rule]
                    keep.extend(watching[at + 1 :])
                    break
        self.watches[false] = keep
        return conflict

    def _literals(self, f: int) -> list[int]:
        s = self.s
        out = [2 * w + 1 for w in s.kids[s.first[f] : s.first[f + 1]]]
        if s.parent[f] >= 0:
            out.append(2 * s.parent[f])
        return out

    def _full(self, f: int, v: int, true: bool, count: int) -> list[int]:
        """A contradiction in family ``f``: ``count`` of its literals true
        (``true``) or false, as true literals, bit ``v``'s (just set) first."""
        val = self.val
        out = [2 * v + val[v]]
        for q in self._literals(f):
            x = val[q >> 1]
            if q >> 1 != v and x >= 0 and (x == q & 1) == true:
                out.append(q if true else q ^ 1)
                if len(out) == count:
                    break
        return out

    def _reasons(self, v: int) -> list[int]:
        """The true literals that forced bit ``v``."""
        why, of = self.why[v], self.why_of[v]
        val, pos = self.val, self.pos
        if why == _ALONG:
            return [2 * of + val[of]]
        if why == _RULE:
            return [q ^ 1 for q in self.rules[of] if q >> 1 != v]
        mine = pos[v]
        true = why == _FULL_TRUE
        out = []
        for q in self._literals(of):
            w = q >> 1
            x = val[w]
            if w != v and x >= 0 and pos[w] < mine and (x == q & 1) == true:
                out.append(q if true else q ^ 1)
        return out

    # -- learning ------------------------------------------------------------

    def _bump(self, v: int) -> None:
        a = self.activity.get(v, 0.0) + self.inc
        self.activity[v] = a
        heapq.heappush(self.heap, (-a, v))

    def _analyze(self, conflict: list[int]) -> tuple[list[int], int]:
        """The rule learned (first the literal it sets) and the level to go back to:
        the reasons of the contradiction's bits set at this level, traced back
        until one bit of this level is left (the first unique implication point)."""
        level, trail, why = self.level, self.trail, self.why
        here = len(self.limits)
        seen: set[int] = set()
        out: list[int] = []  # false literals of earlier levels
        count = 0

        def visit(lits: list[int]) -> None:
            nonlocal count
            for q in lits:
                w = q >> 1
                if w in seen or level[w] == 0:
                    continue
                seen.add(w)
                self._bump(w)
                if level[w] == here:
                    count += 1
                else:
                    out.append(q ^ 1)

        visit(conflict)
        i = len(trail) - 1
        while True:
            while trail[i] not in seen:
                i -= 1
            v = trail[i]
            i -= 1
            count -= 1
            if count == 0:
                break
            visit(self._reasons(v))
        # A literal whose own reasons are all in the rule already is left out.
        out = [
            q
            for q in out
            if why[q >> 1] == _CHOICE
            or not all((r >> 1) in seen or level[r >> 1] == 0 for r in self._reasons(q >> 1))
        ]
        learned = [2 * v + 1 - self.val[v], *out]
        back = 0
        if out:  # the literal of the level gone back to: watched second
            at = max(range(1, len(learned)), key=lambda n: level[learned[n] >> 1])
            learned[1], learned[at] = learned[at], learned[1]
            back = level[learned[1] >> 1]
        self.inc *= DECAY
        if self.inc > 1e100:
            self.activity = {w: a * 1e-100 for w, a in self.activity.items()}
            self.inc *= 1e-100
            self.heap = [(-a, w) for w, a in self.activity.items()]
            heapq.heapify(self.heap)
        return learned, back

    def _backjump(self, level: int) -> None:
        if len(self.limits) <= level:
            return
        cut = self.limits[level]
        val, trail, up, down = self.val, self.trail, self.s.up, self.s.down
        n, b = self.n, self.b
        cursor = self.cursor
        self.work += len(trail) - cut
        for at in range(cut, len(trail)):
            v = trail[at]
            x = val[v]
            self.phase[v] = x
            if at < self.qhead:  # counted in its families
                if up[v] >= 0:
                    self._count(up[v], x == 1, -1)
                if down[v] >= 0:
                    self._count(down[v], x == 0, -1)
            val[v] = -1
            self.pos[v] = -1
            a = self.activity.get(v)
            if a is not None:
                heapq.heappush(self.heap, (-a, v))
            cursor = min(cursor, (v % b) * n + v // b)
        self.cursor = cursor
        del trail[cut:]
        del self.limits[level:]
        self.qhead = min(self.qhead, cut)

    def _pick(self) -> int:
        """The next bit to choose, -1 when all are set."""
        heap, val, activity = self.heap, self.val, self.activity
        while heap:
            a, v = heap[0]
            if val[v] >= 0 or -a != activity.get(v):
                heapq.heappop(heap)
                continue
            return v
        n, b, size = self.n, self.b, self.size
        at = self.cursor
        while at < size:
            v = (at % n) * b + at // n  # boundary at // n, node at % n
            if val[v] < 0:
                self.cursor = at
                return v
            at += 1
        self.cursor = at
        return -1

    def fix(self, v: int, x: int) -> bool:
        """Bit ``v`` set to ``x`` before :meth:`start`; False where it is the other."""
        if self.val[v] >= 0:
            return self.val[v] == x
        self.val[v] = x
        return True

    def start(self, top: Sequence[int] | None = None, *, strict: bool = False) -> bool:
        """What the rules force before any choice, at level 0: from the bits
        fixed (whole running totals, and :meth:`fix`), and from every family
        whose count is decided from the outset (none of its children may be
        ahead, or all must be). Then the top node's bits ``top`` (``strict``:
        as they must be; else where they were left free), and what they force.
        False on a contradiction: then there is no rounding (so fixed). Sets
        :attr:`free`, the bits left to choose before ``top``."""
        s, val = self.s, self.val
        for v in range(self.size):
            if val[v] >= 0:
                self.pos[v] = len(self.trail)
                self.trail.append(v)
        for f in range(len(self.k)):
            k, size = self.k[f], self.size_of[f]
            if k < 0 or k > size:
                return False
            if 0 < k < size:
                continue
            kid_bit = 1 if k == size else 0  # all literals true, or all false
            bits = [(w, kid_bit) for w in s.kids[s.first[f] : s.first[f + 1]]]
            if s.parent[f] >= 0:
                bits.append((s.parent[f], 1 - kid_bit))
            for w, x in bits:
                if val[w] < 0:
                    self._assign(w, x, _CHOICE, 0)
                elif val[w] != x:
                    return False
        if self._propagate() is not None:
            return False
        self.free = val.count(-1)
        if top is not None:
            for j, x in enumerate(top):
                if val[j] < 0:
                    self._assign(j, x, _CHOICE, 0)
                elif strict and val[j] != x:
                    return False
            if self._propagate() is not None:
                return False
        return True

    def solve(self, work: int) -> str:
        """:data:`Outcome.FOUND` once every bit is set by the rules;
        :data:`Outcome.NONE` where there is provably no way to set them (a
        contradiction before any choice); :data:`Outcome.GAVE_UP` once its
        work passes ``work``: bits undone, and :data:`CONTRADICTION` for each
        contradiction (so that the time it takes is about in proportion).
        After :meth:`start`."""
        restart, luby, since = RESTART, 1, 0
        start, block = 0, REPHASE
        until = block
        while True:
            conflict = self._propagate()
            if conflict is not None:
                if not self.limits:
                    return Outcome.NONE
                self.conflicts += 1
                self.work += CONTRADICTION
                since += 1
                learned, back = self._analyze(conflict)
                self._backjump(back)
                if len(learned) == 1:
                    self._assign(learned[0] >> 1, learned[0] & 1, _CHOICE, 0)
                else:
                    r = len(self.rules)
                    self.rules.append(learned)
                    self.watches.setdefault(learned[0], []).append(r)
                    self.watches.setdefault(learned[1], []).append(r)
                    self._assign(learned[0] >> 1, learned[0] & 1, _RULE, r)
                continue
            if self.work > work:
                return Outcome.GAVE_UP
            if self.conflicts >= until and len(self.starts) > 1:  # the next start
                start = (start + 1) % len(self.starts)
                block *= 2 if start == 0 else 1
                until = self.conflicts + block
                since, luby = 0, 1
                self._backjump(0)
                self.phase = array("b", self.starts[start])
                continue
            if since >= restart * _luby(luby):
                since, luby = 0, luby + 1
                self._backjump(0)
                continue
            v = self._pick()
            if v < 0:
                return Outcome.FOUND
            self.limits.append(len(self.trail))
            self._assign(v, self.phase[v], _CHOICE, 0)

    def rows(self) -> dict[str, list[int]]:
        """The cells found (after :data:`Outcome.FOUND`), as the search gives them."""
        self.s.val[:] = self.val
        return self.s._rows()
