"""`targetsplit progress`: the figures of SPEC §6, actuals forms, edges and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, write

JULY = """\
plan: July
period: 2026-07
metrics:
  revenue: {total: 2300}
split:
  A: 1
  B: 1
  Z: 0
"""


def progress(run, tmp_path: Path, plan: str, actuals: str, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    p = write(tmp_path, plan)
    a = write(tmp_path, actuals, "actuals.csv")
    result = run("progress", p, "--actuals", a, "--format", "json", *args)
    assert result.code in (0, 3), result.err
    return {n["path"]: n["progress"] for n in json.loads(result.out)["nodes"]}


def test_every_figure_by_hand(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 23 working days in July 2026, 100 a day; weeks 1-2 end on Sunday 12 July
    # after 8 working days; 3 weeks are left.
    actuals = "date,node,metric,value\n2026-07-03,A,revenue,500\n2026-07-10,A,revenue,-50\n"
    actuals += "2026-07-06,B,revenue,400\n2026-07-20,B,revenue,999\n"
    f = progress(run, tmp_path, JULY, actuals, "--week", "2", "--quiet")
    a = f["A"]["revenue"]
    assert a == {
        "target": 1150,
        "target_to_date": 400,
        "actual": 450,
        "attainment": 1.125,
        "attainment_full": 0.391304,
        "gap": -50,
        "remaining": 700,
        "needed_per_week": 234,
        "projection": 1294,
        "status": "green",
        "rank": 1,
        "tier": "target",
    }
    b = f["B"]["revenue"]
    assert (b["attainment"], b["status"], b["rank"], b["needed_per_week"]) == (1, "green", 2, 250)
    root = f[""]["revenue"]
    assert (root["target_to_date"], root["actual"], root["projection"]) == (800, 850, 2444)
    z = f["Z"]["revenue"]  # a zero target: no attainment, no status, no crash
    assert (z["target"], z["attainment"], z["attainment_full"], z["status"]) == (
        0,
        None,
        None,
        None,
    )
    assert z["rank"] is None and z["projection"] is None


QUARTER = """\
plan: Q3
period: 2026-Q3
metrics:
  revenue: {total: 500}
  new_customers: {total: 10}
split:
  Team: 100%
"""
GUIDE_ACTUALS = "date,node,revenue,new_customers\n2026-08-14,Team,300,7\n2026-09-25,Team,180,5\n"


def test_the_guides_figures(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = progress(run, tmp_path, QUARTER, GUIDE_ACTUALS, "--as-of", "2026-09-30")
    assert (f["Team"]["revenue"]["attainment"], f["Team"]["revenue"]["status"]) == (0.96, "yellow")
    nc = f["Team"]["new_customers"]
    assert (nc["attainment"], nc["status"], nc["remaining"]) == (1.2, "green", -2)


def test_fail_under_exits_3_and_lists_the_nodes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = write(tmp_path, QUARTER)
    a = write(tmp_path, GUIDE_ACTUALS, "actuals.csv")
    result = run(
        "progress", p, "-a", a, "--as-of", "2026-09-30", "--fail-under", "100", "-f", "csv"
    )
    assert result.code == 3
    assert result.err == ("below 100% attainment:\n  Q3: revenue at 96%\n  Team: revenue at 96%\n")
    ok = run("progress", p, "-a", a, "--as-of", "2026-09-30", "--fail-under", "95%", "-f", "csv")
    assert ok.code == 0


def test_target_to_date_at_week_32(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = "plan: W\nperiod: 2026\nmetrics:\n  revenue: {total: 5200}\nsplit:\n  A: 1\n"
    f = progress(run, tmp_path, plan, "date,node,metric,value\n", "--week", "32")
    ttd = f[""]["revenue"]["target_to_date"]
    assert abs(ttd - 157 * 5200 / 261) < 1
    # ... and it is the sum of the weekly targets through week 32.
    doc = json.loads(run("allocate", write(tmp_path, plan), "--by", "week", "-f", "json").out)
    weeks = list(doc["nodes"][0]["periods"]["revenue"].values())
    assert sum(weeks[:32]) == ttd


def test_cutoff_before_the_first_working_day(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = progress(run, tmp_path, JULY, "date,node,metric,value\n", "--as-of", "2026-06-15")
    root = f[""]["revenue"]
    assert (root["target_to_date"], root["actual"], root["attainment"], root["status"]) == (
        0,
        0,
        None,
        None,
    )
    assert root["projection"] is None and root["needed_per_week"] == 460  # 2300 over 5 weeks


def test_the_last_week_and_a_cutoff_after_the_period(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actuals = "date,node,metric,value\n2026-07-31,A,revenue,1150\n"
    f = progress(run, tmp_path, JULY, actuals, "--week", "5")
    assert f[""]["revenue"]["target_to_date"] == 2300
    assert f[""]["revenue"]["needed_per_week"] is None  # no week left
    g = progress(run, tmp_path, JULY, actuals, "--as-of", "2027-01-01")
    assert g["A"]["revenue"] == f["A"]["revenue"]


def test_negative_actuals_and_a_non_leaf_node(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = JULY.replace("  A: 1\n", "  A:\n    weight: 1\n    split: {A1: 1, A2: 1}\n")
    actuals = "date,node,metric,value\n2026-07-02,A1,revenue,-30\n2026-07-02,A,revenue,1.5万\n"
    actuals += '2026-07-02,A/A2,revenue,"1,000"\n'
    f = progress(run, tmp_path, plan, actuals, "--week", "1")
    assert f["A/A1"]["revenue"]["actual"] == -30
    assert f["A"]["revenue"]["actual"] == 15000 - 30 + 1000
    assert f[""]["revenue"]["actual"] == 15970


def test_week_column_and_bom(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actuals = (
        "\ufeffweek,node,metric,value\n1,A,revenue,100\n2026-07-W02,B,revenue,50\n3,B,revenue,7\n"
    )
    f = progress(run, tmp_path, JULY, actuals, "--week", "2")
    assert (f["A"]["revenue"]["actual"], f["B"]["revenue"]["actual"]) == (100, 50)


def test_rows_outside_the_period_are_counted_in_one_warning(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = write(tmp_path, JULY.replace("  Z: 0\n", ""))
    a = write(
        tmp_path,
        "date,node,metric,value\n2026-06-30,A,revenue,5\n2026-08-01,A,revenue,5\n2026-07-01,A,revenue,5\n",
        "a.csv",
    )
    result = run("progress", p, "-a", a, "--week", "5", "-f", "csv")
    assert result.code == 0
    assert result.err == (
        f"{a}: warning: 2 row(s) dated outside the period or after the cut-off were not counted\n"
    )


@pytest.mark.parametrize(
    ("actuals", "message"),
    [
        (
            "date,node,metric,value\n2026-07-01,A,revenue,1\n2026-07-02,AA,revenue,2\n",
            "a.csv:3: error: unknown node 'AA'; did you mean 'A'?",
        ),
        (
            "date,node,metric,value\n2026-07-01,A,revenu,1\n",
            "a.csv:2: error: unknown metric 'revenu'; did you mean 'revenue'?",
        ),
        (
            "date,node,metric,value\n2026-07-01,A,revenue,1\n07/02/2026,A,revenue,1\n",
            "a.csv:3: error: '07/02/2026' is not a date (write YYYY-MM-DD)",
        ),
        (
            "date,node,metric,value\n2026-07-01,A,revenue,12x\n",
            "a.csv:2: error: '12x' is not a number: unexpected 'x' at character 3",
        ),
        ("date,node,metric,value\n2026-07-01,A,revenue,\n", "a.csv:2: error: a row has no value"),
        ("when,who,what\n", "a.csv:1: error: the header must start with date,node"),
        ("date,node,revenue,visits\n", "a.csv:1: error: unknown metric column 'visits'"),
        ("", "a.csv:1: error: empty: expected a header such as date,node,metric,value"),
    ],
)
def test_actuals_errors(run, tmp_path: Path, monkeypatch, actuals: str, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    write(tmp_path, JULY)
    write(tmp_path, actuals, "a.csv")
    result = run("progress", "plan.yaml", "-a", "a.csv", "--week", "2", "--quiet")
    assert result.code == 1
    assert result.err.startswith(message), result.err
    assert "Traceback" not in result.err


def test_a_name_that_is_not_unique_must_be_a_path(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        JULY.replace(
            "  A: 1\n  B: 1\n", "  A: {weight: 1, split: {X: 1}}\n  B: {weight: 1, split: {X: 1}}\n"
        ),
    )
    write(tmp_path, "date,node,metric,value\n2026-07-01,X,revenue,1\n", "a.csv")
    result = run("progress", "plan.yaml", "-a", "a.csv", "--quiet")
    assert result.err == "a.csv:2: error: 'X' names 2 nodes (A/X, B/X); give its path instead\n"


def test_missing_and_unconfigured_actuals(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    write(tmp_path, JULY)
    result = run("progress", "plan.yaml", "-q")
    assert (result.code, result.err) == (
        1,
        "plan.yaml: error: no actuals: give --actuals FILE, or actuals: FILE in the plan\n",
    )
    write(tmp_path, JULY + "actuals: sales/july.csv\n")
    result = run("progress", "plan.yaml", "-q")
    assert (result.code, result.err) == (1, "sales/july.csv: error: no such actuals file\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "9"], "error: --week: week 9 is not in the period (weeks 1 to 5)"),
        (["--week", "2", "--as-of", "2026-07-01"], "error: give --week or --as-of, not both"),
        (["--as-of", "yesterday"], "error: --as-of takes a date such as 2026-08-09"),
        # Python reads these as dates (2026-W05 as its Monday): not written so, refused.
        (["--as-of", "20260705"], "error: --as-of takes a date such as 2026-08-09"),
        (["--as-of", "2026-W27"], "error: --as-of takes a date such as 2026-08-09"),
        (["--as-of", "2026-W274"], "error: --as-of takes a date such as 2026-08-09"),
        (["--as-of", "2026-02-30"], "error: --as-of takes a date such as 2026-08-09"),
        (["--fail-under", "lots"], "error: --fail-under takes a percent such as 90"),
        (["--sort", "name"], "error: --sort takes 'rank'"),
    ],
)
def test_bad_options_exit_2(run, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    p = write(tmp_path, JULY)
    a = write(tmp_path, "date,node,metric,value\n", "a.csv")
    result = run("progress", p, "-a", a, *args)
    assert result.code == 2
    assert result.err.startswith(message), result.err


def test_the_example_monday_report(run) -> None:  # type: ignore[no-untyped-def]
    result = run("progress", str(EXAMPLES / "fy2026.yaml"), "--week", "32", "-f", "plain", "-q")
    assert result.code == 0
    assert "through week 32, Sun 9 Aug 2026 — 157 of 261 working days" in result.out
    leaderboard = run(
        "progress",
        str(EXAMPLES / "fy2026.yaml"),
        "--week",
        "32",
        "--sort",
        "rank",
        "-f",
        "csv",
        "-q",
    )
    paths = [line.split(",")[0] for line in leaderboard.out.splitlines()[1:]]
    assert paths.index("East/Group 1") < paths.index("East/Group 3") < paths.index("East/Group 2")
    table = run("progress", str(EXAMPLES / "fy2026.yaml"), "--week", "32", "-q")
    assert "yellow" in table.out and "red" in table.out and "█" in table.out


def test_actuals_that_are_not_utf8(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = write(tmp_path, JULY)
    a = tmp_path / "a.csv"
    a.write_bytes(b"date,node,metric,value\n2026-07-01,A,revenue,1\n2026-07-02,A,revenue,\xe9\n")
    result = run("progress", p, "-a", str(a), "-q")
    assert (result.code, result.err) == (
        1,
        f"{a}:3: error: not UTF-8 text (byte 0xe9: Latin-1, GBK, Windows-1252?);"
        " save the file as CSV UTF-8\n",
    )
