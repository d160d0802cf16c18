"""A deep plan with seasonality of their own on about a third of its nodes and a
small total (a few units per rep): the plans whose time ledger needs its search
(split/search.py), where a parent's rounded row is one its children cannot share.

Usage: python benchmarks/generate_deep_seasonality.py OUT.yaml [DEPTH] [BRANCHING] [SEED]
(defaults 4, 5, 1: 780 nodes below the root; 5 5: 3,905; 5 6: 9,330), then
    /usr/bin/time -f '%e s %M KiB' targetsplit allocate OUT.yaml --by week \\
        --format json --output /tmp/out.json
"""

from __future__ import annotations

import random
import sys
from typing import Any


def main() -> None:
    out = sys.argv[1]
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    branching = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    reps = branching**depth

    def months() -> list[int]:
        shares = [rnd.choice([0, 1, 2, 3, 5, 8]) for _ in range(12)]
        return shares if any(shares) else [1, *shares[1:]]

    def node(level: int) -> dict[str, Any]:
        out: dict[str, Any] = {"weight": rnd.randint(1, 9)}
        if level < depth:
            out["split"] = {f"n{level}-{i}": node(level + 1) for i in range(branching)}
        if rnd.random() < 0.3:
            out["seasonality"] = {"months": months()}
        return out

    lines = [
        "plan: Deep seasonality",
        "period: '2026'",
        "metrics:",
        f"  revenue: {{total: {reps * 3}, round: 1}}",
        "split:",
    ]

    def write(name: str, body: dict[str, Any], indent: int) -> None:
        pad = " " * indent
        lines.append(f"{pad}{name}:")
        lines.append(f"{pad}  weight: {body['weight']}")
        if "seasonality" in body:
            lines.append(f"{pad}  seasonality: {{months: {body['seasonality']['months']}}}")
        if "split" in body:
            lines.append(f"{pad}  split:")
            for child, child_body in body["split"].items():
                write(child, child_body, indent + 4)

    for i in range(branching):
        write(f"r{i}", node(1), 2)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
