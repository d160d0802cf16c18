"""Maximum flow (Dinic's algorithm) with integer capacities, and feasible flows
with lower bounds: the tool behind controlled rounding."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

#: A capacity no flow reaches. Figures count rounding units: below 10^18 / 10^-60 =
#: 10^78 < 2^260 of them (amounts.MAX_ABS, the smallest unit), so 2^62 was not
#: enough for a tiny unit (round: 1e-30 left controlled rounding with "no
#: solution"); Python's integers make a far larger one as cheap.
INF = 1 << 512


class Network:
    """A directed graph with integer capacities; edges are numbered as added."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.head: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[int] = []

    def add(self, u: int, v: int, cap: int) -> int:
        """Add an edge; return its number (its reverse edge is number + 1)."""
        e = len(self.to)
        self.to += [v, u]
        self.cap += [cap, 0]
        self.head[u].append(e)
        self.head[v].append(e + 1)
        return e

    def flow_on(self, e: int) -> int:
        return self.cap[e + 1]

    def max_flow(self, s: int, t: int) -> int:
        total = 0
        to, cap, head = self.to, self.cap, self.head
        while True:
            # Levels by breadth-first search, up to the sink's: a node at the
            # sink's level or beyond leads nowhere in this phase, so it may as
            # well stay unlevelled (the paths found are the same).
            level = [-1] * self.n
            level[s] = 0
            queue = deque([s])
            pop, push = queue.popleft, queue.append
            while queue and level[t] < 0:
                u = pop()
                next_level = level[u] + 1
                for e in head[u]:
                    v = to[e]
                    if level[v] < 0 and cap[e] > 0:
                        level[v] = next_level
                        push(v)
            if level[t] < 0:
                return total
            it = [0] * self.n
            while True:
                pushed = self._augment(s, t, level, it)
                if pushed == 0:
                    break
                total += pushed
        return total  # pragma: no cover

    def _augment(self, s: int, t: int, level: list[int], it: list[int]) -> int:
        """Find one shortest augmenting path iteratively and push along it."""
        to, cap, head = self.to, self.cap, self.head
        path: list[int] = []
        u = s
        while True:
            if u == t:
                pushed = min([cap[e] for e in path])
                for e in path:
                    cap[e] -= pushed
                    cap[e ^ 1] += pushed
                return pushed
            edges = head[u]
            i, end, wanted = it[u], len(edges), level[u] + 1
            while i < end:
                e = edges[i]
                v = to[e]
                if cap[e] > 0 and level[v] == wanted:
                    break
                i += 1
            it[u] = i
            if i < end:
                path.append(e)
                u = v
                continue
            if not path:
                return 0
            level[u] = -1  # dead end: never visit again in this phase
            e = path.pop()
            u = to[e ^ 1]
            it[u] += 1


def feasible_flow(n: int, edges: Sequence[tuple[int, int, int, int]]) -> list[int] | None:
    """A flow with ``low <= flow <= high`` on every edge ``(u, v, low, high)`` and
    conservation at every node, or ``None`` when there is none."""
    net = Network(n + 2)
    ss, tt = n, n + 1
    excess = [0] * n
    ids = []
    for u, v, low, high in edges:
        ids.append(net.add(u, v, high - low))
        excess[v] += low
        excess[u] -= low
    need = 0
    for v, x in enumerate(excess):
        if x > 0:
            net.add(ss, v, x)
            need += x
        elif x < 0:
            net.add(v, tt, -x)
    if net.max_flow(ss, tt) != need:
        return None
    return [low + net.flow_on(e) for e, (_, _, low, _) in zip(ids, edges, strict=True)]
