"""Benchmark: `targetsplit progress --week 32 --format json --output FILE` on the
10,000-rep plan with 1,000,000 rows of actuals, beside pandas_actuals.py
(read_csv + filter by date + groupby sum on the same file).

Goal: no slower than pandas (ratio <= 1.0), peak memory under 1 GiB.
Usage: python benchmarks/bench_progress.py [N]   (needs pandas: pip install pandas)
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
        actuals = os.path.join(tmp, "actuals.csv")
        subprocess.run([sys.executable, str(HERE / "generate.py"), plan], check=True)
        subprocess.run([sys.executable, str(HERE / "generate_actuals.py"), actuals], check=True)
        ts_out, pd_out = os.path.join(tmp, "ts.json"), os.path.join(tmp, "pd.json")
        compare(
            {
                "targetsplit": [sys.executable, "-m", "targetsplit", "progress", plan,
                                "--week", "32", "--actuals", actuals, "--format", "json",
                                "--quiet", "--output", ts_out],
                "pandas": [sys.executable, str(HERE / "pandas_actuals.py"), actuals,
                           "2026-08-09", pd_out],
            },
            runs,
            "goal <= 1.0x",
        )  # fmt: skip


if __name__ == "__main__":
    main()
