"""Generate a large plan for the benchmarks.

20 regions x 25 teams x 20 reps = 10,000 reps (10,521 nodes), 3 metrics,
quarter seasonality, a mix of percent, ratio and rest weights.

Usage: python benchmarks/generate.py OUT.yaml [--regions 20 --teams 25 --reps 20]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def plan_text(regions: int, teams: int, reps: int, seed: int = 2026) -> str:
    rnd = random.Random(seed)
    lines = [
        "plan: Benchmark national sales",
        "period: 2026",
        "metrics:",
        "  revenue: {total: 120亿, round: 1万, unit: CNY}",
        "  new_customers: {total: 200000}",
        "  visits: {total: 5000000}",
        "seasonality:",
        "  quarters: [20%, 25%, 25%, 30%]",
        "split:",
    ]
    for r in range(regions):
        weight = "rest" if r == regions - 1 else f"{100 // (regions + 1)}%"
        lines += [
            f"  Region {r:02d}:",
            f"    weight: {weight}",
            f"    owner: Manager {r:02d}",
            "    split:",
        ]
        for t in range(teams):
            lines += [
                f"      Team {r:02d}-{t:02d}:",
                f"        weight: {rnd.randint(5, 30) / 10}",
                "        split:",
            ]
            for p in range(reps):
                lines.append(f"          Rep {r:02d}-{t:02d}-{p:02d}: {rnd.randint(50, 150) / 100}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--teams", type=int, default=25)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    Path(args.out).write_text(plan_text(args.regions, args.teams, args.reps), encoding="utf-8")


if __name__ == "__main__":
    main()
