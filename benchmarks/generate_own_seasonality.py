"""A plan of N reps under one root, each with seasonality of its own (twelve
random monthly weights 100-999, so that their denominators differ): the case
where the time ledger's exact numbers once grew with the square of N.

Usage: python benchmarks/generate_own_seasonality.py OUT.yaml [N]
then:  /usr/bin/time -f '%e s %M KiB' targetsplit allocate OUT.yaml --by week \\
           --format json --output /tmp/out.json
"""

from __future__ import annotations

import random
import sys


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rnd = random.Random(1)
    lines = [
        "plan: Own seasonality",
        "period: '2026'",
        "metrics:",
        "  revenue: {total: 100000000, round: 1}",
        "split:",
    ]
    for i in range(n):
        months = [rnd.randint(100, 999) for _ in range(12)]
        weight = rnd.randint(1, 9)
        lines.append(f"  R{i:05d}: {{weight: {weight}, seasonality: {{months: {months}}}}}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
