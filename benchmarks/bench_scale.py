"""Time the bad-input paths that used to grow with the square of the input:
"did you mean" for unknown names, and `check --against` on large sheets and plans.

Each case runs the installed targetsplit (or the one under ``--src DIR``, to time
an older checkout the same way) in a fresh process; the commands fail on
purpose (unknown names, differing sheets), so the exit code is not checked.

Usage: python benchmarks/bench_scale.py [--src OLD/src] [--only CASE] [--scale 1.0] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name -> (plan shape (regions, teams, reps), what to generate, the command's tail)
CASES: dict[str, tuple[tuple[int, int, int], list[str], list[str]]] = {
    "unknown-actuals": (
        (20, 25, 20),
        ["generate_actuals.py", "{data}", "--rows", "{n}", "--unknown", "{n}"],
        ["progress", "{plan}", "--actuals", "{data}", "--week", "32", "-q"],
    ),
    "misspelt-sheet": (
        (20, 25, 20),
        ["generate_sheet.py", "{data}", "--rows", "{n}", "--misspelt"],
        ["check", "{plan}", "--against", "{data}", "-q"],
    ),
    "misspelt-sheet-100k": (
        (50, 50, 40),
        ["generate_sheet.py", "{data}", "--rows", "{n}", "--misspelt"],
        ["check", "{plan}", "--against", "{data}", "-q"],
    ),
    "sheet-100k": (
        (50, 50, 40),
        ["generate_sheet.py", "{data}", "--rows", "{n}"],
        ["check", "{plan}", "--against", "{data}", "-q"],
    ),
}
#: The sizes the issue names: 1,000 unknown nodes, a 10,000-row misspelt sheet,
#: a 200-row misspelt sheet and a 10,000-row sheet against a 100,000-rep plan.
SIZES = {
    "unknown-actuals": 1000,
    "misspelt-sheet": 10_000,
    "misspelt-sheet-100k": 200,
    "sheet-100k": 10_000,
}


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run; the machine may be shared,
    so the CPU time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", help="time the targetsplit package under this directory")
    ap.add_argument("--only", action="append", choices=sorted(CASES))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply each case's size")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        plans: dict[tuple[int, int, int], str] = {}
        for name in args.only or list(CASES):
            shape, generate, command = CASES[name]
            if shape not in plans:
                plans[shape] = f"{tmp}/plan-{'x'.join(map(str, shape))}.yaml"
                r, t, p = shape
                subprocess.run(
                    [sys.executable, str(HERE / "generate.py"), plans[shape]]
                    + ["--regions", str(r), "--teams", str(t), "--reps", str(p)],
                    check=True,
                )
            n = max(1, round(SIZES[name] * args.scale))
            fill = {"plan": plans[shape], "data": f"{tmp}/{name}.csv", "n": str(n)}
            shape_args = ["--regions", str(shape[0]), "--teams", str(shape[1])]
            shape_args += ["--reps", str(shape[2])]
            subprocess.run(
                [sys.executable, str(HERE / generate[0])]
                + [a.format(**fill) for a in generate[1:]]
                + shape_args,
                check=True,
            )
            cmd = [sys.executable, "-m", "targetsplit"] + [a.format(**fill) for a in command]
            times = [run(cmd, env) for _ in range(args.runs)]
            wall = statistics.median(w for w, _ in times)
            cpu = statistics.median(c for _, c in times)
            nodes = shape[0] * (1 + shape[1] * (1 + shape[2]))
            print(
                f"{name:>20}: {n:>6} rows against {nodes:,} nodes:"
                f" {wall:7.2f} s wall, {cpu:7.2f} s CPU",
                flush=True,
            )


if __name__ == "__main__":
    main()
