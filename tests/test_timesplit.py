"""Splitting over time: the guides' figures, ISO weeks, holidays, and errors."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import EXAMPLES, write
from targetsplit.calendar.workdays import breakdown
from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.rows import round_children as _round_children
from targetsplit.split.timesplit import split_over_time


def split(text: str, by: str) -> dict[str, dict[str, tuple[Decimal, ...]]]:
    plan = parse_plan(text, "p.yaml")
    s = split_over_time(allocate(plan), by)  # type: ignore[arg-type]
    return {path: {m: s.values(path, m) for m in s.metrics} for path in s.units}


YEAR = """\
plan: P
period: 2026
metrics:
  revenue: {total: 1.2亿, round: 1万}
seasonality:
  quarters: [20%, 25%, 25%, 30%]
split:
  A: 100%
"""


def test_quarters_20_25_25_30_of_1_2_yi() -> None:
    f = split(YEAR, "quarter")[""]["revenue"]
    assert f == (24_000_000, 30_000_000, 30_000_000, 36_000_000)


def test_within_quarter_30_40_30_of_500() -> None:
    text = (
        "plan: Q\nperiod: 2026-Q3\nmetrics:\n  revenue: {total: 500}\n"
        "seasonality:\n  within_quarter: [30%, 40%, 30%]\nsplit:\n  A: 100%\n"
    )
    assert split(text, "month")[""]["revenue"] == (150, 200, 150)


PLAIN_YEAR = "plan: W\nperiod: 2026\nmetrics:\n  revenue: {total: 5200}\nsplit:\n  A: 1\n"


def test_53_iso_weeks_and_week_32() -> None:
    plan = parse_plan(PLAIN_YEAR, "p.yaml")
    s = split_over_time(allocate(plan), "week")
    labels = [slot.label for slot in s.slots]
    assert labels == [f"2026-W{w:02d}" for w in range(1, 54)]
    w32 = s.slots[31]
    assert (str(w32.start), str(w32.end)) == ("2026-08-03", "2026-08-09")
    exact = Fraction(5 * 5200, 261)
    assert abs(Fraction(s.values("", "revenue")[31]) - exact) < 1
    assert sum(s.values("", "revenue")) == 5200


def test_holidays_and_make_up_days() -> None:
    text = PLAIN_YEAR.replace(
        "split:",
        "calendar:\n  holidays: [2026-10-01..2026-10-07]\n"
        "  workday_overrides: [2026-10-10]\nsplit:",
    )
    plan = parse_plan(text, "p.yaml")
    b = plan.breakdown
    assert b is not None
    per_week: dict[int, int] = {}
    for day in b.day_month:
        per_week[b.week_of(day)] = per_week.get(b.week_of(day), 0) + 1
    assert per_week[40] == 3 and per_week[41] == 3
    assert sum(per_week.values()) == 261 - 5 + 1


def test_fiscal_labels_and_partial_months() -> None:
    text = PLAIN_YEAR.replace(
        "period: 2026", "period: {start: 2026-04-15, end: 2027-04-14, name: FY26}"
    )
    plan = parse_plan(text, "p.yaml")
    s = split_over_time(allocate(plan), "month")
    assert s.slots[0].label == "FY26-M01" and str(s.slots[0].start) == "2026-04-15"
    assert len(s.slots) == 13  # a partial April at each end
    assert sum(s.values("", "revenue")) == 5200
    q = split_over_time(allocate(plan), "quarter")
    assert [slot.label for slot in q.slots] == [
        "FY26-Q1",
        "FY26-Q2",
        "FY26-Q3",
        "FY26-Q4",
        "FY26-Q5",
    ]


def test_node_seasonality_keeps_columns_adding_up() -> None:
    text = YEAR.replace(
        "  A: 100%\n",
        "  A: 50%\n  B:\n    weight: rest\n    seasonality: {quarters: [40%, 30%, 20%, 10%]}\n",
    )
    f = split(text, "quarter")
    assert f["A"]["revenue"] == (12_000_000, 15_000_000, 15_000_000, 18_000_000)
    assert f["B"]["revenue"] == (24_000_000, 18_000_000, 12_000_000, 6_000_000)
    assert f[""]["revenue"] == tuple(
        a + b for a, b in zip(f["A"]["revenue"], f["B"]["revenue"], strict=True)
    )


def test_children_that_a_parent_row_cannot_serve_fall_back_to_the_whole_tree() -> None:
    # Two children, each all in its own two months; the root's exact row is
    # 0.5 everywhere, and rounding it alone would strand a child.
    text = (
        "plan: T\nperiod: 2026-H1\nmetrics:\n  r: {total: 2}\nsplit:\n"
        "  A:\n    weight: 50%\n    seasonality: {months: [50%, 50%, 0%, 0%, 0%, 0%]}\n"
        "  B:\n    weight: 50%\n    seasonality: {months: [0%, 0%, 50%, 50%, 0%, 0%]}\n"
    )
    f = split(text, "month")
    assert sum(f["A"]["r"][:2]) == 1 and sum(f["A"]["r"][2:]) == 0
    assert sum(f["B"]["r"][2:4]) == 1 and sum(f["B"]["r"][:2]) == 0
    assert f[""]["r"] == tuple(a + b for a, b in zip(f["A"]["r"], f["B"]["r"], strict=True))


def test_round_children_reports_no_solution() -> None:
    # One child, all of it in the first column, but the parent wants the second.
    assert _round_children([[2, 0]], [2], [1], [0, 1]) is None


@pytest.mark.parametrize(
    ("seasonality", "message"),
    [
        (
            "quarters: [20%, 30%, 50%]",
            "seasonality: quarters has 3 values but the period has 4 quarter(s)",
        ),
        ("months: [1, 2]", "seasonality: months has 2 values but the period has 12 month(s)"),
        ("quarters: [20%, 30%, 30%, 30%]", "quarters: the percents add up to 110%, not 100%"),
        ("quarters: [20%, 1, 1, 1]", "mix of percents and ratios"),
        ("quarters: [1, 1, 1, 1]\n  months: [1,1,1,1,1,1,1,1,1,1,1,1]", "give either months or"),
    ],
)
def test_seasonality_errors(seasonality: str, message: str, tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    text = PLAIN_YEAR.replace("split:", f"seasonality:\n  {seasonality}\nsplit:")
    result = run("check", write(tmp_path, text))
    assert result.code == 1
    assert message in result.err
    assert result.err.count("\n") == 1


def test_within_quarter_needs_whole_quarters(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    text = PLAIN_YEAR.replace("period: 2026", "period: 2026-H1").replace(
        "2026-H1", "{start: 2026-01-01, end: 2026-05-31}"
    )
    text = text.replace("split:", "seasonality:\n  within_quarter: [30%, 40%, 30%]\nsplit:")
    result = run("check", write(tmp_path, text))
    assert (
        "within_quarter needs whole quarters, but quarter 2 of the period has 2 month(s)"
        in result.err
    )


def test_calendar_errors_are_placed(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    text = PLAIN_YEAR.replace(
        "split:",
        "calendar:\n  workdays: [Mon, Funday]\n"
        "  holidays: [2026-13-01, 2026-10-07..2026-10-01]\nsplit:",
    )
    path = write(tmp_path, text)
    result = run("check", path)
    assert result.code == 1
    assert result.err == (
        f"{path}:6:19: error: 'Funday' is not a day of the week (Mon, Tue, … Sun, or 1-7)\n"
        f"{path}:7:14: error: '2026-13-01' is not a valid date\n"
        f"{path}:7:26: error: '2026-10-07..2026-10-01': the range ends before it starts\n"
    )


def test_no_working_days_is_an_error(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    text = PLAIN_YEAR.replace("period: 2026", "period: 2026-07").replace(
        "split:", "calendar:\n  workdays: []\nsplit:"
    )
    result = run("check", write(tmp_path, text))
    assert result.code == 1
    assert "the period has no working days" in result.err


def test_by_and_period_options(run) -> None:  # type: ignore[no-untyped-def]
    plan = str(EXAMPLES / "china-2026.yaml")
    doc = json.loads(run("allocate", plan, "--by", "quarter", "-f", "json").out)
    assert doc["by"] == "quarter"
    assert doc["nodes"][0]["periods"]["revenue"] == {
        "2026-Q1": 26_400_000,
        "2026-Q2": 30_000_000,
        "2026-Q3": 30_000_000,
        "2026-Q4": 33_600_000,
    }
    doc = json.loads(run("allocate", plan, "--by", "week", "--period", "2026-Q3", "-f", "json").out)
    weeks = list(doc["nodes"][0]["periods"]["revenue"])
    assert weeks[0] == "2026-W27" and weeks[-1] == "2026-W40"
    doc = json.loads(run("allocate", plan, "--period", "2026-W32", "-f", "json").out)
    assert list(doc["nodes"][1]["periods"]["revenue"]) == ["2026-W32"]
    bad = run("allocate", plan, "--period", "2026-W60")
    assert bad.code == 2
    assert bad.err.startswith("error: --period: the plan has no period '2026-W60'")


def test_period_csv_and_markdown_carry_the_same_columns(run) -> None:  # type: ignore[no-untyped-def]
    plan = str(EXAMPLES / "china-2026.yaml")
    csv_out = run("allocate", plan, "--by", "quarter", "-f", "csv").out
    assert csv_out.splitlines()[0] == (
        "path,name,depth,revenue,revenue 2026-Q1,revenue 2026-Q2,revenue 2026-Q3,revenue 2026-Q4"
    )
    assert (
        csv_out.splitlines()[1]
        == ",FY2026 East China,0,120000000,26400000,30000000,30000000,33600000"
    )
    md = run("allocate", plan, "--by", "quarter", "-f", "markdown").out
    assert "2026-Q4" in md and "3,360万" in md


def test_breakdown_of_a_short_period() -> None:
    plan = parse_plan(PLAIN_YEAR.replace("period: 2026", "period: 2026-07"), "p.yaml")
    b = breakdown(plan.period, plan.calendar)
    assert [s.label for s in b.weeks()][:2] == ["2026-07-W01", "2026-07-W02"]
    with pytest.raises(PlanError):
        parse_plan(PLAIN_YEAR.replace("period: 2026", "period: 2026-02-30"), "p.yaml")


def test_exact_numbers_grow_with_a_subtree_not_the_plan() -> None:
    """Each leaf keeps its own seasonality's denominator (memory linear in the
    number of nodes with seasonality of their own, not quadratic)."""
    from targetsplit.split.ledger import build

    lines = ["plan: P", "period: '2026'", "metrics:", "  m: {total: 1000, round: 1}", "split:"]
    for i in range(30):
        months = [100 + (i * 37 + k * 11) % 900 for k in range(12)]
        lines.append(f"  R{i}: {{weight: 1, seasonality: {{months: {months}}}}}")
    plan = parse_plan("\n".join(lines) + "\n", "own.yaml")
    alloc = allocate(plan)
    ledger = build(alloc, keep_exact=True)
    assert ledger.exact is not None
    root = ledger.denoms[""]
    for node in plan.root.children:
        d = ledger.denoms[node.key]
        assert root % d == 0 and d < root
        exact = [Fraction(x, d) for x in ledger.exact[node.key]["m"]]
        assert sum(exact) == alloc.row(node.key).units["m"]


def test_the_plan_totals_running_totals_stay_within_half_a_unit() -> None:
    """A found case: the plan total's own rounding left its two leaves no
    rounding with every segment the floor or ceiling of exact; a segment may
    take one unit more instead, and the total stays within half a unit."""
    from targetsplit.split.ledger import build

    text = """plan: P
period: '2026'
metrics:
  m0: {total: '11319', round: '1'}
split:
  A: 0.04%
  B: 99.96%
seasonality:
  quarters: ['1', '7', '7', '3']
"""
    plan = parse_plan(text, "found.yaml")
    alloc = allocate(plan)
    ledger = build(alloc, keep_exact=True)
    assert ledger.exact is not None
    for key, bound in (("", Fraction(1, 2)), ("A", Fraction(1)), ("B", Fraction(1))):
        d = ledger.denoms[key]
        running = Fraction(0)
        for cell, x in zip(ledger.units[key]["m0"], ledger.exact[key]["m0"], strict=True):
            running += cell - Fraction(x, d)
            assert abs(running) <= bound if key == "" else abs(running) < bound


def test_a_mid_segment_target_to_date_keeps_every_leaf_within_a_unit() -> None:
    """A found case: the total's nearest part (½ unit) left a leaf 1.01 units from
    exact, as its sibling was ahead with nothing in the segment to give back."""
    from datetime import date

    from targetsplit.split.ledger import _shares_to_date, build

    text = """plan: P
period: {start: '2028-03-01', end: '2029-03-19', name: FY}
metrics:
  m0: {total: '1325', round: '1'}
split:
  A: {weight: 3.74%, split: {X: 0%, Y: 100%}}
  B: {weight: 96.26%, split: {Z: 100%}}
seasonality:
  months: [0%, 0%, 0%, 0%, 0%, 0%, 42%, 3%, 0%, 0%, 0%, 0%, 55%]
"""
    plan = parse_plan(text, "found.yaml")
    assert plan.breakdown is not None
    alloc = allocate(plan)
    day = date(2028, 10, 30)
    got = build(alloc).to_date(day)
    shares = _shares_to_date(plan, plan.breakdown, day)
    for row in alloc.rows:
        if not row.node.children:
            exact = row.units["m0"] * shares[row.path]
            assert abs(got[row.path]["m0"] - exact) < 1, row.path
        else:
            assert got[row.path]["m0"] == sum(got[c.key]["m0"] for c in row.node.children)
