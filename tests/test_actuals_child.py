"""The DuckDB child judges every node text as the Python reader does: the texts it
knows from the request (each node's path, a name only one node has) are judged
by a dict, any other against the request's nodes, as the definition judges it."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from targetsplit.plan.load import parse_plan
from targetsplit.track import actuals as actuals_mod
from targetsplit.track.actuals import ActualsError, read_actuals

NESTED = """\
plan: Sales
period: 2026-07
metrics:
  revenue: {total: 3000}
split:
  East:
    weight: 1
    split:
      Caf\u00e9: 1
      North: 1
  West:
    weight: 1
    split:
      North: 1
      Solo: 1
"""
PLAN = parse_plan(NESTED, "plan.yaml")
CUT = date(2026, 7, 31)
LAYOUT = actuals_mod._Layout("date", ())
REQUEST = actuals_mod._Request.of("a.csv", PLAN, CUT, None)


def judged(cells: actuals_mod._Cells, text: str) -> str:
    found = cells.node(text)
    return found if isinstance(found, str) else "bad: " + found.message


def both(request: actuals_mod._Request, texts: list[str]) -> tuple[list[str], list[str]]:
    """Each text judged by the child's cells and by the definition's."""
    child = actuals_mod._RequestCells(request, LAYOUT)
    python = actuals_mod._Cells(request.plan(), LAYOUT, CUT)
    return [judged(child, t) for t in texts], [judged(python, t) for t in texts]


def test_the_known_texts_are_paths_and_unique_names() -> None:
    known = REQUEST.known()
    assert known["East/Caf\u00e9"] == "East/Caf\u00e9"
    assert known["Caf\u00e9"] == "East/Caf\u00e9"  # a name one node has
    assert known["Solo"] == "West/Solo"
    assert "North" not in known  # two nodes have it: the definition says which
    assert known["West"] == "West"


def test_every_path_and_unique_name_is_known() -> None:
    # The child judges these by a look-up; ASCII names (NFC as they stand) and others.
    for cafe in ("Cafe", "Caf\u00e9"):
        plan = parse_plan(NESTED.replace("Caf\u00e9", cafe), "plan.yaml")
        known = actuals_mod._Request.of("a.csv", plan, CUT, None).known()
        assert known == {
            "East": "East", "West": "West", "East/North": "East/North",
            "West/North": "West/North", "West/Solo": "West/Solo", "Solo": "West/Solo",
            f"East/{cafe}": f"East/{cafe}", cafe: f"East/{cafe}",
        }  # fmt: skip


def test_the_child_judges_other_texts_as_the_definition() -> None:
    nfd = unicodedata.normalize("NFD", "Caf\u00e9")
    texts = [
        "Solo", " Solo ", "\u00a0Solo", nfd, f"East/{nfd}", "North", "East/North",
        "Nope", "", "  ", "Sales", "solo", "x" * 500, "Total", "West/Solo",
    ]  # fmt: skip
    child, python = both(REQUEST, texts)
    assert child == python
    assert child[:3] == ["West/Solo"] * 3 and child[3:5] == ["East/Caf\u00e9"] * 2
    assert child[5].startswith("bad: 'North' names 2 nodes")


_NAMES = st.one_of(
    st.sampled_from(["A", "B", "AB", "A ", "\u00a0B", "e\u0301", "\u00e9", "\u0958"]),
    st.text(alphabet="Ae\u0301\u00e9\u0958 \u00a0", min_size=1, max_size=4),
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    title=_NAMES,
    shape=st.lists(st.tuples(_NAMES, st.integers(min_value=0, max_value=8)), max_size=8),
    extra=st.lists(_NAMES, max_size=4),
)
@example(title="T", shape=[("B", 0), ("AB", 0), ("A", 1), ("A", 2)], extra=[])  # B/A, AB/A
def test_the_child_judges_as_the_definition_on_any_names(
    title: str, shape: list[tuple[str, int]], extra: list[str]
) -> None:
    # Names of any form (not NFC, longer in NFC than any name, spaces around them,
    # the same name or path twice): the request need not come from a loaded plan.
    paths: list[tuple[str, ...]] = []
    for name, parent in shape:
        above = paths[parent - 1] if 0 < parent <= len(paths) else ()
        paths.append((*above, name))
    request = dataclasses.replace(REQUEST, title=title, nodes=tuple((p[-1], p) for p in paths))
    texts = [*extra, title]
    for p in paths:
        for t in (p[-1], "/".join(p)):
            texts += [t, t.strip(), unicodedata.normalize("NFC", t), f" {t} "]
            texts.append(unicodedata.normalize("NFD", t))
    child, python = both(request, texts)
    assert child == python
    full = actuals_mod._Cells(request.plan(), LAYOUT, CUT)
    for text, key in request.known().items():
        assert full.node(text) == key


def _big(tmp_path: Path, last: list[str]) -> Path:
    """A file DuckDB reads (a megabyte and more), the rows ``last`` at its end."""
    nodes = ["East/Caf\u00e9", "Caf\u00e9", "West/North", "Solo", " Solo", "East/North"]
    lines = ["date,node,metric,value"] + [
        f"2026-07-{1 + i % 31:02d},{nodes[i % 6]},revenue,{i % 7}.5" for i in range(40_000)
    ]
    path = tmp_path / "a.csv"
    path.write_text("\n".join([*lines, *last]) + "\n", encoding="utf-8")
    assert path.stat().st_size >= actuals_mod.FAST_BYTES
    return path


def test_the_child_answers_for_paths_names_and_padded_names(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Caf\u00e9")
    path = _big(tmp_path, [f"2026-07-02,{nfd},revenue,3", "2026-07-02,\u00a0West ,revenue,2"])
    fast, _ = actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None)
    assert fast is not None  # the child answered
    assert fast == read_actuals(str(path), "a.csv", PLAN, CUT, engine="python")
    assert set(fast.direct) == {
        ("East/Caf\u00e9", "revenue"), ("West/North", "revenue"), ("West/Solo", "revenue"),
        ("East/North", "revenue"), ("West", "revenue"),
    }  # fmt: skip


def test_a_name_two_nodes_have_is_left_to_the_definition(tmp_path: Path) -> None:
    path = _big(tmp_path, ["2026-07-02,North,revenue,3"])
    assert actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None) == (None, None)
    try:
        read_actuals(str(path), "a.csv", PLAN, CUT)
    except ActualsError as e:
        assert [d.render() for d in e.diagnostics] == [
            "a.csv:40002: error: 'North' names 2 nodes (East/North, West/North);"
            " give its path instead"
        ]
    else:
        raise AssertionError("no error")


def test_the_child_sums_in_the_definitions_form(tmp_path: Path) -> None:
    # Sums of 100, 0, -0.5, 1e-12 and the amount syntax (the filler rows are dated
    # after the cut-off): each text as the Python reader writes it.
    nodes = ["East/North", "East/North", "West/North", "West/North", "Solo", "Caf\u00e9"]
    values = ["50", "50.000", "5", "-5", "-0.50", "0.000000000001"]
    pairs = enumerate(zip(nodes, values, strict=True))
    rows = [f"2026-07-0{1 + i},{n},revenue,{v}" for i, (n, v) in pairs]
    rows += ["2026-07-09,West,revenue,1.2万", "2026-07-09,West, revenue ,-0.1万"]
    lines = ["date,node,metric,value", *(f"2026-08-01,Solo,revenue,{i}" for i in range(80_000))]
    path = tmp_path / "a.csv"
    path.write_text("\n".join([*lines, *rows]) + "\n", encoding="utf-8")
    fast, _ = actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None)
    slow = read_actuals(str(path), "a.csv", PLAN, CUT, engine="python")
    assert fast is not None
    assert fast == slow and fast.skipped == 80_000
    assert {k: str(v) for k, v in fast.direct.items()} == {
        ("East/North", "revenue"): "100", ("West/North", "revenue"): "0",
        ("West/Solo", "revenue"): "-0.5", ("East/Caf\u00e9", "revenue"): "1E-12",
        ("West", "revenue"): "11000",
    }  # fmt: skip
    assert {k: str(v) for k, v in fast.direct.items()} == {
        k: str(v) for k, v in slow.direct.items()
    }


def test_a_record_is_blank_only_with_every_cell_blank(tmp_path: Path) -> None:
    # DuckDB keeps a record whose first cell starts with a digit without looking
    # further ('0' <= c0 < ':'); the characters either side of the digits, and
    # blank records, are looked at cell by cell.
    for first in ("0", "9", "9z", ":", "/", "\u0660"):
        path = _big(tmp_path, [f"{first},,,"])
        assert actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None) == (None, None)
        with pytest.raises(ActualsError):
            read_actuals(str(path), "a.csv", PLAN, CUT, engine="python")
    for blank in (",,,", " , , , ", "\u00a0,,,"):
        path = _big(tmp_path, [blank, "2026-07-03,Solo,revenue,1"])
        fast, _ = actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None)
        assert fast is not None
        assert fast == read_actuals(str(path), "a.csv", PLAN, CUT, engine="python")


@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("other", ["2026-08-05", "2026-07-25"])
def test_values_in_the_amount_syntax_are_summed_on_the_days_counted_only(
    tmp_path: Path, wide: bool, other: str
) -> None:
    # DuckDB keeps the rows of such values apart and the child sums them: on the
    # days counted, not after the cut-off; a blank cell of the wide form is no value.
    # (Half the rows dated after the cut-off, or none: then DuckDB sums unfiltered.)
    head = "date,node,revenue" if wide else "date,node,metric,value"
    cell = "{}" if wide else "revenue,{}"
    lines = [head]
    nodes = ["Solo", "West/North", "Caf\u00e9"]
    for i in range(60_000):
        day = "2026-07-05" if i % 2 else other
        value = ["1.2万", "3", "-0.5万", '"1,000"', " ", "7"][i % 6]
        if value == " " and not wide:
            value = "2"
        lines.append(f"{day},{nodes[i % 3]},{cell.format(value)}")
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, _ = actuals_mod._fast(str(path), "a.csv", PLAN, CUT, lambda: None)
    slow = read_actuals(str(path), "a.csv", PLAN, CUT, engine="python")
    assert fast is not None
    assert fast == slow and fast.skipped == (30_000 if other > "2026-07-31" else 0)
    assert {k: str(v) for k, v in fast.direct.items()} == {
        k: str(v) for k, v in slow.direct.items()
    }
