"""replan, rollover and review attacked from outside: inputs of shapes their
authors had not tried, each a regression test for what it broke."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targetsplit.api.replan import replan
from targetsplit.api.rollover import rollover
from targetsplit.errors import TargetsplitError, UsageError
from targetsplit.split.hierarchy import allocate

YEAR = """\
plan: FY2026 Sales
period: 2026
metrics:
  revenue: {total: 1000万, round: 1万}
split:
  A: 50%
  B: rest
"""


def _write(tmp: Path, plan: str, actuals: str, name: str = "plan.yaml") -> Path:
    (tmp / "a.csv").write_text(actuals, encoding="utf-8")
    path = tmp / name
    path.write_text(plan + "actuals: a.csv\n", encoding="utf-8")
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


LATE = date(2027, 6, 1)  # every 2026 period has ended


def test_rollover_of_a_dimension_with_amounts(tmp_path: Path) -> None:
    """A dimension cut by fixed amounts would not fit the next total: its amounts
    become the ratios of its shares (as replan does), not an internal error."""
    text = YEAR + "dimensions:\n  product: {P: {amount: 300万}, Q: {amount: 700万}}\n"
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-03-02,A,revenue,200万\n")
    for kwargs in ({}, {"growth": "10%"}, {"carry": True}):
        result = rollover(plan, to="2027", today=LATE, **kwargs)  # type: ignore[arg-type]
        cut = {it.name: it.shares["revenue"] for it in result.plan.dimensions["product"]}
        assert cut == {"P": pytest.approx(0.3), "Q": pytest.approx(0.7)}
        assert "product: {P: 3, Q: 7}" in result.text


@pytest.mark.parametrize(
    ("rows", "what"),
    [
        # a sum with more than 30 significant digits: no history can state it
        ("2026-01-05,A,revenue,100000000000000000\n2026-01-06,A,revenue,0.0000000000001\n", "A"),
        # a sum of 10^18 or more
        ("2026-01-05,A,revenue,900000000000000000\n2026-01-06,A,revenue,900000000000000000\n", "A"),
    ],
)
def test_rollover_of_actuals_beyond_a_plans_limits(tmp_path: Path, rows: str, what: str) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n" + rows + "2026-01-07,B,revenue,5\n")
    with pytest.raises(TargetsplitError) as e:
        rollover(plan, to="2027", totals=["revenue=100万"], today=LATE)
    assert e.value.exit_code == 1
    message = e.value.diagnostics[0].render()
    assert "internal error" not in message
    assert f"'{what}'" in message and "revenue" in message and "a plan cannot state" in message


def test_figures_beyond_a_plans_limits_are_errors_not_tracebacks(tmp_path: Path) -> None:
    """Refunds far larger than the target (owed beyond 10^18), a growth that takes
    the total past 10^18: a clear error (exit 1), never a traceback."""
    text = YEAR.replace("1000万, round: 1万", "900000000000000000")
    plan = _write(
        tmp_path,
        text,
        "date,node,metric,value\n"
        "2026-01-05,A,revenue,-500000000000000000\n2026-01-05,B,revenue,-500000000000000000\n",
    )
    for policy in ("keep", "share"):
        with pytest.raises(TargetsplitError) as e:
            replan(plan, as_of="2026-03-01", policy=policy)
        assert e.value.exit_code == 1
        message = e.value.diagnostics[0].render()
        assert "the new total of revenue" in message and "a plan cannot state" in message
    small = _write(tmp_path, YEAR, "date,node,metric,value\n2026-01-05,A,revenue,105\n", "s.yaml")
    with pytest.raises(TargetsplitError, match="the new total of revenue") as e:
        rollover(small, to="2027", growth="1e18%", today=LATE)
    assert e.value.exit_code == 1
    done = _cli("rollover", str(small), "--to", "2027", "--growth", "1e18%", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("title", "period", "to", "name", "want"),
    [
        ("FY2026 Sales", "2026", "2027", None, "FY2027 Sales"),
        # the README's fiscal example: never "FYFY2027"
        ("FY2026 Sales", "2026", "2027-04-01..2028-03-31", "FY2027", "FY2027 Sales"),
        ("2026年销售计划", "2026", "2027", None, "2027年销售计划"),
        ("2026-H1 plan", "2026-H1", "2026-H2", None, "2026-H2 plan"),
        # a year inside a longer number is not the period's name
        ("Plan 120265", "2026", "2027", None, "Plan 120265"),
        # an unnamed range is not glued into a word
        ("FY2026 Sales", "2026", "2027-01-01..2027-03-31", None, "FY2026 Sales"),
        ("2026 Sales", "2026", "2027-01-01..2027-03-31", None, "2027-01-01..2027-03-31 Sales"),
        (
            "FY26 Sales",
            "{start: 2026-04-01, end: 2027-03-31, name: FY26}",
            "2027-04-01..2028-03-31",
            "FY27",
            "FY27 Sales",
        ),
        # a period name that is a word is replaced as a word only
        (
            "Spring Sales",
            "{start: 2026-03-01, end: 2026-05-31, name: S}",
            "2027-03-01..2027-05-31",
            "T",
            "Spring Sales",
        ),
    ],
)
def test_rollover_renames_the_title_by_whole_words(
    tmp_path: Path, title: str, period: str, to: str, name: str | None, want: str
) -> None:
    text = YEAR.replace("FY2026 Sales", title).replace("period: 2026", f"period: {period}")
    plan = _write(tmp_path, text, "date,node,metric,value\n")
    result = rollover(plan, to=to, name=name, today=date(2028, 6, 1))
    assert result.plan.title == want


def test_rollover_refuses_an_empty_name_and_says_what_a_range_is(tmp_path: Path) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    for to, name, match in [
        ("2027-04-01..2028-03-31", "", "--name is empty"),
        ("2027..2030", None, r"'2027' is not a date \(YYYY-MM-DD\)"),
        ("2027-02-29..2027-03-31", None, r"'2027-02-29' is not a date \(YYYY-MM-DD\)"),
        ("2027-01-01..2027-03-31..", None, r"'2027-03-31..' is not a date"),
    ]:
        with pytest.raises(UsageError, match=match) as e:
            rollover(plan, to=to, name=name, today=LATE)
        assert "isoformat" not in str(e.value) and "out of range" not in str(e.value)
    with pytest.raises(UsageError, match="give the next period with --to: 2027, 2027-H1"):
        rollover(plan, to=" ", today=LATE)
    with pytest.raises(UsageError) as e:
        rollover(plan, to="10000", today=LATE)
    # the command line's forms, not the plan file's YAML mapping
    assert "{start:" not in str(e.value) and "START..END" in str(e.value)


def test_text_from_the_plan_cannot_break_the_new_plans_header(tmp_path: Path) -> None:
    """A title, a metric or a file name with a line break or a control character
    is escaped in the header comments: the new plan loads, nothing is injected."""
    text = (
        'plan: "Line1\\nmax_growth: 1%\\e[31m"\n'
        "period: 2026\n"
        'metrics:\n  "rev\\nenue": {total: 1000}\n'
        'split:\n  "A\\nB": 1\n  C: 1\n'
    )
    (tmp_path / "a\nb.csv").write_text(
        'date,node,metric,value\n2026-01-05,"A\nB","rev\nenue",100\n', encoding="utf-8"
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    for result in (
        replan(plan, as_of="2026-06-30", actuals=tmp_path / "a\nb.csv"),
        rollover(plan, to="2027", actuals=tmp_path / "a\nb.csv", today=LATE),
    ):
        header = result.text.split("\nplan:")[0]
        assert all(line.startswith("#") for line in header.splitlines())
        assert "\x1b" not in result.text
        assert not any(line.startswith("max_growth") for line in result.text.splitlines())
        assert result.plan.title.startswith("Line1\n")


def test_the_summary_line_stays_one_line(tmp_path: Path) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    done = _cli(
        "rollover", str(plan), "--to", "2027-04-01..2028-03-31", "--name", "FY\n27", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    summary = [line for line in done.stderr.splitlines() if line.startswith("wrote")]
    assert summary and "FY\\n27" in summary[0]


def test_rollover_of_a_replanned_half_renames_the_year(tmp_path: Path) -> None:
    """A plan re-planned for 2026-H2 still says FY2026 in its title: rolled over
    to 2027, it says FY2027 (the year of its period's name)."""
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n2026-03-02,A,revenue,200万\n")
    half = replan(plan, as_of="2026-06-30", output=tmp_path / "h2.yaml")
    (tmp_path / "h2.yaml").write_text(half.text, encoding="utf-8")
    assert half.plan.period.name == "2026-H2"
    nxt = rollover(tmp_path / "h2.yaml", to="2027", totals=["revenue=100万"], today=LATE)
    assert nxt.plan.title == "FY2027 Sales"
    nxt = rollover(tmp_path / "h2.yaml", to="2027-H1", totals=["revenue=100万"], today=LATE)
    assert nxt.plan.title == "FY2027-H1 Sales"


def test_a_replan_of_a_replan_is_named_from_its_first_day(tmp_path: Path) -> None:
    """The rest of '2026 from W33' after its week 5 is not '2026 from W33 from
    W06' (whose weeks are those?): it is named by its first day, once."""
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    first = replan(plan, week=32, output=tmp_path / "r1.yaml")
    assert first.plan.period.name == "2026 from W33"
    (tmp_path / "r1.yaml").write_text(first.text, encoding="utf-8")
    second = replan(tmp_path / "r1.yaml", week=5, output=tmp_path / "r2.yaml")
    assert second.plan.period.name == "2026 from 2026-09-14"
    (tmp_path / "r2.yaml").write_text(second.text, encoding="utf-8")
    third = replan(tmp_path / "r2.yaml", as_of="2026-11-02")
    assert third.plan.period.name == "2026 from 2026-11-03"


def test_rollover_says_when_there_are_no_results_to_roll_over(tmp_path: Path) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    warned: list[str] = []
    result = rollover(plan, to="2027", today=LATE, on_warning=lambda d: warned.append(d.render()))
    assert result.plan.metric("revenue").total == 0
    assert any(
        "revenue: the new total is 0 (this period's actual is 0): give --total revenue=AMOUNT" in w
        for w in warned
    )
    warned.clear()
    rollover(
        plan, to="2027", today=date(2025, 12, 1), on_warning=lambda d: warned.append(d.render())
    )
    assert any(
        "the period 2026 has not started (it starts 2026-01-01): there are no results yet" in w
        for w in warned
    )
    assert not any("results through today" in w for w in warned)


def test_the_schema_takes_a_bare_weight_for_a_node() -> None:
    """`North: 30%`, `South: rest`, `Rep Chen: 1.2` (SPEC §1's own example) are
    nodes: an editor checking plans with `targetsplit schema` must accept them,
    as it accepts the plans replan and rollover write."""
    from targetsplit.plan.document import json_schema

    schema = json_schema()
    kinds = {alt.get("type") for alt in schema["$defs"]["Node"]["anyOf"]}
    assert {"string", "number"} <= kinds
    assert {"$ref": "#/$defs/NodeDoc"} in schema["$defs"]["Node"]["anyOf"]
    node = {"$ref": "#/$defs/Node"}
    assert schema["properties"]["split"]["additionalProperties"] == node
    inner = schema["$defs"]["NodeDoc"]["properties"]["split"]["anyOf"][0]
    assert inner["additionalProperties"] == node


def test_keep_counts_an_actual_booked_on_a_parent_for_its_children(tmp_path: Path) -> None:
    """100万 booked on East itself (a regional deal no rep owns) is East's result:
    keep does not re-plan East's whole target as if nothing had been sold, nor
    blame over-achievers for the difference."""
    text = YEAR.replace(
        "  A: 50%\n  B: rest\n",
        "  East:\n    weight: 60%\n    split: {a1: 3, a2: 1}\n  West: rest\n",
    )
    plan = _write(
        tmp_path,
        text,
        "date,node,metric,value\n2026-03-03,East,revenue,100万\n2026-03-04,a2,revenue,50万\n",
    )
    warned: list[str] = []
    result = replan(plan, as_of="2026-06-30", on_warning=lambda d: warned.append(d.render()))
    rows = {r.path: r.units["revenue"] for r in allocate(result.plan).rows}
    # a1 450万, a2 150万: East's own 100万 counts 75万 for a1, 25万 for a2.
    assert rows == {"": 850, "East": 450, "East/a1": 375, "East/a2": 75, "West": 400}
    assert not any("over-achievers" in w for w in warned)
    assert any(
        "revenue: 100万 booked on East itself counted for its children in proportion to"
        " their targets" in w
        for w in warned
    )


def test_carry_counts_an_actual_booked_on_a_parent_for_its_children(tmp_path: Path) -> None:
    text = YEAR.replace(
        "  A: 50%\n  B: rest\n",
        "  East:\n    weight: 60%\n    split: {a1: 3, a2: 1}\n  West: rest\n",
    )
    plan = _write(
        tmp_path,
        text,
        "date,node,metric,value\n2026-03-03,East,revenue,400万\n2026-03-04,a2,revenue,50万\n"
        "2026-03-05,West,revenue,400万\n",
    )
    warned: list[str] = []
    plain = rollover(plan, to="2027", today=LATE)
    carried = rollover(
        plan, to="2027", carry=True, today=LATE, on_warning=lambda d: warned.append(d.render())
    )
    base = {r.path: r.units["revenue"] for r in allocate(plain.plan).rows}
    got = {r.path: r.units["revenue"] for r in allocate(carried.plan).rows}
    # a1: 450万 - 300万 (its 3/4 of East's own 400万) = 150万 short;
    # a2: 150万 - 50万 - 100万 = 0 short; West met its 400万.
    assert got["East/a1"] == base["East/a1"] + 150
    assert got["East/a2"] == base["East/a2"]
    assert got["West"] == base["West"]
    assert any(
        "revenue: 400万 booked on East itself counted for its children in proportion to"
        " their targets" in w
        for w in warned
    )


def test_carry_before_the_period_ends_carries_the_shortfall_to_date(tmp_path: Path) -> None:
    """Rolled over on 30 June, a rep who has sold H1's share of the year has no
    shortfall to carry: the second half is still to be sold this year."""
    from targetsplit.plan.load import load_plan
    from targetsplit.track.review import window_targets

    plan = _write(
        tmp_path,
        YEAR,
        "date,node,metric,value\n2026-03-02,A,revenue,250万\n2026-03-02,B,revenue,100万\n",
    )
    old = load_plan(str(plan)).plan
    due, _ = window_targets(allocate(old), date(2026, 1, 1), date(2026, 6, 30))
    assert due["A"]["revenue"] == 247  # 129 of 261 working days of 500万
    plain = rollover(plan, to="2027", today=date(2026, 6, 30))
    result = rollover(plan, to="2027", carry=True, today=date(2026, 6, 30))
    base = {r.path: r.units["revenue"] for r in allocate(plain.plan).rows}
    got = {r.path: r.units["revenue"] for r in allocate(result.plan).rows}
    assert got["A"] == base["A"]  # 250万 sold of 247万 due: nothing to carry
    assert got["B"] == base["B"] + 147  # 247万 due, 100万 sold
    assert "target to date" in result.text.split("\nversion")[0].split("\nplan:")[0]


def test_a_cut_off_before_the_period_keeps_its_period(tmp_path: Path) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    result = replan(plan, as_of="2025-12-20")
    assert result.plan.period.name == "2026" and result.plan.period.kind == "year"
    fiscal = YEAR.replace(
        "period: 2026", "period: {start: 2026-04-01, end: 2027-03-31, name: FY26}"
    )
    plan = _write(tmp_path, fiscal, "date,node,metric,value\n", "f.yaml")
    result = replan(plan, as_of="2026-03-31")
    assert result.plan.period.name == "FY26"
    assert "period: {start: 2026-04-01, end: 2027-03-31, name: FY26}" in result.text


def test_a_rep_who_met_the_target_is_no_warning_in_the_new_plan(tmp_path: Path) -> None:
    """Keep gives a rep past the target {amount: 0}: what the re-plan means, not
    a forgotten weight. Every command on the new plan (10,000 reps, hundreds of
    them done) printed 'has a zero weight: it gets nothing' for each."""
    from targetsplit.plan.load import parse_plan

    plan = _write(tmp_path, YEAR, "date,node,metric,value\n2026-03-03,A,revenue,600万\n")
    result = replan(plan, as_of="2026-06-30")
    assert allocate(result.plan).row("A").units["revenue"] == 0
    assert not result.plan.warnings
    assert not any("zero weight" in w.message for w in result.warnings)
    # an amount of 0 written by hand is as explicit; a ratio or percent 0 still warns
    text = YEAR.replace("A: 50%\n  B: rest", "A: {amount: 0}\n  B: 1\n  C: 0")
    warned = [w.message for w in parse_plan(text, "p.yaml").warnings]
    assert warned == ["'C' has a zero weight: it gets nothing"]


def test_a_year_rolled_into_a_fiscal_year_says_its_seasonality_moved(tmp_path: Path) -> None:
    """quarters: [20%, 25%, 25%, 30%] of a calendar year put 20 % on January to
    March; kept by position in a fiscal year from April, they put it on April to
    June: kept (as the plan wrote it), with a warning naming the shift."""
    text = YEAR.replace("split:", "seasonality: {quarters: [20%, 25%, 25%, 30%]}\nsplit:")
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-03-03,A,revenue,5万\n")
    warned: list[str] = []
    rollover(
        plan,
        to="2027-04-01..2028-03-31",
        name="FY2027",
        today=LATE,
        on_warning=lambda d: warned.append(d.render()),
    )
    assert any(
        "the plan's seasonality is kept by position: its first month was January, FY2027's"
        " is April" in w
        for w in warned
    )
    warned.clear()
    rollover(plan, to="2027", today=LATE, on_warning=lambda d: warned.append(d.render()))
    assert not any("by position" in w for w in warned)


def test_a_metric_given_twice_to_total_is_refused(tmp_path: Path) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n")
    with pytest.raises(UsageError, match="--total revenue is given twice"):
        rollover(plan, to="2027", totals=["revenue=500万", "revenue = 600万"], today=LATE)


def test_names_longer_than_a_yaml_simple_key_are_written_as_explicit_keys(
    tmp_path: Path,
) -> None:
    """A name of more than 1024 characters is a plan's explicit key (`? name`):
    the new plan writes it so too (it was an internal error), in block and in
    flow mappings (a metric's name in a per-metric weight)."""
    long, metric = "L" * 1500, "m" * 1100
    text = (
        f"plan: Long\nperiod: 2026\nmetrics:\n  revenue: {{total: 1000}}\n"
        f"  ? {metric}\n  : {{total: 50}}\nsplit:\n  ? {long}\n  : 1\n  B: 1\n"
    )
    plan = _write(tmp_path, text, f"date,node,metric,value\n2026-01-05,{long},revenue,100\n")
    for result in (
        replan(plan, as_of="2026-06-30"),
        rollover(plan, to="2027", today=LATE),
        rollover(plan, to="2027", carry=True, today=LATE),
    ):
        assert [c.name for c in result.plan.root.children] == [long, "B"]
        assert result.plan.metric_names == ("revenue", metric)


def test_replan_in_year_one(tmp_path: Path) -> None:
    """Years keep four digits (0001-H2): replan of a year-1 plan was a traceback."""
    plan = _write(
        tmp_path, YEAR.replace("period: 2026", "period: 0001"), "date,node,metric,value\n"
    )
    assert replan(plan, week=1).plan.period.name == "0001 from W02"
    assert replan(plan, as_of="0001-06-30").plan.period.name == "0001-H2"
    assert replan(plan, as_of="0001-09-30").plan.period.name == "0001-Q4"
    assert replan(plan, as_of="0001-11-30").plan.period.name == "0001-12"


def test_warnings_list_long_names_clipped(tmp_path: Path) -> None:
    long = "N" * 300
    text = YEAR.replace("A: 50%", f"{long}: 50%")
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-01-05,B,revenue,5万\n")
    warned: list[str] = []
    rollover(plan, to="2027", today=LATE, on_warning=lambda d: warned.append(d.render()))
    note = next(w for w in warned if "no actual for 1 node(s)" in w)
    assert "N" * 59 + "…" in note and len(note) < 300


def test_a_narrow_tables_title_stays_on_one_line(tmp_path: Path) -> None:
    """The review's 'Met one metric's target, missed another's' table is narrow
    (one 'none' row): its title was wrapped over three lines in table format."""
    text = YEAR.replace("round: 1万}", "round: 1万}\n  deals: {total: 40}")
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-01-05,A,revenue,5万\n")
    done = _cli("review", str(plan), "--period", "2026-Q1", "-q", "--format", "table", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert "FY2026 Sales — review of 2026-Q1: tiers reached, by level" in lines
    assert "Met one metric's target, missed another's" in lines


_ANY = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="/",
    )
    | st.sampled_from(list(":#-[]{}!&*|>'\"%@`,?=+~\\\t\n\r\x85\u2028\u2029\ufeff\u200d\u202e")),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(_ANY, min_size=1, max_size=6, unique=True), value=_ANY)
def test_any_text_a_plan_holds_is_written_back_as_it_was(names: list[str], value: str) -> None:
    """The writer's scalars, keys (simple and explicit), flow mappings and header
    comments read back to exactly the text they were given."""
    import unicodedata

    from targetsplit.plan.source import load_yaml
    from targetsplit.plan.write import dump

    names = list(dict.fromkeys(unicodedata.normalize("NFC", n) for n in names))  # as keys are
    data = {
        "plan": value,
        "split": {n: {"weight": {n: {"amount": "1"}}, "owner": value} for n in names},
        "dims": dict.fromkeys(names, value),
    }
    text = dump(data, header=(value, *names), flow_at=lambda path: path[-1] in ("weight", "dims"))
    back = load_yaml(text, "<t>").data
    assert back == data
