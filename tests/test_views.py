"""The views of issue 14: ``--node`` (one subtree, its figures unchanged) on
allocate and progress, and ``progress --leaderboard`` (the leaves ranked)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, write

FY = str(EXAMPLES / "fy2026.yaml")
CHINA = str(EXAMPLES / "china-2026.yaml")


def nodes(out: str) -> dict[str, dict[str, Any]]:
    return {n["path"]: n for n in json.loads(out)["nodes"]}


def csv_rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


def under(path: str, node: str) -> bool:
    return not node or path == node or path.startswith(node + "/")


def depth_of(path: str) -> int:
    return 0 if not path else path.count("/") + 1


# -- --node ------------------------------------------------------------------------------

ALLOCATE_OPTIONS = [
    (),
    ("--by", "quarter"),
    ("--by", "week", "--period", "2026-Q3"),
    ("--tier", "stretch"),
    ("--metric", "revenue", "--by", "month"),
]


@pytest.mark.parametrize("options", ALLOCATE_OPTIONS)
@pytest.mark.parametrize(
    "node", ["", "East", "East/Group 2", "South", "South/Rep Chen", "North", "Rep Liu"]
)
@pytest.mark.parametrize("depth", [None, 0, 1])
def test_allocate_node_shows_the_subtree_with_the_whole_plans_figures(
    run,  # type: ignore[no-untyped-def]
    node: str,
    options: tuple[str, ...],
    depth: int | None,
) -> None:
    full = run("allocate", FY, "-f", "json", *options)
    deep = () if depth is None else ("--depth", str(depth))
    part = run("allocate", FY, "-f", "json", "--node", node, *deep, *options)
    assert full.code == part.code == 0, part.err
    whole, shown = nodes(full.out), nodes(part.out)
    top = next(iter(shown))  # the subtree's root comes first
    assert top == node or top.endswith("/" + node)  # ('Rep Liu': a unique name)
    expected = [
        p
        for p in whole
        if under(p, top) and (depth is None or depth_of(p) - depth_of(top) <= depth)
    ]
    assert list(shown) == expected  # --depth counts from the subtree's root
    for path, n in shown.items():
        assert n == whole[path]  # every figure as in the whole plan's output
    doc = json.loads(part.out)
    assert doc["node"] == top
    assert ("dimensions" in doc) == (top == "")  # cuts of the plan's total
    # CSV: the same rows as in the whole plan's CSV
    full_csv = csv_rows(run("allocate", FY, "-f", "csv", *options).out)
    part_csv = csv_rows(run("allocate", FY, "-f", "csv", "--node", node, *deep, *options).out)
    assert part_csv[0] == full_csv[0]
    assert all(row in full_csv for row in part_csv[1:])
    at = 1 if full_csv[0][0] == "section" else 0
    assert [r[at] for r in part_csv[1:] if r[0] in ("hierarchy", r[0]) and r[at] in whole] == (
        expected
    )


def test_allocate_node_table_starts_at_the_subtree(run) -> None:  # type: ignore[no-untyped-def]
    r = run("allocate", FY, "--node", "South", "--metric", "revenue", "-f", "plain")
    assert r.code == 0, r.err
    assert r.out == (
        "FY2026 National Sales — South — 2026 (2026-01-01 .. 2026-12-31)\n"
        "\n"
        "node          revenue (CNY)    of parent    of total  owner\n"
        "----------  ---------------  -----------  ----------  ------------\n"
        "South               3,600万          30%         30%  Manager Wang\n"
        "  Rep Chen          2,160万          60%         18%\n"
        "  Rep Liu           1,440万          40%         12%\n"
    )
    cross = run("allocate", str(EXAMPLES / "cross-2026.yaml"), "--cross", "product", "-f", "json")
    whole = nodes(cross.out)
    part = run(
        "allocate", str(EXAMPLES / "cross-2026.yaml"), "--cross", "product", "-f", "json",
        "--node", next(p for p in whole if p),
    )  # fmt: skip
    assert part.code == 0, part.err
    for path, n in nodes(part.out).items():
        assert n == whole[path]


@pytest.mark.parametrize(
    "options",
    [(), ("--depth", "1"), ("--sort", "rank"), ("--sort", "rank", "--depth", "0")],
)
@pytest.mark.parametrize("node", ["", "East", "South", "South/Rep Liu", "North"])
def test_progress_node_keeps_every_figure(run, node: str, options: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    full = run("progress", FY, "--week", "32", "-q", "-f", "json", *options[:2])
    part = run("progress", FY, "--week", "32", "-q", "-f", "json", "--node", node, *options)
    assert full.code == part.code == 0, part.err
    whole, shown = nodes(full.out), nodes(part.out)
    assert list(shown)[0] == node
    limit = int(options[-1]) if "--depth" in options else None
    assert sorted(shown) == sorted(
        p
        for p in nodes(run("progress", FY, "--week", "32", "-q", "-f", "json").out)
        if under(p, node) and (limit is None or depth_of(p) - depth_of(node) <= limit)
    )
    for path, n in shown.items():
        assert n == whole.get(path, n)
        assert (
            n["progress"]
            == nodes(run("progress", FY, "--week", "32", "-f", "json").out)[path]["progress"]
        )
    full_csv = csv_rows(run("progress", FY, "--week", "32", "-q", "-f", "csv").out)
    part_csv = csv_rows(
        run("progress", FY, "--week", "32", "-q", "-f", "csv", "--node", node, *options).out
    )
    assert all(row in full_csv for row in part_csv)


def test_progress_node_table_and_fail_under(run) -> None:  # type: ignore[no-untyped-def]
    r = run("progress", FY, "--week", "32", "-m", "revenue", "-f", "plain", "-q", "-n", "South")
    assert r.out.splitlines()[0].startswith("FY2026 National Sales — South — revenue (CNY),")
    assert [line.split("  ")[0] for line in r.out.splitlines()[4:]] == [
        "South",
        "",  # indented one level under the subtree's root
        "",
    ]
    low = run("progress", FY, "--week", "32", "-q", "-n", "East", "--fail-under", "90")
    assert low.code == 3
    assert low.err == (
        "below 90% attainment:\n  East/Group 2: revenue at 78.6%\n"
        "  East/Group 2: new_customers at 75%\n"
    )


@pytest.mark.parametrize("command", ["allocate", "progress"])
def test_an_unknown_node_is_a_usage_error_with_the_nearest_names(run, command: str) -> None:  # type: ignore[no-untyped-def]
    extra = ("--week", "32") if command == "progress" else ()
    r = run(command, FY, *extra, "--node", "East/Grop 2")
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        "error: --node: unknown node 'East/Grop 2';"
        " did you mean 'East/Group 2' or 'East/Group 3' or 'East/Group 1'?\n"
    )
    r = run(command, FY, *extra, "--node", "FY2026 National Sales")
    assert r.code == 2
    assert "address the whole plan as ''" in r.err


def test_a_name_twice_in_the_plan_needs_its_path(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026-Q1\nmetrics: {revenue: {total: 100}}\n"
        "split:\n  A: {weight: 1, split: {Li: 1}}\n  B: {weight: 1, split: {Li: 1}}\n",
    )
    r = run("allocate", plan, "--node", "Li")
    assert r.code == 2
    assert r.err == "error: --node: 'Li' names 2 nodes (A/Li, B/Li); give its path instead\n"
    r = run("allocate", plan, "--node", "B/Li", "-f", "csv")
    assert r.code == 0
    assert csv_rows(r.out)[1][:3] == ["hierarchy", "B/Li", "Li"]


# -- --leaderboard -------------------------------------------------------------------------

TIES = """\
plan: Ties
period: 2026-Q1
metrics:
  revenue: {total: 600}
split:
  A:
    weight: 1
    split: {A1: 1, A2: 1}
  B: 1
  D: 1
  C: {amount: 0}
"""
# At the quarter's end every target to date is the target: A1 100, A2 100, B 200,
# D 200, C 0. Attainments: A1 120 %, A2 100 %, B 100 %, D 50 %, C none.
TIES_ACTUALS = """\
date,node,metric,value
2026-02-02,A1,revenue,120
2026-02-02,A2,revenue,100
2026-02-02,B,revenue,200
2026-02-02,D,revenue,100
2026-02-02,C,revenue,10
"""


@pytest.fixture
def ties(tmp_path: Path) -> tuple[str, ...]:
    plan = write(tmp_path, TIES)
    actuals = write(tmp_path, TIES_ACTUALS, "actuals.csv")
    return ("progress", plan, "--as-of", "2026-03-31", "--actuals", actuals, "-q")


def test_leaderboard_ties_share_a_rank_and_no_target_comes_last(run, ties) -> None:  # type: ignore[no-untyped-def]
    r = run(*ties, "--leaderboard", "-f", "plain")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == (
        "Ties — revenue, leaderboard of the leaves, through Tue 31 Mar 2026 — 64 of 64 working days"
    )
    assert lines[2].split() == "node rank target to date actual attain. status gap".split() + [
        "needed/wk",
        "projection",
        "tier",
    ]
    assert [line.split() for line in lines[4:]] == [
        "A/A1 1 100 100 120 120% ██████████+ green -20 — 120 stretch".split(),
        "A/A2 2 100 100 100 100% ██████████ green 0 — 100 target".split(),
        "B 2 200 200 200 100% ██████████ green 0 — 200 target".split(),
        "D 4 200 200 100 50% █████░░░░░ red 100 — 100 —".split(),
        "C 0 0 10 — — -10 — — —".split(),  # no rank, last
    ]
    assert lines[8][8:14] == "      "  # (its rank cell is empty)


def test_leaderboard_in_every_format(run, ties) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(run(*ties, "--leaderboard", "-f", "json").out)
    assert doc["leaderboard_of"] is None
    board = [(e["rank"], e["path"], e["attainment"], e["status"]) for e in doc["leaderboard"]]
    assert board == [
        (1, "A/A1", 1.2, "green"),
        (2, "A/A2", 1, "green"),
        (2, "B", 1, "green"),
        (4, "D", 0.5, "red"),
        (None, "C", None, None),
    ]
    assert list(doc["leaderboard"][0]) == [
        "metric", "rank", "path", "name", "depth", "owner", "due", "strategy", "note",
        "target", "target_to_date", "actual", "attainment", "attainment_full", "gap",
        "remaining", "needed_per_week", "projection", "status", "tier",
    ]  # fmt: skip
    rows = csv_rows(run(*ties, "--leaderboard", "-f", "csv").out)
    assert rows[0][:5] == ["metric", "rank", "path", "name", "depth"]
    assert [r[:5] for r in rows[1:]] == [
        ["revenue", "1", "A/A1", "A1", "2"],
        ["revenue", "2", "A/A2", "A2", "2"],
        ["revenue", "2", "B", "B", "1"],
        ["revenue", "4", "D", "D", "1"],
        ["revenue", "", "C", "C", "1"],
    ]
    md = run(*ties, "--leaderboard", "-f", "markdown").out
    assert md.startswith("### Ties — revenue, leaderboard of the leaves,")
    assert "| A/A1   |      1 |" in md
    # the figures are the progress's own, node by node
    tree = nodes(run(*ties, "-f", "json").out)
    for e in doc["leaderboard"]:
        figures = dict(tree[e["path"]]["progress"]["revenue"])
        del figures["rank"]  # (the rank among siblings; the board's is its own)
        assert {k: e[k] for k in figures} == figures


def test_leaderboard_at_a_depth_and_under_a_node(run, ties) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(run(*ties, "--leaderboard", "-f", "json", "--depth", "1").out)
    assert doc["leaderboard_of"] == 1
    assert [(e["rank"], e["path"]) for e in doc["leaderboard"]] == [
        (1, "A"),  # 220 of 200
        (2, "B"),
        (3, "D"),
        (None, "C"),
    ]
    doc = json.loads(run(*ties, "--leaderboard", "-f", "json", "--node", "A").out)
    assert [(e["rank"], e["path"]) for e in doc["leaderboard"]] == [(1, "A/A1"), (2, "A/A2")]
    # a depth below the leaves: the leaves above it take part (the rows cover the plan once)
    deep = json.loads(run(*ties, "--leaderboard", "-f", "json", "--depth", "5").out)
    assert [e["path"] for e in deep["leaderboard"]] == ["A/A1", "A/A2", "B", "D", "C"]
    low = run(*ties, "--leaderboard", "--fail-under", "100")
    assert (low.code, low.err) == (3, "below 100% attainment:\n  D: revenue at 50%\n")


def test_leaderboard_of_the_example(run) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(run("progress", FY, "--week", "32", "-q", "-f", "json", "-l").out)
    revenue = [(e["rank"], e["path"]) for e in doc["leaderboard"] if e["metric"] == "revenue"]
    assert revenue == [
        (1, "East/Group 1"),
        (2, "South/Rep Chen"),
        (3, "North"),
        (4, "East/Group 3"),
        (5, "East/Group 2"),
        (6, "South/Rep Liu"),
    ]
    assert [e["metric"] for e in doc["leaderboard"]] == ["revenue"] * 6 + ["new_customers"] * 6


def test_leaderboard_names_stay_data(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026-Q1\nmetrics: {revenue: {total: 100}}\n"
        'split:\n  "=cmd|x\\e[31m": 1\n  B: 1\n',
    )
    actuals = write(tmp_path, "date,node,metric,value\n2026-01-05,B,revenue,5\n", "a.csv")
    base = ("progress", plan, "--as-of", "2026-02-01", "-a", actuals, "-q", "-l")
    out = run(*base, "-f", "csv").out
    assert csv_rows(out)[2][:4] == ["revenue", "2", "'=cmd|x\\x1b[31m", "'=cmd|x\\x1b[31m"]
    plain = run(*base, "-f", "plain").out
    assert "\x1b" not in plain and "=cmd|x\\x1b[31m" in plain
    md = run(*base, "-f", "markdown").out
    assert "\x1b" not in md and "| =cmd\\|x\\\\x1b\\[31m |" in md


# -- --window ------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from targetsplit.split.hierarchy import allocate  # noqa: E402
from targetsplit.split.timesplit import split_over_time  # noqa: E402
from targetsplit.track.progress import compute, cutoff, in_window, window_targets  # noqa: E402
from test_timesplit_props import _load, timed_plans  # noqa: E402


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=timed_plans(),
    g=st.sampled_from(["week", "month", "quarter", "half"]),
    pick=st.integers(0, 400),
    inside=st.integers(0, 200),
    values=st.lists(st.tuples(st.integers(0, 10**6), st.integers(-(10**6), 10**7)), max_size=12),
)
def test_a_window_at_its_end_is_what_allocate_by_shows(
    text: str, g: Any, pick: int, inside: int, values: list[tuple[int, int]]
) -> None:
    """window=month at a month's end is allocate --by month's month (and so for
    quarters, halves and weeks); inside a window, its figures add up the tree,
    and the window's whole target is still allocate's."""
    from decimal import Decimal

    plan = _load(text)
    if plan is None:
        return
    b = plan.breakdown
    assert b is not None
    alloc = allocate(plan)
    slots = b.slots(g)
    k = pick % len(slots)
    slot = slots[k]
    split = split_over_time(alloc, g)
    at_end = in_window(b, cutoff(b, slot.end), g)
    assert at_end.window == slot
    to_date, whole, _ = window_targets(alloc, at_end)
    for r in alloc.rows:
        for m in plan.metric_names:
            assert to_date[r.path][m] == whole[r.path][m] == split.units[r.path][m][k]
    # a cut-off inside the window (or after the period: clipped to its end)
    day = slot.start + timedelta(days=inside % ((slot.end - slot.start).days + 1))
    cut = in_window(b, cutoff(b, day), g)
    assert cut.window == slot
    part, full, _ = window_targets(alloc, cut)
    assert full == whole
    nodes = list(plan.nodes())
    direct: dict[tuple[str, str], Decimal] = {}
    for i, v in values:
        key = (nodes[i % len(nodes)].key, plan.metrics[i % len(plan.metrics)].name)
        direct[key] = direct.get(key, Decimal(0)) + Decimal(v)
    p = compute(alloc, cut, part, direct, full)
    for row in p.rows:
        n = row.node
        for m in plan.metrics:
            f = row.figures[m.name]
            assert f.target == m.amount(full[n.key][m.name])
            assert f.target_to_date == m.amount(part[n.key][m.name])
            assert 0 <= part[n.key][m.name] <= full[n.key][m.name]
            if n.children:
                assert sum(part[c.key][m.name] for c in n.children) == part[n.key][m.name]
            if f.target_to_date:
                assert f.attainment == Fraction(f.actual) / Fraction(f.target_to_date)
    assert cut.workdays_total == sum(1 for d in b.day_month if slot.start <= d <= slot.end)


@pytest.mark.parametrize(
    ("size", "by"), [("month", "month"), ("quarter", "quarter"), ("week", "week"), ("half", "half")]
)
def test_window_at_each_periods_end_through_the_cli(run, size: str, by: str) -> None:  # type: ignore[no-untyped-def]
    periods = nodes(run("allocate", FY, "--by", by, "-f", "json").out)
    slots = json.loads(run("allocate", FY, "--by", by, "-f", "json").out)
    labels = list(periods[""]["periods"]["revenue"])
    ends = {"month": ["2026-02-28", "2026-08-31"], "quarter": ["2026-06-30", "2026-09-30"]}
    ends |= {"week": ["2026-08-09", "2026-01-04"], "half": ["2026-06-30"]}
    for day in ends[size]:
        r = run("progress", FY, "--as-of", day, "--window", size, "-f", "json", "-q")
        assert r.code == 0, r.err
        doc = json.loads(r.out)
        label = doc["window"]["label"]
        assert label in labels and doc["window"]["end"] == day
        for path, n in nodes(r.out).items():
            for m in ("revenue", "new_customers"):
                want = periods[path]["periods"][m][label]
                assert n["progress"][m]["target_to_date"] == n["progress"][m]["target"] == want
    assert slots["by"] == by


WINDOW_ACTUALS = """\
date,node,metric,value
2026-07-31,A,revenue,1000
2026-08-03,A,revenue,100
2026-08-12,B,revenue,20
2026-08-13,A,revenue,7
"""
MONTHS = """\
plan: Q3
period: 2026-Q3
metrics:
  revenue: {total: 1320}
split:
  A: 1
  B: 1
"""


def test_window_counts_the_windows_actuals_and_judges_to_its_end(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Q3 2026 has 23 + 21 + 22 = 66 working days: 1320 a quarter is 20 a day;
    # August's target is 420 (210 each); by Wed 12 Aug, 8 of its 21 days (80 each).
    plan = write(tmp_path, MONTHS)
    actuals = write(tmp_path, WINDOW_ACTUALS, "actuals.csv")
    base = ("progress", plan, "--actuals", actuals, "--as-of", "2026-08-12", "-f", "json")
    r = run(*base, "--window", "month")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["window"] == {
        "size": "month",
        "label": "2026-08",
        "start": "2026-08-01",
        "end": "2026-08-31",
    }
    assert (doc["cutoff"]["workdays_done"], doc["cutoff"]["workdays_total"]) == (8, 21)
    a = nodes(r.out)["A"]["progress"]["revenue"]
    # July's 1000 and the 13th's 7 are outside the days counted
    assert (a["target"], a["target_to_date"], a["actual"]) == (210, 80, 100)
    assert a["attainment"] == 1.25 and a["status"] == "green"
    assert a["projection"] == 263  # 100 x 210 / 80 = 262.5, to the month's end
    assert a["tier"] == "stretch"  # 263 >= 120 % of 210
    assert a["remaining"] == 110
    # weeks left in August after Wed 12th: 2/5 of week 33, weeks 34-35, 1/5 of week 36
    assert doc["cutoff"]["weeks_left"] == 2.6
    assert a["needed_per_week"] == 43  # 110 / 2.6 = 42.3, rounded up
    assert r.err.endswith(
        "actuals.csv: warning: 2 row(s) dated outside the days counted"
        " (2026-08-01 .. 2026-08-12) were not counted\n"
    )
    # the default window is the period, byte for byte
    assert run(*base, "--window", "period").out == run(*base).out
    assert "window" not in json.loads(run(*base).out)
    # a week window at a Monday
    w = json.loads(run(*base[:-3], "2026-08-10", "-f", "json", "--window", "week", "-q").out)
    assert w["window"]["label"] == "2026-Q3-W07"
    assert nodes(json.dumps(w))["B"]["progress"]["revenue"]["actual"] == 0


def test_window_before_the_period_is_clipped_to_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Q3 starts on a Wednesday: its first week is Wed 1 .. Sun 5 July.
    plan = write(tmp_path, MONTHS)
    actuals = write(tmp_path, WINDOW_ACTUALS, "actuals.csv")
    r = run("progress", plan, "-a", actuals, "--as-of", "2026-07-02", "--window", "week", "-q")
    assert r.code == 0, r.err
    assert "week 2026-Q3-W01 to date, Wed 1 Jul 2026 through Thu 2 Jul 2026 — 2 of 3" in r.out
    whole = run("progress", plan, "-a", actuals, "--as-of", "2026-08-12", "-f", "json", "-q")
    h = json.loads(
        run("progress", plan, "-a", actuals, "--as-of", "2026-08-12", "-f", "json", "-q",
            "--window", "half").out
    )  # fmt: skip
    # H2's window is clipped to the period (2026-Q3): the whole period's figures
    assert h["window"] == {
        "size": "half",
        "label": "2026-H2",
        "start": "2026-07-01",
        "end": "2026-09-30",
    }
    assert nodes(json.dumps(h)) == nodes(whole.out)


def test_an_unknown_window_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    r = run("progress", FY, "--week", "32", "--window", "fortnight")
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        "error: --window takes week, month, quarter, half or period, not 'fortnight'\n"
    )


# -- tiers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [(), ("--node", "East"), ("--depth", "1"), ("-m", "revenue")])
def test_allocate_tiers_side_by_side_are_each_tiers_allocation(run, extra) -> None:  # type: ignore[no-untyped-def]
    r = run("allocate", FY, "--tiers", "-f", "json", *extra)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["tiers"] == {"floor": 0.8, "target": 1, "stretch": 1.2}
    plain = nodes(run("allocate", FY, "-f", "json", *extra).out)
    by_tier = {
        t: nodes(run("allocate", FY, "--tier", t, "-f", "json", *extra).out) for t in doc["tiers"]
    }
    rows = csv_rows(run("allocate", FY, "--tiers", "-f", "csv", *extra).out)
    assert [r[0] for r in rows[1:]] == list(plain)
    for i, (path, n) in enumerate(nodes(r.out).items(), 1):
        assert {k: v for k, v in n.items() if k != "tiers"} == plain[path]
        for m in doc["metrics"]:
            for t in doc["tiers"]:
                assert n["tiers"][m][t] == by_tier[t][path]["targets"][m]
                assert rows[i][rows[0].index(f"{m} {t}")] == str(n["tiers"][m][t])


def test_allocate_tiers_table(run) -> None:  # type: ignore[no-untyped-def]
    r = run("allocate", FY, "--tiers", "-m", "new_customers", "-n", "South", "-f", "plain")
    assert r.out == (
        "FY2026 National Sales — South — new_customers by tier"
        " — 2026 (2026-01-01 .. 2026-12-31)\n"
        "\n"
        "node          floor (80%)    target (100%)    stretch (120%)\n"
        "----------  -------------  ---------------  ----------------\n"
        "South                  48               60                72\n"
        "  Rep Chen             29               36                43\n"
        "  Rep Liu              19               24                29\n"
    )
    md = run("allocate", FY, "--tiers", "-m", "new_customers", "-f", "markdown").out
    assert "| node" in md and "stretch (120%)" in md


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (("--by", "month"), "--by"),
        (("--tier", "floor"), "--tier"),
        (("--period", "2026-Q1"), "--period"),
        (("--cross", "product"), "--cross"),
    ],
)
def test_allocate_tiers_stands_alone(run, extra, named) -> None:  # type: ignore[no-untyped-def]
    r = run("allocate", FY, "--tiers", *extra)
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith(f"error: --tiers cannot be combined with {named}:")


def test_progress_against_a_tier(run) -> None:  # type: ignore[no-untyped-def]
    r = run("progress", FY, "--week", "32", "--tier", "stretch", "-f", "json", "-q")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["tier"] == "stretch"
    stretch = nodes(run("allocate", FY, "--tier", "stretch", "-f", "json").out)
    weeks = nodes(run("allocate", FY, "--tier", "stretch", "--by", "week", "-f", "json").out)
    base = nodes(run("progress", FY, "--week", "32", "-f", "json", "-q").out)
    for path, n in nodes(r.out).items():
        for m in ("revenue", "new_customers"):
            f, b = n["progress"][m], base[path]["progress"][m]
            assert f["target"] == stretch[path]["targets"][m]
            first_32 = list(weeks[path]["periods"][m].values())[:32]
            assert f["target_to_date"] == sum(first_32)  # the ledger of the tier's figures
            assert f["actual"] == b["actual"]
            if f["attainment"] is not None:
                # the tier reached: the attainment times 120 % against the plan's tiers
                a = Fraction(str(f["actual"])) / Fraction(str(f["target_to_date"]))
                want = [t for t, s in (("stretch", 1.2), ("target", 1), ("floor", 0.8))
                        if a * Fraction(6, 5) >= Fraction(str(s))]  # fmt: skip
                assert f["tier"] == (want[0] if want else None)
    table = run("progress", FY, "--week", "32", "--tier", "stretch", "-m", "revenue", "-q")
    assert "revenue (CNY), against tier stretch (120%), through week 32" in table.out
    board = json.loads(run("progress", FY, "-w", "32", "-t", "floor", "-l", "-f", "json").out)
    assert board["tier"] == "floor" and board["leaderboard"][0]["target"] == 14400000


@pytest.mark.parametrize("command", ["allocate", "progress"])
def test_unknown_tier_and_a_plan_without_tiers(run, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    extra = ("--week", "32") if command == "progress" else ()
    r = run(command, FY, *extra, "--tier", "sprint")
    assert (r.code, r.out) == (2, "")
    assert r.err == "error: unknown tier 'sprint'; the plan's tiers are: floor, target, stretch\n"
    empty = write(
        tmp_path,
        "plan: P\nperiod: 2026-Q1\nmetrics: {revenue: {total: 100}}\ntiers: {}\n"
        "split:\n  A: 1\n  B: 1\nactuals: a.csv\n",
    )
    write(tmp_path, "date,node,metric,value\n2026-01-05,A,revenue,5\n", "a.csv")
    extra = ("--as-of", "2026-02-01") if command == "progress" else ()
    for option in ("--tier floor", "--tiers") if command == "allocate" else ("--tier floor",):
        r = run(command, empty, *extra, *option.split())
        assert (r.code, r.out) == (2, "")
        assert r.err == (
            "error: the plan has no tiers (its tiers: is empty); give them in the plan,"
            " e.g. tiers: {floor: 80%, target: 100%, stretch: 120%}\n"
        )
    # without tiers: at all, a plan has the guides' floor, target and stretch
    plain = write(tmp_path, "plan: P\nperiod: 2026-Q1\nmetrics: {revenue: {total: 100}}\n"
                  "split:\n  A: 1\n  B: 1\n", "p2.yaml")  # fmt: skip
    assert json.loads(run("allocate", plain, "--tiers", "-f", "json").out)["tiers"] == {
        "floor": 0.8,
        "target": 1,
        "stretch": 1.2,
    }


# -- on a terminal: the views' tables never cut a number, a rank or a status ---------------

from test_terminal import NAMES, WIDTHS, assert_whole  # noqa: E402


@pytest.fixture(scope="module")
def cjk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """fy2026.yaml and its actuals with CJK names (as test_terminal's): (plan, actuals)."""
    d = tmp_path_factory.mktemp("cjk")
    plan = (EXAMPLES / "fy2026.yaml").read_text(encoding="utf-8")
    actuals = (EXAMPLES / "fy2026-actuals.csv").read_text(encoding="utf-8")
    for old, new in sorted(NAMES.items(), key=lambda kv: -len(kv[0])):
        plan, actuals = plan.replace(old, new), actuals.replace(old, new)
    (d / "plan.yaml").write_text(plan, encoding="utf-8")
    (d / "actuals.csv").write_text(actuals, encoding="utf-8")
    return str(d / "plan.yaml"), str(d / "actuals.csv")


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize(
    "view",
    [
        ("--leaderboard",),
        ("--leaderboard", "--depth", "1", "--tier", "stretch"),
        ("--window", "month", "--node", "华东大区销售中心"),
    ],
)
def test_views_on_a_terminal(cjk: tuple[str, str], columns: int, view: tuple[str, ...]) -> None:
    plan, actuals = cjk
    args = ["progress", plan, "--week", "32", "-a", actuals, "-q", *view]
    shown, dropped = assert_whole(args, columns)
    assert {"status", "attain."}.isdisjoint(dropped)
    if "--leaderboard" in view:  # the board's rank stays, down to 60 columns
        assert "rank" not in dropped


@pytest.mark.parametrize("columns", [60, 120])
def test_tiers_on_a_terminal(cjk: tuple[str, str], columns: int) -> None:
    shown, dropped = assert_whole(["allocate", cjk[0], "--tiers"], columns)
    assert not dropped or columns < 80  # (at 60, the last tier is left out, and named)


# -- random plans: --node keeps every figure; the leaderboard is competition ranking ------


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=timed_plans(),
    pick=st.integers(0, 10**6),
    depth=st.one_of(st.none(), st.integers(0, 3)),
    g=st.sampled_from([None, "quarter", "week"]),
    day=st.integers(0, 400),
    values=st.lists(st.tuples(st.integers(0, 10**6), st.integers(-(10**5), 10**6)), max_size=12),
)
def test_random_subtrees_and_leaderboards(
    text: str, pick: int, depth: int | None, g: Any, day: int, values: list[tuple[int, int]]
) -> None:
    from decimal import Decimal

    from targetsplit.plan.tree import shown_nodes
    from targetsplit.report.allocation import allocation_json
    from targetsplit.track.progress import leaderboard, targets_to_date

    plan = _load(text)
    if plan is None:
        return
    b = plan.breakdown
    assert b is not None
    alloc = allocate(plan)
    all_nodes = [r.node for r in alloc.rows]
    under = all_nodes[pick % len(all_nodes)]
    split = None if g is None else split_over_time(alloc, g)
    chosen = () if split is None else tuple(range(len(split.slots)))
    metrics = plan.metrics

    def doc(node: Any, d: int | None) -> dict[str, Any]:
        text = "".join(allocation_json(alloc, metrics, d, split, chosen, None, node))
        return {n["path"]: n for n in json.loads(text)["nodes"]}

    whole, part = doc(None, None), doc(under, depth)
    top = under.depth
    assert list(part) == [
        n.key
        for n in all_nodes
        if (not under.key or n.key == under.key or n.key.startswith(under.key + "/"))
        and (depth is None or n.depth - top <= depth)
    ]
    assert list(part)[0] == under.key
    for path, n in part.items():
        assert n == whole[path]
        assert depth is None or n["depth"] - top <= depth
        assert path == under.key or not under.key or path.startswith(under.key + "/")
    # the leaderboard of random actuals at a random cut-off
    cut = cutoff(b, plan.period.start + timedelta(days=day))
    direct: dict[tuple[str, str], Decimal] = {}
    for i, v in values:
        key = (all_nodes[i % len(all_nodes)].key, metrics[i % len(metrics)].name)
        direct[key] = direct.get(key, Decimal(0)) + Decimal(v)
    p = compute(alloc, cut, targets_to_date(alloc, cut.day)[0], direct)
    for m in metrics:
        board = leaderboard(p, m.name, under, depth)
        members = {i for _, i in board}
        base = under.depth
        for i in shown_nodes(all_nodes, under, depth):  # the leaves, or the cut at depth
            n = all_nodes[i]
            cut_here = not n.children or (depth is not None and n.depth - base == depth)
            assert (i in members) == cut_here
        att = {i: p.tallies[m.name].attainment(i) for i in members}
        ranked = [(r, i) for r, i in board if r is not None]
        assert [i for r, i in board if r is None] == sorted(i for i in members if att[i] is None)
        assert board[: len(ranked)] == ranked  # the unranked come last
        for r, i in ranked:
            a = att[i]
            assert a is not None
            better = sum(1 for j in members if att[j] is not None and att[j] > a)
            assert r == 1 + better  # competition ranking: 1, 2, 2, 4
