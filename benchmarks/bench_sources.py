"""Benchmark: `progress` on the 1,000,000-row actuals as CSV, as Parquet and in SQLite.

The Parquet file (date DATE, node and metric VARCHAR, value DECIMAL(18,2)) and
the SQLite database (a wide table: date, node, one NUMERIC column per metric,
read through the actuals mapping: the filters and the SUM ... GROUP BY run in
SQLite) are made from the benchmark's actuals.csv (benchmarks/generate_actuals.py;
bench_heavy.py --data DIR makes it) on the first run and kept beside it. Each
command runs in a fresh process, the three interleaved run by run; the table
shows medians and peak RSS, and the three JSON outputs are checked to hold the
same figures.

Usage: python benchmarks/bench_sources.py [--runs 3] [--data /tmp/bench-data]
(needs the [sql] extra for SQLite).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile

import duckdb
from harness import measure


def _parquet(csv_path: str, out: str) -> None:
    con = duckdb.connect()
    amount = (
        "case when value like '%万' then cast(replace(value, '万', '') as decimal(18, 2)) * 10000"
        " else cast(value as decimal(18, 2)) end"
    )
    con.execute(
        f"copy (select cast(date as date) as date, node, metric,"
        f" cast({amount} as decimal(18, 2)) as value"
        f" from read_csv('{csv_path}', all_varchar = true, header = true)) to '{out}'"
        " (format parquet)"
    )
    con.close()


def _sqlite(parquet: str, out: str) -> list[str]:
    """A wide table ``actuals`` (date, node, a column per metric); the metrics."""
    con = duckdb.connect()
    metrics = [
        m for (m,) in con.execute(f"select distinct metric from '{parquet}' order by 1").fetchall()
    ]
    picks = ", ".join(
        f"cast(case when metric = '{m}' then value end as varchar) as {m}" for m in metrics
    )
    rows = con.execute(f"select cast(date as varchar), node, {picks} from '{parquet}'").fetchall()
    con.close()
    db = sqlite3.connect(out)
    columns = ", ".join(f"{m} numeric" for m in metrics)
    db.execute(f"create table actuals (date text, node text, {columns})")
    marks = ", ".join("?" for _ in range(2 + len(metrics)))
    db.executemany(f"insert into actuals values ({marks})", rows)
    db.commit()
    db.close()
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default="/tmp/bench-data")
    args = parser.parse_args()
    plan = os.path.join(args.data, "big.yaml")
    csv_path = os.path.join(args.data, "actuals.csv")
    parquet = os.path.join(args.data, "actuals.parquet")
    db = os.path.join(args.data, "actuals.db")
    if not os.path.exists(parquet):
        _parquet(csv_path, parquet)
    if not os.path.exists(db):
        _sqlite(parquet, db)
    con = duckdb.connect()
    metrics = [
        m for (m,) in con.execute(f"select distinct metric from '{parquet}' order by 1").fetchall()
    ]
    con.close()
    values = "{" + ", ".join(f"{m}: {m}" for m in metrics) + "}"
    out = tempfile.mkdtemp(prefix="bench-sources-")
    base = [sys.executable, "-m", "targetsplit", "progress", plan, "--week", "32", "-f", "json"]
    commands = {
        "CSV": [*base, "-a", csv_path, "-o", f"{out}/csv.json"],
        "Parquet": [*base, "-a", parquet, "-o", f"{out}/parquet.json"],
        "SQLite": [
            *base,
            "--actuals-map",
            f"url=sqlite:///{db}",
            "--actuals-map",
            "table=actuals",
            "--actuals-map",
            "date=date",
            "--actuals-map",
            "node=node",
            "--actuals-map",
            f"values={values}",
            "-o",
            f"{out}/sqlite.json",
        ],
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(measure(cmd))
    figures = {}
    for name in commands:
        with open(f"{out}/{name.lower()}.json", encoding="utf-8") as f:
            data = json.load(f)
        figures[name] = [(n["path"], n["progress"]) for n in data["nodes"]]
    same = all(figures[name] == figures["CSV"] for name in figures)
    csv_median = statistics.median(t for t, _ in times["CSV"])
    print(f"progress --week 32 on {plan}: 1,000,000 rows of actuals, {args.runs} runs each")
    print("| source | median wall (s) | range | vs CSV | peak RSS (MiB) |")
    print("|---|---|---|---|---|")
    for name, found in times.items():
        walls = [t for t, _ in found]
        median = statistics.median(walls)
        print(
            f"| {name} | {median:.2f} | {min(walls):.2f}-{max(walls):.2f}"
            f" | {median / csv_median:.2f}x | {max(r for _, r in found):.0f} |"
        )
    print(f"same figures in all three: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
