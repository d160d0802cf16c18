"""Actuals from other sources (issue 15): Excel workbooks, Parquet files (and
databases: tests/test_database.py). Every source gives exactly the figures of
the same rows in our own CSV, and its errors at its own places."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from targetsplit.plan.actualsmap import parse_map
from targetsplit.plan.load import load_plan
from targetsplit.plan.tree import Plan
from targetsplit.track.actuals import ActualsError, read_actuals
from targetsplit.track.tables import number_text

PLAN = """\
plan: T
period: 2026
metrics:
  revenue: {total: 1000000, round: 0.01}
  deals: {total: 100}
split:
  East:
    weight: 60%
    owner: Manager Zhang
    split:
      Chen: {weight: 50%, owner: Chen Wei, aliases: [陈伟]}
      Liu: {weight: 50%}
  West: {weight: 40%, owner: Manager Wang}
"""
NODES = ["East", "East/Chen", "Chen", "Liu", "West", "Chen Wei", "陈伟", "Manager Wang"]
OWN_NODES = NODES[:5]  # our own CSV takes paths and names only


def _load(tmp_path: Path) -> Plan:
    return load_plan(write(tmp_path, PLAN)).plan


Row = tuple[date, str, str, Decimal]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([c.isoformat() if isinstance(c, date) else c for c in r])


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], sheet: str = "S") -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append([float(c) if isinstance(c, Decimal) else c for c in r])
    book.save(path)


def write_parquet(csv_path: Path, path: Path, types: dict[str, str]) -> None:
    con = duckdb.connect()
    columns = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
    con.execute(
        f"copy (select * from read_csv('{csv_path}', header = true, columns = {{{columns}}}))"
        f" to '{path}' (format parquet)"
    )
    con.close()


values = st.decimals(
    min_value=Decimal("-100000"), max_value=Decimal("1000000"), places=2, allow_nan=False
)
rows_strategy = st.lists(
    st.tuples(
        st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31)),
        st.sampled_from(OWN_NODES),
        st.sampled_from(["revenue", "deals"]),
        values,
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, cut=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
def test_every_source_gives_the_figures_of_the_same_rows_in_our_csv(
    tmp_path_factory: pytest.TempPathFactory, rows: list[Row], cut: date
) -> None:
    tmp = tmp_path_factory.mktemp("own")
    plan = _load(tmp)
    header = ["date", "node", "metric", "value"]
    listed = [list(r) for r in rows]
    write_csv(tmp / "a.csv", header, listed)
    write_xlsx(tmp / "a.xlsx", header, listed)
    types = {"date": "DATE", "node": "VARCHAR", "metric": "VARCHAR", "value": "DECIMAL(18,2)"}
    write_parquet(tmp / "a.csv", tmp / "a.parquet", types)
    write_parquet(tmp / "a.csv", tmp / "d.parquet", {**types, "value": "DOUBLE"})
    own = read_actuals(str(tmp / "a.csv"), "a.csv", plan, cut)
    for name in ("a.xlsx", "a.parquet", "d.parquet"):
        other = read_actuals(str(tmp / name), name, plan, cut)
        assert dict(other.direct) == dict(own.direct), name
        assert (other.rows, other.skipped) == (own.rows, own.skipped), name


MAPPING = {
    "date": "Close Date",
    "node": "Owner",
    "values": {"revenue": "Amount", "deals": "count"},
    "where": {"Stage": "Won"},
}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31)),
            st.sampled_from(NODES),
            st.sampled_from(["Won", "Lost"]),
            values,
        ),
        min_size=1,
        max_size=40,
    ),
    cut=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_a_mapped_export_in_every_source_gives_the_same_figures(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[date, str, str, Decimal]],
    cut: date,
) -> None:
    tmp = tmp_path_factory.mktemp("mapped")
    plan = _load(tmp)
    header = ["Deal", "Close Date", "Owner", "Stage", "Amount"]
    listed = [[f"D{i}", d, n, s, v] for i, (d, n, s, v) in enumerate(rows)]
    write_csv(tmp / "a.csv", header, listed)
    write_xlsx(tmp / "a.xlsx", header, listed, sheet="Deals")
    types = {
        "Deal": "VARCHAR",
        "Close Date": "DATE",
        "Owner": "VARCHAR",
        "Stage": "VARCHAR",
        "Amount": "DECIMAL(18,2)",
    }
    write_parquet(tmp / "a.csv", tmp / "a.parquet", types)
    write_parquet(tmp / "a.csv", tmp / "d.parquet", {**types, "Amount": "DOUBLE"})
    mapping = parse_map(MAPPING)
    own = read_actuals(str(tmp / "a.csv"), "a.csv", plan, cut, mapping=mapping)
    for name in ("a.xlsx", "a.parquet", "d.parquet"):
        other = read_actuals(str(tmp / name), name, plan, cut, mapping=mapping)
        assert dict(other.direct) == dict(own.direct), name
        assert (other.rows, other.skipped) == (own.rows, own.skipped), name


def test_numbers_are_the_shortest_decimal_of_the_double() -> None:
    assert number_text(0.1) == "0.1"
    assert number_text(0.1 + 0.2) == "0.30000000000000004"  # what Excel stores, exactly
    assert number_text(12.0) == "12"
    assert number_text(1e20) == "100000000000000000000"
    assert number_text(1.5e-7) == "0.00000015"
    assert number_text(7) == "7"


def test_excel_dates_date_times_and_serial_numbers(tmp_path: Path) -> None:
    plan = _load(tmp_path)
    header = ["date", "node", "revenue"]
    serial = (date(2026, 3, 2) - date(1899, 12, 30)).days
    rows: list[list[object]] = [
        [date(2026, 3, 1), "West", 1],
        [datetime(2026, 3, 1, 23, 30), "West", 2],
        [serial, "West", 4],  # a date cell shown as a number: Excel's serial date
        ["2026-03-03", "West", 8],  # a date as text
    ]
    write_xlsx(tmp_path / "a.xlsx", header, rows)
    found = read_actuals(str(tmp_path / "a.xlsx"), "a.xlsx", plan, date(2026, 3, 2))
    assert found.direct == {("West", "revenue"): Decimal(7)}
    assert found.skipped == 1


def test_the_sheet_is_chosen_by_name_else_the_first(tmp_path: Path) -> None:
    plan = _load(tmp_path)
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append(["Exported by the CRM"])
    deals = book.create_sheet("Deals")
    deals.append(["Close Date", "Owner", "Stage", "Amount"])
    deals.append([date(2026, 2, 2), "Chen Wei", "Won", 100.5])
    book.save(tmp_path / "crm.xlsx")
    mapping = parse_map({**MAPPING, "sheet": "deals"})  # case aside
    found = read_actuals(
        str(tmp_path / "crm.xlsx"), "crm.xlsx", plan, date(2026, 3, 1), mapping=mapping
    )
    assert found.direct == {("East/Chen", "revenue"): Decimal("100.5"), ("East/Chen", "deals"): 1}
    with pytest.raises(ActualsError) as e:
        read_actuals(
            str(tmp_path / "crm.xlsx"),
            "crm.xlsx",
            plan,
            date(2026, 3, 1),
            mapping=parse_map({**MAPPING, "sheet": "Deal"}),
        )
    assert str(e.value) == (
        "crm.xlsx: error: no sheet 'Deal'; did you mean 'Deals'? (sheets: Notes, Deals)"
    )
    with pytest.raises(ActualsError) as e:  # the first sheet has no such columns
        read_actuals(
            str(tmp_path / "crm.xlsx"),
            "crm.xlsx",
            plan,
            date(2026, 3, 1),
            mapping=parse_map(MAPPING),
        )
    assert str(e.value).startswith("crm.xlsx:Notes:1: error: no column 'Close Date' (date:)")


def test_errors_are_placed_at_the_sources_rows(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, PLAN)
    header = ["date", "node", "metric", "value"]
    rows: list[list[object]] = [
        ["2026-01-05", "Nowhere", "revenue", "5"],
        ["2026-01-06", "West", "revenue", "abc"],
    ]
    write_csv(tmp_path / "e.csv", header, rows)
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Sheet One"
    ws.append([])  # the table starts on row 2
    ws.append(header)
    ws.append(rows[0])
    ws.append(["line\nbreak", "West", "revenue", 1])
    ws.append(rows[1])
    book.save(tmp_path / "e.xlsx")
    write_parquet(tmp_path / "e.csv", tmp_path / "e.parquet", dict.fromkeys(header, "VARCHAR"))
    found = {}
    for name in ("e.csv", "e.xlsx", "e.parquet"):
        result = run("progress", plan, "--week", "5", "--actuals", str(tmp_path / name))
        assert result.code == 1
        found[name] = result.err.replace(str(tmp_path) + "/", "")
    assert found["e.csv"].splitlines()[0] == "e.csv:2: error: unknown node 'Nowhere'"
    assert found["e.xlsx"].splitlines() == [
        "e.xlsx:Sheet One:3: error: unknown node 'Nowhere'",
        "e.xlsx:Sheet One:4: error: 'line\\nbreak' is not a date (write YYYY-MM-DD)",
        "e.xlsx:Sheet One:5: error: 'abc' is not a number: unexpected 'a' at character 1"
        " (amounts look like 500, 1,200,000, 1.2亿, 4800万, $1.5M or 60%)",
    ]
    assert found["e.parquet"].splitlines()[0] == "e.parquet:1: error: unknown node 'Nowhere'"
    assert found["e.parquet"].splitlines()[1].startswith("e.parquet:2: error: 'abc' is not")


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.parquet", "missing.xlsx", "missing.parquet"])
def test_an_unreadable_file_is_an_error(tmp_path: Path, run, name: str) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, PLAN)
    if name.startswith("bad"):
        (tmp_path / name).write_text("not a workbook, not a parquet file\n")
    result = run("progress", plan, "--week", "5", "--actuals", str(tmp_path / name))
    assert result.code == 1
    err = result.err.replace(str(tmp_path) + "/", "")
    assert err.startswith(f"{name}: error: ")
    assert "Traceback" not in err
    if name.startswith("missing"):
        assert err == f"{name}: error: no such file\n"


def test_a_wrong_column_in_a_parquet_file_suggests_the_nearest(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    header = ["Close Date", "Owner", "Stage", "Amount"]
    write_csv(tmp_path / "x.csv", header, [[date(2026, 1, 5), "West", "Won", "5"]])
    write_parquet(tmp_path / "x.csv", tmp_path / "x.parquet", dict.fromkeys(header, "VARCHAR"))
    mapping = (
        "actuals: {file: x.parquet, date: Close Dte, node: Owner, values: {revenue: Amount}}\n"
    )
    plan = write(tmp_path, PLAN + mapping)
    result = run("progress", plan, "--week", "5")
    assert result.code == 1
    assert result.err == (
        "x.parquet: error: no column 'Close Dte' (date:) in the header"
        "; did you mean 'Close Date'? (columns: Close Date, Owner, Stage, Amount)\n"
    )


def test_parquet_globs_read_as_one_table(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    header = ["Close Date", "Owner", "Stage", "Amount"]
    types = {"Close Date": "DATE", "Owner": "VARCHAR", "Stage": "VARCHAR", "Amount": "DOUBLE"}
    (tmp_path / "exports").mkdir()
    for i, amount in enumerate(["0.1", "0.2"]):
        write_csv(tmp_path / f"p{i}.csv", header, [[date(2026, 1, 5), "陈伟", "Won", amount]])
        write_parquet(tmp_path / f"p{i}.csv", tmp_path / "exports" / f"deals-{i}.parquet", types)
    mapping = (
        "actuals: {file: exports/deals-*.parquet, date: Close Date, node: Owner,"
        " values: {revenue: Amount, deals: count}}\n"
    )
    plan = write(tmp_path, PLAN + mapping)
    result = run("progress", plan, "--week", "5", "--format", "json")
    assert result.code == 0, result.err
    chen = next(n for n in json.loads(result.out)["nodes"] if n["path"] == "East/Chen")
    assert chen["progress"]["revenue"]["actual"] == 0.3  # 0.1 + 0.2 exactly
    assert chen["progress"]["deals"]["actual"] == 2


def test_time_cells_written_as_iso(tmp_path: Path) -> None:
    plan = _load(tmp_path)
    write_xlsx(
        tmp_path / "t.xlsx",
        ["date", "node", "revenue"],
        [[datetime(2026, 1, 1) + timedelta(hours=5), "West", Decimal("0.1")]],
    )
    found = read_actuals(str(tmp_path / "t.xlsx"), "t.xlsx", plan, date(2026, 1, 1))
    assert found.direct == {("West", "revenue"): Decimal("0.1")}


def test_check_against_a_workbook_or_a_parquet_file(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    from conftest import EXAMPLES

    plan = str(EXAMPLES / "two-reps.yaml")
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Targets"
    ws.append(["Q3 targets by rep"])  # a title row above the table: not the header
    book.save(tmp_path / "t.xlsx")
    ws.delete_rows(1)
    ws.append(["node", "metric", "value"])
    ws.append(["Rep A", "revenue", 273])
    ws.append(["Rep B", "revenue", 227.0])
    book.save(tmp_path / "sheet.xlsx")
    write_parquet(
        EXAMPLES / "two-reps-sheet.csv",
        tmp_path / "sheet.parquet",
        {"node": "VARCHAR", "metric": "VARCHAR", "value": "DECIMAL(10,2)"},
    )
    own = run("check", plan, "--against", str(EXAMPLES / "two-reps-sheet.csv"), "-f", "json")
    assert own.code == 1
    expected = json.loads(own.out)
    for name in ("sheet.xlsx", "sheet.parquet"):
        found = run("check", plan, "--against", str(tmp_path / name), "-f", "json")
        assert found.code == 1, found.err
        data = json.loads(found.out)
        rows = [2, 3] if name.endswith("xlsx") else [1, 2]  # a Parquet file's rows from 1
        want = [{**d, "line": r} for d, r in zip(expected["differences"], rows, strict=True)]
        assert data["differences"] == want, name
    bad = run("check", plan, "--against", str(tmp_path / "t.xlsx"))
    assert bad.code == 1
    assert bad.err.replace(str(tmp_path) + "/", "").startswith(
        "t.xlsx:Targets:1: error: the header must be node,metric,value"
    )


def test_a_timestamp_with_time_zone_counts_by_its_date_in_utc(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import ROOT

    con = duckdb.connect()
    con.execute(
        "copy (select timestamptz '2026-01-04 23:30:00+00' as date, 'West' as node,"
        f" 'revenue' as metric, 1.5 as value) to '{tmp_path / 'tz.parquet'}' (format parquet)"
    )
    con.close()
    plan = write(tmp_path, PLAN)
    # Sunday 4 January is the end of week 1 in UTC; at UTC+14 it is already the 5th.
    result_args = ("--actuals", str(tmp_path / "tz.parquet"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "targetsplit",
            "progress",
            plan,
            "--week",
            "1",
            "-f",
            "csv",
            *result_args,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "Pacific/Kiritimati"},
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    west = next(x for x in result.stdout.splitlines() if x.startswith("West,"))
    assert west.split(",")[5] == "1.5"  # revenue_actual


def test_an_excel_error_cell_is_an_error_at_its_row(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    """The reader gives #DIV/0!, #N/A… as empty cells: a row with one counted
    as a deal worth nothing, without a word (found by an outside test)."""
    plan = write(tmp_path, PLAN)
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Deals"
    ws.append(["date", "node", "metric", "value"])
    ws.append(["2026-01-05", "West", "revenue", 7])
    ws.append(["2026-01-06", "West", "revenue", "#DIV/0!"])
    ws.append(["2026-01-07", "West", "revenue", "#N/A"])
    assert ws["D3"].data_type == "e"  # stored as Excel's error cells
    book.save(tmp_path / "e.xlsx")
    result = run("progress", plan, "--week", "5", "--actuals", str(tmp_path / "e.xlsx"))
    assert result.code == 1
    err = result.err.replace(str(tmp_path) + "/", "").splitlines()
    assert [line.split(" is not")[0] for line in err] == [
        "e.xlsx:Deals:3: error: '#DIV/0!'",
        "e.xlsx:Deals:4: error: '#N/A'",
    ]


def test_a_workbook_on_standard_input_says_to_give_the_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    plan = write(tmp_path, PLAN)
    write_xlsx(tmp_path / "w.xlsx", ["date", "node", "metric", "value"], [])
    done = subprocess.run(
        [sys.executable, "-m", "targetsplit", "progress", plan, "--week", "5", "--actuals", "-"],
        stdin=(tmp_path / "w.xlsx").open("rb"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "<stdin>:1: error: an Excel workbook (a zip), not a CSV: give it as a file named"
        " .xlsx or .parquet (standard input and other names are read as CSV)\n"
    )
