"""Issue 11's five cases: the same plan gives the same figure in every view."""

from __future__ import annotations

import json
from typing import Any

from targetsplit import allocate, progress
from targetsplit.report.allocation import allocation_json


def _periods(plan: str, path: str, metric: str, **kw: Any) -> dict[str, int]:
    result = allocate(plan, **kw)
    assert result.split is not None
    text = "".join(
        allocation_json(result.allocation, result.metrics, None, result.split, result.periods)
    )
    node = next(n for n in json.loads(text)["nodes"] if n["path"] == path)
    return dict(node["periods"][metric])


def test_a_quarter_is_the_sum_of_its_months() -> None:
    quarters = _periods("examples/fy2026.yaml", "South/Rep Chen", "revenue", by="quarter")
    months = _periods("examples/fy2026.yaml", "South/Rep Chen", "revenue", by="month")
    assert quarters["2026-Q2"] == 5_370_000
    assert months["2026-04"] + months["2026-05"] + months["2026-06"] == 5_370_000


def test_a_half_is_its_target_to_date() -> None:
    halves = _periods("examples/fy2026.yaml", "North", "revenue", by="half")
    result = progress("examples/fy2026.yaml", as_of="2026-06-30")
    north = next(r for r in result.progress.rows if r.path == "North")
    assert halves["2026-H1"] == 17_800_000
    assert north.figures["revenue"].target_to_date == 17_800_000


def test_weeks_and_months_of_the_same_days_agree() -> None:
    months = _periods(
        "examples/fy2026.yaml",
        "East/Group 1",
        "new_customers",
        by="month",
        period="2026-01..2026-05",
    )
    weeks = _periods(
        "examples/fy2026.yaml",
        "East/Group 1",
        "new_customers",
        by="week",
        period="2026-W01..2026-W22",
    )
    assert sum(months.values()) == sum(weeks.values()) == 12


def test_weeks_of_a_quarter_are_clipped_to_it() -> None:
    weeks = _periods("examples/fy2026.yaml", "", "revenue", by="week", period="2026-Q3")
    quarters = _periods("examples/fy2026.yaml", "", "revenue", by="quarter")
    assert list(weeks)[0] == "2026-W27" and list(weeks)[-1] == "2026-W40"
    assert sum(weeks.values()) == quarters["2026-Q3"] == 30_350_000


def test_weeks_left_friday_and_sunday_agree() -> None:
    friday = progress("examples/fy2026.yaml", as_of="2026-05-15").progress.cutoff
    sunday = progress("examples/fy2026.yaml", as_of="2026-05-17").progress.cutoff
    assert friday.weeks_left == sunday.weeks_left == 33
    assert progress("examples/fy2026.yaml", as_of="2026-12-31").progress.cutoff.weeks_left == 0
