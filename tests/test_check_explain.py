"""`check --against`, the lint of `check`, and `explain` (golden outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, write

TWO_REPS = str(EXAMPLES / "two-reps.yaml")
GOLDEN = ROOT / "tests" / "golden"


def test_the_guides_273_227_sheet_is_caught(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", TWO_REPS, "--against", str(EXAMPLES / "two-reps-sheet.csv"), "-f", "json")
    assert result.code == 1
    doc = json.loads(result.out)
    rows = {d["node"]: d for d in doc["differences"]}
    assert (rows["Rep A"]["sheet"], rows["Rep A"]["computed"]) == (273, 300)
    assert (rows["Rep B"]["sheet"], rows["Rep B"]["computed"]) == (227, 200)
    assert rows["Rep B"]["cause"] == (
        "the sheet's figures are the 1.2 : 1.0 split, not the plan's 1.2 : 0.8"
        " (Rep B's ratio 1.0 instead of 0.8)"
    )
    assert rows["Rep A"]["line"] == 2


def test_a_sheet_that_agrees_exits_0(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write(tmp_path, "node,revenue\nRep A,300\nRep B,200\n", "s.csv")
    result = run("check", TWO_REPS, "--against", sheet)
    assert result.code == 0
    assert result.out == f"{sheet} agrees with the plan: 2 figure(s) within one rounding unit\n"


def test_one_unit_off_is_within_tolerance(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write(tmp_path, "node,metric,value\nRep A,revenue,301\nRep B,revenue,199\n", "s.csv")
    assert run("check", TWO_REPS, "--against", sheet).code == 0


def test_other_causes_and_missing_nodes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = str(EXAMPLES / "fy2026.yaml")
    sheet = write(
        tmp_path,
        "node,revenue\n"
        "North,4320万\n"  # the stretch tier's figure
        "East,5000万\n"
        "Group 1,1875万\n"  # 37.5 % of the sheet's East
        "Group 2,1600万\n"
        "Group 3,1400万\n"  # the groups add up to 4875万, not the sheet's 5000万
        "West,100万\n",
        "s.csv",
    )
    result = run("check", plan, "--against", sheet, "-f", "json", "-q")
    assert result.code == 1
    rows = {(d["node"], d["metric"]): d for d in json.loads(result.out)["differences"]}
    assert rows[("North", "revenue")]["cause"] == "the sheet's figure is the stretch tier (120%)"
    assert rows[("West", "revenue")]["cause"] == "not in the plan; did you mean 'East'?"
    assert rows[("South", "revenue")]["cause"] == "missing in the sheet"
    assert rows[("East/Group 1", "revenue")]["cause"] == (
        "the sheet's figures under 'East' add up to 4,875万, not its 'East' figure 5,000万"
    )
    assert ("East/Group 2", "revenue") not in rows


def test_a_child_that_follows_from_its_parent(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write(tmp_path, "node,revenue\nEast,5000万\nGroup 1,1875万\n", "s.csv")
    result = run("check", str(EXAMPLES / "fy2026.yaml"), "--against", sheet, "-f", "json", "-q")
    rows = {d["node"]: d for d in json.loads(result.out)["differences"]}
    assert rows["East/Group 1"]["cause"] == (
        "it follows from 'East' in the sheet (5,000万, where the plan has 4,800万)"
    )


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ("node,revenue\nRep A,12x\n", "s.csv:2: error: '12x' is not a number"),
        (
            "node,revenu\n",
            "s.csv:1: error: unknown metric column 'revenu'; did you mean 'revenue'?",
        ),
        ("who,what\n", "s.csv:1: error: the header must be node,metric,value"),
        ("node,metric,value\nRep A,visits,3\n", "s.csv:2: error: unknown metric 'visits'"),
    ],
)
def test_sheet_errors(run, tmp_path: Path, monkeypatch, sheet: str, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    write(tmp_path, sheet, "s.csv")
    result = run("check", TWO_REPS, "--against", "s.csv")
    assert result.code == 1
    assert result.err.startswith(message), result.err


GROWTH = """\
plan: P
period: 2026-Q3
metrics:
  revenue: {total: 500}
max_growth: 50%
split:
  Rep A: {history: 120}
  Rep B: {history: 380}
"""


def test_growth_over_history_is_a_warning_and_strict_makes_it_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, GROWTH)
    result = run("check", plan)
    assert result.code == 0
    assert result.err == ""  # 120 and 380 of 500: no growth at all
    bigger = write(tmp_path, GROWTH.replace("total: 500", "total: 1000"), "big.yaml")
    result = run("check", bigger)
    assert result.code == 0
    assert result.err == (
        f"{bigger}:7:10: warning: 'Rep A' revenue target 240 is 100% above its history 120"
        " (max_growth 50%); justify it or lower the target\n"
        f"{bigger}:8:10: warning: 'Rep B' revenue target 760 is 100% above its history 380"
        " (max_growth 50%); justify it or lower the target\n"
    )
    assert run("check", bigger, "--strict").code == 1


def test_zero_weeks_and_owners(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026-Q1\nmetrics:\n  revenue: {total: 900}\n"
        "seasonality:\n  months: [0%, 50%, 50%]\n"
        "split:\n  A: {weight: 50%, owner: Li}\n  B: 50%\n",
    )
    result = run("check", plan)
    assert result.code == 0
    assert result.err == (
        f"{plan}:6:3: warning: the plan's seasonality gives 2026-Q1-W01 … 2026-Q1-W05 (5 weeks)"
        " no target although they have working days; actuals booked then will count against"
        " nothing\n"
        f"{plan}:9:6: warning: 'B' has no owner, though its siblings do (责任到人)\n"
    )


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["fy2026.yaml", "East/Group 1", "-q"], "explain-group-1.txt"),
        (["two-reps.yaml", "Rep B"], "explain-rep-b.txt"),
        (["weekly-5200.yaml", "North", "--period", "2026-W32"], "explain-north-w32.txt"),
    ],
)
def test_explain_golden(run, monkeypatch, args: list[str], golden: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(EXAMPLES)
    result = run("explain", *args)
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_explain_a_period_claims_two_units_not_one(run) -> None:  # type: ignore[no-untyped-def]
    """A period's figure is a difference of two running totals, each within a
    unit of exact: within two, not one (Rep Chen's W36 is 1.31 off)."""
    done = run(
        "explain",
        str(EXAMPLES / "fy2026.yaml"),
        "South/Rep Chen",
        "--period",
        "2026-W36",
        "--metric",
        "new_customers",
        "-q",
    )
    assert done.code == 0, done.err
    last = done.out.splitlines()[-1]
    assert "2026-W36: exact ≈0.69 → 2 (controlled rounding: the target to date at each end" in last
    assert "within one unit of exact, so the period's figure within two;" in last
    assert "2 (controlled rounding: within one unit" not in done.out


def test_explain_shows_the_largest_remainder_step(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  r: {total: 100}\nsplit:\n  A: 1\n  B: 1\n  C: 1\n",
    )
    out = run("explain", plan, "A").out
    assert "≈33.33 → 34 (+1 unit: remainder ≈0.33, 1st in line among 3 siblings" in out
    out = run("explain", plan, "C").out
    assert "→ 33 (no extra unit: remainder ≈0.33, 3rd in line among 3 siblings" in out


def test_explain_json_and_errors(run) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(run("explain", TWO_REPS, "Rep A", "-f", "json", "-t", "stretch").out)
    assert doc["tier"] == "stretch"
    assert [s["value"] for s in doc["steps"]] == [500, 600, 360]
    bad = run("explain", TWO_REPS, "Rep C")
    assert bad.code == 2
    assert bad.err == "error: unknown node 'Rep C'; did you mean 'Rep B' or 'Rep A'?\n"


def test_explain_shows_a_tiny_tier_percent_exactly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: '2026'\nmetrics:\n  revenue: {total: 100}\n"
        "tiers: {floor: 0.0000001%, target: 100%}\nsplit:\n  A: 1\n  B: 2\n",
        "tier.yaml",
    )
    result = run("explain", plan, "A", "--tier", "floor")
    assert result.code == 0, result.err
    assert "100 × 0.0000001% = 0" in result.out  # it showed 100 × 0% = 0
    from fractions import Fraction

    from targetsplit.audit.explain import _pct

    assert _pct(Fraction(1, 3)) == "33.33%"  # a third is still rounded
    assert _pct(Fraction(3, 8)) == "37.5%"
