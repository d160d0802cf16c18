"""The comparison for bench_progress.py: pandas read_csv + filter by date +
groupby sum on the same actuals file (floats; amount-syntax values become NaN).

Usage: python benchmarks/pandas_actuals.py ACTUALS.csv CUTOFF OUT.json
"""

from __future__ import annotations

import sys

import pandas as pd


def main() -> None:
    df = pd.read_csv(sys.argv[1], dtype={"date": str, "node": str, "metric": str, "value": str})
    df = df[(df["date"] >= "2026-01-01") & (df["date"] <= sys.argv[2])]
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    sums = df.groupby(["node", "metric"])["value"].sum()
    sums.reset_index().to_json(sys.argv[3], orient="records", force_ascii=False)


if __name__ == "__main__":
    main()
