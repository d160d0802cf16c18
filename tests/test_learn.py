"""The search that learns (split/learn.py), on its own: on random trees of
exact values with shapes of their own, what it finds keeps every bound; on
trees small enough to try every rounding, it finds one whenever one exists and
says there is none only when there is none; and it settles the plans of many
copies of a hard team that the other tries gave up on."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings

from conftest import ROOT
from targetsplit.plan.load import parse_plan
from targetsplit.plan.tree import Node
from targetsplit.split import ledger as ledger_module
from targetsplit.split.hierarchy import allocate
from targetsplit.split.learn import Learner, Outcome, _luby
from targetsplit.split.ledger import build
from targetsplit.split.search import _Search, round_by_search
from test_search import _any_rounding, _bounds_kept, problems


def _learn(problem) -> tuple[str, dict[str, list[int]] | None]:  # type: ignore[no-untyped-def]
    root, units, exact, denoms = problem
    learner = Learner(_Search(root, units, exact, denoms))
    if not learner.start():
        return Outcome.NONE, None
    outcome = learner.solve(10_000_000)
    return outcome, learner.rows() if outcome == Outcome.FOUND else None


def test_luby() -> None:
    assert [_luby(i) for i in range(1, 16)] == [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_what_it_finds_keeps_every_bound(problem) -> None:  # type: ignore[no-untyped-def]
    outcome, out = _learn(problem)
    assert outcome != Outcome.GAVE_UP  # trees this small: settled either way
    if out is not None:
        assert _bounds_kept(*problem, out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_segments=4))
def test_it_finds_one_exactly_when_there_is_one(problem) -> None:  # type: ignore[no-untyped-def]
    root, units, exact, denoms = problem
    leaves = [n for n in root.walk() if not n.children]
    if sum(len(exact[leaf.key]) - 1 for leaf in leaves) > 14:  # too many to try them all
        return
    outcome, _ = _learn(problem)
    (denom,) = set(denoms.values())
    assert (outcome == Outcome.FOUND) == _any_rounding(root, units, exact, denom)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_segments=4, alike=True))
def test_with_copies_among_siblings_too(problem) -> None:  # type: ignore[no-untyped-def]
    """With copies among the children (subtrees alike, figures and all: plans
    of many copies of a team are the hardest), it still finds a rounding
    exactly when one exists, and what it finds keeps every bound — on its own,
    and as the ledger asks for it (starting from the ledger's rounding)."""
    root, units, exact, denoms = problem
    leaves = [n for n in root.walk() if not n.children]
    if sum(len(exact[leaf.key]) - 1 for leaf in leaves) > 14:  # too many to try them all
        return
    (denom,) = set(denoms.values())
    exists = _any_rounding(root, units, exact, denom)
    outcome, out = _learn(problem)
    assert (outcome == Outcome.FOUND) == exists
    assert out is None or _bounds_kept(*problem, out)
    found = round_by_search(root, units, exact, denoms)
    assert (found is not None) == exists
    assert found is None or _bounds_kept(*problem, found)


def _search_input(path: Path) -> tuple[Node, dict[str, int], dict[str, list[int]], dict[str, int]]:
    """What the ledger gives the search for the whole tree of the plan at ``path``
    (its first metric that needs one), by the day."""
    got: list[tuple[Any, ...]] = []

    def spy(root, units, exact, denoms, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("root_row") is None and not got:
            got.append((root, dict(units), dict(exact), dict(denoms)))
        return None  # every search gives up: the flow rounds it, quickly

    plan = parse_plan(path.read_text(encoding="utf-8"), str(path))
    with mock.patch.object(ledger_module, "round_by_search", spy):
        build(allocate(plan))
    (found,) = got
    return found  # type: ignore[return-value]


class _Checked(Learner):
    """Checks each rule it learns: asserting that the rule is false and
    propagating, with the rules learned before, meets a contradiction (so the
    rule follows from the others: none cuts off a rounding)."""

    def __init__(self, make: Callable[[], _Search]) -> None:
        self.make = make
        self.checked = 0
        super().__init__(make())

    def _analyze(self, conflict: list[int]) -> tuple[list[int], int]:
        learned, back = super()._analyze(conflict)
        fresh = Learner(self.make())
        fresh.rules = [list(r) for r in self.rules]
        fresh.watches = {}
        for i, r in enumerate(fresh.rules):
            fresh.watches.setdefault(r[0], []).append(i)
            fresh.watches.setdefault(r[1], []).append(i)
        if all(fresh.fix(q >> 1, 1 - (q & 1)) for q in learned):
            assert not fresh.start(), f"rule {learned} does not follow"
        self.checked += 1
        return learned, back


def test_every_rule_it_learns_follows_from_the_rules() -> None:
    """On a plan that needs many contradictions (four copies of a hard team, by
    the day), the first rules learned each follow from the rules by propagation
    alone, and the rounding found keeps every bound."""
    plan = ROOT / "tests" / "ledger" / "outside-four-copies.yaml"
    root, units, exact, denoms = _search_input(plan)

    def make() -> _Search:
        return _Search(root, units, exact, denoms)

    learner = _Checked(make)
    assert learner.start()
    assert learner.solve(10_000_000) == Outcome.FOUND
    assert learner.checked >= 8
    assert _bounds_kept(root, units, exact, denoms, learner.rows())


def test_the_budget_is_one_for_the_whole_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """All the ways of taking the top row share one budget: with a small one the
    search gives up (the caller then rounds by the flow) having done about that
    much work in all, not that much per way."""
    from targetsplit.split import learn, search

    root, units, exact, denoms = _search_input(
        ROOT / "tests" / "ledger" / "outside-four-copies.yaml"
    )
    assert search.round_by_search(root, units, exact, denoms) is not None
    done: list[int] = []
    solve = learn.Learner.solve

    def counted(self: Learner, work: int) -> str:
        outcome = solve(self, work)
        done.append(self.work)
        return outcome

    monkeypatch.setattr(learn.Learner, "solve", counted)
    # From each bit's nearer value (from the ledger's rounding it needs no
    # contradiction at all, so no budget could run out).
    monkeypatch.setattr(search._Search, "hint", lambda self, top: array("b", self.near))
    monkeypatch.setattr(search, "LEARN_LEAST", 3_000)
    monkeypatch.setattr(search, "LEARN_MOST", 3_000)
    assert search.round_by_search(root, units, exact, denoms) is None
    # The half-up way (half the budget), then the free way with what is left,
    # if anything is; each may pass its share by one contradiction and what it
    # undoes (at most every bit).
    assert 1 <= len(done) <= 2
    bits = len(exact) * len(exact[root.key])
    assert sum(done) <= 3_000 + len(done) * (learn.CONTRADICTION + bits)
