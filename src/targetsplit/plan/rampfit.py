"""Where a ramped node's figures fall in time, and its siblings' (issue 13).

A node with ``start:`` (and ``ramp:``) works nothing before its start and at
its ramp's productivity after (:mod:`calendar.ramp`); the parent's exact
figures per ledger segment stay what its seasonality gives, as without the
ramp. So in a sibling group with a ramped child:

- a child that keeps a shape of its own — a ramped child, or one with a
  seasonality of its own in its subtree — gets exactly that shape: each of
  its leaves' seasonality times the productivity of the ramps over it (and
  its own), scaled to the leaf's figure;
- the others (they follow the parent's seasonality) share what is left of
  the parent's exact figure in each segment, in proportion to their figures.

Rows (each child's figure) and columns (the parent's segments) both hold
exactly. This is the bi-proportional (RAS) fit of the group with the
shape-keeping children held: the followers have one seed profile, and for
one seed the fit is closed-form (each follower's row share of the column
remainder), so it is exact and needs no iteration. Below a node whose
profile changed, its children are fitted to it the same way (followers take
their parent's new profile in proportion).

Where the columns cannot be met — the shape-keeping children need more than
the parent has in some segment, or leave something in a segment where no
follower can take it — :class:`Unfit` names the ramped node and the months.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from targetsplit.calendar.ramp import Ramp, segment_productivity
from targetsplit.calendar.seasonality import Seasonality, month_shares, segment_shares
from targetsplit.calendar.workdays import Breakdown
from targetsplit.plan.tree import Node

Vector = tuple[Fraction, ...]
#: Per node (path) and metric: the node's share of its figure in each ledger
#: segment (adding up to 1; all zero for a zero figure), for the nodes whose
#: profile the ramps change.
Profiles = dict[str, dict[str, Vector]]
Units = Callable[[Node], Mapping[str, int]]


class Unfit(ValueError):
    """A sibling group whose parent's figures the ramps cannot fit; ``node`` is
    the ramped node to point at (its ``start:``)."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def has_ramps(root: Node) -> bool:
    return any(n.ramp is not None for n in root.walk())


def fit(
    root: Node,
    seasonality: Seasonality | None,
    b: Breakdown,
    units: Units,
    metrics: Sequence[str],
) -> Profiles:
    """The profiles of every node the ramps move (see the module); raise :class:`Unfit`."""
    return _Fit(b, units, metrics).run(root, seasonality)


def _who(node: Node) -> str:
    return f"'{node.key}'" if node.path else "the plan"


def month_ranges(b: Breakdown, segments: Sequence[int]) -> str:
    """The months that hold ``segments``, as ranges: ``2026-01..2026-03, 2026-07``."""
    months = sorted({b.segments[j].month for j in segments})
    runs: list[list[int]] = []
    for m in months:
        if runs and runs[-1][-1] == m - 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    labels = [
        b.months[r[0]].label + (f"..{b.months[r[-1]].label}" if len(r) > 1 else "") for r in runs
    ]
    return ", ".join(labels)


class _Fit:
    def __init__(self, b: Breakdown, units: Units, metrics: Sequence[str]) -> None:
        self.b = b
        self.units = units
        self.metrics = metrics
        self.n = len(b.segments)
        self._vectors: dict[int, Vector] = {}
        self._chains: dict[tuple[Ramp, ...], Vector] = {}
        self._shapes: dict[tuple[int, tuple[Ramp, ...]], tuple[Vector, bool]] = {}
        self.own: dict[str, bool] = {}  # a seasonality of its own in the node's subtree
        self.ramped: dict[str, bool] = {}  # a ramp in the node's subtree (itself included)
        self.out: Profiles = {}

    def run(self, root: Node, seasonality: Seasonality | None) -> Profiles:
        for node in list(root.walk())[::-1]:
            self.own[node.key] = node.seasonality is not None or any(
                self.own[c.key] for c in node.children
            )
            self.ramped[node.key] = node.ramp is not None or any(
                self.ramped[c.key] for c in node.children
            )
        if self.ramped[root.key]:
            self.walk(root, seasonality, (), None, None)
        return self.out

    # The pieces: a seasonality's segment shares, a chain of ramps' productivity,
    # and a seasonality's shares times a chain's productivity, made to add up to 1.

    def vector(self, s: Seasonality | None) -> Vector:
        key = id(s)
        if key not in self._vectors:
            self._vectors[key] = segment_shares(month_shares(s, self.b), self.b)
        return self._vectors[key]

    def shape(self, s: Seasonality | None, chain: tuple[Ramp, ...]) -> tuple[Vector, bool]:
        """``s``'s shares times ``chain``'s productivity, adding up to 1; and whether
        anything is left (False: all zero)."""
        key = (id(s), chain)
        if key not in self._shapes:
            u = self.vector(s)
            if chain:
                if chain not in self._chains:
                    self._chains[chain] = segment_productivity(self.b, chain)
                q = self._chains[chain]
                raw = [x * p for x, p in zip(u, q, strict=True)]
                total = sum(raw, Fraction(0))
                if total:
                    self._shapes[key] = (tuple(x / total for x in raw), True)
                else:
                    self._shapes[key] = (tuple(raw), False)
            else:
                self._shapes[key] = (u, True)
        return self._shapes[key]

    def leaf_units(
        self, node: Node, s: Seasonality | None
    ) -> list[tuple[Seasonality | None, Mapping[str, int]]]:
        """The node's leaves grouped by the seasonality in force at each, with their
        figures (a node with no seasonality of its own below: itself, once)."""
        s = node.seasonality or s
        if not self.own[node.key] or not node.children:
            return [(s, self.units(node))]
        return [pair for c in node.children for pair in self.leaf_units(c, s)]

    def own_profile(
        self, node: Node, s: Seasonality | None, chain: tuple[Ramp, ...], ramped: Node | None
    ) -> dict[str, list[Fraction]]:
        """The node's exact figures per segment (in units) when it keeps its own
        shape: each leaf's seasonality times the chain's productivity, scaled to
        the leaf's figure."""
        out = {m: [Fraction(0)] * self.n for m in self.metrics}
        for leaf_s, units in self.leaf_units(node, s):
            vec, alive = self.shape(leaf_s, chain)
            for m in self.metrics:
                u = units[m]
                if not u:
                    continue
                if not alive:
                    assert ramped is not None and ramped.ramp is not None
                    who = " and" if node is ramped else f", and {_who(node)}"
                    raise Unfit(
                        f"{_who(ramped)} starts {ramped.ramp.start}{who} has a target, but no"
                        " working time from then to the period's end"
                        + (" under its seasonality" if self.own[node.key] else ""),
                        ramped,
                    )
                row = out[m]
                for j, x in enumerate(vec):
                    if x:
                        row[j] += u * x
        return out

    def walk(
        self,
        node: Node,
        s: Seasonality | None,
        chain: tuple[Ramp, ...],
        ramped: Node | None,
        exact: dict[str, list[Fraction]] | None,
    ) -> None:
        """Fit ``node``'s children to its exact figures ``exact`` (None: its own,
        unchanged), and go on down where the ramps move something."""
        s = node.seasonality or s
        kids = node.children
        if exact is None and not any(c.ramp is not None for c in kids):
            for c in kids:
                if self.ramped[c.key]:
                    self.walk(c, s, chain, ramped, None)
            return
        if exact is None:
            exact = self.own_profile(node, s, chain, ramped)
        keeps = [c.ramp is not None or self.own[c.key] for c in kids]
        chains = [(*chain, c.ramp) if c.ramp is not None else chain for c in kids]
        holders = [c if c.ramp is not None else ramped for c in kids]
        first = next((c for c in kids if c.ramp is not None), ramped)
        profiles: list[dict[str, list[Fraction]]] = [{} for _ in kids]
        for i, c in enumerate(kids):
            if keeps[i]:
                profiles[i] = self.own_profile(c, s, chains[i], holders[i])
        for m in self.metrics:
            rem = list(exact[m])
            for i in range(len(kids)):
                if keeps[i]:
                    for j, x in enumerate(profiles[i][m]):
                        if x:
                            rem[j] -= x
            followers = [i for i in range(len(kids)) if not keeps[i]]
            total = sum(self.units(kids[i])[m] for i in followers)
            left = [j for j, x in enumerate(rem) if x > 0]
            over = [j for j, x in enumerate(rem) if x < 0]
            if (left and not total) or over:
                assert first is not None and first.ramp is not None
                raise Unfit(self._unfit(node, kids, keeps, first, m, left, over, total), first)
            share = tuple(x / total for x in rem) if total else tuple(Fraction(0) for _ in rem)
            for i in followers:
                profiles[i][m] = [x * self.units(kids[i])[m] for x in share]
                self._put_vector(kids[i].key, m, share if self.units(kids[i])[m] else None)
            for i in range(len(kids)):
                if keeps[i]:
                    u = self.units(kids[i])[m]
                    self._put_vector(
                        kids[i].key, m, tuple(x / u for x in profiles[i][m]) if u else None
                    )
        for i, c in enumerate(kids):
            if not keeps[i] and not self.ramped[c.key]:
                self._follow(c)  # its whole subtree follows its new profile
            elif c.children:
                self.walk(c, s, chains[i], holders[i], profiles[i])

    def _put_vector(self, key: str, m: str, vec: Vector | None) -> None:
        self.out.setdefault(key, {})[m] = vec if vec is not None else (Fraction(0),) * self.n

    def _follow(self, node: Node) -> None:
        """Every node under ``node`` takes ``node``'s profile in proportion."""
        mine = self.out[node.key]
        for d in node.walk():
            if d is not node:
                self.out[d.key] = {
                    m: mine[m] if self.units(d)[m] else (Fraction(0),) * self.n
                    for m in self.metrics
                }

    def _unfit(
        self,
        node: Node,
        kids: Sequence[Node],
        keeps: Sequence[bool],
        first: Node,
        m: str,
        left: list[int],
        over: list[int],
        total: int,
    ) -> str:
        """Why ``node``'s children cannot be fitted to it."""
        assert first.ramp is not None
        start = first.ramp.start
        if left and not total:
            return (
                f"{_who(first)} starts {start}, but {_who(node)} has targets in"
                f" {month_ranges(self.b, left)}{self._in(m)} that none of its children can"
                f" take (a child takes them when it follows {_who(node)}'s seasonality, with no"
                " start or seasonality of its own, and has a target)"
            )
        others = sum(1 for c, k in zip(kids, keeps, strict=True) if k and c is not first)
        who = f"{_who(first)} (from {start})"
        if others:
            who += " and the siblings that keep a shape of their own"
        return (
            f"{who} would need more than {_who(node)} has in"
            f" {month_ranges(self.b, over)}{self._in(m)}: the siblings that follow"
            f" {_who(node)}'s seasonality would go below zero there (give"
            f" {_who(first)} a smaller weight or an earlier start)"
        )

    def _in(self, m: str) -> str:
        return f" in {m}" if len(self.metrics) > 1 else ""
