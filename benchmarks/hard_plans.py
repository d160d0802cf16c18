"""How often, and how slowly, the time ledger's search (split/search.py) settles
plans built to need it, and where it gives up (the metric then rounded as one
flow, with a warning).

Random plans in the style an outside tester fuzzed with: about 300 nodes,
seasonality of their own on most (quarters, months, within the quarter, many
zeros), weights like 0.5 and 1.25, fiscal years, holidays, a metric of whole
units and one of cents. Each plan is rounded by ``allocate --by week`` in this
process; it counts the plans whose rounding needed the search, those that fell
back to the flow, those left with days on which a target to date may be more
than a unit off (rounded over the weeks and months), and the slowest.

Usage:
    python benchmarks/hard_plans.py random [COUNT] [FIRST_SEED]
    python benchmarks/hard_plans.py copies N
        (N copies of tests/ledger/outside-four-copies.yaml's hard team side
        by side: 11 N + 1 nodes)
    python benchmarks/hard_plans.py teams COUNT [FIRST_SEED [N]]
        (copies of the largest team of random plan SEED side by side: N of
        them, else 4 + SEED % 17; the metrics' totals times the copies)
    python benchmarks/hard_plans.py plan FILE.yaml [FILE.yaml ...]
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from targetsplit.cli.main import main as cli_main
from targetsplit.split import ledger

ROOT = Path(__file__).resolve().parent.parent
SHARES = [0, 0, 0, 1, 2, 3, 5, 8, 13]
WEIGHTS = [0.5, 1, 1, 1.25, 2, 3, 5]


def random_plan(seed: int) -> dict[str, Any]:
    """A plan of about 300 nodes in the fuzzer's style."""
    rnd = random.Random(seed)

    def shares(n: int) -> list[int]:
        out = [rnd.choice(SHARES) for _ in range(n)]
        return out if any(out) else [1, *out[1:]]

    def node(level: int, budget: list[int]) -> dict[str, Any]:
        out: dict[str, Any] = {"weight": rnd.choice(WEIGHTS)}
        kind = rnd.random()
        if kind < 0.25:
            out["seasonality"] = {"quarters": shares(4)}
        elif kind < 0.35:
            out["seasonality"] = {"quarters": shares(4), "within_quarter": shares(3)}
        elif kind < 0.7:
            out["seasonality"] = {"months": shares(12)}
        if level < 4 and budget[0] > 0 and rnd.random() < (0.9 if level < 2 else 0.4):
            n = rnd.randint(2, 14 if level >= 3 else 4)
            budget[0] -= n
            out["split"] = {f"n{level + 1}_{i}": node(level + 1, budget) for i in range(n)}
        return out

    budget = [300]
    start = rnd.randint(1, 12)
    year = 2026
    end_year, end_month = (year, 12) if start == 1 else (year + 1, start - 1)
    end_day = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][end_month - 1]
    holidays = []
    for _ in range(rnd.randint(0, 4)):
        month, day, length = rnd.randint(1, 12), rnd.randint(1, 20), rnd.randint(0, 8)
        first = f"{year + (month < start)}-{month:02d}-{day:02d}"
        last = f"{year + (month < start)}-{month:02d}-{day + length:02d}"
        holidays.append(first if not length else f"{first}..{last}")
    return {
        "version": 1,
        "plan": f"Fuzz {seed}",
        "period": {
            "start": f"{year}-{start:02d}-01",
            "end": f"{end_year}-{end_month:02d}-{end_day}",
            "name": "FYX",
        },
        "metrics": {
            "m0": {"total": rnd.randint(5, 60), "round": 1},
            "m1": {"total": round(rnd.uniform(5, 60), 2), "round": 0.01},
        },
        "calendar": {"workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"], "holidays": holidays},
        "split": {f"r{i}": node(0, budget) for i in range(rnd.randint(2, 5))},
    }


def copies(n: int) -> dict[str, Any]:
    four = yaml.safe_load((ROOT / "tests" / "ledger" / "outside-four-copies.yaml").read_text())
    team = four["split"]["copy0"]
    four["metrics"] = {
        "m0": {"total": 10 * n, "round": 1},
        "m1": {"total": round(1.37 * n, 2), "round": 0.01},
    }
    four["split"] = {f"copy{i}": team for i in range(n)}
    return dict(four)


def teams(seed: int, n: int | None = None) -> dict[str, Any]:
    plan = random_plan(seed)
    team = max(plan["split"].values(), key=lambda t: len(yaml.safe_dump(t)))
    n = 4 + seed % 17 if n is None else n
    plan["split"] = {f"copy{i}": team for i in range(n)}
    plan["metrics"]["m0"]["total"] *= n
    plan["metrics"]["m1"]["total"] = round(plan["metrics"]["m1"]["total"] * n, 2)
    return plan


def run(path: str) -> tuple[float, bool, bool, bool]:
    """Seconds, whether the search ran, whether a metric fell back to the flow,
    whether one was left with days on which a target to date may be more than
    a unit off (rounded over the weeks and months, with a warning)."""
    searched = []
    search = ledger.round_by_search

    def spy(*args: Any, **kwargs: Any) -> Any:
        searched.append(1)
        return search(*args, **kwargs)

    ledger.round_by_search = spy  # type: ignore[assignment]
    err = io.StringIO()
    try:
        t = time.perf_counter()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli_main(
                [
                    "allocate",
                    path,
                    "--by",
                    "week",
                    "--format",
                    "csv",
                    "--output",
                    str(Path(tempfile.gettempdir()) / "hard_plans.csv"),
                ]
            )
        took = time.perf_counter() - t
    finally:
        ledger.round_by_search = search  # type: ignore[assignment]
    if code != 0:
        raise SystemExit(f"{path}: exit {code}: {err.getvalue()}")
    said = err.getvalue()
    return took, bool(searched), "rounded as one flow" in said, "over the weeks and months" in said


def report(paths: list[str]) -> None:
    needed, flowed, off, slowest = 0, [], [], (0.0, "")
    for p in paths:
        took, searched, flow, days = run(p)
        needed += searched
        if flow:
            flowed.append(p)
        if days:
            off.append(p)
        slowest = max(slowest, (took, p))
        tags = f"{' search' if searched else ''}{' FLOW' if flow else ''}{' DAYS' if days else ''}"
        print(f"{p}: {took:.1f} s{tags}", flush=True)
    print(
        f"{len(paths)} plans, {needed} needed the search, {len(flowed)} fell back to the flow"
        f" {flowed}, {len(off)} left days off {off}; slowest {slowest[0]:.1f} s ({slowest[1]})"
    )


def main() -> None:
    what = sys.argv[1]
    out = Path(tempfile.mkdtemp(prefix="hard_plans-"))
    if what == "plan":
        report(sys.argv[2:])
        return
    if what == "copies":
        plans = {f"copies{sys.argv[2]}": copies(int(sys.argv[2]))}
    else:
        count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
        first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        seeds = range(first, first + count)
        if what == "teams":
            n = int(sys.argv[4]) if len(sys.argv) > 4 else None
            plans = {f"t{seed}": teams(seed, n) for seed in seeds}
        else:
            plans = {f"s{seed}": random_plan(seed) for seed in seeds}
    paths = []
    for name, plan in plans.items():
        path = out / f"{name}.yaml"
        path.write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True))
        paths.append(str(path))
    report(paths)


if __name__ == "__main__":
    main()
