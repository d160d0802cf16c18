"""Known issues, kept as failing examples until they are fixed (strict xfail:
a fix makes the test pass, and then it must be turned into a plain test)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from conftest import ROOT
from targetsplit.plan.load import parse_plan
from targetsplit.plan.tree import Node
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import _shares_to_date, build


@pytest.mark.xfail(strict=True, reason="the ledger's target to date of a plan total 3 units off")
def test_the_plan_totals_target_to_date_within_two_units() -> None:
    """Found by test_timesplit_props (hypothesis) on 2026-11-30: a deep random
    plan with many subtree seasonalities (tests/known/…yaml) whose total's
    target to date on 2028-02-18, mid-segment, is 32,960 against an exact
    32,963.03; the property allows one unit (two with subtree seasonalities)."""
    path = ROOT / "tests" / "known" / "ledger-total-three-units.yaml"
    plan = parse_plan(path.read_text(encoding="utf-8"), str(path))
    alloc = allocate(plan)
    assert plan.breakdown is not None
    day = date(2028, 2, 18)
    shares = _shares_to_date(plan, plan.breakdown, day)

    def exact(node: Node) -> Fraction:
        if node.children:
            return sum((exact(c) for c in node.children), Fraction(0))
        return alloc.row(node.key).units["m0"] * shares[node.key]

    got = build(alloc).to_date(day)[""]["m0"]
    assert abs(got - exact(plan.root)) < 2
