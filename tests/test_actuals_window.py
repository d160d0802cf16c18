"""The actuals of a window of the period (``review --period 2026-Q2``): rows dated
from its first day through the cut-off, read alike by both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from targetsplit.plan.load import parse_plan
from targetsplit.track import actuals as actuals_mod
from targetsplit.track.actuals import read_actuals

PLAN = parse_plan(
    """\
plan: Year
period: 2026
metrics:
  revenue: {total: 1200}
split:
  A: 1
  B: 1
""",
    "plan.yaml",
)
ROWS = """\
date,node,metric,value
2025-12-31,A,revenue,1000
2026-03-31,A,revenue,1
2026-04-01,A,revenue,10
2026-05-15 09:30:00,B,revenue,1.2万
2026-06-30,A,revenue,-3
2026-07-01,B,revenue,100
"""


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_window_counts_its_own_days_only(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(ROWS, encoding="utf-8")
    q2 = read_actuals(
        str(path), "a.csv", PLAN, date(2026, 6, 30), engine=engine, first_day=date(2026, 4, 1)
    )
    assert q2.direct == {("A", "revenue"): 7, ("B", "revenue"): 12000}
    assert q2.skipped == 3
    assert [d.render() for d in q2.warnings] == [
        "a.csv: warning: 3 row(s) dated outside the days counted (2026-04-01 .. 2026-06-30)"
        " were not counted"
    ]
    # Without a first day: from the period's start, as progress reads (unchanged).
    h1 = read_actuals(str(path), "a.csv", PLAN, date(2026, 6, 30), engine=engine)
    assert h1.direct == {("A", "revenue"): 8, ("B", "revenue"): 12000}
    assert "outside the period or after the cut-off" in h1.warnings[0].message
    # A first day before the period starts is the period's start.
    early = read_actuals(
        str(path), "a.csv", PLAN, date(2026, 6, 30), engine=engine, first_day=date(2025, 1, 1)
    )
    assert early.direct == h1.direct


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_week_row_counts_in_the_window_of_its_last_day(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "w.csv"
    # ISO week 14 of 2026 runs Mon 30 Mar .. Sun 5 Apr: it ends in Q2.
    path.write_text("week,node,metric,value\nW13,A,revenue,5\nW14,A,revenue,7\n", "utf-8")
    q2 = read_actuals(
        str(path), "w.csv", PLAN, date(2026, 6, 30), engine=engine, first_day=date(2026, 4, 1)
    )
    assert q2.direct == {("A", "revenue"): 7}


def test_duckdb_answers_for_a_window_and_agrees_with_the_definition(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["date,node,metric,value"]
    for i in range(60_000):
        value = ["5", "1.25", "1.2万", "-3"][i % 4]
        lines.append(f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},{'AB'[i % 2]},revenue,{value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size >= actuals_mod.FAST_BYTES
    window = {"first_day": date(2026, 4, 10)}
    fast, _ = actuals_mod._fast(
        str(path), "big.csv", PLAN, date(2026, 8, 20), lambda: None, **window
    )
    assert fast is not None  # DuckDB answered, no fall-back
    slow = read_actuals(str(path), "big.csv", PLAN, date(2026, 8, 20), engine="python", **window)
    assert fast == slow
    whole = read_actuals(str(path), "big.csv", PLAN, date(2026, 8, 20), engine="python")
    before = read_actuals(str(path), "big.csv", PLAN, date(2026, 4, 9), engine="python")
    for key, total in whole.direct.items():  # the window is the whole less the days before it
        assert slow.direct[key] == total - before.direct.get(key, 0)
