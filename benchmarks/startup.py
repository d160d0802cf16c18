"""Start-up cost: `targetsplit allocate` on a small example against importing
its libraries alone (`python -c "import typer, rich, pydantic, yaml, tabulate"`).

Runs both commands interleaved, N times each, and prints the medians and
their ratio (goal: within 1.5x). Usage: python benchmarks/startup.py [N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "imports": [sys.executable, "-c", "import typer, rich, pydantic, yaml, tabulate"],
    "allocate": [
        sys.executable,
        "-m",
        "targetsplit",
        "allocate",
        str(ROOT / "examples" / "two-reps.yaml"),
        "--format",
        "plain",
    ],
}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(n):
        for name, cmd in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        print(f"{k:>9}: {v * 1000:7.1f} ms median of {n}")
    print(f"    ratio: {med['allocate'] / med['imports']:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
