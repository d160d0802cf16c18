"""Addressing nodes and metrics by name: NFC, width twins, the root, and the cost
of "did you mean" (counted in comparisons, not timed)."""

from __future__ import annotations

import json
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from conftest import EXAMPLES, write
from targetsplit.plan import names
from targetsplit.plan.load import load_plan
from targetsplit.plan.names import Names, did_you_mean, fold
from targetsplit.plan.tree import NodeIndex

FY2026 = str(EXAMPLES / "fy2026.yaml")
CAFE_NFC = "Caf\u00e9"
CAFE_NFD = "Cafe\u0301"


def test_names_compare_in_nfc() -> None:
    assert CAFE_NFC != CAFE_NFD and unicodedata.normalize("NFC", CAFE_NFD) == CAFE_NFC
    found = Names(["North", CAFE_NFC])
    assert found.find(CAFE_NFD) == CAFE_NFC  # the name as the plan spells it
    assert Names([CAFE_NFD]).find(CAFE_NFC) == CAFE_NFD
    assert found.find("Cafe") is None


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("\uff27roup 1", "Group 1"),  # a full-width letter
        ("\uff27\uff52\uff4f\uff55\uff50\u3000\uff11", "Group 1"),  # all full-width
        ("East\uff0fGroup 1", "East/Group 1"),  # a full-width slash
        ("East / Group 1", "East/Group 1"),
        ("EAST/group  1", "East/Group 1"),
        ("\uff62North\uff63", None),  # half-width brackets are not part of the name
    ],
)
def test_width_and_case_twins_are_suggested(word: str, meant: str | None) -> None:
    choices = ["North", "East", "Group 1", "East/Group 1", "East/Group 2"]
    if meant is None:
        assert fold(word) not in {fold(c) for c in choices}
    else:
        assert Names(choices).suggest(word) == [meant]
        assert did_you_mean(word, choices) == f"; did you mean '{meant}'?"


def test_small_sets_keep_difflibs_answers() -> None:
    assert did_you_mean("ownr", ["weight", "split", "owner", "due"]) == "; did you mean 'owner'?"
    assert Names(["Rep A", "Rep B"]).hint("Rep C") == "; did you mean 'Rep B' or 'Rep A'?"
    assert Names(["North"]).hint("completely different") == ""


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, fold(a), fold(b)).ratio()


def _many(regions: int = 50, teams: int = 50, reps: int = 40) -> list[str]:
    paths = [
        f"Region {r:02d}/Team {r:02d}-{t:02d}/Rep {r:02d}-{t:02d}-{p:02d}"
        for r in range(regions)
        for t in range(teams)
        for p in range(reps)
    ]
    return paths + [p.rpartition("/")[2] for p in paths]


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("Rep 03-17-1", "Rep 03-17-10"),  # a digit dropped at the end: 10 to 19 tie
        ("Rpe 03-17-12", "Rep 03-17-12"),  # letters swapped at the start
        ("Region 03/Taem 03-17/Rep 03-17-12", "Region 03/Team 03-17/Rep 03-17-12"),
        ("Rep 3-17-12", "Rep 03-17-12"),
    ],
)
def test_suggestions_among_200k_names_cost_a_bounded_amount(word: str, meant: str) -> None:
    choices = Names(_many())
    assert len(choices) == 200_000
    suggested = choices.suggest(word, 3)
    # The name meant is among the best, as difflib scores them (ties go to the larger name).
    assert _ratio(word, suggested[0]) == _ratio(word, meant)
    # The cost per word does not grow with the number of names.
    assert choices.compared <= names.MAX_COMPARED
    assert choices.read <= names.MAX_POSTINGS


def test_many_unknown_words_cost_linearly_and_repeats_are_free() -> None:
    choices = Names(_many(20, 25, 20))
    words = [f"Rep {i % 20:02d}-{i % 25:02d}-{i % 20:02d}x" for i in range(300)]
    for w in words:
        choices.suggest(w)
    distinct = len(set(words))
    assert choices.compared <= distinct * names.MAX_COMPARED
    assert choices.read <= distinct * names.MAX_POSTINGS
    before = choices.compared
    choices.suggest(words[0])
    assert choices.compared == before


def test_a_word_more_than_one_edit_away_is_found_by_shared_pieces() -> None:
    fillers = [f"Node {i:03d}" for i in range(50)] + [f"Zone {i:03d}r" for i in range(50)]
    choices = Names([*_many(10, 10, 20), *fillers, "Key Accounts North"])
    assert choices.suggest("North Key Accounts") == ["Key Accounts North"]
    assert 0 < choices.read <= names.MAX_POSTINGS
    assert choices.compared <= names.MAX_COMPARED


def test_a_very_long_word_gets_no_fuzzy_search() -> None:
    choices = Names(_many(2, 2, 10))
    assert choices.suggest("R" * 100_000) == []
    assert choices.compared == 0


# -- the root, the title, and NodeIndex -------------------------------------------------

TITLED = """\
plan: Sales
period: 2026
metrics:
  revenue: {total: 100}
split:
  Sales: {weight: 60%}
  Caf\u00e9: {weight: 40%}
"""


def test_the_root_is_the_empty_name_and_the_title_names_a_node(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, TITLED)).plan
    index = NodeIndex(plan)
    assert index.lookup("") is plan.root
    assert index.lookup("  ") is plan.root
    assert index.lookup("Sales").key == "Sales"  # the node, not the root
    assert index.lookup(CAFE_NFD).key == CAFE_NFC


def test_the_title_is_not_an_alias_of_the_root(tmp_path: Path) -> None:
    plan = load_plan(str(EXAMPLES / "fy2026.yaml")).plan
    with pytest.raises(LookupError) as e:
        NodeIndex(plan).lookup("FY2026 National Sales")
    assert str(e.value) == (
        "unknown node 'FY2026 National Sales'; 'FY2026 National Sales' is the plan's title:"
        " address the whole plan as ''"
    )


def test_explain_a_node_named_like_the_title(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TITLED)
    node = run("explain", plan, "Sales", "-f", "json")
    assert node.code == 0, node.err
    assert json.loads(node.out)["node"] == "Sales"
    root = run("explain", plan, "")
    assert root.out.startswith("Sales (whole plan) — revenue\n")
    assert run("explain", plan, CAFE_NFD).code == 0


@pytest.mark.parametrize(
    ("node", "meant"),
    [
        ("\uff27roup 1", "'Group 1'"),
        ("East\uff0fGroup 1", "'East/Group 1'"),
        ("Groop 1", "'Group 1' or 'Group 3' or 'Group 2'"),
    ],
)
def test_explain_suggests_the_twin(run, node: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", FY2026, node)
    assert result.code == 2
    assert result.err == f"error: unknown node '{node}'; did you mean {meant}?\n"


def test_metric_option_compares_in_nfc_and_suggests_twins(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TITLED.replace("revenue", CAFE_NFC))
    assert run("explain", plan, "Sales", "--metric", CAFE_NFD).code == 0
    result = run("explain", FY2026, "North", "--metric", "\uff52evenue")
    assert result.code == 2
    assert "did you mean 'revenue'?" in result.err


# -- check --against -----------------------------------------------------------------------


def _check(run, plan: str, tmp_path: Path, sheet: str):  # type: ignore[no-untyped-def]
    path = write(tmp_path, sheet, "s.csv")
    result = run("check", plan, "--against", path, "-f", "json", "-q")
    return result, (json.loads(result.out) if result.out else None)


def test_sheet_root_is_the_empty_cell_and_the_title_row_is_the_node(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TITLED)
    result, doc = _check(run, plan, tmp_path, f"node,revenue\n,100\nSales,60\n{CAFE_NFD},40\n")
    assert result.code == 0, result.out + result.err
    assert doc["agrees"] and doc["checked"] == 3
    # The title's row is the node Sales (60), so 100 is a difference, not the root's figure.
    result, doc = _check(run, plan, tmp_path, "node,revenue\nSales,100\n")
    assert [(d["node"], d["sheet"], d["computed"]) for d in doc["differences"]][0] == (
        "Sales",
        100,
        60,
    )


def test_sheet_suggests_twins_for_names_not_in_the_plan(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, doc = _check(
        run, FY2026, tmp_path, "node,revenue\n\uff27roup 1,1800万\nFY2026 National Sales,1.2亿\n"
    )
    unknown = doc["differences"][0]
    assert unknown["node"] == "\uff27roup 1"
    assert unknown["cause"] == "not in the plan; did you mean 'Group 1'?"
    assert doc["differences"][1]["cause"] == (
        "not in the plan; 'FY2026 National Sales' is the plan's title: address the whole plan as ''"
    )


def test_a_node_given_twice_is_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = write(
        tmp_path, "node,revenue\nEast/Group 1,1800万\nNorth,3600万\nGroup 1,1800万\n", "s.csv"
    )
    result = run("check", FY2026, "--against", sheet)
    assert result.code == 1
    assert result.err == (
        f"{sheet}:4: error: 'Group 1' revenue is given twice: already on line 2"
        " (as 'East/Group 1')\n"
    )


def test_children_that_do_not_add_up_are_reported_within_a_unit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  r: {total: 100}\nsplit:\n  A: 1\n  B: 1\n  C: 1\n",
    )
    # The plan gives 34, 33, 33: each figure below is within a unit, but 34+34+33 is not 100.
    result, doc = _check(run, plan, tmp_path, "node,r\n,100\nA,34\nB,34\nC,33\n")
    assert result.code == 1
    assert doc["differences"] == [
        {
            "node": "",
            "metric": "r",
            "sheet": 100,
            "computed": 100,
            "difference": 0,
            "cause": "the sheet's figures under 'T (whole plan)' add up to 101,"
            " not its 'T (whole plan)' figure 100",
            "line": 2,
        }
    ]
    table = run("check", plan, "--against", str(tmp_path / "s.csv")).out
    assert table.splitlines()[4].startswith("T (whole plan)  r")
    # Adding up, each within a unit: agrees.
    result, _ = _check(run, plan, tmp_path, "node,r\n,100\nA,33\nB,34\nC,33\n")
    assert result.code == 0


def test_a_changed_ratio_in_a_large_family_is_found(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kids = "".join(f"  K{i:03d}: 1\n" for i in range(200))
    plan = write(tmp_path, f"plan: T\nperiod: 2026\nmetrics:\n  r: {{total: 2020}}\nsplit:\n{kids}")
    # K007's ratio typed as 3 instead of 1: 2020 over 202 parts, 10 each and 30 for K007.
    rows = [f"K{i:03d},{30 if i == 7 else 10}" for i in range(200)]
    result, doc = _check(run, plan, tmp_path, "node,r\n" + "\n".join(rows) + "\n")
    assert result.code == 1
    causes = {d["cause"] for d in doc["differences"]}
    assert causes == {"the sheet's figures are the plan's split with K007's ratio 3 instead of 1"}


def test_actuals_suggest_the_twin(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actuals = write(
        tmp_path, "date,node,metric,value\n2026-01-05,East\uff0fGroup 1,revenue,10\n", "a.csv"
    )
    result = run("progress", FY2026, "--actuals", actuals, "--week", "32")
    assert result.code == 1
    assert result.err == (
        f"{actuals}:2: error: unknown node 'East\uff0fGroup 1'; did you mean 'East/Group 1'?\n"
    )
