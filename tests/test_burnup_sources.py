"""A report's burn-up from every source of actuals: the actuals by week are
summed by the same reader that reads them for progress, one pass, so they are
there for every source (our CSV, standard input, a workbook, a Parquet file,
an export through a mapping, a database) and each week's sum is what progress
counts in that week's days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from targetsplit.plan.actualsmap import ActualsMap, parse_map
from targetsplit.plan.tree import Plan
from targetsplit.split.hierarchy import allocate
from targetsplit.track.actuals import read_actuals
from targetsplit.track.weekly import read_with_weeks
from test_database import rows_strategy as export_rows
from test_database import sqlite_db
from test_sources import MAPPING, _load, rows_strategy, values, write_csv, write_parquet
from test_sources import write_xlsx as write_workbook

OWN = ["date", "node", "metric", "value"]
EXPORT = ["Deal", "Close Date", "Owner", "Stage", "Amount"]
cuts = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
tops = st.sampled_from([None, "East", "West"])


def _weeks_oracle(
    plan: Plan, path: str, cut: date, top: str | None, mapping: ActualsMap | None = None
) -> dict[str, list[Decimal]]:
    """Each week's actuals as progress counts them over that week's days alone
    (a window of the period), in ``top``'s subtree."""
    b = plan.breakdown
    assert b is not None
    inside = {n.key for n in plan.root.walk()} if top is None else None
    if top is not None:
        inside = {n.key for n in next(n for n in plan.nodes() if n.key == top).walk()}
    out = {m.name: [Decimal(0)] * len(b.weeks()) for m in plan.metrics}
    for k, w in enumerate(b.weeks()):
        if w.start > cut:
            continue
        found = read_actuals(
            path, "x", plan, min(w.end, cut), first_day=w.start, mapping=mapping
        ).direct
        for (node, metric), v in found.items():
            if node in inside:
                out[metric][k] += v
    return out


def _read(plan: Plan, path: str, cut: date, top: str | None, mapping: ActualsMap | None = None):  # type: ignore[no-untyped-def]
    node = None if top is None else next(n for n in plan.nodes() if n.key == top)
    return read_with_weeks(path, Path(path).name, allocate(plan), cut, None, node, mapping)[:3]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, cut=cuts, top=tops)
def test_our_layout_in_every_source(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[date, str, str, Decimal]],
    cut: date,
    top: str | None,
) -> None:
    tmp = tmp_path_factory.mktemp("own")
    plan = _load(tmp)
    listed = [list(r) for r in rows]
    write_csv(tmp / "a.csv", OWN, listed)
    write_workbook(tmp / "a.xlsx", OWN, listed)
    types = {"date": "DATE", "node": "VARCHAR", "metric": "VARCHAR", "value": "DECIMAL(18,2)"}
    write_parquet(tmp / "a.csv", tmp / "a.parquet", types)
    write_parquet(tmp / "a.csv", tmp / "d.parquet", {**types, "value": "DOUBLE"})
    want = _weeks_oracle(plan, str(tmp / "a.csv"), cut, top)
    for name in ("a.csv", "a.xlsx", "a.parquet", "d.parquet"):
        facts, _, weekly = _read(plan, str(tmp / name), cut, top)
        assert dict(weekly.actual) == want, name
        total = read_actuals(str(tmp / "a.csv"), "a.csv", plan, cut).direct
        if top is None:
            for m in plan.metrics:
                assert sum(weekly.actual[m.name]) == sum(
                    (v for (_, metric), v in total.items() if metric == m.name), Decimal(0)
                )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=export_rows, cut=cuts, top=tops)
def test_an_export_through_a_mapping_in_every_source(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[date, str, str, Decimal]],
    cut: date,
    top: str | None,
) -> None:
    tmp = tmp_path_factory.mktemp("mapped")
    plan = _load(tmp)
    listed: list[list[object]] = [[f"D{i}", d, n, s, v] for i, (d, n, s, v) in enumerate(rows)]
    write_csv(tmp / "a.csv", EXPORT, listed)
    write_workbook(tmp / "a.xlsx", EXPORT, listed, sheet="Deals")
    mapping = parse_map(MAPPING)
    want = _weeks_oracle(plan, str(tmp / "a.csv"), cut, top, mapping)
    for name in ("a.csv", "a.xlsx"):
        _, _, weekly = _read(plan, str(tmp / name), cut, top, mapping)
        assert dict(weekly.actual) == want, name
    for amount in ("NUMERIC", "REAL", "TEXT"):
        url = sqlite_db(tmp / f"{amount}.db", [(d, n, s, v) for d, n, s, v in rows], amount)
        for source in ({"table": "deals"}, {"query": "SELECT * FROM deals"}):
            db = parse_map({**MAPPING, "url": url, **source})
            _, _, weekly = _read(plan, "", cut, top, db)
            assert dict(weekly.actual) == want, (amount, source)


FY = str(EXAMPLES / "fy2026.yaml")
ACTUALS = EXAMPLES / "fy2026-actuals.csv"


@pytest.mark.parametrize("form", ["html", "xlsx"])
def test_a_report_from_a_parquet_file_or_standard_input(run, tmp_path: Path, form: str) -> None:  # type: ignore[no-untyped-def]
    """A report's burn-up from a Parquet file (once refused: read again as a CSV)
    and from standard input (once without actuals by week) is the CSV's."""
    types = {"date": "DATE", "node": "VARCHAR", "metric": "VARCHAR", "value": "VARCHAR"}
    write_parquet(ACTUALS, tmp_path / "a.parquet", types)
    out = {}
    for name, source, stdin in (
        ("csv", str(ACTUALS), None),
        ("parquet", str(tmp_path / "a.parquet"), None),
        ("stdin", "-", ACTUALS.read_text(encoding="utf-8")),
    ):
        target = tmp_path / f"{name}.{form}"
        done = run(
            "progress", FY, "--week", "20", "-a", source, "-q", "-o", str(target), stdin=stdin
        )
        assert done.code == 0, (name, done.err)
        out[name] = target
    if form == "html":
        pages = {k: v.read_text(encoding="utf-8") for k, v in out.items()}
        charts = {k: p.split("<svg", 1)[1].split("</svg>", 1)[0] for k, p in pages.items()}
        assert 'class="actual"' in charts["csv"]
        assert charts["parquet"] == charts["csv"] == charts["stdin"]
    else:
        from test_xlsx import burnup_rows

        weeks = burnup_rows(out["csv"])
        assert weeks[18][3] is not None and weeks[20][3] is None  # W19 counted, W21 not
        assert burnup_rows(out["parquet"]) == weeks == burnup_rows(out["stdin"])


def test_weeks_of_a_week_spanning_the_period_start(tmp_path: Path) -> None:
    """A period starting mid-week: the first week's actuals are those of its days
    in the period (a row the day before is outside)."""
    from conftest import write

    plan_path = write(
        tmp_path,
        "plan: T\nperiod: {start: 2026-04-01, end: 2026-06-30, name: Q}\n"
        "metrics: {revenue: {total: 1000}}\nsplit: {A: 1, B: 1}\n",
    )
    from targetsplit.plan.load import load_plan

    plan = load_plan(plan_path).plan
    start = date(2026, 4, 1)
    write_csv(
        tmp_path / "a.csv",
        OWN,
        [
            [start - timedelta(days=1), "A", "revenue", Decimal(5)],
            [start, "A", "revenue", Decimal(7)],
            [start + timedelta(days=5), "B", "revenue", Decimal(11)],
        ],
    )
    _, _, weekly = _read(plan, str(tmp_path / "a.csv"), date(2026, 6, 30), None)
    assert weekly.actual["revenue"][:2] == [Decimal(7), Decimal(11)]


value_texts = st.one_of(
    values.map(str),
    values.map(lambda v: f" {v} "),  # padded: DuckDB trims it itself
    st.decimals(min_value=0, max_value=100, places=2).map(lambda v: f"{v}万"),  # amount syntax
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31)),
            st.sampled_from(["East", "East/Chen", "Chen", "Liu", "West"]),
            st.sampled_from(["revenue", "deals"]),
            value_texts,
        ),
        min_size=1,
        max_size=40,
    ),
    cut=cuts,
    top=tops,
    wide=st.booleans(),
    by_week=st.booleans(),
)
def test_duckdbs_child_sums_the_weeks_as_the_python_reader(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[date, str, str, str]],
    cut: date,
    top: str | None,
    wide: bool,
    by_week: bool,
) -> None:
    """The child (DuckDB) answers and its weeks are the Python reader's, long
    form or wide, dates or week labels, values plain, padded or in the amount
    syntax, on the whole plan or a subtree."""
    from targetsplit.track import actuals as actuals_mod
    from targetsplit.track.weeksums import WeekSums

    tmp = tmp_path_factory.mktemp("child")
    plan = _load(tmp)
    b = plan.breakdown
    assert b is not None

    weeks = b.weeks()

    def when(d: date) -> str:  # a week label: the week of the day (outside: the first or last)
        if not by_week:
            return d.isoformat()
        inside = [w.label for w in weeks if w.start <= d <= w.end]
        return inside[0] if inside else weeks[0 if d < weeks[0].start else -1].label

    time = "week" if by_week else "date"
    if wide:
        header = [time, "node", "revenue", "deals"]
        listed = [
            [when(d), n, v if m == "revenue" else "", v if m == "deals" else ""]
            for d, n, m, v in rows
        ]
    else:
        header = [time, "node", "metric", "value"]
        listed = [[when(d), n, m, v] for d, n, m, v in rows]
    write_csv(tmp / "a.csv", header, listed)
    path = str(tmp / "a.csv")
    node = None if top is None else next(n for n in plan.nodes() if n.key == top)
    by_python, by_duckdb = WeekSums(plan, node), WeekSums(plan, node)
    python = actuals_mod._python(path, "a.csv", plan, cut, None, by_python)
    request = actuals_mod._Request.of("a.csv", plan, cut, None, by_duckdb)
    answer = actuals_mod._duckdb(path, lambda: request)
    assert answer is not None
    duck = answer.actuals(by_duckdb)
    assert dict(duck.direct) == dict(python.direct)
    assert by_duckdb.sums == by_python.sums


def test_a_workbooks_burnup_is_the_nodes_with_node(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With --node, the workbook's burn-up is the subtree's, as its figures are:
    each week's cumulative actual is progress --node's at that week's end."""
    import json

    from test_xlsx import burnup_rows

    out = tmp_path / "east.xlsx"
    args = ("progress", FY, "-a", str(ACTUALS), "--node", "East", "-q")
    assert run(*args, "--week", "32", "-o", str(out)).code == 0
    weeks = burnup_rows(out)
    for week in (5, 20, 32):
        done = run(*args, "--week", str(week), "--format", "json")
        east = json.loads(done.out)["nodes"][0]
        assert east["path"] == "East"
        assert Decimal(str(weeks[week - 1][3])) == Decimal(
            str(east["progress"]["revenue"]["actual"])
        )
    assert weeks[32][3] is None  # after the cut-off


def test_a_window_workbook_has_no_burnup(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    out = tmp_path / "w.xlsx"
    args = ("progress", FY, "-a", str(ACTUALS), "--week", "32", "--window", "month", "-q")
    assert run(*args, "-o", str(out)).code == 0
    cells = [c.value for r in openpyxl.load_workbook(out)["Summary"].iter_rows() for c in r]
    assert "week" not in cells and "through" not in cells
