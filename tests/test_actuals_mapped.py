"""Actuals as exported (issue 15): a mapping from an export's columns, aliases,
dates and values as CRMs write them, encodings, globs, standard input, actuals-check."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import write
from targetsplit.track.exported import export_date, export_value

PLAN = """\
plan: T
period: 2026
metrics:
  revenue: {total: 1000000}
  deals: {total: 100}
split:
  East:
    weight: 60%
    owner: Manager Zhang
    split:
      Chen: {weight: 50%, owner: Chen Wei, aliases: [陈伟, wei.chen@example.com]}
      Liu: {weight: 50%, aliases: [Liu Yang]}
  West: {weight: 40%, owner: Manager Wang}
"""
MAPPING = """\
actuals:
  file: exports/deals-*.csv
  date: Close Date
  node: Owner
  values: {revenue: Amount, deals: count}
  where: {Stage: Closed Won}
"""
EXPORT_1 = (
    "Deal,Owner,Stage,Close Date,Amount\n"
    'D1,Chen Wei,Closed Won,2026/8/3,"1,234.5"\n'
    'D2,陈伟,Closed Won,2026年8月4日 10:00,"¥2,000"\n'
    'D3,Liu Yang,Closed Lost,2026/8/3,"5,000"\n'
    "D4,liu yang,Closed Won,2026-08-05 09:30:00,(500)\n"
    "D5,Manager Wang,Closed Won,2026.8.6,1.2万元\n"
    "D6,West,Closed Won,2026/12/30,100\n"
)
EXPORT_2 = "Stage,Owner,Close Date,Amount,Deal\nClosed Won,WEI.CHEN@example.com,2026/7/1,700,D7\n"
# The same rows kept, in our own CSV (wide form).
OWN = (
    "date,node,revenue,deals\n"
    "2026-08-03,East/Chen,1234.5,1\n"
    "2026-08-04,East/Chen,2000,1\n"
    "2026-08-05,East/Liu,-500,1\n"
    "2026-08-06,West,12000,1\n"
    "2026-12-30,West,100,1\n"
    "2026-07-01,East/Chen,700,1\n"
)


def project(tmp_path: Path) -> str:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "deals-1.csv").write_text(EXPORT_1, encoding="utf-8")
    (tmp_path / "exports" / "deals-2.csv").write_text(EXPORT_2, encoding="utf-8")
    (tmp_path / "own.csv").write_text(OWN, encoding="utf-8")
    return write(tmp_path, PLAN + MAPPING)


def actuals(run, *args: str) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    result = run("progress", *args, "--week", "32", "--format", "json")
    assert result.code == 0, result.err
    return {
        n["path"]: {m: v["actual"] for m, v in n["progress"].items()}
        for n in json.loads(result.out)["nodes"]
    }


def test_a_mapped_export_gives_the_figures_of_the_same_rows_in_our_csv(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    mapped = actuals(run, plan)
    own = actuals(run, write(tmp_path, PLAN, "own.yaml"), "--actuals", str(tmp_path / "own.csv"))
    assert mapped == own
    assert mapped["East/Chen"] == {"revenue": 3934.5, "deals": 3}
    assert mapped["East/Liu"] == {"revenue": -500, "deals": 1}
    assert mapped["West"] == {"revenue": 12000, "deals": 1}  # the December row after the cut-off


def test_the_same_keys_on_the_command_line(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    bare = write(tmp_path, PLAN, "bare.yaml")
    args = [
        "--actuals",
        str(tmp_path / "exports" / "deals-*.csv"),
        "--actuals-map",
        "date=Close Date",
        "--actuals-map",
        "node=Owner",
        "--actuals-map",
        "values={revenue: Amount, deals: count}",
        "--actuals-map",
        "where.Stage=Closed Won",
    ]
    assert actuals(run, bare, *args) == actuals(run, plan)


def test_actuals_check_shows_the_mapping(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    result = run("actuals-check", plan)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "exports/deals-1.csv, exports/deals-2.csv: 7 row(s) read, 6 kept by where"
        " (Stage = Closed Won), 0 dated outside the period"
    )
    assert "Every row kept matches a node." in result.out
    data = json.loads(run("actuals-check", plan, "-f", "json").out)
    assert data["nodes"] == [
        {"path": "East/Chen", "rows": 3, "actuals": {"revenue": 3934.5, "deals": 3}},
        {"path": "East/Liu", "rows": 1, "actuals": {"revenue": -500, "deals": 1}},
        {"path": "West", "rows": 2, "actuals": {"revenue": 12100, "deals": 2}},
    ]


def test_unmatched_owners_are_listed_by_actuals_check_and_refused_by_progress(
    tmp_path, run
) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    with open(tmp_path / "exports" / "deals-2.csv", "a", encoding="utf-8") as f:
        f.write("Closed Won,Zhao Min,2026/7/2,5,D8\nClosed Won,Zhao Min,2026/7/3,5,D9\n")
        f.write("Closed Won,Manager Zhang2,2026/7/3,5,D10\n")
    check = run("actuals-check", plan, "-f", "json")
    assert check.code == 1
    assert json.loads(check.out)["unmatched"] == [
        {"node": "Zhao Min", "rows": 2},
        {"node": "Manager Zhang2", "rows": 1},
    ]
    result = run("progress", plan, "--week", "32")
    assert result.code == 1
    assert result.err.splitlines() == [
        "exports/deals-2.csv:3: error: unknown node 'Zhao Min'; add it to a node's aliases"
        " (or leave its rows out with where:) (and on 1 more row(s))",
        "exports/deals-2.csv:5: error: unknown node 'Manager Zhang2'; add it to a node's aliases"
        " (or leave its rows out with where:)",
    ]


def test_a_wrong_column_suggests_the_nearest(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, PLAN + MAPPING.replace("Close Date", "Closing Date"))
    project_dir = tmp_path / "exports"
    project_dir.mkdir()
    (project_dir / "deals-1.csv").write_text(EXPORT_1, encoding="utf-8")
    result = run("progress", plan, "--week", "32")
    assert (result.code, result.err) == (
        1,
        "exports/deals-1.csv:1: error: no column 'Closing Date' (date:) in the header;"
        " did you mean 'Close Date'? (columns: Deal, Owner, Stage, Close Date, Amount)\n",
    )


def test_an_owner_or_alias_naming_two_nodes(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    text = Path(plan).read_text(encoding="utf-8").replace("Manager Wang", "Manager Zhang")
    Path(plan).write_text(text, encoding="utf-8")
    with open(tmp_path / "exports" / "deals-2.csv", "a", encoding="utf-8") as f:
        f.write("Closed Won,Manager Zhang,2026/7/2,5,D8\n")
    result = run("progress", plan, "--week", "32")
    assert result.code == 1
    assert "exports/deals-1.csv:6: error: unknown node 'Manager Wang'" in result.err
    assert (
        "exports/deals-2.csv:3: error: 'Manager Zhang' is the owner or an alias of 2 nodes"
        " ('East', 'West'); give each its own alias, or write paths"
    ) in result.err
    twice = write(tmp_path, PLAN.replace("aliases: [Liu Yang]", "aliases: [陈伟]"), "twice.yaml")
    result = run("check", twice)
    assert result.code == 1
    assert "error: alias '陈伟' names two nodes: 'East/Chen' and 'East/Liu'" in result.err


def test_encodings(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = project(tmp_path)
    data = EXPORT_1.encode("gb18030")
    (tmp_path / "exports" / "deals-1.csv").write_bytes(data)
    result = run("progress", plan, "--week", "32")
    assert result.code == 1
    assert result.err.startswith(
        "exports/deals-1.csv:3: error: not UTF-8 text (byte 0xb3); say the file's encoding"
        " in the mapping: encoding: gb18030 for Excel's Chinese CSV"
    )
    good = actuals(run, plan, "--actuals-map", "encoding=gb18030")
    (tmp_path / "exports" / "deals-1.csv").write_text(EXPORT_1, encoding="utf-8")
    assert good == actuals(run, plan)
    (tmp_path / "exports" / "deals-1.csv").write_bytes(
        data + b"D9,\xff\xff,Closed Won,2026/8/3,1\n"
    )
    bad = run("progress", plan, "--week", "32", "--actuals-map", "encoding=gb18030")
    assert bad.code == 1
    assert bad.err.startswith("exports/deals-1.csv:8: error: not valid gb18030 text (byte 0xff)")


def test_standard_input_with_a_mapping(tmp_path) -> None:
    plan = project(tmp_path)
    (tmp_path / "exports" / "deals-2.csv").unlink()
    args = [sys.executable, "-m", "targetsplit", "progress", plan, "--week", "32", "-f", "json"]
    piped = subprocess.run(
        [*args, "--actuals", "-"], input=EXPORT_1.encode("utf-8"), capture_output=True, check=False
    )
    direct = subprocess.run(args, capture_output=True, check=False)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == direct.stdout


def test_no_file_matches_a_glob(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, PLAN + MAPPING)
    result = run("progress", plan, "--week", "32")
    assert (result.code, result.err) == (
        1,
        "exports/deals-*.csv: error: no file matches this pattern\n",
    )


def test_bad_mapping_keys(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, PLAN + MAPPING.replace("  node: Owner\n", "  nodes: Owner\n"))
    result = run("check", plan)
    assert result.code == 1
    assert "unknown key 'nodes'; did you mean 'node'?" in result.err
    assert "'node' is required" in result.err
    bad = run("progress", write(tmp_path, PLAN, "b.yaml"), "--actuals-map", "date")
    assert bad.code == 2
    assert "--actuals-map takes KEY=VALUE" in bad.err


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-08-03", "2026-08-03"),
        ("2026/8/3", "2026-08-03"),
        ("2026.8.3", "2026-08-03"),
        ("2026年8月3日", "2026-08-03"),
        ("2026年8月3日 14:30", "2026-08-03"),
        ("2026/08/03 2:30 PM", "2026-08-03"),
        ("2026-08-03T23:30:00+08:00", "2026-08-03"),
        ("2026-08-03 14:30:00", "2026-08-03"),
    ],
)
def test_dates_as_exported(text: str, day: str) -> None:
    assert str(export_date(text)) == day


def test_day_first_or_month_first_must_be_said() -> None:
    assert "ambiguous" in str(export_date("03/08/2026"))
    assert str(export_date("03/08/2026", "day-first")) == "2026-08-03"
    assert str(export_date("03/08/2026 10:00", "month-first")) == "2026-03-08"
    assert "two-digit year" in str(export_date("3/8/26", "day-first"))
    assert "not a date" in str(export_date("2026/13/1"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.5", "1234.5"),
        ("¥1,234", "1234"),
        ("(500)", "-500"),
        ("(¥1,234.50)", "-1234.50"),
        ("1.2万元", "12000"),
        ("-1,234", "-1234"),
        ("$1,234,567.89", "1234567.89"),
    ],
)
def test_values_as_exported(text: str, value: str) -> None:
    found = export_value(text)
    assert isinstance(found, Decimal) and found == Decimal(value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.234,5", "decimal comma"),
        ("12,5", "decimal comma"),
        ("50%", "percent"),
        ("(-5)", "not a number"),
    ],
)
def test_ambiguous_values_are_refused_saying_why(text: str, why: str) -> None:
    assert why in str(export_value(text))


def test_the_crm_example_gives_the_figures_of_its_rows_in_our_csv(tmp_path, run) -> None:  # type: ignore[no-untyped-def]
    """The shipped export, converted by hand (csv module, a dict of owners) into
    our own CSV: the same progress JSON, through the week and through the year."""
    import csv

    from conftest import EXAMPLES

    owners = {
        "Zhao Min": "North/Rep Zhao",
        "赵敏": "North/Rep Zhao",
        "zhao.min@example.com": "North/Rep Zhao",
        "Sun Li": "North/Rep Sun",
        "孙丽": "North/Rep Sun",
        "Chen Wei": "South/Rep Chen",
        "陈伟": "South/Rep Chen",
        "wei.chen@example.com": "South/Rep Chen",
        "Liu Yang": "South/Rep Liu",
        "刘洋": "South/Rep Liu",
        "Manager Li": "North",
        "Manager Wang": "South",
    }
    lines = ["date,node,metric,value"]
    with open(EXAMPLES / "crm-deals-2026.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["Stage"] != "Closed Won":
                continue
            y, m, d = row["Close Date"].split()[0].split("/")
            day = f"{y}-{int(m):02d}-{int(d):02d}"
            node = owners[row["Owner"]]
            lines.append(f"{day},{node},revenue,{row['Amount'].replace(',', '')}")
            lines.append(f"{day},{node},deals,1")
    own = tmp_path / "own.csv"
    own.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (EXAMPLES / "crm-2026.yaml").read_text(encoding="utf-8")
    start, end = text.index("\nactuals:") + 1, text.index("\nsplit:") + 1
    plain = write(tmp_path, text[:start] + "actuals: own.csv\n" + text[end:])
    for cut in (["--week", "32"], ["--as-of", "2026-12-31"]):
        mapped = run("progress", str(EXAMPLES / "crm-2026.yaml"), *cut, "-f", "json")
        ours = run("progress", plain, *cut, "-f", "json")
        assert mapped.code == ours.code == 0, mapped.err + ours.err
        assert json.loads(mapped.out)["nodes"] == json.loads(ours.out)["nodes"]


def test_the_schema_has_the_mapping_and_aliases(run) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(run("schema").out)

    def forms(node: dict[str, object]) -> list[dict[str, object]]:
        inner = node.get("anyOf")
        return [f for g in inner for f in forms(g)] if isinstance(inner, list) else [node]

    mapping = next(f for f in forms(schema["properties"]["actuals"]) if f.get("type") == "object")
    assert set(mapping["properties"]) >= {
        "file",
        "date",
        "node",
        "values",
        "where",
        "encoding",
        "date_format",
    }
    assert mapping["required"] == ["date", "node", "values"]
    aliases = forms(schema["$defs"]["NodeDoc"]["properties"]["aliases"])
    assert {"type": "null"} in aliases and any(f.get("type") == "array" for f in aliases)


def test_no_early_duckdb_child_for_an_export_mapped_on_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The child reads our own CSV; an export given with --actuals-map is read by
    the mapped reader, so none is started for it (it would only be stopped)."""
    from targetsplit.cli.main import _actuals_early
    from targetsplit.track.actuals import FAST_BYTES

    big = tmp_path / "big.csv"
    row = "2026-08-03,East/Chen,revenue,1\n"
    big.write_text(
        "date,node,metric,value\n" + row * (FAST_BYTES // len(row) + 1), encoding="utf-8"
    )
    mapped = ["progress", "p.yaml", "--actuals", str(big), "--actuals-map", "date=Close Date"]
    assert _actuals_early(mapped) is None
    stop = _actuals_early(mapped[:4])
    assert stop is not None
    stop()
