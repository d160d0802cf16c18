"""Benchmark: both heavy commands beside their references, in one run.

- `progress --week 32 --format json --output F` on the 10,000-rep plan with
  1,000,000 rows of actuals, beside pandas_actuals.py (goal: ratio <= 1.0);
- `allocate --by week --format json --output F` on the same plan, beside
  numpy_weekly.py (goal: ratio <= 0.7);
- peak memory (RSS) under 1 GiB for both.

Each command runs in a fresh process; the four commands are interleaved run by
run (the machine may be shared: interleaving spreads any load over all four),
and the table shows medians. targetsplit's bytecode is compiled first
(compileall), as an installed package's is.

Usage: python benchmarks/bench_heavy.py [--runs 3] [--data DIR]
(needs numpy and pandas: pip install numpy pandas). With --data, the plan and
actuals are kept in DIR and reused by later runs.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import measure

HERE = Path(__file__).resolve().parent
GIB = 1024


def _data(directory: str) -> tuple[str, str]:
    os.makedirs(directory, exist_ok=True)
    plan, actuals = os.path.join(directory, "big.yaml"), os.path.join(directory, "actuals.csv")
    if not os.path.exists(plan):
        subprocess.run([sys.executable, str(HERE / "generate.py"), plan], check=True)
    if not os.path.exists(actuals):
        subprocess.run([sys.executable, str(HERE / "generate_actuals.py"), actuals], check=True)
    return plan, actuals


def _compile() -> None:
    """Compile targetsplit's bytecode, so that no run pays for it."""
    import targetsplit

    compileall.compile_dir(Path(targetsplit.__file__).parent, quiet=1)


def commands(plan: str, actuals: str, out: str) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "progress": [py, "-m", "targetsplit", "progress", plan, "--week", "32",
                     "--actuals", actuals, "--format", "json", "--quiet",
                     "--output", os.path.join(out, "progress.json")],
        "pandas": [py, str(HERE / "pandas_actuals.py"), actuals, "2026-08-09",
                   os.path.join(out, "pandas.json")],
        "allocate": [py, "-m", "targetsplit", "allocate", plan, "--by", "week",
                     "--format", "json", "--output", os.path.join(out, "allocate.json")],
        "numpy": [py, str(HERE / "numpy_weekly.py"), plan, os.path.join(out, "numpy.json")],
    }  # fmt: skip


PAIRS = (("progress", "pandas", 1.0), ("allocate", "numpy", 0.7))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    ap.add_argument("--data", help="keep the generated plan and actuals in this directory")
    args = ap.parse_args()
    _compile()
    with tempfile.TemporaryDirectory() as tmp:
        plan, actuals = _data(args.data or tmp)
        cmds = commands(plan, actuals, tmp)
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
        for i in range(args.runs):
            for name, cmd in cmds.items():
                samples[name].append(measure(cmd))
            print(f"run {i + 1} of {args.runs} done", file=sys.stderr)
    wall = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    peak = {k: max(m for _, m in v) for k, v in samples.items()}
    print(f"medians of {args.runs} interleaved runs, fresh processes, bytecode compiled")
    print(
        f"{'command':<10}{'ours s':>8}{'ref':>8}{'ref s':>7}{'ratio':>7}{'goal':>7}"
        f"{'ours MiB':>10}{'ref MiB':>9}  verdict"
    )
    for ours, ref, goal in PAIRS:
        ratio = wall[ours] / wall[ref]
        ok = ratio <= goal and peak[ours] < GIB
        print(
            f"{ours:<10}{wall[ours]:8.2f}{ref:>8}{wall[ref]:7.2f}{ratio:6.2f}x{goal:6.1f}x"
            f"{peak[ours]:10.0f}{peak[ref]:9.0f}  {'meets the goal' if ok else 'MISSES the goal'}"
        )
    spread = {k: (min(w for w, _ in v), max(w for w, _ in v)) for k, v in samples.items()}
    print("range: " + ", ".join(f"{k} {lo:.2f}-{hi:.2f} s" for k, (lo, hi) in spread.items()))


if __name__ == "__main__":
    main()
