"""Where the search over the working days gives up, the ledger rounds the
segments (weeks and months), then checks and mends their days
(ledger._round_days, search.round_between): every running total at a
segment's end stays within a unit, and the days on which some target to date
cannot be are found, no more and no fewer (checked here against trying every
split of every day on small random trees)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targetsplit.plan.tree import Node
from targetsplit.split import ledger
from targetsplit.split.ledger import Loose
from targetsplit.split.search import round_between, round_by_search
from test_search import _bounds_kept, problems, roundings

ROOT = Path(__file__).resolve().parent.parent
STUCK = ROOT / "tests" / "ledger" / "stuck-siblings-b.yaml"


def _workdays(data: st.DataObject, exact: Mapping[str, list[int]]) -> list[int]:
    """Working days per segment: none where nothing is due, else 1 to 5."""
    p = len(next(iter(exact.values())))
    return [
        data.draw(st.integers(1, 5)) if any(row[j] for row in exact.values()) else 0
        for j in range(p)
    ]


def _day_can_be_within_a_unit(
    root: Node,
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    rows: Mapping[str, list[int]],
    j: int,
    w: int,
    day: int,
) -> bool:
    """Whether, after ``day`` of segment ``j``'s ``w`` working days, every
    node's part of its cell can be the floor or the ceiling of what it wants
    (the segment's exact value spread evenly), children adding up: every
    leaf's choice tried, the parents' the sums."""
    leaves = [n for n in root.walk() if not n.children]

    def options(key: str) -> set[int]:
        d = denoms[key] * w
        want = sum(exact[key][:j]) * w + exact[key][j] * day - sum(rows[key][:j]) * d
        q, r = divmod(want, d)
        return {x for x in ((q, q + 1) if r else (q,)) if 0 <= x <= rows[key][j]}

    for pick in itertools.product(*(sorted(options(leaf.key)) for leaf in leaves)):
        part = dict(zip((leaf.key for leaf in leaves), pick, strict=True))
        for node in list(root.walk())[::-1]:
            if node.children:
                part[node.key] = sum(part[c.key] for c in node.children)
        if all(part[n.key] in options(n.key) for n in root.walk() if n.children):
            return True
    return False


def _off(
    root: Node,
    exact: Mapping[str, list[int]],
    denoms: Mapping[str, int],
    workdays: Sequence[int],
    rows: Mapping[str, list[int]],
) -> list[int]:
    """The working days (from 0) on which no split keeps every node within a unit."""
    off, before = [], 0
    for j, w in enumerate(workdays):
        off += [
            before + day - 1
            for day in range(1, w)
            if not _day_can_be_within_a_unit(root, exact, denoms, rows, j, w, day)
        ]
        before += w
    return off


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_segments=4, alike=True), st.data())
def test_any_rounding_of_the_segments_checked_and_mended(problem: Any, data: st.DataObject) -> None:
    """Any rounding of the segments that keeps every bound, drawn from all of
    them: mending keeps every bound, and the days it says are off are those
    that are (of the rows as mended); none are off where the days have a
    rounding between the segments' ends as they were."""
    root, units, exact, denoms = problem
    leaves = [n for n in root.walk() if not n.children]
    free = sum(len(exact[leaf.key]) - 1 for leaf in leaves)
    if free > 12 or len(leaves) > 6:  # too many to try them all
        return
    (denom,) = set(denoms.values())
    every = list(roundings(root, units, exact, denom))
    if not every:
        return
    rows = data.draw(st.sampled_from(every))
    workdays = _workdays(data, exact)
    before = _off(root, exact, denoms, workdays, rows)
    mended = {key: list(row) for key, row in rows.items()}
    off = ledger._round_days(root, units, exact, denoms, workdays, mended)
    assert _bounds_kept(root, units, exact, denoms, mended)
    assert list(off) == _off(root, exact, denoms, workdays, mended)
    assert len(off) <= len(before)
    if not before:
        assert mended == rows  # nothing to mend: nothing changed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_the_days_given_up_on(problem: Any, data: st.DataObject) -> None:
    """The search over all the days made to give up (and the searches over
    the segments and the days found off given one round, or several): the
    segments keep every bound, and the days said to be off are those that
    truly are — none where nothing is said."""
    root, units, exact, denoms = problem
    workdays = _workdays(data, exact)
    days = sum(max(w, 1) for w in workdays)
    by_segments = ledger._round_tree_by_segments

    def days_give_up(root: Node, units: Any, exact: Any, denoms: Any, **kw: Any) -> Any:
        if len(exact[root.key]) == days and days > len(workdays):  # all the days
            return None
        return by_segments(root, units, exact, denoms, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "_round_tree_by_segments", days_give_up)
        mp.setattr(ledger, "CUT_ROUNDS", data.draw(st.sampled_from([1, 2, 8])))
        got = ledger._round_tree_unless_stuck(root, units, exact, denoms, workdays, by_day=True)
    if got is None:  # the segments too: the flow's, not tested here
        return
    assert _bounds_kept(root, units, exact, denoms, got.rows)
    assert got.workdays in (0, sum(workdays))
    leaves = [n for n in root.walk() if not n.children]
    if len(leaves) > 8:
        return
    off, before = [], 0
    for j, w in enumerate(workdays):
        off += [
            before + day - 1
            for day in range(1, w)
            if not _day_can_be_within_a_unit(root, exact, denoms, got.rows, j, w, day)
        ]
        before += w
    assert list(got.off) == off


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_round_between_keeps_the_ends(problem: Any) -> None:
    """Between the ends of a rounding the search found there is one: it is
    found, with those ends, keeping every bound."""
    root, units, exact, denoms = problem
    whole = round_by_search(root, units, exact, denoms)
    if whole is None:
        return
    b = len(exact[root.key]) - 1
    if b < 2:
        return
    ends = {key: (row[0], sum(row[:b])) for key, row in whole.items()}
    got = round_between(root, units, exact, denoms, ends)
    assert got is not None
    assert _bounds_kept(root, units, exact, denoms, got)
    assert all(got[key][0] == row[0] for key, row in whole.items())
    assert all(sum(got[key][:b]) == sum(row[:b]) for key, row in whole.items())


def test_ends_that_leave_nothing_give_none() -> None:
    """Two reps of one unit over three stretches: neither may be ahead and
    behind at once; a team whose ends its reps cannot make up gives None."""
    a, b = Node("a", ("a",), {}, {}), Node("b", ("b",), {}, {})
    root = Node("", (), {}, {}, (a, b))
    exact = {"a": [1, 1, 1], "b": [1, 1, 1], "": [2, 2, 2]}
    units, denoms = {"a": 1, "b": 1, "": 2}, {"a": 3, "b": 3, "": 3}
    # Both reps ahead after the first stretch, the team 1: they add up to 2.
    assert (
        round_between(root, units, exact, denoms, dict.fromkeys(exact, (1, 1)) | {"": (1, 2)})
        is None
    )
    ends = {"a": (1, 1), "b": (0, 1), "": (1, 2)}
    got = round_between(root, units, exact, denoms, ends)
    assert got == {"a": [1, 0, 0], "b": [0, 1, 0], "": [1, 1, 0]}


def test_the_message() -> None:
    days = Loose("m0", 3721, 0, Fraction(0), True, (11, 261)).warning()
    assert days.message == (
        "metric 'm0': no rounding over time was found that keeps every node's target to date"
        " within a unit of exact on every day, so it was rounded over the weeks and months:"
        " every running total is within a unit at the end of each week and month, every"
        " target to date on a working day between them too but on 11 of the 261, where it"
        " may be further off"
    )
    assert days.severity == "warning"


def test_a_command_warns_of_the_days(monkeypatch: pytest.MonkeyPatch, run: Any) -> None:
    """The search over all the days made to give up: nothing is said where
    the segments and the days found off settle; where days are left off
    (made so here), the commands say so once per metric searched."""
    search = ledger.round_by_search

    def days_give_up(root: Node, units: Any, exact: Any, denoms: Any, **kw: Any) -> Any:
        if len(exact[root.key]) > 100:  # a year's working days, not its weeks and months
            return None
        return search(root, units, exact, denoms, **kw)

    monkeypatch.setattr(ledger, "round_by_search", days_give_up)
    done = run("allocate", str(STUCK), "--by", "week")
    assert done.code == 0 and "no rounding over time" not in done.err  # no day left off
    cut, mend = ledger._round_by_cut_days, ledger._round_days

    def one_off(*a: Any) -> Any:
        got = cut(*a)
        return None if got is None else (got[0], {0: (0,)})

    def two_off(*a: Any) -> tuple[int, ...]:
        mend(*a)
        return (3, 4)

    monkeypatch.setattr(ledger, "_round_by_cut_days", one_off)
    monkeypatch.setattr(ledger, "_round_days", two_off)
    done = run("allocate", str(STUCK), "--by", "month")
    lines = [line for line in done.err.splitlines() if "rounded over the weeks and months" in line]
    assert done.code == 0 and len(lines) == 2, done.err
    assert all(": warning: metric 'm" in line and "but on 2 of the " in line for line in lines)
    assert lines[0].startswith(f"{STUCK}:4:3:"), lines[0]


def _tree(spec: list[Any]) -> Node:
    key, kids = spec
    here = tuple(key.split("/")) if key else ()
    return Node(here[-1] if here else "", here, {}, {}, tuple(_tree(k) for k in kids))


def _case(
    tree: list[Any], leaves: dict[str, list[int]], denom: int
) -> tuple[Node, dict[str, int], dict[str, list[int]], dict[str, int]]:
    root = _tree(tree)
    exact = dict(leaves)
    for node in list(root.walk())[::-1]:
        if node.children:
            exact[node.key] = [
                sum(col) for col in zip(*(exact[c.key] for c in node.children), strict=True)
            ]
    units = {key: sum(row) // denom for key, row in exact.items()}
    return root, units, exact, dict.fromkeys(exact, denom)


# Found by trying random trees: segment rows that keep every bound but leave a
# day on which the targets to date cannot all be within a unit.
MENDED = (  # the second segment's neighbours help: mended
    [
        "",
        [
            ["n0", [["n0/n1", []], ["n0/n2", []]]],
            ["n3", [["n3/n4", []], ["n3/n5", []], ["n3/n6", []]]],
        ],
    ],
    {
        "n0/n1": [3, 3, 18, 6, 6],
        "n0/n2": [10, 15, 15, 5, 15],
        "n3/n4": [4, 4, 12, 20, 8],
        "n3/n5": [4, 8, 20, 4, 12],
        "n3/n6": [30, 15, 5, 5, 5],
    },
    12,
    [3, 2, 4, 5, 5],
    {
        "": [4, 4, 6, 3, 4],
        "n0": [1, 2, 2, 1, 2],
        "n3": [3, 2, 4, 2, 2],
        "n3/n4": [0, 0, 1, 2, 1],
        "n3/n5": [0, 1, 2, 0, 1],
        "n3/n6": [3, 1, 1, 0, 0],
        "n0/n1": [0, 1, 1, 0, 1],
        "n0/n2": [1, 1, 1, 1, 1],
    },
)
LEFT_OFF = (  # three segments: the middle one's neighbours are the whole period
    ["", [["n0", []], ["n1", [["n1/n2", []], ["n1/n3", []], ["n1/n4", []]]]]],
    {"n0": [3, 3, 24], "n1/n2": [6, 30, 24], "n1/n3": [6, 2, 12], "n1/n4": [10, 4, 6]},
    10,
    [2, 5, 3],
    {
        "": [3, 3, 7],
        "n0": [1, 0, 2],
        "n1": [2, 3, 5],
        "n1/n2": [1, 3, 2],
        "n1/n3": [0, 0, 2],
        "n1/n4": [1, 0, 1],
    },
)


@pytest.mark.parametrize(
    ("case", "off_before", "off_after"),
    [(MENDED, [9], []), (LEFT_OFF, [5], [5])],
    ids=["mended", "left-off"],
)
def test_days_found_off_and_mended(case: Any, off_before: list[int], off_after: list[int]) -> None:
    tree, leaves, denom, workdays, rows = case
    root, units, exact, denoms = _case(tree, leaves, denom)
    assert _bounds_kept(root, units, exact, denoms, rows)
    assert _off(root, exact, denoms, workdays, rows) == off_before
    mended = {key: list(row) for key, row in rows.items()}
    off = ledger._round_days(root, units, exact, denoms, workdays, mended)
    assert list(off) == off_after == _off(root, exact, denoms, workdays, mended)
    assert _bounds_kept(root, units, exact, denoms, mended)
    assert (mended == rows) == bool(off_after)
