"""Shared timing for the benchmark scripts: fresh processes, wall time and peak RSS."""

from __future__ import annotations

import statistics
import subprocess
import sys

_WRAPPER = (
    "import resource, subprocess, sys, time;"
    "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True);"
    "w = time.perf_counter() - t;"
    "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``cmd`` in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd], check=True, capture_output=True, text=True
    )
    wall, rss_kib = out.stdout.split()
    return float(wall), int(rss_kib) / 1024


def compare(commands: dict[str, list[str]], runs: int, goal: str) -> None:
    """Run the commands interleaved ``runs`` times; print medians, peaks and the
    ratio of the first command to the second."""
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(measure(cmd))
    medians = {}
    for name, samples in results.items():
        medians[name] = statistics.median(w for w, _ in samples)
        peak = max(m for _, m in samples)
        print(f"{name:>12}: {medians[name]:6.2f} s median of {runs}, peak RSS {peak:6.0f} MiB")
    first, second = list(medians)
    print(f"       ratio: {medians[first] / medians[second]:.2f}x ({goal})")
