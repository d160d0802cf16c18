"""replan and rollover: new plans from an old plan and its actuals (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from targetsplit.api.replan import replan
from targetsplit.api.rollover import rollover
from targetsplit.calendar.seasonality import month_shares
from targetsplit.errors import UsageError
from targetsplit.plan.load import parse_plan
from targetsplit.plan.write import scalar
from targetsplit.split.hierarchy import allocate
from targetsplit.split.timesplit import split_over_time

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _write(tmp: Path, plan: str, actuals: str) -> Path:
    (tmp / "a.csv").write_text(actuals, encoding="utf-8")
    path = tmp / "plan.yaml"
    path.write_text(plan, encoding="utf-8")
    return path


QUARTER = """\
plan: Q3 push
period: 2026-Q3
metrics:
  revenue: {total: 100万, round: 1万}
actuals: a.csv
split:
  Rep A: 60%
  Rep B: 40%
"""


def test_the_guides_mid_quarter_case(tmp_path: Path) -> None:
    """A rep at 65 % of the quarter's target with 30 days left still needs 35 %;
    keep gives exactly that, spread over the remaining working days."""
    plan = _write(
        tmp_path,
        QUARTER,
        "date,node,metric,value\n2026-07-20,Rep A,revenue,39万\n2026-08-10,Rep B,revenue,26万\n",
    )
    # Rep A: 39万 of 60万 = 65 %; Rep B: 26万 of 40万 = 65 %. 30 days (September) left.
    result = replan(plan, as_of="2026-08-31")
    new = result.plan
    assert (new.period.start, new.period.end) == (date(2026, 9, 1), date(2026, 9, 30))
    rows = {r.path: r.targets["revenue"] for r in allocate(new).rows}
    assert rows == {"": Decimal(350000), "Rep A": Decimal(210000), "Rep B": Decimal(140000)}
    assert Fraction(rows["Rep A"]) == 600000 * Fraction(35, 100)
    # Spread over September's 22 working days by the calendar (weeks of 4, 5, 5,
    # 5 and 3 of them), each week within a unit of exact, adding up.
    weeks = split_over_time(allocate(new), "week").units["Rep A"]["revenue"]
    assert sum(weeks) == 21
    for got, days in zip(weeks, [4, 5, 5, 5, 3], strict=True):
        assert abs(got - Fraction(21 * days, 22)) < 1


def test_keep_owes_the_rest_and_parents_add_up(tmp_path: Path) -> None:
    plan = _write(
        tmp_path,
        (EXAMPLES / "fy2026.yaml")
        .read_text(encoding="utf-8")
        .replace("fy2026-actuals.csv", "a.csv"),
        "date,node,metric,value\n"
        "2026-02-02,Group 1,revenue,2000万\n"  # over its whole target (1800万)
        "2026-02-02,Rep Liu,revenue,100.5万\n"  # 1339.5万 owed: rounded up to 1340万
        "2026-02-02,North,new_customers,7\n",
    )
    warned: list[str] = []
    result = replan(plan, week=26, on_warning=lambda d: warned.append(d.render()))
    rows = {r.path: r.units for r in allocate(result.plan).rows}
    assert rows["East/Group 1"]["revenue"] == 0  # max(0, 1800万 - 2000万)
    assert rows["South/Rep Liu"]["revenue"] == 1340
    assert rows["South/Rep Chen"]["revenue"] == 2160
    assert rows["North"]["new_customers"] == 53
    assert rows["East"]["revenue"] == 0 + 1600 + 1400
    assert rows[""]["revenue"] == 3600 + 3000 + 1340 + 2160
    # The root's own remaining is 12000 - 2100.5 = 9899.5 -> 9900万; the leaves owe 200 more.
    assert any("200万 more than the plan still needs as a whole (9900万)" in w for w in warned)
    assert result.plan.period.name == "2026 from W27"
    assert "# Cut-off: Sun 28 Jun 2026 (end of week 26)" in result.text
    assert "# Policy keep" in result.text


def test_share_splits_the_remaining_by_the_old_shares(tmp_path: Path) -> None:
    plan = _write(
        tmp_path,
        (EXAMPLES / "fy2026.yaml")
        .read_text(encoding="utf-8")
        .replace("fy2026-actuals.csv", "a.csv"),
        "date,node,metric,value\n2026-02-02,Group 1,revenue,2000万\n",
    )
    old = parse_plan((tmp_path / "plan.yaml").read_text(encoding="utf-8"), "p")
    result = replan(plan, week=26, policy="share")
    got = {r.path: dict(r.units) for r in allocate(result.plan).rows}
    want = {
        r.path: dict(r.units)
        for r in allocate(old, totals={"revenue": 10000, "new_customers": 200}).rows
    }
    assert got == want
    assert "# Policy share" in result.text


def test_the_new_plan_keeps_the_remaining_seasonality(tmp_path: Path) -> None:
    text = QUARTER.replace(
        "split:",
        "seasonality: {months: [20%, 30%, 50%]}\ncalendar: {holidays: [2026-08-20]}\nsplit:",
    )
    plan = _write(tmp_path, text, "date,node,metric,value\n")
    old = parse_plan(text.replace("a.csv", "x.csv"), "p")
    result = replan(plan, as_of="2026-08-12")
    new = result.plan
    assert new.breakdown is not None and old.breakdown is not None
    # Every remaining working day keeps the weight it had: August's share over
    # its 20 working days (21 weekdays less the holiday), 12 of them still ahead.
    got = month_shares(new.seasonality, new.breakdown)
    aug = Fraction(30, 100) * Fraction(12, 20)
    want = [aug / (aug + Fraction(1, 2)), Fraction(1, 2) / (aug + Fraction(1, 2))]
    assert list(got) == want
    assert new.calendar.holidays == old.calendar.holidays


def test_progress_on_the_new_plan_counts_rows_after_the_cut_off(tmp_path: Path) -> None:
    from targetsplit.api.progress import progress

    plan = _write(
        tmp_path,
        QUARTER,
        "date,node,metric,value\n2026-07-20,Rep A,revenue,39万\n2026-09-10,Rep A,revenue,5万\n",
    )
    new = tmp_path / "new.yaml"
    result = replan(plan, as_of="2026-08-31", output=new)
    new.write_text(result.text, encoding="utf-8")
    warned: list[str] = []
    later = progress(new, as_of="2026-09-30", on_warning=lambda d: warned.append(d.render()))
    root = later.progress.rows[0].figures["revenue"]
    assert root.actual == Decimal(50000)
    assert any("1 row(s) dated outside the period" in w for w in warned)


def test_hostile_names_survive_the_round_trip(tmp_path: Path) -> None:
    names = [
        "=1+2",
        "[red]x",
        "yes",
        "null",
        "- a",
        "a: b",
        "#x",
        'O\'Neil "Q"',
        "陈伟",
        "a\\b",
        "  x",
        "1.0",
        "%y",
        "@z",
        "x,y",
        "{a}",
        "~",
    ]
    children = {n: {"weight": "1", "owner": n} for n in names if n.strip() == n}
    doc = {
        "plan": "Hostile: [b]",
        "period": "2026-Q3",
        "metrics": {"revenue": {"total": "900"}},
        "split": children,
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "a.csv").write_text("date,node,metric,value\n", encoding="utf-8")
    result = replan(path, as_of="2026-07-31", actuals=tmp_path / "a.csv")
    new = result.plan
    assert [c.name for c in new.root.children] == list(children)
    assert [c.owner for c in new.root.children] == list(children)
    assert new.title == "Hostile: [b]"
    for text in [*names, "", "a\x1bb", "tab\there", "\u202e", "true", "2026-01-01"]:
        assert yaml.safe_load(f"k: {scalar(text)}")["k"] == text or text in ("2026-01-01", "1.0")


def test_replan_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    plan = _write(tmp_path, QUARTER, "date,node,metric,value\n")
    with pytest.raises(UsageError, match="--week N or --as-of DATE"):
        replan(plan)
    with pytest.raises(UsageError, match="--week N or --as-of DATE"):
        replan(plan, week=2, as_of="2026-07-01")
    with pytest.raises(UsageError, match="nothing is left"):
        replan(plan, as_of="2026-09-30")
    with pytest.raises(UsageError, match="keep or share"):
        replan(plan, week=2, policy="fair")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_cli_writes_a_plan_and_never_over_its_inputs(tmp_path: Path) -> None:
    plan = _write(tmp_path, QUARTER, "date,node,metric,value\n2026-07-20,Rep A,revenue,39万\n")
    done = _cli("replan", str(plan), "--as-of", "2026-08-31", "-o", "out/new.yaml", cwd=tmp_path)
    assert done.returncode == 1  # no such directory: an error, not a traceback
    assert "Traceback" not in done.stderr
    done = _cli("replan", str(plan), "--as-of", "2026-08-31", "-o", "new.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote new.yaml: Q3 push, 2026-09 (2026-09-01 to 2026-09-30)" in done.stderr
    done = _cli("replan", str(plan), "--as-of", "2026-08-12", cwd=tmp_path)
    assert (
        "period: {start: 2026-08-13, end: 2026-09-30, name: 2026-Q3 from 2026-08-13}" in done.stdout
    )
    text = (tmp_path / "new.yaml").read_text(encoding="utf-8")
    assert "actuals: a.csv" in text
    assert f"Actuals: a.csv ({(tmp_path / 'a.csv').stat().st_size:,} bytes, modified " in text
    before = plan.read_text(encoding="utf-8")
    done = _cli("replan", str(plan), "--week", "5", "-o", str(plan), cwd=tmp_path)
    assert done.returncode == 1 and "refusing to write over it" in done.stderr
    assert plan.read_text(encoding="utf-8") == before
    done = _cli("replan", str(plan), cwd=tmp_path)
    assert done.returncode == 2 and "--week N or --as-of DATE" in done.stderr


# --- rollover ------------------------------------------------------------------------


def test_rollover_shares_follow_the_actuals(tmp_path: Path) -> None:
    plan = _write(
        tmp_path,
        QUARTER.replace("Rep B: 40%", "Rep B: 40%\n  Rep C: rest"),
        "date,node,metric,value\n2026-07-20,Rep A,revenue,30万\n2026-08-10,Rep B,revenue,50万\n",
    )
    warned: list[str] = []
    result = rollover(
        plan,
        to="2026-Q4",
        growth="10%",
        today=date(2026, 11, 1),
        on_warning=lambda d: warned.append(d.render()),
    )
    new = result.plan
    assert new.period.name == "2026-Q4"
    assert new.title == "Q3 push"  # (its title does not name the old period)
    rows = {r.path: r.units["revenue"] for r in allocate(new).rows}
    # 80万 x 1.1 = 88万; Rep C sold nothing: it keeps its old basis, its old target
    # 0 (rest of 60 % + 40 %) as its history.
    assert rows == {"": 88, "Rep A": 33, "Rep B": 55, "Rep C": 0}
    assert any("no actual for 1 node(s) (Rep C)" in w for w in warned)
    assert "  Rep A:\n    weight: {revenue: {history: 30万}}\n" in result.text


def test_rollover_totals_carry_and_calendar(tmp_path: Path) -> None:
    text = (
        (EXAMPLES / "fy2026.yaml")
        .read_text(encoding="utf-8")
        .replace("fy2026-actuals.csv", "a.csv")
        .replace(
            "split:\n  North",
            "calendar: {holidays: [2026-10-01..2026-10-07, 2027-01-01]}\nsplit:\n  North",
            1,
        )
    )
    plan = _write(
        tmp_path,
        text,
        "date,node,metric,value\n"
        "2026-03-02,North,revenue,3000万\n2026-03-02,East,revenue,4000万\n"
        "2026-03-02,Rep Chen,revenue,2000万\n2026-03-02,Rep Liu,revenue,1000万\n"
        "2026-03-02,North,new_customers,10\n",
    )
    warned: list[str] = []
    result = rollover(
        plan,
        to="2027",
        totals=["revenue=1.1亿"],
        today=date(2027, 1, 5),
        on_warning=lambda d: warned.append(d.render()),
    )
    new = result.plan
    assert new.title == "FY2027 National Sales"
    assert new.metric("revenue").total == Decimal(110_000_000)
    assert new.metric("new_customers").total == 10  # the actual, not grown
    assert any("1 holiday or working-weekend entry" in w for w in warned)
    assert "2027-01-01" in result.text and "2026-10-01" not in result.text.split("version:")[1]
    rows = {r.path: r.units for r in allocate(new).rows}
    # East's 4000万 is booked on East itself: its groups have none and keep
    # their old basis (their old targets as history), splitting East's share.
    assert rows["North"]["revenue"] == 3300 and rows["East"]["revenue"] == 4400
    carried = rollover(
        plan, to="2027", totals=["revenue=1.1亿"], carry=True, today=date(2027, 1, 5)
    )
    crow = {r.path: r.units for r in allocate(carried.plan).rows}
    # Rep Liu: target 1440万, actual 1000万 -> 440万 on top of its share.
    assert crow["South/Rep Liu"]["revenue"] == rows["South/Rep Liu"]["revenue"] + 440
    # Rep Chen: target 2160万, actual 2000万 -> 160万; North (3000万 of 3600万) 600万.
    assert crow["South/Rep Chen"]["revenue"] == rows["South/Rep Chen"]["revenue"] + 160
    assert crow["North"]["revenue"] == rows["North"]["revenue"] + 600
    assert crow[""]["revenue"] == sum(crow[k]["revenue"] for k in ("North", "East", "South"))


def test_rollover_refuses_bad_options(tmp_path: Path) -> None:
    plan = _write(tmp_path, QUARTER, "date,node,metric,value\n")
    for kwargs, match in [
        ({"to": "2026-Q3"}, "must start after this one ends"),
        ({"to": "next year"}, "is not a period"),
        ({"to": "2026-Q4", "growth": "10"}, "takes a percent"),
        ({"to": "2026-Q4", "growth": "-100%"}, "more than -100%"),
        ({"to": "2026-Q4", "totals": ["revenu=5万"]}, "unknown metric 'revenu'"),
        ({"to": "2026-Q4", "totals": ["revenue=5.5万"]}, "multiple of the unit"),
        ({"to": "2026-Q4", "name": "X"}, "--name goes with"),
    ]:
        with pytest.raises(UsageError, match=match):
            rollover(plan, today=date(2026, 10, 1), **kwargs)  # type: ignore[arg-type]


def test_a_seasonality_with_nothing_left_spreads_by_working_days(tmp_path: Path) -> None:
    text = QUARTER.replace(
        "  Rep A: 60%", "  Rep A: {weight: 60%, seasonality: {months: [1, 0, 0]}}"
    )
    plan = _write(tmp_path, text, "date,node,metric,value\n")
    warned: list[str] = []
    result = replan(plan, as_of="2026-07-31", on_warning=lambda d: warned.append(d.render()))
    assert any(
        "'Rep A's seasonality puts nothing on the days after the cut-off" in w for w in warned
    )
    assert result.plan.root.children[0].seasonality is None
    assert allocate(result.plan).row("Rep A").targets["revenue"] == 600000


def test_rollover_of_a_group_that_sold_nothing_keeps_its_shares(tmp_path: Path) -> None:
    team = "Team:\n    weight: 100%\n    split: {Rep A: 3, Rep B: 1}"
    text = QUARTER.replace("Rep A: 60%\n  Rep B: 40%", team)
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-07-20,Team,revenue,40万\n")
    result = rollover(plan, to="2026-Q4", today=date(2026, 10, 1))
    rows = {r.path: r.units["revenue"] for r in allocate(result.plan).rows}
    # The reps sold nothing themselves: their old targets (30万, 10万) are their history.
    assert rows == {"": 40, "Team": 40, "Team/Rep A": 30, "Team/Rep B": 10}


FUNNEL = """\
plan: Funnel
period: 2026
metrics:
  revenue: {total: 1000万, round: 1万}
  deals: {from: revenue, per: 10万}
  leads: {from: deals, rate: 20%}
actuals: a.csv
split:
  Large: {weight: 50%, drivers: {deals: 50万}}
  Mid: 30%
  Small:
    weight: 20%
    drivers: {deals: 2万}
    split: {Li: 60%, Wang: 40%}
"""


def test_replan_keeps_derived_metrics_derived(tmp_path: Path) -> None:
    """The new plan states amounts for revenue only; deals and leads keep from:,
    per:/rate: and the drivers as written, so they follow the revenue still owed."""
    plan = _write(
        tmp_path,
        FUNNEL,
        "date,node,revenue,deals,leads\n2026-03-02,Large,200万,4,20\n"
        "2026-03-03,Small/Li,60万,30,150\n",
    )
    for policy in ("keep", "share"):
        result = replan(plan, as_of="2026-06-30", policy=policy)
        doc = yaml.safe_load(result.text)
        assert doc["metrics"]["deals"] == {"from": "revenue", "per": "10万"}
        assert doc["metrics"]["leads"] == {"from": "deals", "rate": "20%"}
        assert doc["split"]["Large"]["drivers"] == {"deals": "50万"}
        assert doc["split"]["Small"]["drivers"] == {"deals": "2万"}
        assert set(doc["split"]["Large"]["weight"]) == {"revenue"}
    keep = allocate(replan(plan, as_of="2026-06-30").plan)
    t = {r.path: r.targets for r in keep.rows}
    # Large owes 300万 -> 6 deals at 50万; Li owes 60万 -> 30 at 2万; Mid 300万 -> 30.
    assert (t["Large"]["revenue"], t["Large"]["deals"]) == (Decimal(3_000_000), 6)
    assert (t["Small/Li"]["deals"], t["Small/Wang"]["deals"], t["Mid"]["deals"]) == (30, 40, 30)
    assert t[""]["deals"] == 106 and t[""]["leads"] == 530


def test_rollover_keeps_derived_metrics_derived(tmp_path: Path) -> None:
    plan = _write(
        tmp_path,
        FUNNEL,
        "date,node,revenue\n2026-03-02,Large,600万\n2026-03-03,Mid,300万\n"
        "2026-03-04,Small/Li,60万\n2026-03-05,Small/Wang,40万\n",
    )
    result = rollover(plan, to="2027", growth="10%", today=date(2027, 1, 5))
    doc = yaml.safe_load(result.text)
    assert doc["metrics"]["revenue"]["total"] == "1100万"
    assert "total" not in doc["metrics"]["deals"]
    assert doc["split"]["Small"]["drivers"] == {"deals": "2万"}
    t = {r.path: r.targets for r in allocate(result.plan).rows}
    assert (t["Large"]["revenue"], t["Large"]["deals"]) == (Decimal(6_600_000), 14)
    assert t["Small/Li"]["deals"] == 33  # 66万 / 2万
    carried = rollover(plan, to="2027", carry=True, today=date(2027, 1, 5))
    assert "total" not in yaml.safe_load(carried.text)["metrics"]["leads"]
    with pytest.raises(UsageError, match="deals is derived from revenue"):
        rollover(plan, to="2027", totals=["deals=5"], today=date(2027, 1, 5))
