"""Generate a hand-made target sheet for `check --against` on a plan of
generate.py: ROWS reps' revenue (``node,metric,value``), each figure off the
plan's (so every row is a difference to explain), and with ``--misspelt`` every
name written with a typo (so every row needs a "did you mean").

Usage: python benchmarks/generate_sheet.py OUT.csv [--rows 10000] [--misspelt]
           [--regions 20 --teams 25 --reps 20]
"""

from __future__ import annotations

import argparse
import random


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--misspelt", action="store_true", help="write every name with a typo")
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--teams", type=int, default=25)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    rnd = random.Random(10)
    reps = [
        f"Rep {r:02d}-{t:02d}-{p:02d}"
        for r in range(args.regions)
        for t in range(args.teams)
        for p in range(args.reps)
    ]
    chosen = rnd.sample(reps, min(args.rows, len(reps)))
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write("node,metric,value\n")
        for name in chosen:
            if args.misspelt:  # two letters swapped: "Rep 03-17-12" -> "Rpe 03-17-12"
                name = f"{name[0]}{name[2]}{name[1]}{name[3:]}"
            f.write(f"{name},revenue,{rnd.randint(1, 500)}万\n")


if __name__ == "__main__":
    main()
