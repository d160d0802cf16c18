"""Reading CSV inputs (issue 10): actuals (`progress --actuals`) and target sheets
(`check --against`) share one grammar, track/csvfile.py. Each category of hostile
input has its cases here; the environment (pipes, standard input, memory limits)
is tested through the CLI in a subprocess."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT
from targetsplit.plan.load import parse_plan
from targetsplit.track import actuals as actuals_mod
from targetsplit.track.actuals import Actuals, ActualsError, read_actuals

JULY = """\
plan: July
period: 2026-07
metrics:
  revenue: {total: 2300}
  deals: {total: 40}
split:
  A: 1
  B: 1
"""
PLAN = parse_plan(JULY, "plan.yaml")
CUT = date(2026, 7, 31)
HEAD = "date,node,metric,value\n"
ENGINES = ["python", "duckdb"]


def read(tmp_path: Path, data: str | bytes, engine: str = "python") -> Actuals:
    path = tmp_path / "a.csv"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return read_actuals(str(path), "a.csv", PLAN, CUT, engine=engine)


def errors(tmp_path: Path, data: str | bytes, engine: str = "python") -> list[str]:
    with pytest.raises(ActualsError) as e:
        read(tmp_path, data, engine)
    return [d.render() for d in e.value.diagnostics]


def sums(a: Actuals) -> dict[tuple[str, str], str]:
    return {k: str(v) for k, v in a.direct.items()}


def cli(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args],
        input=None if stdin is None else stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def plan_file(tmp_path: Path) -> str:
    path = tmp_path / "plan.yaml"
    path.write_text(JULY, encoding="utf-8")
    return str(path)


# -- field counts: cut-short rows are errors, never a silent 1 ------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-07-01,A,revenue,1,234.5万", "a.csv:2: error: 5 fields, but the header has 4: quote"),
        ("2026-07-01,A,revenue,$1,000", "a.csv:2: error: 5 fields, but the header has 4: quote"),
        ("2026-07-01,A,revenue,5,", "a.csv:2: error: 5 fields, but the header has 4"),
        ("2026-07-01,A,revenue", "a.csv:2: error: 3 field(s), but the header has 4"),
        ("2026-07-01", "a.csv:2: error: 1 field(s), but the header has 4"),
    ],
)
def test_rows_with_more_or_fewer_fields_are_errors(
    tmp_path: Path, engine: str, row: str, message: str
) -> None:
    found = errors(tmp_path, HEAD + row + "\n", engine)
    assert found[0].startswith(message), found


def test_the_hint_says_to_quote_and_quoting_works(tmp_path: Path) -> None:
    found = errors(tmp_path, HEAD + "2026-07-01,A,revenue,1,234.5万\n")
    assert '"1,234.5万"' in found[0]
    a = read(tmp_path, HEAD + '2026-07-01,A,revenue,"1,234.5万"\n2026-07-02,A,revenue," $1,000 "\n')
    assert a.direct[("A", "revenue")] == Decimal("12346000")


def test_wide_form_field_counts(tmp_path: Path) -> None:
    found = errors(tmp_path, "date,node,revenue,deals\n2026-07-01,A,1,000,3\n")
    assert found == [
        "a.csv:2: error: 5 fields, but the header has 4: quote a value that holds a comma"
        ' ("1,234.5万", "$1,000")'
    ]


def test_a_repeated_field_count_error_is_counted_not_repeated(tmp_path: Path) -> None:
    rows = "".join(f"2026-07-{d:02d},A,revenue,1,000\n" for d in range(1, 6))
    found = errors(tmp_path, HEAD + rows)
    assert len(found) == 1 and found[0].endswith("(and on 4 more row(s))"), found


# -- the header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "date,node,revenue,revenue",
            "column 'revenue' appears twice in the header (columns 3 and 4)",
        ),
        ("date,Date,node,revenue", "column 'Date' appears twice in the header (columns 1 and 2)"),
        ("date,node,,revenue", "column 3 of the header has no name"),
        ("date;node;metric;value", "the header is separated by semicolons"),
        ("date\tnode\tmetric\tvalue", "the header is separated by tabs"),
        (
            "date,node,metric,value,comment",
            "an extra column 'comment' after date,node,metric,value",
        ),
        ("date,node,revenu", "unknown metric column 'revenu'; did you mean 'revenue'?"),
    ],
)
def test_header_errors(tmp_path: Path, header: str, message: str) -> None:
    found = errors(tmp_path, header + "\n2026-07-01,A,1,2\n")
    assert found[0] == f"a.csv:1: error: {message}" or found[0].startswith(
        f"a.csv:1: error: {message}"
    ), found


def test_a_repeated_wide_column_never_sums_both(tmp_path: Path) -> None:
    assert "appears twice" in errors(tmp_path, "date,node,revenue,revenue\n2026-07-01,A,1,2\n")[0]


def test_excel_sep_line(tmp_path: Path) -> None:
    a = read(tmp_path, "sep=,\n" + HEAD + "2026-07-01,A,revenue,5\n")
    assert a.direct == {("A", "revenue"): 5}
    found = errors(tmp_path, "sep=;\ndate;node;metric;value\n")
    assert found == [
        "a.csv:1: error: the file says sep=;: targetsplit reads comma-separated files;"
        " save it as CSV UTF-8 (comma delimited)"
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_trailing_nameless_columns_are_ignored_when_blank(tmp_path: Path, engine: str) -> None:
    data = (
        "date,node,metric,value,,\n2026-07-01,A,revenue,5,,\n" + "2026-07-02,A,revenue,6, ,\n" * 3
    )
    assert read(tmp_path, data, engine).direct == {("A", "revenue"): 23}
    found = errors(tmp_path, "date,node,metric,value,\n2026-07-01,A,revenue,5,x\n", engine)
    assert found == ["a.csv:2: error: a value ('x') in column 5, which has no name in the header"]


def test_empty_and_header_only(tmp_path: Path) -> None:
    assert errors(tmp_path, "") == [
        "a.csv:1: error: empty: expected a header such as date,node,metric,value"
    ]
    assert errors(tmp_path, "\n\n") == [
        "a.csv:1: error: empty: expected a header such as date,node,metric,value"
    ]
    assert read(tmp_path, HEAD).direct == {}


# -- blank rows, totals, CRM habits ---------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_lines_and_blank_records_are_skipped(tmp_path: Path, engine: str) -> None:
    data = HEAD + "2026-07-01,A,revenue,5\n\n,,,\n , , , \n2026-07-02,B,revenue,7\n,,,\n"
    a = read(tmp_path, data, engine)
    assert (a.direct, a.rows) == ({("A", "revenue"): 5, ("B", "revenue"): 7}, 2)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Total,,revenue,12",
            "'Total' is not a date (write YYYY-MM-DD); a totals row? leave totals out",
        ),
        ("2026-07-01,Total,revenue,12", "unknown node 'Total'"),
        ("2026-07-01,A,revenue,(1,000)", "5 fields"),
        (
            '2026-07-01,A,revenue,"(1,000)"',
            "'(1,000)' is an accounting negative; write it as -1,000",
        ),
        ("2026-07-01,A,revenue,1.234,5", "5 fields"),
        ("07/01/2026,A,revenue,5", "'07/01/2026' is not a date (write YYYY-MM-DD)"),
        ("2026-07-01,,revenue,5", "a row has no node"),
        (",A,revenue,5", "a row has no date"),
        ("2026-07-01,A,,5", "a row has no metric"),
        ("2026-07-01,A,revenue,", "a row has no value"),
    ],
)
def test_crm_export_habits_that_are_errors(tmp_path: Path, row: str, message: str) -> None:
    found = errors(tmp_path, HEAD + row + "\n")
    assert found[0].startswith(f"a.csv:2: error: {message}"), found


@pytest.mark.parametrize("engine", ENGINES)
def test_crm_export_habits_that_simply_work(tmp_path: Path, engine: str) -> None:
    data = (
        '"date","node","metric","value"\n'  # everything quoted
        '"2026-07-01","A","revenue","1,000"\n'  # a quoted number with a separator
        "2026-07-02 09:30:00,A,revenue,$500\n"  # a timestamp: its date counts
        "2026-07-03T23:59:59+08:00,A,revenue,-100\n"  # a refund, ISO timestamp
        "2026-07-04, A , revenue , 1.5万 \n"  # spaces around cells
        '2026-07-05,A,deals, "3" \n'  # spaces around a quoted cell
    )
    a = read(tmp_path, data, engine)
    assert sums(a) == {("A", "revenue"): "16400", ("A", "deals"): "3"}


def test_week_labels_read_like_the_week_option(tmp_path: Path) -> None:
    data = "week,node,metric,value\n1,A,revenue,1\nW2,A,revenue,2\n"
    data += "2026-07-W03,A,revenue,4\nw4,A,revenue,8\n"
    assert read(tmp_path, data).direct == {("A", "revenue"): 15}
    found = errors(tmp_path, "week,node,metric,value\nW99,A,revenue,1\n")
    assert found[0].startswith("a.csv:2: error: week 99 is not in the period"), found


# -- line endings, quotes over lines --------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path: Path, engine: str, eol: str) -> None:
    data = eol.join([HEAD.strip(), "2026-07-01,A,revenue,5", "2026-07-02,B,revenue,6", ""])
    assert read(tmp_path, data, engine).direct == {("A", "revenue"): 5, ("B", "revenue"): 6}


def test_mixed_line_endings_and_cr_only_errors_keep_their_lines(tmp_path: Path) -> None:
    data = (
        HEAD.strip()
        + "\r2026-07-01,A,revenue,5\r\n2026-07-02,X,revenue,6\n2026-07-03,A,revenue,7\r"
    )
    assert errors(tmp_path, data) == ["a.csv:3: error: unknown node 'X'"]


def test_an_unterminated_quote_is_placed_where_it_opens(tmp_path: Path) -> None:
    data = HEAD + '2026-07-01,A,revenue,5\n2026-07-02,"A,revenue,6\n2026-07-03,A,revenue,7\n'
    assert errors(tmp_path, data) == [
        'a.csv:3: error: a quote opened on this line is never closed (a stray " in a value?)'
    ]


def test_a_quoted_newline_is_one_record_at_its_first_line(tmp_path: Path) -> None:
    data = HEAD + '2026-07-01,"A\nB",revenue,5\n2026-07-02,A,revenue,6\n2026-07-03,Q,revenue,1\n'
    assert errors(tmp_path, data) == [
        "a.csv:2: error: unknown node 'A\\nB'",  # one line: the break shown as \n
        "a.csv:5: error: unknown node 'Q'",
    ]


def test_text_after_a_closing_quote(tmp_path: Path) -> None:
    found = errors(tmp_path, HEAD + '2026-07-01,"A"B,revenue,5\n')
    assert found[0].startswith("a.csv:2: error: text after the closing quote of field 2"), found


def test_quotes_inside_values(tmp_path: Path) -> None:
    found = errors(tmp_path, HEAD + '2026-07-01,"say ""hi""",revenue,5\n2026-07-01,a"b,revenue,5\n')
    assert found == [
        "a.csv:2: error: unknown node 'say \"hi\"'",
        "a.csv:3: error: unknown node 'a\"b'",
    ]


# -- encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_utf8_bom_is_fine(tmp_path: Path, engine: str) -> None:
    data = ("\ufeff" + HEAD + "2026-07-01,A,revenue,5万\n").encode()
    assert read(tmp_path, data, engine).direct == {("A", "revenue"): 50000}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_is_a_clear_error(tmp_path: Path, codec: str) -> None:
    data = (HEAD + "2026-07-01,A,revenue,5\n").encode(codec)
    if codec != "utf-16":
        data = ("\ufeff" + HEAD).encode(codec)
    found = errors(tmp_path, data)
    assert found[0].startswith("a.csv:1: error: UTF-16 text"), found


def test_utf16_without_a_bom_is_a_nul_error(tmp_path: Path) -> None:
    found = errors(tmp_path, (HEAD + "2026-07-01,A,revenue,5\n").encode("utf-16-le"))
    assert found[0].startswith("a.csv:1: error: a NUL byte: not a text file (UTF-16?)"), found


@pytest.mark.parametrize(
    ("codec", "byte"), [("latin-1", "0xe9"), ("gbk", "0xbb"), ("cp1252", "0x80")]
)
def test_other_encodings_are_placed_errors(tmp_path: Path, codec: str, byte: str) -> None:
    name = {"latin-1": "Zoé", "gbk": "华东", "cp1252": "€"}[codec]
    data = (HEAD + "2026-07-01,A,revenue,5\n" + f"2026-07-02,{name},revenue,5\n").encode(codec)
    found = errors(tmp_path, data)
    assert len(found) == 1 and found[0].startswith(
        f"a.csv:3: error: not UTF-8 text (byte {byte}"
    ), found
    assert "save the file as CSV UTF-8" in found[0]


def test_a_nul_byte_is_placed(tmp_path: Path) -> None:
    found = errors(tmp_path, HEAD.encode() + b"2026-07-01,A,revenue,5\x00\n")
    assert found[0].startswith("a.csv:2: error: a NUL byte"), found


# -- big cells ------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_cells_over_128_kib(tmp_path: Path, engine: str) -> None:
    huge = "x" * 200_000
    found = errors(tmp_path, HEAD + f"2026-07-01,{huge},revenue,5\n", engine)
    assert found == [f"a.csv:2: error: unknown node '{'x' * 59}…'"]
    found = errors(tmp_path, HEAD + f'2026-07-01,A,revenue,"{"9" * 300_000}"\n', engine)
    assert found[0].startswith("a.csv:2: error: '9999"), found
    assert len(found[0]) < 300


def test_a_long_node_name_from_the_plan_can_be_used(tmp_path: Path) -> None:
    name = "名" * 50_000
    plan = parse_plan(
        f"plan: P\nperiod: 2026-07\nmetrics:\n  r: {{total: 10}}\nsplit:\n  ? {name}\n  : 1\n",
        "p.yaml",
    )
    path = tmp_path / "a.csv"
    path.write_text(f"{HEAD}2026-07-01,{name},r,5\n", encoding="utf-8")
    for engine in ENGINES:
        a = read_actuals(str(path), "a.csv", plan, CUT, engine=engine)
        assert a.direct == {(name, "r"): 5}


def test_a_record_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from targetsplit.track import csvfile

    monkeypatch.setattr(csvfile, "MAX_RECORD", 1000)
    found = errors(tmp_path, HEAD + "2026-07-01,A,revenue," + "9" * 5000 + "\n")
    assert found == ["a.csv:2: error: a line longer than 0 MiB"] or "longer than" in found[0]
    found = errors(tmp_path, HEAD + '2026-07-01,A,revenue,"5\n' + "9\n" * 2000)
    assert "never closed" in found[0] and found[0].startswith("a.csv:2:"), found


# -- exactness ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_sums_are_exact(tmp_path: Path, engine: str) -> None:
    big = "999999999999999999.999999999999"
    rows = f"2026-07-01,A,revenue,{big}\n" * 2 + "2026-07-01,B,revenue,0.1\n" * 3
    a = read(tmp_path, HEAD + rows, engine)
    assert sums(a) == {
        ("A", "revenue"): "1999999999999999999.999999999998",
        ("B", "revenue"): "0.3",
    }


def test_exact_sums_through_the_cli(tmp_path: Path, plan_file: str) -> None:
    big = "999999999999999999.999999999999"
    (tmp_path / "a.csv").write_text(HEAD + f"2026-07-01,A,revenue,{big}\n" * 2, encoding="utf-8")
    r = cli(
        "progress",
        plan_file,
        "--as-of",
        "2026-07-31",
        "-a",
        str(tmp_path / "a.csv"),
        "-f",
        "csv",
        "-q",
    )
    assert r.returncode == 0, r.stderr
    assert ",1999999999999999999.999999999998," in r.stdout.splitlines()[2]


# -- at most 20 errors, in file order, each at its line -----------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_past_20_errors_and_n_more(tmp_path: Path, engine: str) -> None:
    rows = "".join(f"2026-07-01,N{i},revenue,5\n" for i in range(30))
    found = errors(tmp_path, HEAD + "2026-07-01,A,revenue,5\n" * 3 + rows, engine)
    assert len(found) == 21
    assert found[:20] == [f"a.csv:{i + 5}: error: unknown node 'N{i}'" for i in range(20)] or all(
        found[i].startswith(f"a.csv:{i + 5}: error: unknown node 'N{i}'") for i in range(20)
    )
    assert found[20] == "a.csv: error: and 10 more error(s)"


def test_errors_of_every_kind_come_in_file_order(tmp_path: Path) -> None:
    data = (
        HEAD
        + "2026-07-01,X,revenue,5\nbad,A,revenue,5\n2026-07-01,A,revenue,1,0\n2026-07-01,A,rev,5\n"
    )
    lines = [int(e.split(":")[1]) for e in errors(tmp_path, data)]
    assert lines == [2, 3, 4, 5]


# -- engines: DuckDB answers only for valid files, and answers the same -------------------


def big_valid(tmp_path: Path, rows: int = 40_000) -> Path:
    path = tmp_path / "big.csv"
    lines = [HEAD.strip()]
    for i in range(rows):
        value = ["5", "1.25", "1.2万", "-3", '"1,000"', "0.000000000001"][i % 6]
        lines.append(
            f"2026-{6 + i % 3:02d}-{1 + i % 28:02d},{'AB'[i % 2]},"
            f"{['revenue', 'deals'][i % 3 % 2]},{value}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_duckdb_answers_for_a_valid_file_and_agrees(tmp_path: Path) -> None:
    path = big_valid(tmp_path)
    assert path.stat().st_size >= actuals_mod.FAST_BYTES
    fast, _ = actuals_mod._fast(str(path), "big.csv", PLAN, CUT, lambda: None)
    assert fast is not None  # DuckDB did the work, no fall-back
    slow = read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")
    assert fast == slow
    assert sums(fast) == sums(slow)  # the very same decimals, trailing zeros and all
    assert fast.skipped > 0 and fast.warnings
    assert read_actuals(str(path), "big.csv", PLAN, CUT) == slow


def test_duckdb_takes_padded_values_and_blank_records_as_the_definition(
    tmp_path: Path,
) -> None:
    """Values with spaces around them, records of spaces (and of no-break spaces, which
    both trims take off): DuckDB answers itself, with the definition's figures."""
    path = big_valid(tmp_path, 20_000)
    extra = [
        "2026-07-01,A,revenue,  12.5 ",
        " 2026-07-02 ,B,deals, 3",
        "   ,  ,  ,  ",
        "\u00a0,,,",
        ",,,\u3000",
        "2026-07-03,A,revenue,-0.000000000001",
    ]
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(extra) + "\n")
    fast, _ = actuals_mod._fast(str(path), "big.csv", PLAN, CUT, lambda: None)
    slow = read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")
    assert fast is not None  # no fall-back
    assert sums(fast) == sums(slow) and fast == slow


def test_duckdb_sees_a_trailing_comma_itself(tmp_path: Path) -> None:
    # A record's empty field past the header's is an error DuckDB must not drop: it
    # leaves the file to the Python reader, which says where.
    path = big_valid(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n", ",\n", 300).replace(",\n", "\n", 299), encoding="utf-8")
    assert actuals_mod._fast(str(path), "big.csv", PLAN, CUT, lambda: None) == (None, None)
    assert errors(tmp_path, path.read_bytes(), "duckdb") == [
        "a.csv:300: error: 5 fields, but the header has 4: quote a value that holds a comma"
        ' ("1,234.5万", "$1,000")'
    ]
    # With a nameless column in the header, the same commas are fine, and DuckDB answers.
    path.write_text(text.replace("\n", ",\n"), encoding="utf-8")
    fast, _ = actuals_mod._fast(str(path), "big.csv", PLAN, CUT, lambda: None)
    assert fast is not None
    assert fast == read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")


def test_a_big_file_is_read_early_and_summed_once_the_plan_is_known(tmp_path: Path) -> None:
    path = big_valid(tmp_path)
    slow = read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")
    with actuals_mod.reading_early(str(path)) as early:
        assert early is not None
        found = actuals_mod.read_actuals_while(
            str(path), "big.csv", PLAN, CUT, lambda: 7, early=early
        )
        assert early.pid == 0  # it answered (nothing to stop on leaving)
    assert found == (slow, 7)
    # A file it cannot answer for: the Python reader says what is wrong, in its words.
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8").replace(",B,", ",Q,", 1), encoding="utf-8")
    with actuals_mod.reading_early(str(bad)) as early, pytest.raises(ActualsError) as e:
        actuals_mod.read_actuals_while(str(bad), "bad.csv", PLAN, CUT, lambda: 7, early=early)
    assert [d.render() for d in e.value.diagnostics] == ["bad.csv:3: error: unknown node 'Q'"]
    # Not asked for its answer (the plan was wrong): stopped and reaped on leaving.
    with actuals_mod.reading_early(str(path)) as early:
        assert early is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    # Nothing starts early for a small file, standard input, or no file at all.
    (tmp_path / "small.csv").write_text(HEAD, encoding="utf-8")
    for nothing in (tmp_path / "small.csv", "-", tmp_path / "nope.csv", tmp_path, None):
        with actuals_mod.reading_early(nothing) as early:
            assert early is None


def test_a_child_that_gives_up_still_takes_the_request(tmp_path: Path) -> None:
    # With SIGPIPE at its default (an embedding program's choice), writing the
    # request to a child that had already gone would end the parent.
    big = big_valid(tmp_path)
    script = f"""
import signal, sys, time
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_csv_inputs import PLAN, CUT
from targetsplit.track import actuals
def broken(*args):
    import duckdb
    raise duckdb.Error("no")
actuals._duck_read = broken
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
with actuals.reading_early({str(big)!r}) as early:
    time.sleep(1)  # the child has given up by now
    found = actuals.read_actuals_while({str(big)!r}, "b", PLAN, CUT, lambda: 0, early=early)
print(found[0].rows)
"""
    r = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert (r.returncode, r.stdout, r.stderr) == (0, "40000\n", "")


def test_the_child_imports_duckdbs_engine_alone(tmp_path: Path) -> None:
    # The duckdb package's Python layer is more than half of its import time; the
    # child needs only the compiled engine (_duckdb, DuckDB 1.4 on).
    big = big_valid(tmp_path, 2000)
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_csv_inputs import PLAN, CUT
from targetsplit.track import actuals
request = actuals._Request.of("b", PLAN, CUT, None)
sums = actuals._duckdb({str(big)!r}, lambda: request)
print(sums.actuals().rows, "duckdb" in sys.modules, "_duckdb" in sys.modules)
"""
    r = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert (r.returncode, r.stdout, r.stderr) == (0, "2000 False True\n", "")


def test_a_duckdb_without_its_engine_module_is_read_through_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    path = big_valid(tmp_path, 2000)
    monkeypatch.setitem(sys.modules, "_duckdb", None)  # as DuckDB before 1.4: no such module
    assert actuals_mod._engine() is duckdb
    request = actuals_mod._Request.of("big.csv", PLAN, CUT, None)
    sums = actuals_mod._duckdb(str(path), lambda: request)
    assert sums is not None
    assert sums.actuals() == read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")


def test_progress_stops_the_early_child_when_the_plan_or_a_usage_is_wrong(
    tmp_path: Path, plan_file: str
) -> None:
    from targetsplit.api.progress import progress
    from targetsplit.errors import TargetsplitError, UsageError

    big = str(big_valid(tmp_path))
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(JULY.replace("total: 2300", "total: lots"), encoding="utf-8")
    with pytest.raises(TargetsplitError) as e:
        progress(wrong, as_of="2026-07-31", actuals=big)
    assert e.value.diagnostics[0].file == str(wrong)
    with pytest.raises(UsageError):
        progress(plan_file, week=99, actuals=big)
    with pytest.raises(ChildProcessError):  # no child left behind
        os.waitpid(-1, os.WNOHANG)
    assert progress(plan_file, as_of="2026-07-31", actuals=big).actuals == big
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_progress_starts_its_actuals_child_before_the_command_line_is_parsed(
    tmp_path: Path, plan_file: str
) -> None:
    """`progress … --actuals FILE` forks DuckDB's child on FILE before typer is even
    imported, and the command takes that child (one child); a child started on a
    guess the command does not take (here the word is --as-of's value) is stopped."""
    big = str(big_valid(tmp_path))
    out = str(tmp_path / "out.csv")
    script = f"""
import os, sys
from targetsplit.track import actuals
seen = []
first = None
class Watched(actuals.Early):
    def __init__(self, path):
        global first
        first = "typer" in sys.modules if first is None else first
        seen.append((path, first))
        super().__init__(path)
actuals.Early = Watched
from targetsplit.cli.main import main
for given in (["--actuals", {big!r}], ["--actuals={big}"], ["-a{big}"], ["--as-of", "-a{big}"]):
    seen.clear()
    code = main(["progress", {plan_file!r}, "--as-of", "2026-07-31", *given, "-f", "csv",
                 "-o", {out!r}, "-q"])
    try:
        os.waitpid(-1, os.WNOHANG)
        left = "a child left"
    except ChildProcessError:
        left = "none left"
    print(code, [path == {big!r} for path, _ in seen], left)
print("typer imported before the first child:", sys.modules.get("typer") is None or first)
"""
    r = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert r.stdout.splitlines() == [
        "0 [True] none left",
        "0 [True] none left",
        "0 [True] none left",
        "2 [True] none left",
        "typer imported before the first child: False",
    ], r.stderr


def test_the_collector_makes_no_pass_after_a_command_with_an_early_child(
    tmp_path: Path, plan_file: str
) -> None:
    """Stopping a child the command did not take allocates nothing once the collector is
    back on (its first pass would walk every object the command made)."""
    big = str(big_valid(tmp_path))
    script = f"""
import gc, os, sys
import targetsplit.cli
main = sys.modules["targetsplit.cli.main"]
off = main.collector_off
def watched():
    gc.callbacks.append(lambda phase, info: phase == "start" and os.write(2, b"a pass\\n"))
    return off()
main.collector_off = watched
sys.argv = ["targetsplit", "progress", {plan_file!r}, "--as-of", "2026-07-31", "-a", {big!r},
            "-f", "csv", "-o", {str(tmp_path / "out.csv")!r}, "-q"]
main.main()
"""
    r = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert (r.returncode, r.stderr) == (0, "")


def test_other_work_runs_while_the_child_sums_and_its_failure_reaps_the_child(
    tmp_path: Path,
) -> None:
    path = big_valid(tmp_path)
    facts, done = actuals_mod.read_actuals_while(str(path), "big.csv", PLAN, CUT, lambda: 42)
    assert done == 42
    assert facts == read_actuals(str(path), "big.csv", PLAN, CUT, engine="python")

    def boom() -> None:
        raise RuntimeError("the parent's work failed")

    with pytest.raises(RuntimeError):
        actuals_mod.read_actuals_while(str(path), "big.csv", PLAN, CUT, boom)
    with pytest.raises(ChildProcessError):  # no child left behind
        os.waitpid(-1, os.WNOHANG)


def test_duckdb_killed_by_a_signal_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = big_valid(tmp_path, 2000)

    def die(*args: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(actuals_mod, "_duckdb", die)
    assert actuals_mod._fast(str(path), "big.csv", PLAN, CUT, lambda: None) == (None, None)
    assert read_actuals(str(path), "big.csv", PLAN, CUT, engine="duckdb") == read_actuals(
        str(path), "big.csv", PLAN, CUT, engine="python"
    )


# -- standard input, pipes: read once ---------------------------------------------------------


def test_actuals_from_standard_input(tmp_path: Path, plan_file: str) -> None:
    data = HEAD + "2026-07-01,A,revenue,5\n2026-07-02,B,revenue,7\n"
    for arg in ("-", "/dev/stdin"):
        r = cli(
            "progress",
            plan_file,
            "--as-of",
            "2026-07-31",
            "-a",
            arg,
            "-f",
            "csv",
            "-q",
            stdin=data.encode(),
        )
        assert r.returncode == 0, r.stderr
        actual = {row.split(",")[0]: row.split(",")[5] for row in r.stdout.splitlines()[1:]}
        assert actual == {"": "12", "A": "5", "B": "7"}, (arg, r.stdout)


def test_actuals_from_a_pipe_and_a_process_substitution(tmp_path: Path, plan_file: str) -> None:
    (tmp_path / "a.csv").write_text(HEAD + "2026-07-01,A,revenue,5\n", encoding="utf-8")
    script = (
        f"{sys.executable} -m targetsplit progress {plan_file} --as-of 2026-07-31 -a <(cat a.csv)"
        " -f csv -q"
    )
    r = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2].split(",")[5] == "5"


def test_big_actuals_from_standard_input_take_the_fast_path(tmp_path: Path, plan_file: str) -> None:
    data = big_valid(tmp_path).read_bytes()
    r = cli(
        "progress", plan_file, "--as-of", "2026-07-31", "-a", "-", "-f", "json", "-q", stdin=data
    )
    f = cli(
        "progress",
        plan_file,
        "--as-of",
        "2026-07-31",
        "-a",
        str(tmp_path / "big.csv"),
        "-f",
        "json",
        "-q",
    )
    assert r.returncode == f.returncode == 0, r.stderr
    assert r.stdout == f.stdout


def test_big_actuals_as_dev_stdin_redirected_from_a_file(tmp_path: Path, plan_file: str) -> None:
    # /dev/stdin is then a regular file: DuckDB's child reads it through its own
    # standard input (it once read /dev/null there, and every actual was 0).
    big = big_valid(tmp_path)
    args = ("progress", plan_file, "--as-of", "2026-07-31", "-f", "csv", "-q")
    with open(big, "rb") as f:
        r = subprocess.run(
            [sys.executable, "-m", "targetsplit", *args, "-a", "/dev/stdin"],
            stdin=f, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )  # fmt: skip
    named = cli(*args, "-a", str(big))
    assert r.returncode == named.returncode == 0, r.stderr
    assert r.stdout == named.stdout
    rows = [line.split(",") for line in r.stdout.splitlines()]
    assert rows[1][rows[0].index("deals_actual")] != "0"


def test_errors_from_standard_input_are_named_stdin(tmp_path: Path, plan_file: str) -> None:
    r = cli(
        "progress", plan_file, "-a", "-", "-q", stdin=(HEAD + "2026-07-01,Q,revenue,5\n").encode()
    )
    assert (r.returncode, r.stderr) == (1, "<stdin>:2: error: unknown node 'Q'\n")


def test_standard_input_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(actuals_mod, "MAX_ACTUALS_BYTES", 100)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 1000)))
    with pytest.raises(ActualsError) as e:
        read_actuals("-", "<stdin>", PLAN, CUT)
    assert e.value.diagnostics[0].render() == (
        "<stdin>: error: larger than 0 MiB; split the actuals by period"
    )


def test_plan_and_actuals_both_from_standard_input_is_a_usage_error(tmp_path: Path) -> None:
    for arg in ("-", "/dev/stdin"):
        r = cli("progress", "-", "-a", arg, "-q", stdin=JULY.encode())
        assert r.returncode == 2, r.stderr
        assert "cannot both come from standard input" in r.stderr


def test_a_sheet_from_standard_input(tmp_path: Path, plan_file: str) -> None:
    sheet = "node,revenue\nA,1150\nB,1150\n"
    r = cli("check", plan_file, "--against", "-", "-q", stdin=sheet.encode())
    assert r.returncode == 0, r.stderr + r.stdout
    r = cli("check", "-", "--against", "-", stdin=JULY.encode())
    assert r.returncode == 2 and "cannot both come from standard input" in r.stderr


# -- memory limits --------------------------------------------------------------------------


def _limited(mib: int):  # type: ignore[no-untyped-def]
    def pre() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mib * 1024**2, mib * 1024**2))

    return pre


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")
@pytest.mark.parametrize("mib", [120, 200])
def test_out_of_memory_is_one_line(tmp_path: Path, plan_file: str, mib: int) -> None:
    path = tmp_path / "emo.csv"
    path.write_text(
        HEAD + "2026-07-01,A,revenue,5\n2026-07-01," + "😀" * 8_000_000 + ",revenue,5\n",
        encoding="utf-8",
    )
    r = cli("progress", plan_file, "-w", "2", "-a", str(path), "-q", preexec_fn=_limited(mib))
    assert (r.returncode, r.stderr) == (
        1,
        f"{path}: error: out of memory reading {path}; raise the memory limit or split the"
        " actuals by period\n",
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")
def test_duckdb_short_of_memory_is_not_seen(tmp_path: Path, plan_file: str) -> None:
    # DuckDB's child cannot start its threads under this limit; the Python reader answers.
    path = big_valid(tmp_path)
    free = cli("progress", plan_file, "--as-of", "2026-07-31", "-a", str(path), "-f", "csv", "-q")
    r = cli(
        "progress",
        plan_file,
        "--as-of",
        "2026-07-31",
        "-a",
        str(path),
        "-f",
        "csv",
        "-q",
        preexec_fn=_limited(200),
    )
    assert (r.returncode, r.stderr, r.stdout) == (0, "", free.stdout)


def test_memory_error_in_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from targetsplit.track import csvfile

    def boom(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(csvfile.Records, "_records", boom)
    assert errors(tmp_path, HEAD) == [
        "a.csv: error: out of memory reading a.csv; raise the memory limit or split the actuals"
        " by period"
    ]


# -- files that are not there or not files ------------------------------------------------------


def test_missing_directory_and_unreadable(tmp_path: Path) -> None:
    for path, message in (
        (tmp_path / "nope.csv", "no such actuals file"),
        (tmp_path, "is a directory, not an actuals file"),
    ):
        with pytest.raises(ActualsError) as e:
            read_actuals(str(path), "x.csv", PLAN, CUT)
        assert e.value.diagnostics[0].render() == f"x.csv: error: {message}"


# -- sheets: the same grammar -------------------------------------------------------------------


def sheet_errors(tmp_path: Path, text: str | bytes) -> list[str]:
    from targetsplit.audit.sheets import SheetError, read_sheet

    path = tmp_path / "s.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SheetError) as e:
        read_sheet(str(path), PLAN)
    return [d.render().replace(str(path), "s.csv") for d in e.value.diagnostics]


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ("node,revenue\nA,1,150\n", "s.csv:2: error: 3 fields, but the header has 2: quote"),
        ("node,revenue\nA,$1,150\n", "s.csv:2: error: 3 fields, but the header has 2: quote"),
        ("node,metric,value\nA,revenue\n", "s.csv:2: error: 2 field(s), but the header has 3"),
        ("node,revenue,revenue\nA,1,2\n", "s.csv:1: error: column 'revenue' appears twice"),
        (
            "node,revenue\nA,1\nA,2\n",
            "s.csv:3: error: 'A' revenue is given twice: already on line 2",
        ),
        ("node;revenue\nA;1\n", "s.csv:1: error: the header is separated by semicolons"),
        (b"node,revenue\nZo\xe9,1\n", "s.csv:2: error: not UTF-8 text (byte 0xe9"),
        ("node,revenue\r\nA,1\rA,2\n", "s.csv:3: error: 'A' revenue is given twice"),
        ('node,revenue\n"A,1\n', "s.csv:2: error: a quote opened on this line is never closed"),
        ("node,revenue\n" + "".join(f"N{i},1,0\n" for i in range(25)), "s.csv:2: error: 3 fields"),
    ],
)
def test_sheet_errors(tmp_path: Path, sheet: str | bytes, message: str) -> None:
    found = sheet_errors(tmp_path, sheet)
    assert found[0].startswith(message), found


def test_sheet_reads_quoted_values_cr_only_bom_and_sep(tmp_path: Path) -> None:
    from targetsplit.audit.sheets import read_sheet

    path = tmp_path / "s.csv"
    path.write_bytes('\ufeffsep=,\rnode,revenue,\r"A","1,150",\rB,"$1,150",\r,,\r'.encode())
    name, entries = read_sheet(str(path), PLAN)
    assert [(e.line, e.name, e.value) for e in entries] == [(3, "A", 1150), (4, "B", 1150)]


def test_sheet_with_more_than_20_errors(tmp_path: Path) -> None:
    found = sheet_errors(
        tmp_path, "node,metric,value\n" + "".join(f"A,rev{i},1\n" for i in range(25))
    )
    assert len(found) == 21 and found[-1] == "s.csv: error: and 5 more error(s)"
    assert [int(f.split(":")[1]) for f in found[:20]] == list(range(2, 22))


# -- the plan's own actuals file starts early too ------------------------------------------


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("actuals: big.csv", "big.csv"),
        ("actuals:   data/big.csv  ", "data/big.csv"),
        ("actuals: big.csv\r", "big.csv"),
        ('actuals: "big.csv"', None),  # quoted: YAML's reading, not a glance
        ("actuals: big.csv # the CRM's", None),
        ("  actuals: big.csv", None),  # not the plan's own key
        ("actuals: |", None),
        ("actuals:", None),
    ],
)
def test_a_glance_at_the_plan_finds_its_actuals(
    tmp_path: Path, line: str, found: str | None
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_bytes((JULY + line + "\n").encode())
    expected = None if found is None else str(tmp_path.resolve() / found)
    assert actuals_mod._plan_actuals(str(plan)) == expected
    plan.write_bytes((JULY + line + "\n" + line + "\n").encode())
    assert actuals_mod._plan_actuals(str(plan)) is None  # twice: not a guess to make


def test_the_plans_own_big_actuals_start_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from targetsplit.api.progress import progress

    big = big_valid(tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(JULY + "actuals: big.csv\n", encoding="utf-8")
    with actuals_mod.reading_early(None, plan) as early:
        assert early is not None and early.path == str(big.resolve())
    started: list[str] = []

    class Watched(actuals_mod.Early):
        def __init__(self, path: str) -> None:
            started.append(path)
            super().__init__(path)

    monkeypatch.setattr(actuals_mod, "Early", Watched)
    assert progress(plan, as_of="2026-07-31").actuals == "big.csv"
    monkeypatch.undo()
    assert started == [str(big.resolve())]  # one child: the early one answered
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    args = ("progress", str(plan), "--as-of", "2026-07-31", "-f", "csv", "-q")
    own, given = cli(*args), cli(*args, "-a", str(big))
    assert own.returncode == given.returncode == 0, own.stderr
    assert own.stdout == given.stdout
