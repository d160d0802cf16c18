"""The max-flow behind controlled rounding: the flows it finds, edge for edge."""

from __future__ import annotations

import random
from collections import deque

from targetsplit.numbers.flow import Network, feasible_flow


class _Reference(Network):
    """Dinic's algorithm as first written (every level, then the same search
    for paths): the flows the rounding's figures were made with."""

    def max_flow(self, s: int, t: int) -> int:
        total = 0
        to, cap, head = self.to, self.cap, self.head
        while True:
            level = [-1] * self.n
            level[s] = 0
            queue = deque([s])
            while queue:
                u = queue.popleft()
                for e in head[u]:
                    if cap[e] > 0 and level[to[e]] < 0:
                        level[to[e]] = level[u] + 1
                        queue.append(to[e])
            if level[t] < 0:
                return total
            it = [0] * self.n
            while True:
                pushed = self._augment_reference(s, t, level, it)
                if pushed == 0:
                    break
                total += pushed

    def _augment_reference(self, s: int, t: int, level: list[int], it: list[int]) -> int:
        to, cap, head = self.to, self.cap, self.head
        path: list[int] = []
        u = s
        while True:
            if u == t:
                pushed = min(cap[e] for e in path)
                for e in path:
                    cap[e] -= pushed
                    cap[e ^ 1] += pushed
                return pushed
            edges = head[u]
            advanced = False
            while it[u] < len(edges):
                e = edges[it[u]]
                v = to[e]
                if cap[e] > 0 and level[v] == level[u] + 1:
                    path.append(e)
                    u = v
                    advanced = True
                    break
                it[u] += 1
            if not advanced:
                if not path:
                    return 0
                level[u] = -1
                e = path.pop()
                u = to[e ^ 1]
                it[u] += 1


def test_the_same_flow_on_every_edge_as_the_reference() -> None:
    """Stopping the level search at the sink and the tighter path search find
    the same paths in the same order: the same flow on every edge, so the same
    rounding wherever a flow settles it."""
    rng = random.Random(7)
    for _ in range(400):
        n = rng.randint(2, 40)
        edges = [
            (rng.randrange(n), rng.randrange(n), rng.choice([0, 1, 2, 3, 5, 8, 100]))
            for _ in range(rng.randint(1, 6 * n))
        ]
        nets = [Network(n), _Reference(n)]
        for net in nets:
            for u, v, c in edges:
                net.add(u, v, c)
        s, t = 0, n - 1
        assert nets[0].max_flow(s, t) == nets[1].max_flow(s, t)
        assert nets[0].cap == nets[1].cap


def test_a_feasible_flow_keeps_every_bound() -> None:
    rng = random.Random(11)
    found = 0
    for _ in range(200):
        n = rng.randint(2, 12)
        edges = []
        for _ in range(rng.randint(1, 4 * n)):
            low = rng.choice([0, 0, 1, 2])
            edges.append((rng.randrange(n), rng.randrange(n), low, low + rng.choice([0, 1, 3])))
        flows = feasible_flow(n, edges)
        if flows is None:
            continue
        found += 1
        balance = [0] * n
        for (u, v, low, high), f in zip(edges, flows, strict=True):
            assert low <= f <= high
            balance[u] -= f
            balance[v] += f
        assert not any(balance)
    assert found > 20
