"""``targetsplit review`` (issue 12): the period-end review's figures on small
hand-checked plans, its summary, windows of the period, the not-ended warning,
and the review's arithmetic on random plans."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from targetsplit.api.review import ReviewResult, review
from targetsplit.errors import UsageError
from targetsplit.split.hierarchy import allocate
from targetsplit.split.timesplit import split_over_time
from targetsplit.track.review import Review, compute, window, window_targets

# Q2 of 2026 with months of 30 %, 30 % and 40 %: A, B and C each have 90, 90
# and 120 of revenue; C has no deals (a zero target).
PLAN = """\
plan: Q2 review
period: 2026-Q2
metrics:
  revenue: {total: 900}
  deals: {total: 20}
seasonality:
  months: [30%, 30%, 40%]
split:
  A: 1
  B: 1
  C: {weight: {default: 1, deals: 0}}
"""
ACTUALS = """\
date,node,metric,value
2026-03-31,A,revenue,1000
2026-04-01,A,revenue,100
2026-04-15,B,revenue,90
2026-04-30,C,revenue,90
2026-04-10,A,deals,3
2026-04-10,B,deals,2
2026-04-10,C,deals,1
2026-05-05,A,revenue,108
2026-05-06,C,revenue,-30
2026-05-07,B,deals,4
2026-06-30,A,revenue,50
"""
AFTER = date(2026, 7, 1)  # the quarter has ended


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, PLAN), write(tmp_path, ACTUALS, "actuals.csv")


def figures(result: ReviewResult, metric: str) -> dict[str, tuple[Any, ...]]:
    """path -> (target, actual, attainment, difference, tier, rank) as plain values."""
    out = {}
    for r in result.review.rows:
        f = r.figures[metric]
        out[r.path] = (
            int(f.target),
            f.actual,
            f.attainment,
            f.difference,
            f.tier,
            f.rank,
        )
    return out


def test_a_month_of_the_period(files: tuple[str, str]) -> None:
    plan, actuals = files
    r = review(plan, period="2026-04", actuals=actuals, today=AFTER)
    assert (r.review.window.start, r.review.window.end) == (date(2026, 4, 1), date(2026, 4, 30))
    assert figures(r, "revenue") == {
        "": (270, 280, Fraction(28, 27), 10, "target", None),
        "A": (90, 100, Fraction(10, 9), 10, "target", 1),
        "B": (90, 90, Fraction(1), 0, "target", 2),  # a tie shares a rank
        "C": (90, 90, Fraction(1), 0, "target", 2),
    }
    assert figures(r, "deals") == {
        "": (6, 6, Fraction(1), 0, "target", None),
        "A": (3, 3, Fraction(1), 0, "target", 1),
        "B": (3, 2, Fraction(2, 3), -1, "none", 2),
        "C": (0, 1, None, 1, None, None),  # a zero target: no attainment, no tier
    }
    # rows outside the month are counted in one warning
    assert [d.render() for d in r.warnings][1:] == [
        f"{actuals}: warning: 5 row(s) dated outside the days counted"
        " (2026-04-01 .. 2026-04-30) were not counted"
    ]


def test_negative_actuals_and_the_highest_tier(files: tuple[str, str]) -> None:
    plan, actuals = files
    r = review(plan, period="2026-05", actuals=actuals, today=AFTER)
    assert figures(r, "revenue") == {
        "": (270, 78, Fraction(78, 270), -192, "none", None),
        "A": (90, 108, Fraction(6, 5), 18, "stretch", 1),  # exactly 120 %
        "B": (90, 0, Fraction(0), -90, "none", 2),
        "C": (90, -30, Fraction(-1, 3), -120, "none", 3),  # a refund
    }
    assert figures(r, "deals")["B"] == (3, 4, Fraction(4, 3), 1, "stretch", 1)


def test_the_whole_period_and_a_range(files: tuple[str, str]) -> None:
    plan, actuals = files
    whole = review(plan, actuals=actuals, today=AFTER)
    assert whole.review.window.label == "2026-Q2"
    assert figures(whole, "revenue")["A"] == (300, 258, Fraction(258, 300), -42, "floor", 1)
    assert figures(whole, "revenue")[""][:2] == (900, 408)
    # the plan's own period's label names the whole period
    assert review(plan, period=" 2026-Q2 ", actuals=actuals, today=AFTER) == whole
    both = review(plan, period="2026-04..2026-05", actuals=actuals, today=AFTER)
    assert both.review.window.label == "2026-04..2026-05"
    assert figures(both, "revenue")["A"][:4] == (180, 208, Fraction(208, 180), 28)


def test_a_period_that_has_not_ended_is_reviewed_up_to_today(files: tuple[str, str]) -> None:
    plan, actuals = files
    seen: list[str] = []
    r = review(
        plan, actuals=actuals, today=date(2026, 5, 31), on_warning=lambda d: seen.append(d.render())
    )
    assert seen[1] == (
        "warning: 2026-Q2 has not ended (it ends on 2026-06-30): reviewed up to today,"
        " 2026-04-01 .. 2026-05-31 (43 of 65 working days)"
    )
    w = r.review.window
    assert (w.last, w.ended, w.workdays_done, w.workdays_total) == (
        date(2026, 5, 31),
        False,
        43,
        65,
    )
    # April and May's targets, the actuals through today
    assert figures(r, "revenue")["A"][:2] == (180, 208)
    # inside a month: the target to date, as progress has it
    mid = review(plan, actuals=actuals, today=date(2026, 5, 15))
    from targetsplit.api.progress import progress

    p = progress(plan, as_of=date(2026, 5, 15), actuals=actuals)
    for rv, pr in zip(mid.review.rows, p.progress.rows, strict=True):
        for m in ("revenue", "deals"):
            assert rv.figures[m].target == pr.figures[m].target_to_date
            assert rv.figures[m].actual == pr.figures[m].actual


def test_a_period_not_started_is_a_usage_error(files: tuple[str, str]) -> None:
    plan, actuals = files
    with pytest.raises(UsageError) as e:
        review(plan, period="2026-06", actuals=actuals, today=date(2026, 5, 31))
    assert str(e.value) == (
        "error: 2026-06 has not started: it starts on 2026-06-01, after today (2026-05-31);"
        " there is nothing to review yet"
    )


def test_an_unknown_period_names_the_labels(files: tuple[str, str]) -> None:
    plan, actuals = files
    with pytest.raises(UsageError) as e:
        review(plan, period="2026-Q3", actuals=actuals, today=AFTER)
    assert e.value.exit_code == 2
    assert str(e.value) == (
        "error: --period: the plan has no period '2026-Q3'; the plan's periods are 2026-H1;"
        " 2026-Q2; 2026-04, 2026-05, 2026-06; 2026-Q2-W01 .. 2026-Q2-W14 (or a range A..B of them)"
    )


def test_the_end_of_the_period_agrees_with_progress(files: tuple[str, str]) -> None:
    """At the period's end review and progress have the same figures (progress's
    tier is the projection's, which is then the actual's)."""
    from targetsplit.api.progress import progress

    plan, actuals = files
    r = review(plan, actuals=actuals, today=AFTER)
    p = progress(plan, as_of=date(2026, 6, 30), actuals=actuals)
    for rv, pr in zip(r.review.rows, p.progress.rows, strict=True):
        for m in ("revenue", "deals"):
            a, b = rv.figures[m], pr.figures[m]
            assert (a.target, a.actual, a.attainment, a.rank) == (
                b.target,
                b.actual,
                b.attainment,
                b.rank,
            )
            assert (a.tier if a.tier != "none" else None) == b.tier


# -- the summary -------------------------------------------------------------------------


def test_the_summary(files: tuple[str, str]) -> None:
    plan, actuals = files
    s = review(plan, period="2026-05", actuals=actuals, today=AFTER).summary
    tiers = [(t.metric, t.depth, dict(t.reached), t.none, t.no_target, t.nodes) for t in s.tiers]
    assert tiers == [
        ("revenue", 0, {"stretch": 0, "target": 0, "floor": 0}, 1, 0, 1),
        ("revenue", 1, {"stretch": 1, "target": 0, "floor": 0}, 2, 0, 3),
        ("deals", 0, {"stretch": 0, "target": 0, "floor": 0}, 1, 0, 1),
        ("deals", 1, {"stretch": 1, "target": 0, "floor": 0}, 1, 1, 3),
    ]
    # the largest first, below the total; per metric
    assert [(x.node.key, x.metric, x.figures.difference) for x in s.shortfalls] == [
        ("C", "revenue", -120),
        ("B", "revenue", -90),
        ("A", "deals", -3),
    ]
    assert [(x.node.key, x.metric, x.figures.difference) for x in s.over] == [
        ("A", "revenue", 18),
        ("B", "deals", 1),
    ]
    assert [(x.node.key, x.met, x.missed) for x in s.mixed] == [
        ("A", ("revenue",), ("deals",)),
        ("B", ("deals",), ("revenue",)),
    ]


def test_the_summary_names_the_top_five_and_the_total_alone() -> None:
    from targetsplit.plan.load import parse_plan
    from targetsplit.track.review import summarize

    text = "plan: P\nperiod: 2026-07\nmetrics:\n  r: {total: 80}\nsplit:\n" + "".join(
        f"  N{i}: 1\n" for i in range(8)
    )
    plan = parse_plan(text, "p.yaml")
    alloc = allocate(plan)
    b = plan.breakdown
    assert b is not None
    win = window(b, "2026-07", plan.period.start, plan.period.end, AFTER + timedelta(days=60))
    direct = {(f"N{i}", "r"): Decimal(i) for i in range(8)}  # N0..N7 short by 10..3
    rv = compute(alloc, win, window_targets(alloc, win.start, win.last)[0], direct)
    s = summarize(rv, ["r"])
    assert [x.node.key for x in s.shortfalls] == ["N0", "N1", "N2", "N3", "N4"]
    assert s.over == () and s.mixed == ()
    alone = summarize(rv, ["r"], depth=0)
    assert [x.node.key for x in alone.shortfalls] == [""]
    assert [(t.depth, t.none) for t in alone.tiers] == [(0, 1)]


# -- random plans: the review adds up ------------------------------------------------------

from test_timesplit_props import _load, timed_plans  # noqa: E402


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=timed_plans(),
    pick=st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(0, 60)),
    today=st.integers(0, 1200),
    values=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(-(10**7), 10**7), st.integers(0, 3)),
        max_size=30,
    ),
)
def test_children_add_up_to_their_parent(
    text: str, pick: tuple[int, int, int], today: int, values: list[tuple[int, int, int]]
) -> None:
    plan = _load(text)
    if plan is None:
        return
    b = plan.breakdown
    assert b is not None
    alloc = allocate(plan)
    # a window: a run of halves, quarters, months or weeks
    g = ("half", "quarter", "month", "week")[pick[0]]
    slots = b.slots(g)
    i, j = sorted((pick[1] % len(slots), pick[2] % len(slots)))
    start, end = slots[i].start, slots[j].end
    day = start + timedelta(days=today % ((end - start).days + 40))
    win = window(b, "w", start, end, day)
    nodes = list(plan.nodes())
    direct: dict[tuple[str, str], Decimal] = {}
    for k, v, places in values:
        key = (nodes[k % len(nodes)].key, plan.metrics[k % len(plan.metrics)].name)
        direct[key] = direct.get(key, Decimal(0)) + Decimal(v).scaleb(-places)
    targets = window_targets(alloc, win.start, win.last)[0]
    rv: Review = compute(alloc, win, targets, direct)
    by_path = {r.path: r for r in rv.rows}
    for r in rv.rows:
        for m in plan.metrics:
            f = r.figures[m.name]
            assert f.difference == f.actual - f.target
            assert (f.attainment is None) == (f.target == 0)
            if r.node.children:
                kids = [by_path[c.key].figures[m.name] for c in r.node.children]
                assert sum(k.target for k in kids) == f.target
                # (actuals booked on the parent itself count for it too)
                own = direct.get((r.path, m.name), 0)
                assert sum(k.actual for k in kids) + own == f.actual
    if win.ended:  # a window's targets are what allocate shows for its periods
        split = split_over_time(alloc, g, slots=slots[i : j + 1])
        for r in rv.rows:
            for m in plan.metrics:
                assert sum(split.values(r.path, m.name)) == r.figures[m.name].target
    whole = window(b, "all", plan.period.start, plan.period.end, plan.period.end)
    full = compute(alloc, whole, window_targets(alloc, whole.start, whole.last)[0], direct)
    for r, a in zip(full.rows, alloc.rows, strict=True):
        assert r.figures == {m: r.figures[m] for m in a.targets}
        for m, target in a.targets.items():
            assert r.figures[m].target == target  # the whole period's is allocate's


def test_a_range_of_mixed_sizes_keeps_its_label(files: tuple[str, str]) -> None:
    plan, actuals = files
    r = review(plan, period="2026-Q2-W02 .. 2026-05", actuals=actuals, today=AFTER)
    w = r.review.window
    assert (w.label, w.start, w.end) == (
        "2026-Q2-W02 .. 2026-05",
        date(2026, 4, 6),
        date(2026, 5, 31),
    )
    # A's row of April 1st is before the window: only May's 108 counts
    assert figures(r, "revenue")["A"][1] == 108


def test_a_tier_named_none_is_counted_as_a_tier(tmp_path: Path) -> None:
    plan = write(
        tmp_path, PLAN.replace("seasonality:", "tiers: {none: 50%, full: 100%}\nseasonality:")
    )
    actuals = write(tmp_path, ACTUALS, "actuals.csv")
    s = review(plan, period="2026-04", actuals=actuals, today=AFTER).summary
    deals = [t for t in s.tiers if t.metric == "deals" and t.depth == 1][0]
    # A 100 % (full), B 67 % (the tier named none), C no target
    assert (dict(deals.reached), deals.none, deals.no_target) == ({"full": 1, "none": 1}, 0, 1)
