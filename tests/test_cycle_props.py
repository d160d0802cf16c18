"""Random plans, actuals and cut-offs: replan and rollover write plans that load
and give exactly the figures their rules say (issue 12's properties)."""

from __future__ import annotations

import math
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from targetsplit.api.replan import replan
from targetsplit.api.rollover import rollover
from targetsplit.errors import UsageError
from targetsplit.numbers.apportion import largest_remainder
from targetsplit.plan.tree import Plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import build
from test_timesplit_props import _load, timed_plans


def _actuals(draw: Any, plan: Plan) -> tuple[str, list[tuple[date, str, str, Fraction]]]:
    leaves = [n for n in plan.nodes() if n.path and not n.children]
    nodes = [n for n in plan.nodes() if n.path]
    rows = []
    span = (plan.period.end - plan.period.start).days
    for _ in range(draw(st.integers(0, 12))):
        node = draw(st.sampled_from(leaves if draw(st.integers(0, 3)) else nodes))
        m = draw(st.sampled_from(plan.metrics))
        day = plan.period.start + timedelta(days=draw(st.integers(-5, span + 5)))
        scale = Fraction(m.total_units or 1) * Fraction(m.unit)
        value = scale * Fraction(draw(st.integers(-5, 60)), 100)
        value = Fraction(math.floor(value * 100), 100)  # two decimals, as exported
        rows.append((day, node.key, m.name, value))
    lines = ["date,node,metric,value"]
    for day, key, metric, value in rows:
        text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
        lines.append(f'{day},"{key.replace(chr(34), chr(34) * 2)}",{metric},{text}')
    return "\n".join(lines) + "\n", rows


def _rolled(
    plan: Plan, rows: list[tuple[date, str, str, Fraction]], last: date
) -> dict[str, dict[str, Fraction]]:
    direct: dict[tuple[str, str], Fraction] = {}
    for day, key, metric, value in rows:
        if plan.period.start <= day <= last:
            direct[(key, metric)] = direct.get((key, metric), Fraction(0)) + value
    out: dict[str, dict[str, Fraction]] = {}
    for node in reversed(list(plan.nodes())):
        out[node.key] = {
            m: direct.get((node.key, m), Fraction(0))
            + sum((out[c.key][m] for c in node.children), Fraction(0))
            for m in plan.metric_names
        }
    return out


def _booked_above(
    plan: Plan, rows: list[tuple[date, str, str, Fraction]], last: date, old: dict[str, Any]
) -> dict[str, dict[str, Fraction]]:
    """Each node's part of the rows booked on its ancestors themselves, shared
    down in proportion to the old targets."""
    direct: dict[tuple[str, str], Fraction] = {}
    for day, key, metric, value in rows:
        if plan.period.start <= day <= last:
            direct[(key, metric)] = direct.get((key, metric), Fraction(0)) + value
    out: dict[str, dict[str, Fraction]] = {n.key: {} for n in plan.nodes()}
    for node in plan.nodes():  # parents first
        for m in plan.metric_names:
            pool = out[node.key].get(m, Fraction(0))
            if node.children:
                pool += direct.get((node.key, m), Fraction(0))
            target = Fraction(old[node.key].targets[m])
            for c in node.children:
                share = pool * Fraction(old[c.key].targets[m]) / target if target else 0
                out[c.key][m] = Fraction(share)
    for node in plan.nodes():
        for m in plan.metric_names:
            out[node.key].setdefault(m, Fraction(0))
    return out


def _ceil_units(value: Fraction, unit: Decimal) -> int:
    return max(0, math.ceil(value / Fraction(unit)))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=timed_plans(), data=st.data())
def test_replan_and_rollover_follow_their_rules(text: str, data: st.DataObject) -> None:
    plan = _load(text)
    if plan is None:
        return
    csv, rows = _actuals(data.draw, plan)
    span = (plan.period.end - plan.period.start).days
    cut = plan.period.start + timedelta(days=data.draw(st.integers(-3, span)))
    policy = data.draw(st.sampled_from(["keep", "share"]))
    old = {r.path: r for r in allocate(plan).rows}
    actual = _rolled(plan, rows, cut)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        (Path(tmp) / "a.csv").write_text(csv, encoding="utf-8")
        try:
            result = replan(path, as_of=cut, policy=policy, actuals=Path(tmp) / "a.csv")
        except UsageError as e:
            assert "nothing" in str(e)  # no working day left after the cut-off
            event("nothing left to re-plan")
            return
        new = result.plan
        assert new.period.start == max(cut + timedelta(days=1), plan.period.start)
        assert new.period.end == plan.period.end
        got = {r.path: r.units for r in allocate(new).rows}
        units = {m.name: m.unit for m in plan.metrics}
        if policy == "keep":
            above = _booked_above(plan, rows, cut, old)
            for node in plan.nodes():
                for m in plan.metric_names:
                    if node.children:
                        assert got[node.key][m] == sum(got[c.key][m] for c in node.children)
                    else:
                        owed = Fraction(old[node.key].targets[m]) - actual[node.key][m]
                        owed -= above[node.key][m]
                        assert got[node.key][m] == _ceil_units(owed, units[m])
        else:
            remaining = {
                m: _ceil_units(Fraction(old[""].targets[m]) - actual[""][m], units[m])
                for m in plan.metric_names
            }
            want = {r.path: r.units for r in allocate(plan, totals=remaining).rows}
            assert got == want
        # The new plan's ledger adds up both ways.
        ledger = build(allocate(new))
        for node in new.nodes():
            for m in new.metric_names:
                cells = ledger.units[node.key][m]
                assert sum(cells) == got[node.key][m]
                if node.children:
                    kids = [ledger.units[c.key][m] for c in node.children]
                    assert [sum(col) for col in zip(*kids, strict=True)] == list(cells)

        # Rollover into the range after the period, as long as it.
        start = plan.period.end + timedelta(days=1)
        end = start + timedelta(days=min(span, 3 * 365))
        if end.year > 9999:
            return
        growth = data.draw(st.sampled_from(["0%", "10%", "-20%", "7.5%"]))
        rolled = rollover(
            path,
            to=f"{start}..{end}",
            growth=growth,
            actuals=Path(tmp) / "a.csv",
            today=date(9999, 12, 31),
        )
        year = _rolled(plan, rows, plan.period.end)
        nxt = {r.path: r.units for r in allocate(rolled.plan).rows}
        g = Fraction(Decimal(growth.rstrip("%"))) / 100
        for m in plan.metrics:
            grown = year[""][m.name] * (1 + g) / Fraction(m.unit)
            assert nxt[""][m.name] == max(0, math.floor(grown + Fraction(1, 2)))
        for node in plan.nodes():
            for m in plan.metric_names:
                kids = [year[c.key][m] for c in node.children]
                if kids and all(k > 0 for k in kids):
                    # shares follow the actuals: largest remainder over them
                    assert [nxt[c.key][m] for c in node.children] == largest_remainder(
                        nxt[node.key][m], kids
                    )
                    event("a sibling group split by its actuals")
