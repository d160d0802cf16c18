"""progress --dimension (issue 15): each item of a plan's dimension, its target to
date (the root's, cut in the dimension's shares) against its actual (the rows
whose dimension column names it), from every source."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import write
from targetsplit.plan.actualsmap import parse_map
from targetsplit.plan.load import load_plan
from targetsplit.track.actuals import read_actuals

PLAN = """\
plan: FY2026 Sales
period: 2026
metrics:
  revenue: {total: 1200万, round: 1万}
  deals: {total: 120}
split:
  North: 50%
  South: 50%
dimensions:
  product: {High-end: 30%, Mid-range: 50%, New: 20%}
  customer: {New: 40%, Existing: 60%}
"""
MAPPING = """\
actuals:
  file: deals.csv
  date: Close Date
  node: Owner
  values: {revenue: Amount, deals: count}
  dimensions: {product: Product Line}
"""
DEALS = (
    "Close Date,Owner,Product Line,Amount\n"
    '2026-01-15,North,High-end,"1,500,000"\n'
    '2026-02-10,South,Mid-range,"2,000,000"\n'
    '2026-03-20,North,new,"600,000"\n'
    '2026-05-02,South,High-end,"900,000"\n'
    '2026-08-01,North,Mid-range,"800,000"\n'
)
ROWS = [
    (date(2026, 1, 15), "North", "High-end", 1500000),
    (date(2026, 2, 10), "South", "Mid-range", 2000000),
    (date(2026, 3, 20), "North", "new", 600000),
    (date(2026, 5, 2), "South", "High-end", 900000),
    (date(2026, 8, 1), "North", "Mid-range", 800000),
]


def project(tmp_path: Path, mapping: str = MAPPING) -> str:
    (tmp_path / "deals.csv").write_text(DEALS, encoding="utf-8")
    return write(tmp_path, PLAN + mapping)


def test_each_items_target_to_date_against_its_actual(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    result = run("progress", plan, "--as-of", "2026-06-30", "--dimension", "product", "-f", "json")
    assert result.code == 0, result.err
    items = json.loads(result.out)["items"]
    revenue = {i["item"]: i for i in items if i["metric"] == "revenue"}
    assert {k: v["actual"] for k, v in revenue.items()} == {
        "High-end": 2400000,
        "Mid-range": 2000000,
        "New": 600000,  # 'new' as exported: items are matched ignoring case
    }
    assert {k: v["target"] for k, v in revenue.items()} == {
        "High-end": 3600000,
        "Mid-range": 6000000,
        "New": 2400000,
    }
    deals = {i["item"]: i["actual"] for i in items if i["metric"] == "deals"}
    assert deals == {"High-end": 2, "Mid-range": 1, "New": 1}
    # The items add up to the whole plan's progress: target to date and actual.
    whole = run("progress", plan, "--as-of", "2026-06-30", "-f", "json")
    root = json.loads(whole.out)["nodes"][0]["progress"]
    for metric in ("revenue", "deals"):
        mine = [i for i in items if i["metric"] == metric]
        assert sum(i["target_to_date"] for i in mine) == root[metric]["target_to_date"]
        assert sum(i["actual"] for i in mine) == root[metric]["actual"]
    # At the period's end the targets to date are the dimension's targets.
    end = run("progress", plan, "--as-of", "2026-12-31", "--dimension", "product", "-f", "json")
    assert all(i["target_to_date"] == i["target"] for i in json.loads(end.out)["items"])


def test_the_table_and_csv(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    args = ("progress", plan, "--as-of", "2026-06-30", "--dimension", "product", "-m", "revenue")
    csv_out = run(*args, "-f", "csv")
    assert csv_out.out.splitlines() == [
        "dimension,item,metric,target,target_to_date,actual,attainment,gap",
        "product,High-end,revenue,3600000,1780000,2400000,1.348315,-620000",
        "product,Mid-range,revenue,6000000,2960000,2000000,0.675676,960000",
        "product,New,revenue,2400000,1190000,600000,0.504202,590000",
    ]
    table = run(*args, "-f", "plain", "-q")
    assert table.out.splitlines()[0] == "FY2026 Sales — revenue by product, through Tue 30 Jun 2026"
    assert table.out.splitlines()[4].split() == [
        "High-end",
        "360万",
        "178万",
        "240万",
        "134.8%",
        "-62万",
    ]


def test_every_source_gives_the_same_items(tmp_path: Path) -> None:
    plan = load_plan(project(tmp_path)).plan
    mapping = parse_map(
        {
            "date": "Close Date",
            "node": "Owner",
            "values": {"revenue": "Amount", "deals": "count"},
            "dimensions": {"product": "Product Line"},
        }
    )
    cut = date(2026, 6, 30)
    own = read_actuals(str(tmp_path / "deals.csv"), "deals.csv", plan, cut, mapping=mapping)
    assert own.by_item[("product", "High-end", "revenue")] == Decimal(2400000)
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Close Date", "Owner", "Product Line", "Amount"])
    for row in ROWS:
        ws.append(list(row))
    book.save(tmp_path / "deals.xlsx")
    xlsx = read_actuals(str(tmp_path / "deals.xlsx"), "deals.xlsx", plan, cut, mapping=mapping)
    assert dict(xlsx.by_item) == dict(own.by_item)
    pytest.importorskip("sqlalchemy")
    con = sqlite3.connect(tmp_path / "deals.db")
    con.execute(
        'create table deals ("Close Date" text, "Owner" text, "Product Line" text,'
        ' "Amount" numeric)'
    )
    con.executemany(
        "insert into deals values (?, ?, ?, ?)", [(d.isoformat(), o, p, a) for d, o, p, a in ROWS]
    )
    con.commit()
    con.close()
    db = parse_map(
        {
            "url": f"sqlite:///{tmp_path / 'deals.db'}",
            "table": "deals",
            "date": "Close Date",
            "node": "Owner",
            "values": {"revenue": "Amount", "deals": "count"},
            "dimensions": {"product": "Product Line"},
        }
    )
    sql = read_actuals("", "db", plan, cut, mapping=db)
    assert dict(sql.by_item) == dict(own.by_item)
    assert dict(sql.direct) == dict(own.direct)


def test_an_item_not_in_the_plan_is_an_error(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    (tmp_path / "deals.csv").write_text(DEALS.replace("Mid-range", "Midrange"), encoding="utf-8")
    result = run("progress", plan, "--as-of", "2026-06-30", "--dimension", "product")
    assert result.code == 1
    assert result.err.endswith(
        "deals.csv: error: product 'Midrange' is not one of the plan's; did you mean"
        " 'Mid-range'? (items: High-end, Mid-range, New)\n"
    )


def test_wrong_uses(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    unknown = run("progress", plan, "--dimension", "prodct", "--as-of", "2026-06-30")
    assert unknown.code == 2
    assert unknown.err == (
        "error: --dimension: no dimension 'prodct'; did you mean 'product'? (the plan's:"
        " product, customer)\n"
    )
    other = run("progress", plan, "--dimension", "customer", "--as-of", "2026-06-30")
    assert other.code == 1
    assert "needs the actuals' customer column: add dimensions: {customer: COLUMN}" in other.err
    mixed = run("progress", plan, "--dimension", "product", "--window", "month")
    assert mixed.code == 2
    book = run("progress", plan, "--dimension", "product", "-o", str(tmp_path / "p.xlsx"))
    assert book.code == 2
    assert book.err == "error: --dimension: --format xlsx is not available; give csv or json\n"
    assert not (tmp_path / "p.xlsx").exists()
    bad = project(tmp_path, MAPPING.replace("{product: Product Line}", "{produkt: Product Line}"))
    wrong = run("progress", bad, "--as-of", "2026-06-30")
    assert wrong.code == 1
    assert "unknown dimension 'produkt'; did you mean 'product'?" in wrong.err
