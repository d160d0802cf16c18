"""JSON written in one pass: byte for byte what the generic writer gave (golden
files made by it), to stdout and to --output, and the pieces it is made of."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT
from targetsplit.numbers.amounts import EXACT, decimal_text, round_fraction
from targetsplit.report import jsonout, textsafe
from targetsplit.report.jsonout import Rows, dumps, fraction_text, obj, scalar, stream, template

GOLDEN = ROOT / "tests" / "golden"
ODD = str(GOLDEN / "odd-names.yaml")

CASES = [
    (["allocate", str(EXAMPLES / "fy2026.yaml"), "--by", "month"], "allocate-fy2026-month.json"),
    (["allocate", ODD, "--by", "week"], "allocate-odd-names-week.json"),
    (["progress", str(EXAMPLES / "fy2026.yaml"), "--week", "32"], "progress-fy2026-w32.json"),
    (
        [
            "progress",
            ODD,
            "--as-of",
            "2026-05-13",
            "--actuals",
            str(GOLDEN / "odd-names-actuals.csv"),
        ],
        "progress-odd-names-0513.json",
    ),
]


@pytest.mark.parametrize(("args", "golden"), CASES)
def test_json_golden_to_stdout_and_to_a_file(run, tmp_path: Path, args, golden) -> None:  # type: ignore[no-untyped-def]
    expected = (GOLDEN / golden).read_text(encoding="utf-8")
    result = run(*args, "--format", "json", "--quiet")
    assert result.code == 0, result.err
    assert result.out == expected
    out = tmp_path / "out.json"
    assert run(*args, "--format", "json", "--quiet", "--output", str(out)).code == 0
    assert out.read_bytes() == expected.encode("utf-8")


def test_allocate_json_of_chosen_periods_and_depth(run) -> None:  # type: ignore[no-untyped-def]
    full = run("allocate", ODD, "--format", "json", "--quiet", "--by", "quarter").out
    part = run("allocate", ODD, "--format", "json", "--quiet", "--period", "2026-Q4").out
    assert '"2026-Q4"' in part and '"2026-Q3"' not in part
    assert '"2026-Q3"' in full
    shallow = run("allocate", ODD, "--format", "json", "--quiet", "--depth", "1").out
    assert '"East West/B"' not in shallow


DOCS = [
    {},
    {"a": 1, "rows": Rows([], str)},
    {"rows": Rows([1, 2], lambda i: obj(("x", "y"), 2, [str(i), "null"])), "after": {"k": [1]}},
    {"t": 'q"\u202e\n', "d": date(2026, 1, 2), "n": None, "b": True, "x": Decimal("1.50")},
]


@pytest.mark.parametrize("doc", DOCS)
def test_stream_is_dumps_in_pieces(doc) -> None:  # type: ignore[no-untyped-def]
    plain = {
        k: [{"x": i, "y": None} for i in v.items] if isinstance(v, Rows) else v
        for k, v in doc.items()
    }
    assert "".join(stream(doc)) == dumps(plain)


def test_obj_and_scalar_are_what_dumps_writes() -> None:
    value = {"a": Decimal("-0.10"), "b": "é\u2028", "c": None, "d": date(2026, 3, 4), "e": 7}
    inner = obj(tuple(value), 1, [scalar(v) for v in value.values()])
    assert obj(("k",), 0, [inner]) + "\n" == dumps({"k": value})
    assert obj((), 3, []) == "{}"


@given(st.integers(-(10**15), 10**15), st.integers(-(10**9), 10**9).filter(bool))
def test_fraction_text_is_the_rounded_share(num: int, den: int) -> None:
    assert fraction_text(num, den) == decimal_text(round_fraction(Fraction(num, den)))


def test_fraction_text_rounds_half_to_even() -> None:
    assert fraction_text(1, 8 * 10**6 // 5) == decimal_text(round_fraction(Fraction(5, 8 * 10**6)))
    assert fraction_text(5, 10**7) == "0"  # 0.0000005 -> 0.000000 (even)
    assert fraction_text(15, 10**7) == "0.000002"
    assert fraction_text(-15, 10**7) == "-0.000002"


@given(st.text())
def test_the_fast_safety_check_agrees_with_the_pattern(text: str) -> None:
    assert textsafe._needs_escape(text) == (textsafe._NEEDS_ESCAPE.search(text) is not None)


@pytest.mark.parametrize("ch", ["\x00", "\t", "\x7f", "\x85", "\u00ad", "\u202e", "\U000e0001"])
def test_the_fast_safety_check_finds_each_kind(ch: str) -> None:
    assert textsafe._needs_escape("ok\n" + ch) and textsafe._needs_escape("中" + ch)


def test_template_is_obj_for_ints() -> None:
    keys = ("2026-W01", "a{0}b", "}{", "%s")
    assert template(keys, 4).format(1, -2, 30, 0) == obj(keys, 4, ["1", "-2", "30", "0"])
    assert template((), 2).format() == obj((), 2, [])


@given(
    st.lists(st.integers(-(10**20), 10**20), max_size=5),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_scaled_texts_are_the_decimal_texts(nums: list[int], twos: int, fives: int) -> None:
    den = 2**twos * 5**fives
    # Divided in the exact context: the default one keeps 28 digits and would round
    # 40960000000000000001 / 4096 (hypothesis found it).
    expected = [decimal_text(EXACT.divide(Decimal(n), Decimal(den))) for n in nums]
    assert jsonout.scaled_texts(nums, den) == expected


@given(st.lists(st.tuples(st.integers(-(10**15), 10**15), st.integers(-(10**9), 10**9))))
def test_share_texts_are_fraction_texts(pairs: list[tuple[int, int]]) -> None:
    expected = [fraction_text(n, d) if d else "null" for n, d in pairs]
    assert jsonout.share_texts([n for n, _ in pairs], [d for _, d in pairs]) == expected


@given(st.text())
def test_strings_are_what_json_writes_with_the_unsafe_escaped(text: str) -> None:
    expected = json.dumps(text, ensure_ascii=False)  # what _string was made of
    expected = jsonout._RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", expected)
    assert jsonout._string(text) == expected


def test_strings_escape_del_and_c1_controls() -> None:
    assert jsonout._string("a\x7fb\x85\u202e") == '"a\\u007fb\\u0085\\u202e"'


def test_objects_are_obj_row_by_row() -> None:
    keys = ("a", "b{", "c")
    columns = [["1", "2"], ['"x"', "null"], ["{}", "-3.5"]]
    assert jsonout.objects(keys, 3, columns) == [
        obj(keys, 3, ["1", '"x"', "{}"]),
        obj(keys, 3, ["2", "null", "-3.5"]),
    ]
    assert (
        jsonout.objects((), 2, [["1"]]) == ["{}"] and jsonout.objects(keys, 2, [[], [], []]) == []
    )


def test_node_columns_are_node_texts() -> None:
    from targetsplit.plan.load import load_plan

    nodes = list(load_plan(ODD).plan.root.walk())
    rows = [jsonout.node_texts(n.key, n) for n in nodes]
    assert jsonout.node_columns(nodes) == [list(column) for column in zip(*rows, strict=True)]
