"""--format xlsx: workbooks read back with openpyxl, every figure compared with the
JSON output of the same command; outline levels, number formats, frozen panes,
autofilters, charts, conditional formats, properties; names always text."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest

from conftest import EXAMPLES, write
from targetsplit.report.xlsx import excel_number, number_format, sheet_name

FY = str(EXAMPLES / "fy2026.yaml")
CROSS = str(EXAMPLES / "cross-2026.yaml")
ACTUALS = str(EXAMPLES / "fy2026-actuals.csv")


def _json(run: Any, *args: str) -> Any:
    done = run(*args, "--format", "json")
    assert done.code == 0, done.err
    return json.loads(done.out, parse_float=Decimal, parse_int=Decimal)


def _book(run: Any, tmp_path: Path, *args: str, name: str = "out.xlsx") -> Any:
    out = tmp_path / name
    done = run(*args, "-o", str(out))
    assert done.code == 0, done.err
    assert done.out == ""
    return openpyxl.load_workbook(out)


def _exact(cell: Any) -> Decimal:
    """A figure cell's value as the exact decimal it stands for: a number's
    shortest text (at most 15 significant digits), or a text cell's digits."""
    value = cell.value
    assert value is not None, cell.coordinate
    if isinstance(value, str):
        return Decimal(value)
    assert isinstance(value, int | float), (cell.coordinate, value)
    return Decimal(repr(value))


def _near(cell: Any, share: Decimal | None) -> None:
    """A share cell: the nearest double of the exact share, which JSON gives to 6
    decimals."""
    if share is None:
        assert cell.value is None
        return
    assert cell.number_format == "0.0%"
    assert abs(Decimal(repr(cell.value)) - share) <= Decimal("0.0000005"), cell.coordinate


def ooxml_text(text: str) -> str:
    """A text cell as Excel reads it: ``_xHHHH_`` is the character U+HHHH (how
    the file format holds control characters; a literal ``_x`` is ``_x005F_x``),
    which openpyxl leaves undecoded."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


def _rows(ws: Any) -> tuple[list[str], list[list[Any]]]:
    rows = list(ws.iter_rows())
    return [c.value for c in rows[0]], [list(r) for r in rows[1:]]


def _check_tree(ws: Any, nodes: list[Any]) -> dict[str, list[Any]]:
    """The tree's layout: a row per node in order, names as text and indented by
    depth, outline levels, the header and name column frozen, an autofilter over
    everything; the rows by path."""
    header, rows = _rows(ws)
    assert header[0] == "node" and header[-5:] == ["owner", "due", "strategy", "note", "path"]
    assert [r[-1].value for r in rows] == [n["path"] for n in nodes]
    assert ws.freeze_panes == "B2"
    last = openpyxl.utils.get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    for r, n in zip(rows, nodes, strict=True):
        depth = int(n["depth"])
        assert r[0].value == n["name"] and r[0].data_type == "s"
        assert (r[0].alignment.indent or 0) == min(depth, 15)
        assert ws.row_dimensions[r[0].row].outline_level == min(depth, 7)
        for i, field in enumerate(("owner", "due", "strategy", "note"), len(header) - 5):
            value = r[i].value
            if field == "due" and value is not None:
                assert r[i].number_format == "yyyy-mm-dd"
                value = value.date().isoformat()
            assert value == n[field], (n["path"], field)
    assert ws.sheet_properties.outlinePr.summaryBelow is False
    return {r[-1].value: r for r in rows}


def test_allocate_every_figure_and_share_is_the_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = _json(run, "allocate", FY)
    wb = _book(run, tmp_path, "allocate", FY)
    assert wb.sheetnames == [*doc["metrics"], *(f"by {d}" for d in doc["dimensions"])]
    for metric in doc["metrics"]:
        by_path = _check_tree(wb[metric], doc["nodes"])
        for n in doc["nodes"]:
            row = by_path[n["path"]]
            assert _exact(row[1]) == n["targets"][metric]
            _near(row[2], n["shares"][metric]["of_parent"])
            _near(row[3], n["shares"][metric]["of_total"])
    root = doc["nodes"][0]["targets"]
    for dim, items in doc["dimensions"].items():
        header, rows = _rows(wb[f"by {dim}"])
        assert header[0] == dim
        assert [r[0].value for r in rows] == [it["name"] for it in items]
        for r, it in zip(rows, items, strict=True):
            for j, metric in enumerate(doc["metrics"]):
                assert _exact(r[1 + 2 * j]) == it["targets"][metric]
                share = it["targets"][metric] / root[metric]
                _near(r[2 + 2 * j], share.quantize(Decimal("0.000001")))


@pytest.mark.parametrize("by", ["half", "quarter", "month", "week"])
def test_allocate_by_every_period_figure_is_the_json(run, tmp_path: Path, by: str) -> None:  # type: ignore[no-untyped-def]
    args = ("allocate", FY, "--by", by)
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    for metric in doc["metrics"]:
        by_path = _check_tree(wb[metric], doc["nodes"])
        header = [c.value for c in next(wb[metric].iter_rows())]
        for n in doc["nodes"]:
            row = by_path[n["path"]]
            assert _exact(row[1]) == n["targets"][metric]
            periods = n["periods"][metric]
            assert header[2 : 2 + len(periods)] == list(periods)
            for j, value in enumerate(periods.values()):
                assert _exact(row[2 + j]) == value


def test_allocate_period_and_depth(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("allocate", FY, "--by", "week", "--period", "2026-Q3", "--depth", "1", "-m", "revenue")
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    assert wb.sheetnames[0] == "revenue"
    by_path = _check_tree(wb["revenue"], doc["nodes"])
    for n in doc["nodes"]:
        values = list(n["periods"]["revenue"].values())
        assert [_exact(c) for c in by_path[n["path"]][2 : 2 + len(values)]] == values


def test_allocate_node(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("allocate", FY, "--node", "East", "--by", "quarter")
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    ws = wb["revenue"]
    rows = list(ws.iter_rows(min_row=2))
    assert [r[-1].value for r in rows] == [n["path"] for n in doc["nodes"]]
    assert [ws.row_dimensions[r[0].row].outline_level for r in rows] == [
        int(n["depth"]) - 1 for n in doc["nodes"]
    ]
    assert wb.properties.title == "FY2026 National Sales — East"


def test_allocate_tiers_every_figure_is_the_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("allocate", FY, "--tiers")
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    for metric in doc["metrics"]:
        by_path = _check_tree(wb[metric], doc["nodes"])
        header = [c.value for c in next(wb[metric].iter_rows())]
        assert header[2:5] == ["floor (80%)", "target (100%)", "stretch (120%)"]
        for n in doc["nodes"]:
            row = by_path[n["path"]]
            assert _exact(row[1]) == n["targets"][metric]
            tiers = n["tiers"][metric]
            assert [_exact(c) for c in row[2 : 2 + len(tiers)]] == list(tiers.values())


def test_allocate_cross_every_cell_is_the_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("allocate", CROSS, "--cross", "product")
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    for metric in doc["metrics"]:
        by_path = _check_tree(wb[metric], doc["nodes"])
        header = [c.value for c in next(wb[metric].iter_rows())]
        for n in doc["nodes"]:
            cells = n["cross"]["product"]
            assert header[2 : 2 + len(cells)] == list(cells)
            row = by_path[n["path"]]
            assert _exact(row[1]) == n["targets"][metric]
            for j, item in enumerate(cells.values()):
                assert _exact(row[2 + j]) == item[metric]


def test_document_properties(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from targetsplit import __version__

    wb = _book(run, tmp_path, "allocate", FY, "--tier", "stretch")
    props = wb.properties
    assert props.title == "FY2026 National Sales"
    assert props.subject.startswith("2026 (2026-01-01 .. 2026-12-31), tier stretch")
    assert props.description == f"generated by targetsplit {__version__}"
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        custom = z.read("docProps/custom.xml").decode()
    assert f"targetsplit {__version__}" in custom


# --- number formats: what Excel shows ------------------------------------------------


def excel_shows(value: Decimal, fmt: str) -> str:
    """What Excel displays for ``value`` under the formats number_format makes
    (one section): ``#,##0`` groups thousands, each comma after the last digit
    placeholder divides by 1,000, ``0!.`` puts a literal point among the integer
    digits, ``.00`` gives decimals (Excel rounds half away from zero), a quoted
    suffix follows. A negative value gets a minus sign (one-section format)."""
    m = re.fullmatch(r'(#,##0|0!\.)(0*)(?:\.(0+))?(,*)(?:"(.*)")?', fmt)
    assert m, fmt
    lead, literal, places, commas, suffix = m.groups()
    scaled = abs(value).scaleb(-3 * len(commas))
    if lead == "0!.":  # every placeholder an integer digit: rounded to a whole number
        digits = str(int(scaled.to_integral_value(rounding="ROUND_HALF_UP")))
        digits = digits.rjust(len(literal) + 1, "0")
        text = digits[: -len(literal)] + "." + digits[-len(literal) :]
    else:
        n = len(places or "")
        q = scaled.quantize(Decimal(1).scaleb(-n), rounding="ROUND_HALF_UP")
        whole, _, frac = f"{q:f}".partition(".")
        text = f"{int(whole):,}" + ("." + frac if n else "")
    return ("-" if value < 0 else "") + text + (suffix or "")


@pytest.mark.parametrize(
    ("value", "display", "shown"),
    [
        ("0", "full", "0"),
        ("1234.5", "full", "1,234.5"),
        ("-1234.25", "full", "-1,234.25"),
        ("0.000001", "full", "0.000001"),
        ("9999", "cn", "9,999"),
        ("12345", "cn", "1.2345万"),
        ("15000", "cn", "1.5万"),
        ("120000", "cn", "12.0万"),
        ("36000000", "cn", "3600.0万"),
        ("-12345", "cn", "-1.2345万"),
        ("12345.67", "cn", "12,345.67"),
        ("120000000", "cn", "1.20亿"),
        ("123450000", "cn", "1.23450亿"),
        ("123456789", "cn", "12345.6789万"),
        ("999", "short", "999"),
        ("1500", "short", "1.5k"),
        ("1234567", "short", "1.234567M"),
        ("2000000000", "short", "2B"),
        ("1234.5", "short", "1.2345k"),
    ],
)
def test_number_formats_show_the_exact_figure(value: str, display: str, shown: str) -> None:
    from targetsplit.numbers.amounts import format_amount

    v = Decimal(value)
    text = excel_shows(v, number_format(v, display))  # type: ignore[arg-type]
    assert text == shown
    if display != "cn":  # byte for byte what the plain table shows
        assert text == format_amount(v, display)  # type: ignore[arg-type]
    # whatever the display, the value shown is the figure, exactly
    scale = {"万": 4, "亿": 8, "k": 3, "M": 6, "B": 9}.get(text[-1], 0)
    assert Decimal(text.rstrip("万亿kMB").replace(",", "")).scaleb(scale) == v


def test_every_figure_of_a_plan_shows_exactly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each figure cell of the example workbooks, under its own number format."""
    for plan in (FY, CROSS, str(EXAMPLES / "china-2026.yaml")):
        wb = _book(run, tmp_path, "allocate", plan, "--by", "month")
        for ws in wb.worksheets:
            for row in ws.iter_rows(min_row=2):
                for c in row:
                    if c.data_type == "n" and c.value is not None and c.number_format != "0.0%":
                        v = Decimal(repr(c.value))
                        text = excel_shows(v, c.number_format)
                        scale = {"万": 4, "亿": 8, "k": 3, "M": 6, "B": 9}.get(text[-1], 0)
                        digits = text.rstrip("万亿kMB").replace(",", "")
                        assert Decimal(digits).scaleb(scale) == v, (c.coordinate, text)


def test_more_than_15_digits_is_text_with_a_note(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: Big\nperiod: 2026\nmetrics:\n  revenue:\n    total: 123456789012345678\n"
        "split:\n  A: 1\n  B: 2\n",
    )
    doc = _json(run, "allocate", plan)
    wb = _book(run, tmp_path, "allocate", plan)
    ws = wb["revenue"]
    for r, n in zip(list(ws.iter_rows(min_row=2)), doc["nodes"], strict=True):
        value = n["targets"]["revenue"]
        assert _exact(r[1]) == value
        if len(str(value).strip("0").replace(".", "")) > 15:
            assert r[1].data_type == "s" and r[1].value == str(value)
            assert "15 significant digits" in r[1].comment.text
        else:
            assert r[1].data_type == "n"
    assert excel_number(Decimal("123456789012345")) == 123456789012345
    assert excel_number(Decimal("1234567890123456")) is None
    assert excel_number(Decimal("0.1")) == 0.1
    assert excel_number(Decimal("1.5E+20")) == 1.5e20


HOSTILE = [
    "=1+2",
    "+A1",
    "@SUM(1)",
    "-2+3",
    '=HYPERLINK("x","y")',
    "a\x01b\x1fc",
    "_x0041_",
    "销售一部",
    "1e5",
    "2026-01-01",
    "x" * 2000,
]


def test_hostile_names_stay_text(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keys = "".join(f"  ? {json.dumps(name)}\n  : 1\n" for name in HOSTILE)
    plan = write(
        tmp_path,
        "plan: \"=cmd|' /C calc'!A0\"\nperiod: 2026\nmetrics:\n  revenue:\n    total: 1100\n"
        f"split:\n{keys}",
    )
    doc = _json(run, "allocate", plan)
    wb = _book(run, tmp_path, "allocate", plan)
    ws = wb["revenue"]
    names = [r[0] for r in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in names)
    # As Excel reads them: the shared strings of column A, decoded as the format says.
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
        shared = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    strings = [ooxml_text("".join(t.text or "" for t in si.iter(f"{ns}t"))) for si in shared]
    column_a = re.findall(r'<c r="A(\d+)"[^>]* t="s"[^>]*><v>(\d+)</v>', sheets[0])
    read = [strings[int(v)] for row, v in column_a if row != "1"]
    assert read == [n["name"] for n in doc["nodes"]]
    assert read[1:] == HOSTILE
    assert not any("<f>" in s for s in sheets)  # no formula anywhere


def test_sheet_names_are_made_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("revenue", taken) == "revenue"
    assert sheet_name("Revenue", taken) == "Revenue (2)"
    assert sheet_name("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 27 + " (2)"
    assert sheet_name("History", taken) == "History (2)"


# --- where a workbook goes -------------------------------------------------------------


def test_not_to_a_terminal(tmp_path: Path) -> None:
    """Binary never goes to a terminal: exit 2 with a hint, nothing written."""
    main, sub = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "targetsplit", "allocate", FY, "--format", "xlsx"],
            stdout=sub,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(sub)
    os.set_blocking(main, False)
    try:
        written = os.read(main, 1000)
    except OSError:  # nothing there (EIO: the other side is closed)
        written = b""
    os.close(main)
    assert done.returncode == 2
    assert "not to a terminal" in done.stderr and "-o FILE.xlsx" in done.stderr
    assert written == b""


def test_to_a_pipe(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "targetsplit", "allocate", FY, "--format", "xlsx"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / "piped.xlsx").write_bytes(done.stdout)
    assert openpyxl.load_workbook(tmp_path / "piped.xlsx").sheetnames[0] == "revenue"


@pytest.mark.parametrize("fmt", ["csv", "table", "json"])
def test_an_xlsx_file_gets_a_workbook_or_nothing(run, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    done = run("allocate", FY, "--format", fmt, "-o", str(out))
    assert done.code == 2
    assert done.err == (
        f"error: --output {out} is an xlsx file, and --format {fmt} was asked for"
        " (nothing was written); drop --format, or name another file\n"
    )
    assert not out.exists()


def test_not_for_every_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    done = run("explain", FY, "East/Group 1", "-o", str(out))
    assert done.code == 2
    assert done.err == (
        f"error: --output {out}: the xlsx format is not available for this command yet"
        " (nothing was written); write .csv or .json instead\n"
    )
    assert not out.exists()


def test_never_over_an_input_and_atomic(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.xlsx"
    plan.write_text(Path(FY).read_text(encoding="utf-8"), encoding="utf-8")
    done = run("allocate", str(plan), "-o", str(plan))
    assert done.code == 1
    assert "refusing to write over it" in done.err
    assert plan.read_text(encoding="utf-8") == Path(FY).read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]  # no temporary file left


def test_xlsxwriter_is_loaded_only_for_a_workbook(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from targetsplit.cli.main import main\n"
        f"main(['allocate', {FY!r}, '-f', 'json', '-o', {str(tmp_path / 'a')!r}])\n"
        "print('xlsxwriter' in sys.modules)\n"
        f"main(['allocate', {FY!r}, '-o', {str(tmp_path / 'a.xlsx')!r}])\n"
        "print('xlsxwriter' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["False", "True"], done.stderr


# --- progress --------------------------------------------------------------------------

PROGRESS = ("progress", FY, "--week", "32", "-a", ACTUALS, "-q")
FIGURES = (
    "target",
    "target_to_date",
    "actual",
    "attainment",
    "attainment_full",
    "gap",
    "remaining",
    "needed_per_week",
    "projection",
    "status",
    "rank",
    "tier",
)
SHARES = ("attainment", "attainment_full")


def _check_figures(cells: list[Any], figures: dict[str, Any], rank: Any = None) -> None:
    """A row's figure cells (in FIGURES' order) against a node's JSON figures."""
    for cell, name in zip(cells, FIGURES, strict=True):
        want = figures[name]
        if name == "rank" and rank is not None:
            want = rank
        if name in SHARES:
            _near(cell, want)
        elif name in ("status", "tier"):
            assert cell.value == want and (want is None or cell.data_type == "s")
        elif want is None:
            assert cell.value is None, (cell.coordinate, name)
        else:
            assert _exact(cell) == want, (cell.coordinate, name)


@pytest.mark.parametrize(
    "extra", [[], ["--depth", "1"], ["--sort", "rank"], ["--node", "East"], ["--window", "month"]]
)
def test_progress_every_figure_is_the_json(run, tmp_path: Path, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    doc = _json(run, *PROGRESS, *extra)
    wb = _book(run, tmp_path, *PROGRESS, *extra)
    assert wb.sheetnames == ["Summary", *doc["metrics"]]
    for metric in doc["metrics"]:
        ws = wb[metric]
        header, rows = _rows(ws)
        assert header[1:13] == [
            "target",
            "target to date",
            "actual",
            "attainment",
            "attainment (full)",
            "gap",
            "remaining",
            "needed/wk",
            "projection",
            "status",
            "rank",
            "tier",
        ]
        by_path = _check_tree(ws, doc["nodes"]) if not extra or extra[0] != "--node" else None
        base = int(doc["nodes"][0]["depth"])
        for r, n in zip(rows, doc["nodes"], strict=True):
            assert r[-1].value == n["path"] and r[0].value == n["name"]
            assert ws.row_dimensions[r[0].row].outline_level == int(n["depth"]) - base
            _check_figures(r[1:13], n["progress"][metric])
        assert by_path is None or len(by_path) == len(doc["nodes"])
        # status coloured by conditional formats, attainment with data bars
        rules = {
            str(cf.sqref): [(rule.type, rule.operator, rule.formula) for rule in cf.rules]
            for cf in ws.conditional_formatting
        }
        last = len(rows) + 1
        assert sorted(rules[f"K2:K{last}"]) == sorted(
            ("cellIs", "equal", [f'"{w}"']) for w in ("red", "yellow", "green")
        )
        assert rules[f"E2:E{last}"] == [("dataBar", None, [])]
        assert ws["E2"].number_format == "0.0%"


def test_progress_summary_and_charts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = _json(run, *PROGRESS)
    wb = _book(run, tmp_path, *PROGRESS)
    ws = wb["Summary"]
    cells = {r[0].value: r for r in ws.iter_rows() if r[0].value is not None}
    cut = doc["cutoff"]
    assert cells["cut-off"][1].value.date().isoformat() == cut["date"]
    assert cells["through week"][1].value == cut["week"]
    assert cells["working days done"][1].value == cut["workdays_done"]
    assert cells["working days in the period"][1].value == cut["workdays_total"]
    assert abs(_exact(cells["weeks left"][1]) - cut["weeks_left"]) <= Decimal("0.005")
    root = doc["nodes"][0]
    for metric in doc["metrics"]:
        title = next(k for k in cells if str(k).startswith(metric))
        _check_figures(cells[title][1:13], {**root["progress"][metric], "rank": None})
    # the root's children's attainment
    kids = [n for n in doc["nodes"] if n["depth"] == 1]
    for n in kids:
        for j, metric in enumerate(doc["metrics"], 1):
            _near(cells[n["name"]][j], n["progress"][metric]["attainment"])
    # the burn-up: cumulative targets are allocate --by week's weeks, summed; the
    # actuals through a week's end are progress --week N's
    weeks = _json(run, "allocate", FY, "--by", "week")["nodes"][0]["periods"]
    for metric_no, metric in enumerate(doc["metrics"]):
        running = Decimal(0)
        for label, value in weeks[metric].items():
            running += value
            row = cells[label]
            assert _exact(row[2 + 2 * metric_no]) == running, label
    for week in (1, 10, 31, 32):
        at = _json(run, "progress", FY, "--week", str(week), "-a", ACTUALS, "-q")["nodes"][0]
        row = cells[f"2026-W{week:02d}"]
        for metric_no, metric in enumerate(doc["metrics"]):
            assert _exact(row[3 + 2 * metric_no]) == at["progress"][metric]["actual"]
    assert cells["2026-W33"][3].value is None  # after the cut-off: no actual
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [z.read(n).decode() for n in charts]
    assert len(charts) == len(doc["metrics"]) + 1
    lines = [x for x in xml if "<c:lineChart>" in x]
    assert len(lines) == len(doc["metrics"])
    assert "Summary!$C$" in lines[0] and "Summary!$D$" in lines[0]  # target and actual
    bars = [x for x in xml if "<c:barChart>" in x]
    assert len(bars) == 1 and '<c:barDir val="bar"/>' in bars[0]


def test_progress_leaderboard(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = (*PROGRESS, "--leaderboard")
    doc = _json(run, *args)
    wb = _book(run, tmp_path, *args)
    for metric in doc["metrics"]:
        board = [b for b in doc["leaderboard"] if b["metric"] == metric]
        ws = wb[metric]
        _, rows = _rows(ws)
        assert [r[-1].value for r in rows] == [b["path"] for b in board]
        for r, b in zip(rows, board, strict=True):
            assert r[0].value == b["name"]
            assert ws.row_dimensions[r[0].row].outline_level == 0
            _check_figures(r[1:13], b)


def burnup_rows(path: Path) -> list[tuple[object, ...]]:
    """The cells of a progress workbook's burn-up rows (one per week of 2026)."""
    ws = openpyxl.load_workbook(path)["Summary"]
    return [
        tuple(c.value for c in r)
        for r in ws.iter_rows()
        if isinstance(r[0].value, str) and r[0].value.startswith("2026-W")
    ]


def test_progress_from_standard_input(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Actuals read once (standard input): the burn-up is the same as the file's,
    week by week (the weeks are summed as the rows are read)."""
    out, again = tmp_path / "p.xlsx", tmp_path / "file.xlsx"
    text = Path(ACTUALS).read_text(encoding="utf-8")
    done = run("progress", FY, "--week", "32", "-a", "-", "-q", "-o", str(out), stdin=text)
    assert done.code == 0, done.err
    done = run("progress", FY, "--week", "32", "-a", ACTUALS, "-q", "-o", str(again))
    assert done.code == 0, done.err

    weeks = burnup_rows(out)
    assert len(weeks) == 53 and weeks == burnup_rows(again)
    assert weeks[30][3] is not None and weeks[31][3] is not None  # W31, W32: actuals
    assert weeks[32][3] is None  # W33: after the cut-off


# --- review and check --against ---------------------------------------------------------

REVIEW = ("review", FY, "--period", "2026-H1", "-a", ACTUALS, "-q")


@pytest.mark.parametrize("extra", [[], ["--depth", "1"], ["--sort", "rank"]])
def test_review_every_figure_is_the_json(run, tmp_path: Path, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    doc = _json(run, *REVIEW, *extra)
    wb = _book(run, tmp_path, *REVIEW, *extra)
    assert wb.sheetnames == ["Summary", *doc["metrics"]]
    for metric in doc["metrics"]:
        ws = wb[metric]
        header, rows = _rows(ws)
        assert header[1:7] == ["target", "actual", "attainment", "difference", "tier", "rank"]
        _check_tree(ws, doc["nodes"])
        for r, n in zip(rows, doc["nodes"], strict=True):
            f = n["review"][metric]
            assert _exact(r[1]) == f["target"] and _exact(r[2]) == f["actual"]
            _near(r[3], f["attainment"])
            assert _exact(r[4]) == f["difference"]
            assert r[5].value == f["tier"] and r[6].value == f["rank"]
        rules = {
            str(cf.sqref): [rule.type for rule in cf.rules] for cf in ws.conditional_formatting
        }
        assert rules[f"D2:D{len(rows) + 1}"] == ["dataBar"]
        assert rules[f"E2:E{len(rows) + 1}"] == ["cellIs", "cellIs"]
    # the summary: tiers per level, the standouts, as the JSON has them
    ws = wb["Summary"]
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    summary = doc["summary"]
    start = cells.index(["metric", "level", "nodes", "stretch", "target", "floor", "none",
                         "no target", *[None] * (len(cells[0]) - 8)])  # fmt: skip
    for i, t in enumerate(summary["tiers"], start + 1):
        row = cells[i]
        assert row[0] == t["metric"] and row[2] == t["nodes"]
        assert row[3:6] == [t["reached"][k] for k in ("stretch", "target", "floor")]
        assert row[6:8] == [t["none"], t["no_target"]]
    rows = list(ws.iter_rows())
    first = [r[0].value for r in rows].index("Largest shortfalls") + 2
    for r, s in zip(rows[first:], summary["shortfalls"], strict=False):
        assert [r[0].value, r[1].value, r[2].value] == [s["metric"], s["name"], s["path"]]
        assert _exact(r[3]) == s["target"] and _exact(r[4]) == s["actual"]
        _near(r[5], s["attainment"])
        assert _exact(r[6]) == s["difference"] and r[7].value == s["tier"]


def test_check_against_differences(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = (
        "check",
        str(EXAMPLES / "two-reps.yaml"),
        "--against",
        str(EXAMPLES / "two-reps-sheet.csv"),
    )
    done = run(*args, "--format", "json")
    doc = json.loads(done.out, parse_float=Decimal, parse_int=Decimal)
    out = tmp_path / "check.xlsx"
    assert run(*args, "-o", str(out)).code == 1  # differences: exit 1, the workbook written
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "revenue"]
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows()}
    assert summary["figures checked"] == doc["checked"] == 2
    assert summary["agrees"] == "no"
    _, rows = _rows(wb["revenue"])
    assert len(rows) == len(doc["differences"])
    for r, d in zip(rows, doc["differences"], strict=True):
        assert r[-1].value == d["node"] and r[0].value == d["node"]
        assert [_exact(r[1]), _exact(r[2]), _exact(r[3])] == [
            d["sheet"],
            d["computed"],
            d["difference"],
        ]
        assert r[4].value == d["cause"] and r[5].value == d["line"]


def test_check_without_against_writes_no_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    done = run("check", FY, "-o", str(out))
    assert done.code == 2 and "xlsx format is not available" in done.err
    assert not out.exists()


@pytest.mark.parametrize("name", ["t.csv", "t.json", "t.md", "t.txt"])
def test_a_workbook_is_never_written_into_a_text_file(run, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    """The other way round (found by an outside test): -f xlsx -o out.csv wrote a
    binary workbook into the .csv file."""
    out = tmp_path / name
    done = run("allocate", FY, "--format", "xlsx", "-o", str(out))
    assert done.code == 2
    wanted = {"md": "markdown", "txt": "plain"}.get(name[2:], name[2:])
    assert done.err == (
        f"error: --output {out} is a {wanted} file, and --format xlsx writes a binary"
        " workbook (nothing was written); name a .xlsx file, or drop --format\n"
    )
    assert not out.exists()


# --- the README's commands, and hostile text in every part ----------------------------


def _readme_commands() -> list[list[str]]:
    import shlex

    from conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():  # continued lines joined
            if re.match(r"targetsplit (allocate|progress|review|check)\b", line.strip()):
                words, keep, skip = shlex.split(line)[1:], [], False
                for w in words:
                    if skip or w in ("--output", "-o", "--format", "-f"):
                        skip = not skip
                        continue
                    keep.append(w)
                out.append(keep)
    return out


def test_the_readme_commands_write_workbooks(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each README example of allocate, progress, review and check with -o x.xlsx:
    a workbook, every figure shown exactly by its number format."""
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    commands = _readme_commands()
    written = 0
    for args in commands:
        out = tmp_path / "x.xlsx"
        done = (
            run(*args, "-q", "-o", str(out)) if args[0] != "check" else run(*args, "-o", str(out))
        )
        if done.code == 2 and "--format xlsx is not available" in done.err:
            continue  # a view with no workbook yet (progress --dimension): refused, none written
        assert done.code in (0, 1), (args, done.err)  # check: 1 when the sheet differs
        if not out.exists():  # an example that needs what is not here (a database, an export)
            assert done.code == 1 and "error" in done.err, args
            continue
        written += 1
        for ws in openpyxl.load_workbook(out).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "n" and c.value is not None and "0" in c.number_format:
                        if c.number_format in ("0.0%", "General", "yyyy-mm-dd"):
                            continue
                        v = Decimal(repr(c.value))
                        text = excel_shows(v, c.number_format)
                        scale = {"万": 4, "亿": 8, "k": 3, "M": 6, "B": 9}.get(text[-1], 0)
                        digits = text.rstrip("万亿kMB").replace(",", "")
                        assert Decimal(digits).scaleb(scale) == v, (args, c.coordinate)
        out.unlink()
    assert written >= 20


def test_hostile_text_in_every_part_of_a_progress_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Controls in the title and names: every XML part still parses (charts and
    properties included), no raw control character anywhere, names as text."""
    plan = write(
        tmp_path,
        'plan: "T\\x01itle =1+2"\nperiod: 2026\nmetrics:\n  revenue:\n    total: 1000\n'
        'split:\n  "=A\\x02": 1\n  "@SUM(1)": 1\n',
    )
    actuals = write(tmp_path, 'date,node,metric,value\n2026-01-05,"@SUM(1)",revenue,10\n', "a.csv")
    out = tmp_path / "p.xlsx"
    done = run("progress", plan, "--week", "3", "-a", actuals, "-q", "-o", str(out))
    assert done.code == 0, done.err
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            data = z.read(name)
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data), name
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(data)
        assert any(b"<c:lineChart>" in z.read(n) for n in z.namelist() if "charts/" in n)
    wb = openpyxl.load_workbook(out)
    names = [r[0].value for r in wb["revenue"].iter_rows(min_row=2)]
    assert [ooxml_text(n) for n in names] == ["T\x01itle =1+2", "=A\x02", "@SUM(1)"]
    assert wb.properties.title == "T\\x01itle =1+2"  # made visible: XML cannot hold it
