"""Random trees with 0-3 ramped nodes and random seasonality: rows (each node's
figure) and columns (each parent's segments) add up, exactly and after the
rounding; the ramps never move a parent that keeps its seasonality; a ramped
node gets nothing before its start and its shape after; a group that cannot
be fitted is a plan error at the ramped node's start."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from targetsplit.calendar.ramp import segment_productivity
from targetsplit.calendar.seasonality import Seasonality, month_shares, segment_shares
from targetsplit.errors import PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import build
from test_timesplit_props import seasonality

PERIODS = st.sampled_from(["2026", "2026-H2", "2027-Q1", "2028"])


@st.composite
def ramp_plans(draw: Any) -> str:
    period = draw(PERIODS)
    probe = parse_plan(
        f"plan: P\nperiod: '{period}'\nmetrics: {{m: {{total: 1}}}}\nsplit: {{A: 1}}\n", "p.yaml"
    )
    b = probe.breakdown
    assert b is not None
    nq, nm = len(b.quarters), len(b.months)
    first, last = probe.period.start, probe.period.end
    metrics = {
        "m0": {"total": str(draw(st.integers(0, 10**6))), "round": "1"},
        "m1": {"total": str(100 * draw(st.integers(0, 5000))), "round": "100"},
    }
    counter = iter(range(1000))
    ramped: list[dict[str, Any]] = []

    def group(depth: int) -> dict[str, Any]:
        n = draw(st.sampled_from([1, 2, 3, 3, 4, 5]))
        kind = draw(st.sampled_from(["ratio", "ratio", "ratio", "percent", "history"]))
        out: dict[str, Any] = {}
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
        pcts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        for i in range(n):
            name = f"n{next(counter)}"
            node: dict[str, Any] = {}
            if kind == "ratio":
                node["weight"] = draw(st.integers(0, 5)) if i else draw(st.integers(1, 5))
            elif kind == "history":
                node["history"] = draw(st.integers(1, 500))
            else:
                node["weight"] = f"{pcts[i]}%"
            if draw(st.integers(0, 7)) == 0:
                node["seasonality"] = draw(seasonality(nq, nm))
            if depth < 3 and draw(st.integers(0, 2)) == 0:
                node["split"] = group(depth + 1)
            out[name] = node
            ramped.append(node)
        return out

    doc: dict[str, Any] = {
        "plan": "P",
        "period": period,
        "metrics": metrics,
        "seasonality": draw(seasonality(nq, nm)),
        "split": group(0),
    }
    # 0-3 nodes get a start (before, inside or near the end of the period) and a ramp.
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 2, 3, 3]))):
        node = draw(st.sampled_from(ramped))
        offset = draw(st.integers(-60, (last - first).days))
        node["start"] = str(first + timedelta(days=offset))
        steps = draw(st.lists(st.integers(0, 20), max_size=3))
        if steps:
            node["ramp"] = [f"{5 * s}%" for s in steps]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _natural(plan: Plan, node: Node, inherited: Seasonality | None, units: Any) -> list[Fraction]:
    """A node's exact figures per segment as its seasonality gives them, without
    ramps: its leaves' figures times their seasonality's segment shares."""
    b = plan.breakdown
    assert b is not None
    s = node.seasonality or inherited
    if not node.children:
        vec = segment_shares(month_shares(s, b), b)
        return [units(node) * x for x in vec]
    rows = [_natural(plan, c, s, units) for c in node.children]
    return [sum(col, Fraction(0)) for col in zip(*rows, strict=True)]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=ramp_plans())
def test_rows_and_columns_hold_with_ramps(text: str) -> None:
    try:
        plan = parse_plan(text, "random.yaml")
    except PlanError as e:
        errors = [d for d in e.diagnostics if d.severity == "error"]
        for d in errors:
            ok = (
                "working days" in d.message
                or "whole quarters" in d.message
                or "are all zero" in d.message
                or (
                    d.loc[-1:] == ("start",)
                    and (
                        "none of its children can take" in d.message
                        or "would need more than" in d.message
                        or "after the period ends" in d.message
                        or "no working time" in d.message
                    )
                )
            )
            assert ok, d.render()
        at_start = any(d.loc[-1:] == ("start",) for d in errors)
        event("plan rejected: " + ("ramp" if at_start else "other"))
        return
    b = plan.breakdown
    assert b is not None
    ramps = [n for n in plan.nodes() if n.ramp is not None]
    event(f"{len(ramps)} ramped nodes")
    alloc = allocate(plan)
    ledger = build(alloc, keep_exact=True)
    assert ledger.exact is not None
    assert build(alloc).units == ledger.units
    segs = ledger.segments
    parents = {id(c): n for n in plan.nodes() for c in n.children}
    in_force: dict[str, Seasonality | None] = {}

    def assign(node: Node, s: Seasonality | None) -> None:
        in_force[node.key] = node.seasonality or s
        for c in node.children:
            assign(c, node.seasonality or s)

    assign(plan.root, plan.seasonality)
    moved = ledger.fitted or {}
    for m in plan.metrics:
        name = m.name

        def units(node: Node, name: str = name) -> int:
            return alloc.row(node.key).units[name]

        exact = {
            n.key: [Fraction(x, ledger.denoms[n.key]) for x in ledger.exact[n.key][name]]
            for n in plan.nodes()
        }
        for node in plan.nodes():
            cells = ledger.units[node.key][name]
            row = exact[node.key]
            # Rows: the node's figure, exactly and rounded.
            assert sum(row) == units(node)
            assert sum(cells) == units(node)
            assert all(x >= 0 for x in row)
            if node.children:  # columns: the children add up to the parent
                kids = [exact[c.key] for c in node.children]
                assert [sum(col, Fraction(0)) for col in zip(*kids, strict=True)] == row
                rounded = [ledger.units[c.key][name] for c in node.children]
                assert [sum(col) for col in zip(*rounded, strict=True)] == cells
            for cell, x in zip(cells, row, strict=True):
                assert cell >= 0 and abs(cell - x) < 2
                if x == 0:
                    assert cell == 0
            # Nodes the ramps do not move keep their seasonality's figures.
            if node.key not in moved:
                parent = parents.get(id(node))
                s = in_force[parent.key] if parent is not None else plan.seasonality
                assert row == _natural(plan, node, s, units)
        assert exact[""] == _natural(plan, plan.root, plan.seasonality, units)
        # A ramped node: nothing before its start, then its seasonality times
        # its productivity (and that of the ramps above it), for a leaf.
        for node in ramps:
            assert node.ramp is not None
            cells = ledger.units[node.key][name]
            for seg, cell, x in zip(segs, cells, exact[node.key], strict=True):
                if seg.end < node.ramp.start:
                    assert cell == 0 and x == 0
            if not node.children and units(node):
                chain = [a.ramp for a in _ancestors(plan, node) if a.ramp is not None]
                q = segment_productivity(b, (*chain, node.ramp))
                vec = segment_shares(month_shares(in_force[node.key], b), b)
                raw = [u * p for u, p in zip(vec, q, strict=True)]
                total = sum(raw, Fraction(0))
                assert exact[node.key] == [units(node) * r / total for r in raw]
    # Targets to date add up at any day, and a leaf stays within a unit of exact
    # (its exact profile, a segment's working days alike).
    work = sorted(b.day_month)
    for offset in (-3, 40, 100, 200, 300):
        day = plan.period.start + timedelta(days=offset)
        to_date = ledger.to_date(day)
        for node in plan.nodes():
            for m in plan.metrics:
                got = to_date[node.key][m.name]
                if node.children:
                    assert got == sum(to_date[c.key][m.name] for c in node.children)
                if day < plan.period.start:
                    assert got == 0
                    continue
                if node.children:
                    continue
                row = [Fraction(x, ledger.denoms[node.key]) for x in ledger.exact[node.key][m.name]]
                exact = Fraction(0)
                for seg, x in zip(segs, row, strict=True):
                    if seg.end <= day:
                        exact += x
                    elif seg.start <= day and seg.workdays:
                        done = sum(1 for d in work if seg.start <= d <= day)
                        exact += x * done / seg.workdays
                assert abs(got - exact) < 1


def _ancestors(plan: Plan, node: Node) -> list[Node]:
    out = []
    walk = plan.root
    for depth in range(1, len(node.path)):
        walk = next(c for c in walk.children if c.path == node.path[:depth])
        out.append(walk)
    return out


def test_a_plan_without_ramps_is_untouched() -> None:
    text = "plan: P\nperiod: 2026\nmetrics: {m: {total: 1000}}\nsplit: {A: 1, B: 2}\n"
    plan = parse_plan(text, "p.yaml")
    assert plan.breakdown is not None and not plan.breakdown.cuts
    assert build(allocate(plan)).fitted is None
    assert date(2026, 1, 1) == plan.period.start
