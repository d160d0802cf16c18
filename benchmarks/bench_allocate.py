"""Benchmark: `targetsplit allocate --by week --format json --output FILE` on the
10,000-rep plan, beside numpy_weekly.py (the same weekly split in floats).

Goal: within 2x of numpy's wall time, peak memory under 1 GiB.
Usage: python benchmarks/bench_allocate.py [N]   (needs numpy: pip install numpy)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import compare

HERE = Path(__file__).resolve().parent


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        plan = os.path.join(tmp, "big.yaml")
        subprocess.run([sys.executable, str(HERE / "generate.py"), plan], check=True)
        ts_out, np_out = os.path.join(tmp, "ts.json"), os.path.join(tmp, "np.json")
        compare(
            {
                "targetsplit": [sys.executable, "-m", "targetsplit", "allocate", plan,
                                "--by", "week", "--format", "json", "--output", ts_out],
                "numpy": [sys.executable, str(HERE / "numpy_weekly.py"), plan, np_out],
            },
            runs,
            "goal <= 2x",
        )  # fmt: skip


if __name__ == "__main__":
    main()
