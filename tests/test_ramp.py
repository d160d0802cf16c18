"""Ramp (issue 13, part 2): a node with start: and ramp: — its capacity, where its
figures fall in time, its siblings taking up the difference, the parent's
periods unchanged, progress over its own weeks, explain, replan."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, write
from targetsplit.calendar.ramp import Ramp, add_months
from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.plan.rampfit import fit
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import build

EXAMPLE = EXAMPLES / "ramp-2026.yaml"


def _json(run, *args: str) -> dict[str, dict[str, list[int]]]:  # type: ignore[no-untyped-def]
    result = run("allocate", *args, "--format", "json")
    assert result.code == 0, result.err
    return {n["path"]: n for n in json.loads(result.out)["nodes"]}


def _without_ramp(tmp_path: Path) -> str:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key in ("start", "ramp"):
        del doc["split"]["Eli"][key]
    return write(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_ramp_month_k_is_a_calendar_month_from_the_start() -> None:
    r = Ramp(date(2026, 3, 15), (Fraction(1, 2), Fraction(3, 4)))
    assert r.at(date(2026, 3, 14)) == 0
    assert r.at(date(2026, 3, 15)) == Fraction(1, 2)
    assert r.at(date(2026, 4, 14)) == Fraction(1, 2)
    assert r.at(date(2026, 4, 15)) == Fraction(3, 4)
    assert r.at(date(2026, 5, 14)) == Fraction(3, 4)
    assert r.at(date(2026, 5, 15)) == 1
    assert r.month_of(date(2026, 4, 20)) == 2
    # A start on the 31st: the next months begin on their last day when shorter.
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(9999, 12, 1), 1) is None


def test_example_capacity_and_figures(run) -> None:  # type: ignore[no-untyped-def]
    plan = parse_plan(EXAMPLE.read_text(encoding="utf-8"), "ramp-2026.yaml")
    eli = next(n for n in plan.nodes() if n.name == "Eli")
    # Q3 is 24 % over 23 + 21 + 22 working days; July at 50 %, August at 75 %.
    q3 = Fraction(24, 100) * Fraction(23 * 50 + 21 * 75 + 22 * 100, 66 * 100)
    assert eli.capacity == q3 + Fraction(30, 100)
    assert eli.capacity == Fraction(527, 1100)
    nodes = _json(run, str(EXAMPLE), "--by", "quarter")
    team = nodes[""]["periods"]["revenue"]
    assert team == {
        "2026-Q1": 1_320_000,
        "2026-Q2": 1_440_000,
        "2026-Q3": 1_440_000,
        "2026-Q4": 1_800_000,
    }  # 22 / 24 / 24 / 30 % exactly
    assert nodes["Eli"]["targets"]["revenue"] == 642_000  # 6,000,000 x 0.479 / 4.479
    assert nodes["Eli"]["periods"]["revenue"] == {
        "2026-Q1": 0,
        "2026-Q2": 0,
        "2026-Q3": 240_000,
        "2026-Q4": 402_000,
    }
    assert nodes["Ana"]["periods"]["revenue"] == {
        "2026-Q1": 330_000,
        "2026-Q2": 360_000,
        "2026-Q3": 300_000,
        "2026-Q4": 350_000,
    }
    months = _json(run, str(EXAMPLE), "--by", "month")["Eli"]["periods"]["revenue"]
    assert [months[f"2026-{m:02d}"] for m in range(1, 13)] == [
        0, 0, 0, 0, 0, 0, 56_000, 77_000, 107_000, 134_000, 128_000, 140_000
    ]  # fmt: skip


def test_the_parents_periods_are_those_without_the_ramp(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = _without_ramp(tmp_path)
    for by in ("half", "quarter", "month"):
        with_ramp = _json(run, str(EXAMPLE), "--by", by)[""]["periods"]
        without = _json(run, plain, "--by", by)[""]["periods"]
        assert with_ramp == without, by
    # Without the ramp Eli is a fifth of the team, spread like the team.
    assert _json(run, plain)["Eli"]["targets"]["revenue"] == 1_200_000


def test_the_hire_has_nothing_before_the_start_in_any_view(run) -> None:  # type: ignore[no-untyped-def]
    weeks = _json(run, str(EXAMPLE), "--by", "week")["Eli"]["periods"]["revenue"]
    assert all(v == 0 for k, v in weeks.items() if k <= "2026-W26")
    assert weeks["2026-W27"] > 0  # 1-3 July
    plan = parse_plan(EXAMPLE.read_text(encoding="utf-8"), "ramp-2026.yaml")
    ledger = build(allocate(plan))
    to_date = ledger.to_date(date(2026, 6, 30))
    assert to_date["Eli"]["revenue"] == 0
    assert to_date[""]["revenue"] == 2_760  # H1: 46 % of 6,000,000, in units of 1000
    mid = ledger.to_date(date(2026, 7, 15))  # inside a segment
    assert sum(mid[c.key]["revenue"] for c in plan.root.children) == mid[""]["revenue"]


def test_progress_counts_only_the_hires_weeks(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actuals = write(tmp_path, "date,node,metric,value\n2026-03-02,Ana,revenue,300000\n", "a.csv")
    result = run(
        "progress", str(EXAMPLE), "--actuals", actuals, "--as-of", "2026-03-31", "--format", "json"
    )
    assert result.code == 0, result.err
    nodes = {n["path"]: n["progress"]["revenue"] for n in json.loads(result.out)["nodes"]}
    assert nodes["Eli"]["target_to_date"] == 0
    assert nodes["Eli"]["attainment"] is None
    # 642,000 over the weeks from 1 July: week 27 counts 3/5 (1-3 July), then
    # weeks 28 to 53 in full, 26.6 weeks: 24,135.3 a week, rounded up to 25,000.
    assert nodes["Eli"]["needed_per_week"] == 25_000
    # Ana's over the weeks left after March, as before.
    assert nodes["Ana"]["needed_per_week"] == 27_000


def test_explain_shows_the_capacity_step(run) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", str(EXAMPLE), "Eli", "--format", "plain", "--period", "2026-Q3")
    assert result.code == 0, result.err
    assert "capacity 47.91%" in result.out
    assert "ratio 1 × 47.91% of 1 + 1 + 1 + 1 + 1 × 47.91%" in result.out
    assert "2026-07: 8.73% of 642,000" in result.out
    assert "2026-Q3: exact ≈239,990 → 240,000" in result.out
    ana = run("explain", str(EXAMPLE), "Ana", "--format", "plain", "--period", "2026-Q1")
    assert "takes what the ramped ones leave" in ana.out


def _plan(body: str) -> str:
    return (
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1200000, round: 100}\n"
        "seasonality: {quarters: [22%, 24%, 24%, 30%]}\n" + body
    )


def test_percent_and_amount_weights_are_taken_as_given() -> None:
    plan = parse_plan(
        _plan("split:\n  Old: 70%\n  Hire: {weight: 30%, start: 2026-04-01, ramp: [50%]}\n"),
        "p.yaml",
    )
    hire = plan.root.children[1]
    assert hire.units["revenue"] == 3600  # 30 %, not scaled
    assert hire.capacity is not None and hire.capacity < 1


def test_a_start_before_the_period_is_mid_ramp_or_done() -> None:
    mid = parse_plan(
        _plan("split:\n  A: 1\n  B: {weight: 1, start: 2025-12-15, ramp: [10%, 50%]}\n"), "p.yaml"
    )
    b = mid.root.children[1]
    assert b.capacity is not None and Fraction(1, 2) < b.capacity < 1  # 50 % to 14 Jan
    done = parse_plan(
        _plan("split:\n  A: 1\n  B: {weight: 1, start: 2025-06-01, ramp: [10%, 50%]}\n"), "p.yaml"
    )
    assert done.root.children[1].capacity == 1
    assert done.root.children[1].units == done.root.children[0].units


def test_several_ramps_and_a_ramped_team() -> None:
    text = _plan(
        "split:\n"
        "  East:\n"
        "    weight: 1\n"
        "    start: 2026-03-16\n"
        "    ramp: [25%, 50%, 75%]\n"
        "    split:\n"
        "      Lead: 2\n"
        "      Rep: {weight: 1, start: 2026-06-01, ramp: [50%]}\n"
        "      Old: {weight: 1, seasonality: {quarters: [10%, 20%, 30%, 40%]}}\n"
        "  West: 3\n"
        "  North: {weight: 1, start: 2026-02-01}\n"
    )
    plan = parse_plan(text, "p.yaml")
    alloc = allocate(plan)
    ledger = build(alloc, keep_exact=True)
    assert ledger.exact is not None
    b = plan.breakdown
    assert b is not None
    segs = ledger.segments
    for node in plan.nodes():
        cells = ledger.units[node.key]["revenue"]
        assert sum(cells) == node.units["revenue"]
        exact = [Fraction(x, ledger.denoms[node.key]) for x in ledger.exact[node.key]["revenue"]]
        assert sum(exact) == node.units["revenue"]
        if node.children:
            kids = [ledger.units[c.key]["revenue"] for c in node.children]
            assert [sum(col) for col in zip(*kids, strict=True)] == cells
    east = ledger.units["East"]["revenue"]
    rep = ledger.units["East/Rep"]["revenue"]
    assert all(c == 0 for c, s in zip(east, segs, strict=True) if s.end < date(2026, 3, 16))
    assert all(c == 0 for c, s in zip(rep, segs, strict=True) if s.end < date(2026, 6, 1))
    # A segment starts on every day a productivity changes.
    starts = {s.start for s in segs}
    assert {date(2026, 3, 16), date(2026, 4, 16), date(2026, 5, 16), date(2026, 6, 16)} <= starts
    assert {date(2026, 6, 1), date(2026, 7, 1)} <= starts


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "split:\n  Solo:\n    weight: 100%\n    split:\n"
            "      Hire: {weight: 1, start: 2026-10-01}\n",
            "'Solo/Hire' starts 2026-10-01, but 'Solo' has targets in 2026-01..2026-09 that none"
            " of its children can take",
        ),
        (
            "split:\n  Old: 30%\n  Hire: {weight: 70%, start: 2026-07-01}\n",
            "'Hire' (from 2026-07-01) would need more than the plan has in 2026-07..2026-12",
        ),
    ],
)
def test_infeasible_groups_name_the_node_and_the_months(body: str, message: str) -> None:
    with pytest.raises(PlanError) as e:
        parse_plan(_plan(body), "p.yaml")
    (d,) = e.value.diagnostics
    assert message in d.message
    assert d.loc[-1] == "start"


def test_a_tier_that_cannot_be_fitted_is_named(tmp_path: Path) -> None:
    # The hire's half is exactly H2 at the plan's 1000; under the stretch tier
    # 1333 splits 667 / 666 (the tie to the hire, declared first): one unit
    # more than H2 holds.
    text = (
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1000}\n"
        "seasonality: {quarters: [25%, 25%, 25%, 25%]}\n"
        "tiers: {target: 100%, stretch: 133.3%}\n"
        "split:\n  Hire: {weight: 50%, start: 2026-07-01}\n  Old: 50%\n"
    )
    with pytest.raises(PlanError) as e:
        parse_plan(text, "p.yaml")
    messages = [d.message for d in e.value.diagnostics]
    assert any("under tier stretch" in m for m in messages), messages


def test_replan_keeps_the_ramp_months_in_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Hired 15 May: month 2 of the ramp runs 15 June to 14 July, across the cut-off.
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["split"]["Eli"]["start"] = "2026-05-15"
    plan_path = write(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    actuals = write(tmp_path, "date,node,metric,value\n2026-03-02,Ana,revenue,300000\n", "a.csv")
    out = tmp_path / "h2.yaml"
    result = run("replan", plan_path, "--actuals", actuals, "--as-of", "2026-06-30", "-o", str(out))
    assert result.code == 0, result.err
    new_doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert new_doc["split"]["Eli"]["start"] == date(2026, 5, 15)
    assert new_doc["split"]["Eli"]["ramp"] == ["50%", "75%"]
    old = parse_plan(Path(plan_path).read_text(encoding="utf-8"), "old.yaml")
    new = parse_plan(out.read_text(encoding="utf-8"), "new.yaml")
    old_profile = _profile(old, "Eli")
    new_profile = _profile(new, "Eli")
    # The new plan's Eli spreads over the days after the cut-off as the old one
    # did: the same shares of the same days, scaled to what is left.
    b_old, b_new = old.breakdown, new.breakdown
    assert b_old is not None and b_new is not None
    tail = {
        s.start: x for s, x in zip(b_old.segments, old_profile, strict=True) if s.start.month >= 7
    }
    scale = sum(tail.values(), Fraction(0))
    by_day = dict(zip((s.start for s in b_new.segments), new_profile, strict=True))
    assert set(by_day) == set(tail)
    assert all(by_day[d] == x / scale for d, x in tail.items())
    # July: 75 % to 14 July, 100 % from 15 July — a segment starts there.
    assert date(2026, 7, 15) in by_day


def _profile(plan, key: str) -> tuple[Fraction, ...]:  # type: ignore[no-untyped-def]
    assert plan.breakdown is not None
    alloc = allocate(plan)
    profiles = fit(
        plan.root, plan.seasonality, plan.breakdown, lambda n: alloc.row(n.key).units, ["revenue"]
    )
    return profiles[key]["revenue"]


def test_rollover_keeps_start_and_ramp(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actuals = write(tmp_path, "date,node,metric,value\n2026-09-02,Eli,revenue,600000\n", "a.csv")
    out = tmp_path / "next.yaml"
    result = run(
        "rollover", str(EXAMPLE), "--actuals", actuals, "--to", "2027", "--growth", "10%", "-o",
        str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["split"]["Eli"]["start"] == date(2026, 7, 1)
    assert doc["split"]["Eli"]["ramp"] == ["50%", "75%"]
    new = parse_plan(out.read_text(encoding="utf-8"), "next.yaml")
    eli = next(n for n in new.nodes() if n.name == "Eli")
    assert eli.capacity == 1  # fully ramped before 2027 begins
    assert new.breakdown is not None and not new.breakdown.cuts


def test_other_totals_that_cannot_be_fitted_are_a_plan_error() -> None:
    # Valid at the plan's totals and its (default) tiers; 1333 would give the
    # hire 667 units where H2 holds 666.5.
    text = (
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1000}\n"
        "seasonality: {quarters: [25%, 25%, 25%, 25%]}\n"
        "split:\n  Hire: {weight: 50%, start: 2026-07-01}\n  Old: 50%\n"
    )
    plan = parse_plan(text, "p.yaml")
    with pytest.raises(PlanError) as e:
        build(allocate(plan, totals={"revenue": 1333}))
    (d,) = e.value.diagnostics
    assert d.loc == ("split", "Hire", "start")
    assert "would need more than the plan has in 2026-07..2026-12" in d.message
