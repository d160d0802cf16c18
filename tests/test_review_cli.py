"""``targetsplit review`` on the command line: every format, the warnings, exit
codes, hostile names, --help."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import EXAMPLES, write
from test_review import ACTUALS, PLAN

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, PLAN), write(tmp_path, ACTUALS, "actuals.csv")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set the day the review takes for today."""
    from targetsplit.api import review

    def set_day(day: date) -> None:
        monkeypatch.setattr(review, "_today", lambda: day)

    set_day(date(2026, 7, 1))
    return set_day


PLAIN_MAY = """\
Q2 review — review of 2026-05: tiers reached, by level

metric    level      nodes    stretch    target    floor    none    no target
--------  -------  -------  ---------  --------  -------  ------  -----------
revenue   total          1          0         0        0       1            0
revenue   1              3          1         0        0       2            0
deals     total          1          0         0        0       1            0
deals     1              3          1         0        0       1            1

Largest shortfalls

metric    node      target    actual    difference    attain.  tier
--------  ------  --------  --------  ------------  ---------  ------
revenue   C             90       -30          -120     -33.3%  none
revenue   B             90         0           -90         0%  none
deals     A              3         0            -3         0%  none

Largest over-achievements

metric    node      target    actual    difference    attain.  tier
--------  ------  --------  --------  ------------  ---------  -------
revenue   A             90       108           +18       120%  stretch
deals     B              3         4            +1     133.3%  stretch

Met one metric's target, missed another's

node    met      missed
------  -------  --------
A       revenue  deals
B       deals    revenue

Q2 review — revenue, review of 2026-05, 2026-05-01 .. 2026-05-31 — 21 working days

node         target    actual    attain.                 difference  tier       rank
---------  --------  --------  ---------  -----------  ------------  -------  ------
Q2 review       270        78      28.9%  ██░░░░░░░░           -192  none
  A              90       108       120%  ██████████+           +18  stretch       1
  B              90         0         0%  ░░░░░░░░░░            -90  none          2
  C              90       -30     -33.3%  ░░░░░░░░░░           -120  none          3

Q2 review — deals, review of 2026-05, 2026-05-01 .. 2026-05-31 — 21 working days

node         target    actual    attain.                 difference  tier       rank
---------  --------  --------  ---------  -----------  ------------  -------  ------
Q2 review         6         4      66.7%  ██████░░░░             -2  none
  A               3         0         0%  ░░░░░░░░░░             -3  none          2
  B               3         4     133.3%  ██████████+            +1  stretch       1
  C               0         0          —                          0  —
"""

CSV_MAY = """\
path,name,depth,revenue_target,revenue_actual,revenue_attainment,revenue_difference,\
revenue_tier,revenue_rank,deals_target,deals_actual,deals_attainment,deals_difference,\
deals_tier,deals_rank
,Q2 review,0,270,78,0.288889,-192,none,,6,4,0.666667,-2,none,
A,A,1,90,108,1.2,18,stretch,1,3,0,0,-3,none,2
B,B,1,90,0,0,-90,none,2,3,4,1.333333,1,stretch,1
C,C,1,90,-30,-0.333333,-120,none,3,0,0,,0,,
"""


def test_plain(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    result = run("review", plan, "-a", actuals, "--period", "2026-05", "-f", "plain")
    assert result.code == 0, result.err
    assert result.out == PLAIN_MAY
    assert result.err.splitlines() == [
        f"{plan}:11:15: warning: 'C' has a zero weight for deals: it gets nothing",
        f"{actuals}: warning: 8 row(s) dated outside the days counted"
        " (2026-05-01 .. 2026-05-31) were not counted",
    ]
    quiet = run("review", plan, "-a", actuals, "--period", "2026-05", "-f", "plain", "-q")
    assert (quiet.out, quiet.err) == (PLAIN_MAY, "")


def test_csv(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    result = run("review", plan, "-a", actuals, "-p", "2026-05", "-f", "csv", "-q")
    assert (result.code, result.out) == (0, CSV_MAY)


def test_markdown_and_table(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    md = run("review", plan, "-a", actuals, "-p", "2026-05", "-f", "markdown", "-q").out
    assert md.startswith("### Q2 review — review of 2026-05: tiers reached, by level\n")
    assert "| · C       |       90 |      -30 |    -33.3% | ░░░░░░░░░░  |         -120 |" in md
    assert "### Met one metric's target, missed another's" in md
    table = run("review", plan, "-a", actuals, "-p", "2026-05", "-q").out
    assert "Largest over-achievements" in table
    assert re.search(r"  B\s+3\s+4\s+133.3%", table)


def test_json(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    result = run("review", plan, "-a", actuals, "-p", "2026-05", "-f", "json", "-q")
    doc = json.loads(result.out)
    assert doc["window"] == {
        "label": "2026-05",
        "start": "2026-05-01",
        "end": "2026-05-31",
        "last": "2026-05-31",
        "ended": True,
        "workdays_done": 21,
        "workdays_total": 21,
    }
    nodes = {n["path"]: n for n in doc["nodes"]}
    assert nodes["C"]["review"] == {
        "revenue": {
            "target": 90,
            "actual": -30,
            "attainment": -0.333333,
            "difference": -120,
            "tier": "none",
            "rank": 3,
        },
        "deals": {
            "target": 0,
            "actual": 0,
            "attainment": None,
            "difference": 0,
            "tier": None,
            "rank": None,
        },
    }
    s = doc["summary"]
    assert s["tiers"][3] == {
        "metric": "deals",
        "depth": 1,
        "nodes": 3,
        "reached": {"stretch": 1, "target": 0, "floor": 0},
        "none": 1,
        "no_target": 1,
    }
    assert [(x["path"], x["metric"], x["difference"]) for x in s["shortfalls"]] == [
        ("C", "revenue", -120),
        ("B", "revenue", -90),
        ("A", "deals", -3),
    ]
    assert s["over_achievements"][0] == {
        "metric": "revenue",
        "path": "A",
        "name": "A",
        "target": 90,
        "actual": 108,
        "attainment": 1.2,
        "difference": 18,
        "tier": "stretch",
    }
    assert s["mixed"] == [
        {"path": "A", "name": "A", "met": ["revenue"], "missed": ["deals"]},
        {"path": "B", "name": "B", "met": ["deals"], "missed": ["revenue"]},
    ]
    # exact numbers: no float noise
    assert '"attainment": 1.2,' in result.out


def test_depth_metric_and_rank(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    args = ("review", plan, "-a", actuals, "-p", "2026-05", "-q")
    shallow = run(*args, "-d", "0", "-m", "deals", "-f", "csv").out.splitlines()
    assert shallow == [
        "path,name,depth,deals_target,deals_actual,deals_attainment,deals_difference,"
        "deals_tier,deals_rank",
        ",Q2 review,0,6,4,0.666667,-2,none,",
    ]
    doc = json.loads(run(*args, "-d", "0", "-f", "json").out)
    assert [t["depth"] for t in doc["summary"]["tiers"]] == [0, 0]  # of the nodes shown
    assert [x["path"] for x in doc["summary"]["shortfalls"]] == ["", ""]
    ranked = run(*args, "-m", "deals", "--sort", "rank", "-f", "csv").out.splitlines()
    assert [line.split(",")[0] for line in ranked[1:]] == ["", "B", "A", "C"]


def test_a_period_not_ended_is_reviewed_up_to_today_with_a_warning(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    today(date(2026, 5, 31))
    result = run("review", plan, "-a", actuals, "-f", "csv")
    assert result.code == 0
    assert (
        "warning: 2026-Q2 has not ended (it ends on 2026-06-30): reviewed up to today,"
        " 2026-04-01 .. 2026-05-31 (43 of 65 working days)\n"
    ) in result.err
    assert result.out.splitlines()[2].startswith("A,A,1,180,208,")
    plain = run("review", plan, "-a", actuals, "-f", "plain", "-q").out
    assert plain.startswith("Q2 review — review of 2026-Q2 up to today (2026-05-31): tiers")
    assert (
        "Q2 review — revenue, review of 2026-Q2 up to today, 2026-04-01 .. 2026-05-31"
        " — 43 of 65 working days (it ends on 2026-06-30)\n"
    ) in plain
    assert (
        json.loads(run("review", plan, "-a", actuals, "-f", "json", "-q").out)["window"]["ended"]
        is False
    )


def test_usage_errors_exit_2(run, files, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    result = run("review", plan, "-a", actuals, "--period", "2026-Q3")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "error: --period: the plan has no period '2026-Q3'; the plan's periods are 2026-H1;"
        " 2026-Q2; 2026-04, 2026-05, 2026-06; 2026-Q2-W01 .. 2026-Q2-W14"
        " (or a range A..B of them)\n"
    )
    result = run("review", plan, "-a", actuals, "--period", "2026-06..2026-04")
    assert (result.code, result.err) == (
        2,
        "error: --period: '2026-06..2026-04': the range ends before it starts; the plan's"
        " periods are 2026-H1; 2026-Q2; 2026-04, 2026-05, 2026-06; 2026-Q2-W01 .. 2026-Q2-W14"
        " (or a range A..B of them)\n",
    )
    today(date(2026, 5, 31))
    result = run("review", plan, "-a", actuals, "--period", "2026-06", "-q")
    assert (result.code, result.err) == (
        2,
        "error: 2026-06 has not started: it starts on 2026-06-01, after today (2026-05-31);"
        " there is nothing to review yet\n",
    )
    for bad in (("--sort", "best"), ("--metric", "revnue"), ("--depth", "-1"), ("--bogus",)):
        result = run("review", plan, "-a", actuals, *bad)
        assert result.code == 2, bad
        assert "Traceback" not in result.err


def test_bad_files_exit_1(run, files, tmp_path: Path, today) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = files
    result = run("review", plan, "-a", str(tmp_path / "missing.csv"), "-q")
    assert result.code == 1
    assert result.err.startswith(f"{tmp_path / 'missing.csv'}: error:")
    bad = write(tmp_path, "date,node,metric,value\n2026-05-01,D,revenue,5\n", "bad.csv")
    result = run("review", plan, "-a", bad, "-q")
    assert result.code == 1
    assert result.err.startswith(f"{bad}:2: error: unknown node 'D'")
    result = run("review", plan, "-q")  # the plan names no actuals
    assert (result.code, result.err) == (
        1,
        f"{plan}: error: no actuals: give --actuals FILE, or actuals: FILE in the plan\n",
    )


HOSTILE = """\
plan: "[bold red]Title[/]\\e[2J"
period: 2026-Q2
metrics:
  "=1+2": {total: 100}
  "[blink]m[red]": {total: 10}
tiers: {"=HYPERLINK(1)": 80%, "@sum": 100%, "\\e[5mstretch": 120%}
split:
  "=1+2": 50%
  "[red]B\\u202e": 50%
"""


def test_hostile_names_are_data_in_every_format(run, tmp_path: Path, today) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, HOSTILE)
    actuals = write(
        tmp_path,
        'date,node,metric,value\n2026-04-01,=1+2,=1+2,60\n2026-04-01,"[red]B\u202e",=1+2,30\n'
        '2026-04-01,=1+2,"[blink]m[red]",2\n',
        "a.csv",
    )
    outs = {}
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        result = run("review", plan, "-a", actuals, "-f", fmt)
        assert result.code == 0, result.err
        assert not RAW.search(result.out), (fmt, result.out)
        assert not RAW.search(result.err), (fmt, result.err)
        outs[fmt] = result.out
    assert "[bold red]Title[/]\\x1b[2J" in outs["plain"]  # markup shown, not applied
    assert "[blink]m[red]" in outs["table"]
    csv_lines = outs["csv"].splitlines()
    assert csv_lines[0].startswith("path,name,depth,'=1+2_target,")
    # =1+2 reaches 120 % of its target 50: the tier named "\e[5mstretch"
    assert csv_lines[2].startswith("'=1+2,'=1+2,1,50,60,1.2,10,\\x1b[5mstretch,1,")
    # the total reaches 90 %: the tier named "=HYPERLINK(1)", quoted
    assert csv_lines[1] == (
        ",[bold red]Title[/]\\x1b[2J,0,100,90,0.9,-10,'=HYPERLINK(1),,10,2,0.2,-8,none,"
    )
    doc = json.loads(outs["json"])
    assert doc["nodes"][1]["name"] == "=1+2"
    assert doc["summary"]["tiers"][0]["reached"] == {
        "\x1b[5mstretch": 0,
        "@sum": 0,
        "=HYPERLINK(1)": 1,
    }


def test_help_has_examples(run) -> None:  # type: ignore[no-untyped-def]
    result = run("review", "--help")
    assert result.code == 0
    assert "targetsplit review examples/fy2026.yaml --period 2026-H1" in result.out
    assert "--period" in result.out and "--actuals" in result.out


def test_the_shipped_example_h1(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The README's review of H1 (its output block is checked by test_docs)."""
    monkeypatch.chdir(EXAMPLES.parent)
    result = run("review", "examples/fy2026.yaml", "--period", "2026-H1", "-f", "csv", "-q")
    lines = result.out.splitlines()
    assert lines[1] == (
        ",FY2026 National Sales,0,59310000,55195500,0.930627,-4114500,floor,,99,90,0.909091,"
        "-9,floor,"
    )
    # the H1 targets are allocate --by half's
    alloc = run("allocate", "examples/fy2026.yaml", "--by", "half", "-f", "csv").out.splitlines()
    assert alloc[1].split(",")[4] == "59310000"


# -- the environment, through a subprocess ------------------------------------------------


def _cli(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    import shutil

    for name in ("fy2026.yaml", "fy2026-actuals.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


def test_output_over_the_actuals_is_refused(copies: Path) -> None:
    before = (copies / "fy2026-actuals.csv").read_bytes()
    done = _cli("review", "fy2026.yaml", "-p", "2026-H1", "-o", "fy2026-actuals.csv", cwd=copies)
    assert done.returncode == 1
    assert b"error: --output is the actuals this command reads" in done.stderr
    assert (copies / "fy2026-actuals.csv").read_bytes() == before


def test_actuals_from_standard_input_and_a_pipe_into_head(copies: Path) -> None:
    data = (copies / "fy2026-actuals.csv").read_bytes()
    done = _cli(
        "review", "fy2026.yaml", "-p", "2026-Q1", "-a", "-", "-f", "csv", "-q",
        cwd=copies, stdin=data,
    )  # fmt: skip
    same = _cli("review", "fy2026.yaml", "-p", "2026-Q1", "-f", "csv", "-q", cwd=copies)
    assert done.returncode == 0, done.stderr
    assert done.stdout == same.stdout and done.stdout.startswith(b"path,name,depth,")
    both = _cli("review", "-", "-a", "-", cwd=copies, stdin=b"")
    assert both.returncode == 2
    assert b"cannot both come from standard input" in both.stderr
    import subprocess
    import sys

    head = subprocess.run(
        f"{sys.executable} -m targetsplit review fy2026.yaml -p 2026-H1 -f plain | head -1",
        shell=True,
        cwd=copies,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (
        head.stdout
        == b"FY2026 National Sales \xe2\x80\x94 review of 2026-H1: tiers reached, by level\n"
    )
    assert b"Traceback" not in head.stderr


def test_no_colour_when_piped_or_asked(copies: Path) -> None:
    piped = _cli("review", "fy2026.yaml", "-p", "2026-H1", "-q", cwd=copies)
    forced = _cli(
        "review", "fy2026.yaml", "-p", "2026-H1", "-q", cwd=copies,
        env={"FORCE_COLOR": "1", "NO_COLOR": "1"},
    )  # fmt: skip
    assert piped.returncode == forced.returncode == 0
    assert b"\x1b[" not in piped.stdout and b"\x1b[" not in forced.stdout
