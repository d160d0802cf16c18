"""Benchmark: `targetsplit progress --week 32 --format json --output FILE` on the
10,000-rep plan with 1,000,000 rows of actuals, beside pandas_actuals.py
(read_csv + filter by date + groupby sum on the same file).

Reports each command's wall time (median of N runs), peak memory (max RSS of
the child process) and the ratio. Goal: ratio <= 1.0, under 1 GiB.

Usage: python benchmarks/bench_progress.py [N]   (needs pandas: pip install pandas)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``cmd`` in a fresh process."""
    wrapper = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True);"
        "w = time.perf_counter() - t;"
        "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], check=True, capture_output=True, text=True
    )
    wall, rss_kib = out.stdout.split()
    return float(wall), int(rss_kib) / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        plan = os.path.join(tmp, "big.yaml")
        subprocess.run([sys.executable, str(HERE / "generate.py"), plan], check=True)
        commands = {
            "targetsplit": [
                sys.executable,
                "-m",
                "targetsplit",
                "allocate",
                plan,
                "--by",
                "week",
                "--format",
                "json",
                "--output",
                os.path.join(tmp, "ts.json"),
            ],
            "numpy": [
                sys.executable,
                str(HERE / "numpy_weekly.py"),
                plan,
                os.path.join(tmp, "np.json"),
            ],
        }
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        for _ in range(n):
            for name, cmd in commands.items():
                results[name].append(measure(cmd))
        med = {}
        for name, runs in results.items():
            med[name] = statistics.median(w for w, _ in runs)
            peak = max(m for _, m in runs)
            print(f"{name:>12}: {med[name]:6.2f} s median of {n}, peak RSS {peak:6.0f} MiB")
        print(f"       ratio: {med['targetsplit'] / med['pandas']:.2f}x (goal <= 1.0x)")


if __name__ == "__main__":
    main()
