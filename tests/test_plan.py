"""Weights in detail: per-metric weights, amounts across metrics, edge cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.split.hierarchy import allocate

HEAD = """\
plan: P
period: 2026
metrics:
  revenue: {total: 500}
  new_customers: {total: 20}
split:
"""


def figures(text: str, tier: str | None = None) -> dict[str, dict[str, Decimal]]:
    result = allocate(parse_plan(HEAD + text, "p.yaml"), tier)
    return {r.path: dict(r.targets) for r in result.rows}


def test_per_metric_amount_counts_in_its_metric() -> None:
    f = figures(
        "  A:\n    weight: {default: 60%, new_customers: {amount: 12}}\n"
        "  B:\n    weight: {default: 40%, new_customers: rest}\n"
    )
    assert f["A"] == {"revenue": 300, "new_customers": 12}
    assert f["B"] == {"revenue": 200, "new_customers": 8}


def test_amount_gives_the_same_share_in_other_metrics() -> None:
    f = figures("  A: {amount: 125}\n  B: rest\n")
    assert f["A"] == {"revenue": 125, "new_customers": 5}  # 25 % of 20
    assert f["B"] == {"revenue": 375, "new_customers": 15}


def test_ratios_share_what_claims_leave() -> None:
    f = figures("  A: 20%\n  B: 3\n  C: 1\n")
    assert [f[k]["revenue"] for k in "ABC"] == [100, 300, 100]


def test_history_is_a_ratio() -> None:
    f = figures("  A: {history: 120}\n  B: {history: 80}\n")
    assert (f["A"]["revenue"], f["B"]["revenue"]) == (300, 200)


def test_zero_ratios_are_fine_when_nothing_is_left() -> None:
    plan = parse_plan(HEAD + "  A: 100%\n  B: 0\n", "p.yaml")
    assert [w.message for w in plan.warnings] == ["'B' has a zero weight: it gets nothing"]
    plan = parse_plan(HEAD + "  A: 100%\n  B: 2\n", "p.yaml")
    assert [w.message for w in plan.warnings] == [
        "the claims at the top level take all of it: its ratio siblings get nothing"
    ]


def test_tier_rounds_half_up_to_the_unit() -> None:
    text = "plan: P\nperiod: 2026\nmetrics:\n  r: {total: 5}\ntiers: {half: 50%}\nsplit:\n  A: 1\n"
    result = allocate(parse_plan(text, "p.yaml"), "half")
    assert result.root.targets["r"] == 3  # 2.5 rounds half up


def test_errors_in_separate_subtrees_are_reported_together() -> None:
    text = (
        "  A:\n    weight: 50%\n    split: {x: 60%, y: 30%}\n"
        "  B:\n    weight: 50%\n    split: {x: 70%, y: 40%}\n"
    )
    with pytest.raises(PlanError) as e:
        parse_plan(HEAD + text, "p.yaml")
    messages = [d.render() for d in e.value.diagnostics]
    assert messages == [
        "p.yaml:9:12: error: revenue shares under 'A' add up to 90% (225), 25 short of 250",
        "p.yaml:12:12: error: revenue claims under 'B' add up to 110% (275), 25 over 250",
    ]


def test_fiscal_period() -> None:
    text = HEAD.replace("period: 2026", "period: {start: 2026-04-01, end: 2027-03-31, name: FY26}")
    plan = parse_plan(text + "  A: 100%\n", "p.yaml")
    assert (str(plan.period.start), str(plan.period.end), plan.period.name) == (
        "2026-04-01",
        "2027-03-31",
        "FY26",
    )


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2028-02", "2028-02-01", "2028-02-29"),
    ],
)
def test_periods(period: str, start: str, end: str) -> None:
    plan = parse_plan(HEAD.replace("2026", period, 1) + "  A: 100%\n", "p.yaml")
    assert (str(plan.period.start), str(plan.period.end)) == (start, end)


def test_warnings_come_in_file_order() -> None:
    """A zero weight deep in the tree is found after one higher up but written
    before it: the warnings are told in the order of the file's lines."""
    text = (
        "plan: W\nperiod: 2026\nmetrics: {m: {total: 100}}\nsplit:\n"
        "  A:\n    weight: 1\n    split:\n      A1:\n        weight: 1\n        split:\n"
        "          A1a: 0\n          A1b: 1\n      A2: 0\n"
        "  B: 0\n  C: 1\n"
    )
    plan = parse_plan(text, "plan.yaml")
    lines = [w.line for w in plan.warnings]
    assert len(lines) == 3 and lines == sorted(lines)  # type: ignore[type-var]
