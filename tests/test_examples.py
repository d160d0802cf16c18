"""Every plan in examples/ runs clean, and the guides' worked figures come out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES

PLANS = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["table", "plain", "markdown", "csv", "json"])
def test_every_example_runs_clean(plan: Path, fmt: str, run) -> None:  # type: ignore[no-untyped-def]
    check = run("check", str(plan))
    assert check.code == 0, check.err
    result = run("allocate", str(plan), "--format", fmt)
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out
    by_week = run("allocate", str(plan), "--format", fmt, "--by", "week", "--tier", "stretch")
    assert by_week.code == 0, by_week.err
    assert "W01" in by_week.out


def targets(run, plan: str, *extra: str) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    result = run("allocate", str(EXAMPLES / plan), "--format", "json", *extra)
    assert result.code == 0, result.err
    return {n["path"]: n["targets"] for n in json.loads(result.out)["nodes"]}


def test_fy2026_regions_and_east_groups(run) -> None:  # type: ignore[no-untyped-def]
    t = targets(run, "fy2026.yaml")
    assert t[""]["revenue"] == 120_000_000
    assert t["North"]["revenue"] == 36_000_000
    assert t["East"]["revenue"] == 48_000_000
    assert t["South"]["revenue"] == 36_000_000
    assert t["East/Group 1"]["revenue"] == 18_000_000
    assert t["East/Group 2"]["revenue"] == 16_000_000
    assert t["East/Group 3"]["revenue"] == 14_000_000
    # Group 1 holds 37.5 % of East's revenue, so 37.5 % of its 80 new customers.
    assert t["East/Group 1"]["new_customers"] == 30
    assert sum(t[f"East/Group {i}"]["new_customers"] for i in (1, 2, 3)) == 80


def test_fy2026_dimensions(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", str(EXAMPLES / "fy2026.yaml"), "--format", "json")
    dims = json.loads(result.out)["dimensions"]
    product = {d["name"]: d["targets"]["revenue"] for d in dims["product"]}
    customer = {d["name"]: d["targets"]["revenue"] for d in dims["customer"]}
    assert product == {"High-end": 36_000_000, "Mid-range": 60_000_000, "New": 24_000_000}
    assert customer == {"New": 48_000_000, "Existing": 72_000_000}


def test_quarter_500(run) -> None:  # type: ignore[no-untyped-def]
    t = targets(run, "quarter-500.yaml")
    assert (t["East"]["revenue"], t["South"]["revenue"]) == (300, 200)


def test_two_reps_get_300_and_200_not_the_guides_273_227(run) -> None:  # type: ignore[no-untyped-def]
    t = targets(run, "two-reps.yaml")
    assert (t["Rep A"]["revenue"], t["Rep B"]["revenue"]) == (300, 200)


def test_new_customers_12_and_8(run) -> None:  # type: ignore[no-untyped-def]
    t = targets(run, "new-customers.yaml")
    assert (t["Rep A"]["new_customers"], t["Rep B"]["new_customers"]) == (12, 8)
    assert (t["Rep A"]["revenue"], t["Rep B"]["revenue"]) == (3_000_000, 2_000_000)


def test_stretch_tier_scales_amounts_too(run) -> None:  # type: ignore[no-untyped-def]
    t = targets(run, "fy2026.yaml", "--tier", "stretch")
    assert t[""]["revenue"] == 144_000_000
    assert t["East"]["revenue"] == 57_600_000
    assert t["East/Group 1"]["revenue"] == 21_600_000
    assert t[""]["new_customers"] == 240
