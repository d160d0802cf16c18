"""Generate actuals for the benchmark plan: N rows (default 1,000,000) of
`date,node,metric,value` transactions over 2026 for the 10,000 reps of
generate.py, with a few refunds (negative values) and some rows written in
the amount syntax (1.2万).

With ``--unknown N``, N rows name N different nodes that are not in the plan
(a rep's name with one typo), for timing the "did you mean" of an actuals
file full of wrong names.

Usage: python benchmarks/generate_actuals.py OUT.csv [--rows 1000000] [--unknown N]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--teams", type=int, default=25)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--unknown", type=int, default=0, help="rows naming nodes not in the plan")
    args = ap.parse_args()
    rnd = random.Random(32)
    reps = [
        f"Rep {r:02d}-{t:02d}-{p:02d}"
        for r in range(args.regions)
        for t in range(args.teams)
        for p in range(args.reps)
    ]
    days = [str(date(2026, 1, 1) + timedelta(days=i)) for i in range(365)]
    metrics = ["revenue", "new_customers", "visits"]
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write("date,node,metric,value\n")
        for i in range(args.rows):
            metric = metrics[i % 3]
            if metric == "revenue":
                low = -2_000_00 if i % 50 == 0 else 1  # every 50th row may be a refund
                cents = rnd.randint(low, 60_000_00)
                value = f"{cents / 100:.2f}"
                if i % 997 == 0:
                    value = f"{rnd.randint(1, 9)}.{rnd.randint(0, 9)}万"
            else:
                value = str(rnd.randint(0, 3))
            node = rnd.choice(reps)
            if i < args.unknown:  # a typo that names no node: "Rep 03-17-12" -> "Rpe 03-17-12-7"
                node = f"{node[0]}{node[2]}{node[1]}{node[3:]}-{i}"
            f.write(f"{rnd.choice(days)},{node},{metric},{value}\n")


if __name__ == "__main__":
    main()
