"""``replan``: a new plan for the rest of the period, from what is still owed.

The new plan covers the day after the cut-off to the period's end. Its
figures are exact multiples of each unit, written as per-metric amounts so
that the new plan reproduces them exactly:

- ``keep``: every leaf owes ``max(0, target - actual)`` at the cut-off, rounded
  up to the unit; parents are the sums of their children (a surplus is not
  passed on to anyone else);
- ``share``: the root's ``max(0, target - actual)``, rounded up to the unit, is
  split down the tree with the plan's own shares (largest remainder, as
  ``allocate`` splits a total).

Its seasonality gives every remaining working day the weight it had in the
old plan (each month's share times the part of its working days still ahead),
so a node's new target spreads over the days left as the old one did.

A derived metric (``from:``) stays derived: its ``from:``, ``per:`` or ``rate:``
and every node's ``drivers:`` are kept as written, so its figures follow from
the new figures of its source; the per-metric amounts cover the metrics with a
total.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from targetsplit.calendar.periods import Period, custom_period, parse_period_text
from targetsplit.calendar.seasonality import Seasonality
from targetsplit.calendar.workdays import breakdown
from targetsplit.cycle.common import (
    NewPlan,
    amount_text,
    booked_above,
    ceil_units,
    day_text,
    dimensions_as_ratios,
    listed,
    remaining_months,
    rewrite_nodes,
    total_text,
)
from targetsplit.plan.tree import Metric, Node, Plan
from targetsplit.split.hierarchy import allocate

Policy = Literal["keep", "share"]
POLICIES: tuple[Policy, ...] = ("keep", "share")


@dataclass(frozen=True)
class Owed:
    """A node's target and actual at the cut-off, for one metric."""

    target: Decimal
    actual: Decimal


class ReplanError(ValueError):
    """A cut-off that leaves nothing to plan."""


def replan(
    plan: Plan,
    data: Mapping[str, Any],
    owed: Mapping[str, Mapping[str, Owed]],
    *,
    cut: date,
    week: int | None,
    policy: Policy,
    header: tuple[str, ...],
) -> NewPlan:
    """The new plan's document for the days after ``cut``; ``owed`` holds each
    node's (by path) target and actual per metric at the cut-off."""
    b = plan.breakdown
    assert b is not None
    period = plan.period
    if cut >= period.end:
        raise ReplanError(
            f"the cut-off {cut} is at or after the period's end ({period.end}): nothing is left"
            " to re-plan (targetsplit rollover starts the next period)"
        )
    start = max(cut + timedelta(days=1), period.start)
    new_period, stated = _rest(period, start, week)
    new_b = breakdown(new_period, plan.calendar)
    if not new_b.day_month:
        raise ReplanError(
            f"no working day is left after {cut} in the period (to {period.end}): nothing to"
            " re-plan"
        )
    notes: list[str] = []
    pairs = {
        key: {m: (Fraction(o.target), Fraction(o.actual)) for m, o in by.items()}
        for key, by in owed.items()
    }
    extra = booked_above(plan, pairs, notes) if policy == "keep" else {}
    units = _keep(plan, owed, extra) if policy == "keep" else _share(plan, owed)
    metrics = plan.sources  # a derived metric keeps from:, per: or rate: and drivers:

    def weight(node: Node) -> dict[str, Any]:
        return {m.name: {"amount": amount_text(m, units[node.key][m.name])} for m in metrics}

    def seasonality(node: Node) -> Any:
        return _remaining(node.seasonality, f"'{node.key}'s", notes)

    def _remaining(s: Seasonality | None, whose: str, notes: list[str]) -> Any:
        ratios = remaining_months(s, b, new_b)
        if any(ratios):
            return {"months": ratios}
        notes.append(
            f"{whose} seasonality puts nothing on the days after the cut-off: the new plan"
            " spreads its target by working days"
        )
        return None

    out = rewrite_nodes(plan, data, weight, seasonality)
    out["period"] = stated
    for m in metrics:
        out["metrics"][m.name]["total"] = total_text(m, units[""][m.name])
    if plan.seasonality is not None:
        out["seasonality"] = _remaining(plan.seasonality, "the plan's", notes)
        if out["seasonality"] is None:
            del out["seasonality"]
    dimensions_as_ratios(plan, out)
    if policy == "keep":
        notes += _surplus_notes(plan, owed, units, extra)
    lines = (
        *header,
        f"Cut-off: {day_text(cut)}"
        + (f" (end of week {week})" if week is not None else "")
        + f"; this plan covers {start} to {period.end}.",
        *_policy_lines(policy),
        *(
            f"{m.name}: {amount_text(m, units[''][m.name])} for the rest of the period"
            f" ({_was(m, owed)})"
            for m in metrics
        ),
        *(
            f"{m.name}: derived from {m.derived.source} as before (from:, drivers: as written)"
            for m in plan.metrics
            if m.derived is not None
        ),
    )
    return NewPlan(out, tuple(lines), units, tuple(notes))


#: The name of a period a re-plan made: '2026 from W33', 'FY2026 from 2026-08-13'.
_MADE = re.compile(r"(.+) from (?:W\d{2}|\d{4}-\d{2}-\d{2})", re.ASCII)


def _rest(period: Period, start: date, week: int | None) -> tuple[Period, Any]:
    """The rest of ``period`` from ``start``, and how the new plan states it: as a
    calendar half, quarter or month where it is one (``2026-H2``: its labels stay
    2026-Q3, 2026-07), else as a range named from its first day: after week 32,
    ``2026 from W33``; otherwise ``2026 from 2026-08-13``."""
    if start == period.start:  # a cut-off before the period: all of it is the rest
        if period.kind != "custom":
            return period, period.name
        value = {"start": start.isoformat(), "end": period.end.isoformat(), "name": period.name}
        return period, value
    y = start.year
    for text in (
        f"{y:04d}-H2",
        f"{y:04d}-Q{(start.month - 1) // 3 + 1}",
        f"{y:04d}-{start.month:02d}",
    ):
        p = parse_period_text(text)
        if (p.start, p.end) == (start, period.end) and period.kind != "custom":
            return p, text
    made = _MADE.fullmatch(period.name)
    if made:  # the rest of a rest: named from its first day ('from W06' of which weeks?)
        name = f"{made[1]} from {start}"
    elif week is not None:
        name = f"{period.name} from W{week + 1:02d}"
    else:
        name = f"{period.name} from {start}"
    value = {"start": start.isoformat(), "end": period.end.isoformat(), "name": name}
    return custom_period(start, period.end, name), value


def _was(m: Metric, owed: Mapping[str, Mapping[str, Owed]]) -> str:
    root = owed[""][m.name]
    return f"target {m.format(root.target)}, actual {m.format(root.actual)} at the cut-off"


def _policy_lines(policy: Policy) -> tuple[str, ...]:
    if policy == "keep":
        return (
            "Policy keep: each leaf's target is what it still owed at the cut-off,",
            "max(0, target - actual) rounded up to the unit; parents are the sums.",
        )
    return (
        "Policy share: the whole plan's max(0, target - actual), rounded up to the unit,",
        "split down the tree with the old plan's shares.",
    )


def _owed_units(
    plan: Plan,
    owed: Mapping[str, Mapping[str, Owed]],
    key: str,
    extra: Mapping[str, Fraction] | None = None,
) -> dict[str, int]:
    """What ``key`` still owes per metric, in units rounded up (``extra``: more of
    its actual, booked on its ancestors)."""
    out = {}
    for m in plan.sources:
        o = owed[key][m.name]
        more = extra.get(m.name, Fraction(0)) if extra else Fraction(0)
        out[m.name] = max(0, ceil_units(Fraction(o.target) - Fraction(o.actual) - more, m))
    return out


def _keep(
    plan: Plan,
    owed: Mapping[str, Mapping[str, Owed]],
    extra: Mapping[str, Mapping[str, Fraction]],
) -> dict[str, dict[str, int]]:
    units: dict[str, dict[str, int]] = {}
    for node in reversed(list(plan.root.walk())):
        if node.children:
            units[node.key] = {
                m.name: sum(units[c.key][m.name] for c in node.children) for m in plan.sources
            }
        else:
            units[node.key] = _owed_units(plan, owed, node.key, extra.get(node.key))
    return units


def _share(plan: Plan, owed: Mapping[str, Mapping[str, Owed]]) -> dict[str, dict[str, int]]:
    split = allocate(plan, totals=_owed_units(plan, owed, ""))
    return {row.path: {m.name: row.units[m.name] for m in plan.sources} for row in split.rows}


def _surplus_notes(
    plan: Plan,
    owed: Mapping[str, Mapping[str, Owed]],
    units: Mapping[str, Mapping[str, int]],
    extra: Mapping[str, Mapping[str, Fraction]],
) -> tuple[str, ...]:
    """Why keep's new total is more than the plan still needs as a whole: the
    leaves that sold more than their targets (their surplus lowers no one
    else's), or else each leaf's figure rounded up to the unit."""
    root = _owed_units(plan, owed, "")
    notes = []
    for m in plan.sources:
        more = units[""][m.name] - root[m.name]
        if more <= 0:
            continue
        over = [
            n.key
            for n in plan.root.walk()
            if not n.children
            and Fraction(owed[n.key][m.name].actual) + extra.get(n.key, {}).get(m.name, 0)
            > Fraction(owed[n.key][m.name].target)
        ]
        if over:
            who = listed(over)
            why = (
                f"over-achievers' surpluses ({who}) are not passed on to the others"
                " (--policy share splits the plan's own remaining instead)"
            )
        else:
            why = "each leaf's figure is rounded up to the unit"
        notes.append(
            f"{m.name}: the new total {amount_text(m, units[''][m.name])} is"
            f" {amount_text(m, more)} more than the plan still needs as a whole"
            f" ({amount_text(m, root[m.name])}): {why}"
        )
    return tuple(notes)
