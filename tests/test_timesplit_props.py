"""Random trees, periods, calendars and seasonality: rows and columns add up."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.timesplit import split_over_time
from test_allocate_props import plans

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
    probe = parse_plan(yaml.safe_dump(doc, allow_unicode=True), "probe.yaml")
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


@pytest.mark.parametrize("by", ["half", "quarter", "month", "week"])
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=timed_plans())
def test_rows_and_columns_add_up_and_cells_stay_within_a_unit(by: str, text: str) -> None:
    try:
        plan = parse_plan(text, "random.yaml")
    except PlanError as e:
        # A random calendar or seasonality may leave a month with a share but no
        # working days; that is a plan error, never a crash.
        assert all(
            "working days" in d.message or "whole quarters" in d.message
            for d in e.diagnostics
            if d.severity == "error"
        ), e
        event("plan rejected")
        return
    event(f"checked by {by}")
    alloc = allocate(plan)
    s = split_over_time(alloc, by, keep_exact=True)  # type: ignore[arg-type]
    assert s.exact is not None
    for row in alloc.rows:
        for m in plan.metrics:
            cells = s.values(row.path, m.name)
            assert len(cells) == len(s.slots)
            assert sum(cells) == row.targets[m.name]
            for cell, exact in zip(cells, s.exact[row.path][m.name], strict=True):
                assert cell % m.unit == 0
                assert abs(Fraction(cell) - exact) < Fraction(m.unit)
            own = any(n.seasonality is not None for n in plan.nodes())
            if row.node.depth == 0 and not own:  # running totals within half a unit
                running, exact_running = Fraction(0), Fraction(0)
                for cell, exact in zip(cells, s.exact[row.path][m.name], strict=True):
                    running += Fraction(cell)
                    exact_running += exact
                    assert abs(running - exact_running) <= Fraction(m.unit) / 2
            if row.node.children:
                for j in range(len(s.slots)):
                    assert sum(s.values(c.key, m.name)[j] for c in row.node.children) == cells[j]
