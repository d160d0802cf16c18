"""Weeks left after a cut-off: every remaining week counted by the share of its
working days still ahead, so days without work never change the pace needed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from targetsplit.plan.load import load_plan
from targetsplit.track.progress import cutoff

FY = str(EXAMPLES / "fy2026.yaml")
CHINA = load_plan(str(EXAMPLES / "china-2026.yaml")).plan


def progress_json(run, day: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run("progress", FY, "--as-of", day, "-f", "json", "-q")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_friday_and_the_sunday_after_it_agree(run) -> None:  # type: ignore[no-untyped-def]
    friday, sunday = progress_json(run, "2026-05-15"), progress_json(run, "2026-05-17")
    assert friday["cutoff"]["weeks_left"] == sunday["cutoff"]["weeks_left"] == 33
    assert friday["nodes"] == sunday["nodes"]


def test_mid_week_counts_the_rest_of_the_week_pro_rata(run) -> None:  # type: ignore[no-untyped-def]
    # Wednesday 13 May 2026: Thursday and Friday left, 2 of the week's 5 working days.
    doc = progress_json(run, "2026-05-13")
    assert doc["cutoff"]["weeks_left"] == 33.4
    root = doc["nodes"][0]["progress"]["revenue"]
    # remaining / 33.4, rounded up to the unit of 10,000
    assert root["needed_per_week"] == -(-root["remaining"] * 10 // 334 // 10_000) * 10_000


def test_the_last_days_of_the_period(run) -> None:  # type: ignore[no-untyped-def]
    # Monday 28 December: 29, 30 and 31 December left of week 53's four working days.
    doc = progress_json(run, "2026-12-28")
    assert doc["cutoff"]["weeks_left"] == 0.75
    root = doc["nodes"][0]["progress"]["revenue"]
    assert root["needed_per_week"] == -(-root["remaining"] * 4 // 3 // 10_000) * 10_000
    last = progress_json(run, "2026-12-31")
    assert last["cutoff"]["weeks_left"] == 0
    assert last["nodes"][0]["progress"]["revenue"]["needed_per_week"] is None


def test_a_week_of_holidays_counts_by_its_working_days() -> None:
    b = CHINA.breakdown
    assert b is not None
    # 2026-W40 (28 Sep .. 4 Oct): 1-7 October are holidays, so W40 has 3 working days.
    before = cutoff(b, date(2026, 9, 28)).weeks_left
    after_w40 = cutoff(b, date(2026, 10, 4)).weeks_left
    assert before - after_w40 == Fraction(2, 3)  # 29 and 30 September of 28, 29, 30


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-5, max_value=370))
def test_days_without_work_do_not_change_the_weeks_left(offset: int) -> None:
    b = CHINA.breakdown
    assert b is not None
    day = date(2026, 1, 1) + timedelta(days=offset)
    last_worked = day
    while last_worked >= date(2026, 1, 1) and last_worked not in b.day_month:
        last_worked -= timedelta(days=1)
    assert cutoff(b, day).weeks_left == cutoff(b, last_worked).weeks_left
    assert cutoff(b, day).weeks_left >= 0
