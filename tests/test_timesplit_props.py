"""Random trees, periods, calendars and seasonality: one time ledger behind every
view; rows and columns add up, running totals stay near exact."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from targetsplit.calendar.workdays import GRANULARITIES
from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import _shares_to_date as share_map
from targetsplit.split.ledger import build
from targetsplit.split.timesplit import view
from test_allocate_props import plans


@pytest.fixture(autouse=True, scope="module")
def _arrays_for_every_plan() -> Iterator[None]:
    """The array rounding is used for large plans only; here for every plan, to be
    compared with the rounding in plain Python."""
    from targetsplit.split import fastround

    before, fastround.ARRAYS_FROM = fastround.ARRAYS_FROM, 0
    yield
    fastround.ARRAYS_FROM = before


PERIODS = st.one_of(
    st.sampled_from(["2026", "2027", "2028-H2", "2026-Q1", "2026-Q4", "2026-02", "2028-02"]),
    st.builds(
        lambda start, days, name: {
            "start": str(start),
            "end": str(start + timedelta(days=days)),
            "name": name,
        },
        st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
        st.integers(20, 400),
        st.sampled_from(["FY", "FY26", "财年"]),
    ),
)


def _pcts(draw: Any, n: int) -> list[str]:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    return [f"{b - a}%" for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]


@st.composite
def seasonality(draw: Any, quarters: int, months: int) -> dict[str, Any]:
    kinds = ["none", "quarters", "months"] + (["within", "both"] if months % 3 == 0 else [])
    kind = draw(st.sampled_from(kinds))
    out: dict[str, Any] = {}
    if kind in ("quarters", "both"):
        out["quarters"] = [str(draw(st.integers(1, 9))) for _ in range(quarters)]
    if kind == "months":
        out["months"] = (
            _pcts(draw, months)
            if draw(st.booleans())
            else [str(draw(st.integers(1, 5))) for _ in range(months)]
        )
    if kind in ("within", "both"):
        out["within_quarter"] = _pcts(draw, 3)
    return out


@st.composite
def timed_plans(draw: Any) -> str:
    text, _, _ = draw(plans())
    doc = yaml.safe_load(text)
    doc["period"] = draw(PERIODS)
    holidays = draw(
        st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 1, 31)), max_size=15)
    )
    overrides = draw(
        st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 1, 31)), max_size=5)
    )
    doc["calendar"] = {
        "holidays": [str(d) for d in holidays],
        "workday_overrides": [str(d) for d in overrides],
    }
    # Counts of quarters and months come from a loaded plan's breakdown.
    # (sort_keys=False: sorting would reorder siblings, and with them the tie rule)
    probe = parse_plan(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "probe.yaml")
    assert probe.breakdown is not None
    nq, nm = len(probe.breakdown.quarters), len(probe.breakdown.months)
    doc["seasonality"] = draw(seasonality(nq, nm))

    def decorate(split: dict[str, Any]) -> None:
        for name, child in list(split.items()):
            if draw(st.integers(0, 4)) == 0:
                if not isinstance(child, dict) or set(child) <= {"amount", "history"}:
                    child = {"weight": child}
                child["seasonality"] = draw(seasonality(nq, nm))
                split[name] = child
            if isinstance(child, dict) and "split" in child:
                decorate(child["split"])

    decorate(doc["split"])
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _load(text: str) -> Plan | None:
    try:
        return parse_plan(text, "random.yaml")
    except PlanError as e:
        # A random calendar or seasonality may leave a month with a share but no
        # working days; that is a plan error, never a crash.
        assert all(
            "working days" in d.message or "whole quarters" in d.message
            for d in e.diagnostics
            if d.severity == "error"
        ), e
        event("plan rejected")
        return None


# Derandomized: the same 250 plans on every run, so that CI is repeatable;
# TARGETSPLIT_RANDOM_PLANS=N runs N fresh random plans instead (the bounds below
# held over 6,000 of them when the ledger's pins came in).
@settings(
    max_examples=int(os.environ.get("TARGETSPLIT_RANDOM_PLANS", "250")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize="TARGETSPLIT_RANDOM_PLANS" not in os.environ,
)
@given(text=timed_plans(), days=st.lists(st.integers(0, 1200), min_size=3, max_size=3))
def test_one_ledger_behind_every_view(text: str, days: list[int]) -> None:
    """Issue 11's properties: the ledger adds up both ways, stays near exact,
    and every view and every target to date is a sum of it."""
    plan = _load(text)
    if plan is None:
        return
    b = plan.breakdown
    assert b is not None
    own = any(n.seasonality is not None for n in plan.nodes())
    event("subtree seasonality" if own else "one seasonality")
    alloc = allocate(plan)
    ledger = build(alloc, keep_exact=True)
    assert ledger.exact is not None
    segs = ledger.segments
    # The array rounding (used without keep_exact) is the same rounding.
    fast = build(alloc)
    assert fast.units == ledger.units
    assert segs[0].start == plan.period.start and segs[-1].end == plan.period.end
    for row in alloc.rows:
        node = row.node
        for m in plan.metrics:
            cells = ledger.units[row.path][m.name]
            exact = [Fraction(x, ledger.denoms[row.path]) for x in ledger.exact[row.path][m.name]]
            assert sum(cells) == row.units[m.name]  # a node's cells add up to its figure
            if node.children:  # children add up to their parent in every cell
                kids = [ledger.units[c.key][m.name] for c in node.children]
                assert [sum(col) for col in zip(*kids, strict=True)] == cells
            running = Fraction(0)
            exact_running = Fraction(0)
            for seg, cell, x in zip(segs, cells, exact, strict=True):
                assert cell >= 0
                if abs(cell - x) >= 1:  # a cell one unit past its ceiling, for running totals
                    event("a segment one unit past the floor or ceiling of exact")
                assert abs(cell - x) < 2
                if seg.workdays == 0 or x == 0:
                    assert cell == 0  # never a unit on days without working time
                running += cell
                exact_running += x
                error = abs(running - exact_running)
                if node.depth == 0 and not own:
                    assert error <= Fraction(1, 2)
                assert error < 1  # every node's: the floor or the ceiling of exact
    # Every view is a sum of the ledger, so views of the same days agree.
    views = {g: view(ledger, g, b.slots(g)) for g in GRANULARITIES}
    for g, split in views.items():  # the same from the arrays
        assert view(fast, g, b.slots(g)).units == split.units
    for row in alloc.rows:
        for m in plan.metrics:
            cells = ledger.units[row.path][m.name]
            for split in views.values():
                figures = split.units[row.path][m.name]
                assert sum(figures) == row.units[m.name]
                for slot, figure in zip(split.slots, figures, strict=True):
                    assert figure == sum(cells[k] for k in ledger.span(slot.start, slot.end))
            months = views["month"].units[row.path][m.name]
            quarters = views["quarter"].units[row.path][m.name]
            assert quarters == [sum(months[i] for i in q) for q in b.quarters]
            halves = views["half"].units[row.path][m.name]
            assert halves == [sum(quarters[i : i + 2]) for i in range(0, len(quarters), 2)]
    # Targets to date: a sum of the ledger at its boundaries, additive anywhere.
    for offset in days:
        day = plan.period.start + timedelta(days=offset - 10)
        to_date = ledger.to_date(day)
        assert fast.to_date(day) == to_date
        back = day  # the last working day on or before it: the same targets to date
        while back >= plan.period.start and back not in b.day_month:
            back -= timedelta(days=1)
        if back != day:
            event("a cut-off on a day without working time")
            assert ledger.to_date(back) == to_date
        else:  # a working day: no target to date below the working day before's
            back -= timedelta(days=1)
            while back >= plan.period.start and back not in b.day_month:
                back -= timedelta(days=1)
            earlier = ledger.to_date(back)
            assert all(
                to_date[path][m] >= x for path, row in earlier.items() for m, x in row.items()
            ), (day, back)
        shares = share_map(plan, b, day)

        def exact_to_date(
            node: Node, metric: str, shares: dict[str, Fraction] = shares
        ) -> Fraction:
            if node.children:  # a parent's exact is its members' (their seasonality)
                return sum((exact_to_date(c, metric) for c in node.children), Fraction(0))
            return alloc.row(node.key).units[metric] * shares[node.key]

        for row in alloc.rows:
            for m in plan.metrics:
                got = to_date[row.path][m.name]
                cells = ledger.units[row.path][m.name]
                ends = [k for k, s in enumerate(segs) if s.end <= day]
                if not any(s.start <= day < s.end for s in segs):  # a segment boundary
                    assert got == sum(cells[: len(ends)])
                if row.node.children:
                    assert got == sum(to_date[c.key][m.name] for c in row.node.children)
                exact = exact_to_date(row.node, m.name)
                error = abs(got - exact)
                if row.node.depth == 0 and error > Fraction(1, 2):
                    event("a mid-segment target to date of the total over half a unit")
                    assert own  # half a unit without seasonality of a subtree's own
                if row.node.children:  # one unit but for rare plans (tests/ledger/)
                    if error >= 1:
                        event("a parent's target to date mid-segment a unit or more off")
                    assert error < 2
                else:
                    assert error < 1  # every leaf within one unit
