"""The array greedy (split.fastround) against the pure-Python greedy it stands for."""

from __future__ import annotations

import random

import numpy as np
import pytest

from targetsplit.split import fastround
from targetsplit.split.rows import round_children as _round_children


def _case(rng: random.Random) -> tuple[list[int], list[int], int, list[int], list[list[int]]]:
    """Random sibling groups over one vector: (units, sizes, denominator, vector, parent rows)."""
    p = rng.randint(1, 10)
    d = rng.choice([1, 2, 3, 7, 12, 100, 137_280, 10**9])
    cuts = sorted(rng.randint(0, d) for _ in range(p - 1))
    vec = [b - a for a, b in zip([0, *cuts], [*cuts, d], strict=True)]
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(1, 5))]
    top = rng.choice([3, 20, 1000])
    u = [rng.randrange(top) for _ in range(sum(sizes))]
    parents = []
    start = 0
    for size in sizes:
        total = [sum(u[i] * v for i in range(start, start + size)) for v in vec]
        running, before, row = 0, 0, []
        for x in total:  # the parent's row: its running totals rounded half up
            running += x
            now = (2 * running + d) // (2 * d)
            row.append(now - before)
            before = now
        if rng.random() < 0.2 and p > 1:  # now and then a row that may leave no solution
            a, b = rng.randrange(p), rng.randrange(p)
            row[a] += 1
            row[b] -= 1
        parents.append(row)
        start += size
    return u, sizes, d, vec, parents


@pytest.mark.parametrize("key_limit", [fastround.KEY_LIMIT, 1], ids=["one-key", "lexsort"])
def test_array_greedy_is_the_python_greedy(monkeypatch: pytest.MonkeyPatch, key_limit: int) -> None:
    """Each group the array greedy settles gets exactly the pure-Python greedy's
    rows, whichever way the candidates are ordered (one combined key, or lexsort
    when the key would not fit in 64 bits)."""
    monkeypatch.setattr(fastround, "KEY_LIMIT", key_limit)
    rng = random.Random(11)
    settled = unsettled = 0
    for _ in range(600):
        u, sizes, d, vec, parents = _case(rng)
        starts = np.cumsum([0, *sizes[:-1]])
        group = np.repeat(np.arange(len(sizes)), sizes)
        result, failed = fastround._greedy(
            np,
            np.array(u, dtype=np.int64),
            np.array(vec, dtype=np.int64),
            d,
            group,
            starts,
            np.array(parents, dtype=np.int64),
        )
        rows = result.tolist()
        for g, (start, size) in enumerate(zip(starts.tolist(), sizes, strict=True)):
            members = u[start : start + size]
            python = _round_children(
                [[x * v for v in vec] for x in members], [d] * size, members, parents[g]
            )
            if failed[g]:
                unsettled += 1
            else:
                settled += 1
                assert rows[start : start + size] == python
    assert settled > 1000 and unsettled > 100  # both kinds of group were seen
