"""A node's ``start:`` and ``ramp:`` (issue 13): checked, its capacity, and
whether its sibling group can take its ramp (:mod:`plan.rampfit`).

- ``ramp`` needs ``start``; a start after the period's end is an error (the
  node would never work in it). A start before the period's first day means
  the node is fully ramped, or part-way through its ramp, when it begins.
- Capacity: the share of the parent's working time — each working day
  weighted by the parent's seasonality (and the ramps above the parent) — in
  which the node works, each day by its productivity. A ratio or history
  weight is multiplied by it; a percent or an amount is taken as given.
- The fit is checked at the plan's totals and under every tier, so that a
  valid plan stays valid under each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from targetsplit.calendar.periods import Period
from targetsplit.calendar.ramp import Ramp, capacity
from targetsplit.calendar.seasonality import Seasonality, SeasonalityError, month_shares
from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers.apportion import largest_remainder, whole_weights
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.rampfit import Unfit, fit
from targetsplit.plan.tree import Metric, Node, node_loc
from targetsplit.plan.weights import Weight

if TYPE_CHECKING:
    from targetsplit.plan.document import NodeDoc


def build_ramp(
    diags: Collector, doc: NodeDoc, path: tuple[str, ...], period: Period | None
) -> Ramp | None:
    """The node's ramp (None without ``start``, or when it is wrong: said in ``diags``)."""
    what = f"'{'/'.join(path)}'"
    if doc.start is None:
        if doc.ramp is not None:
            diags.error(
                f"{what}: ramp needs start: the day its first month begins (start: 2026-07-01)",
                node_loc(path, "ramp"),
                cause=node_loc(path, "start"),
            )
        return None
    if period is not None and doc.start > period.end:
        diags.error(
            f"{what} starts {doc.start}, after the period ends ({period.end}): it would never"
            " work in it (leave it out of this plan, or give a start inside the period)",
            node_loc(path, "start"),
        )
        return None
    return Ramp(doc.start, doc.ramp or ())


def ramps_in(split: Mapping[str, NodeDoc]) -> Iterator[Ramp]:
    """Every ramp the plan states (whether right or not), for the ledger's cuts."""
    for child in split.values():
        if child.start is not None:
            yield Ramp(child.start, child.ramp or ())
        if child.split:
            yield from ramps_in(child.split)


def node_capacity(
    days: Breakdown | None, s: Seasonality | None, outer: Sequence[Ramp], ramp: Ramp
) -> Fraction | None:
    """``ramp``'s capacity under a parent whose seasonality is ``s`` and whose
    ramps are ``outer``; None when the seasonality does not fit (said elsewhere)."""
    if days is None:
        return None
    try:
        shares = month_shares(s, days)
    except SeasonalityError:
        return None
    return capacity(shares, days, outer, ramp)


def by_capacity(weights: Mapping[str, Weight], cap: Fraction | None) -> dict[str, Weight]:
    """The weights a group shares by: a ratio or history weight times the capacity."""
    out = dict(weights)
    if cap is None or cap == 1:
        return out
    scaled: dict[int, Weight] = {}  # a weight shared by metrics stays shared
    for name, w in weights.items():
        if w.is_ratio:
            if id(w) not in scaled:
                scaled[id(w)] = Weight(w.kind, w.value * cap, w.metric, w.text)
            out[name] = scaled[id(w)]
    return out


def check_fit(
    diags: Collector,
    root: Node,
    seasonality: Seasonality | None,
    days: Breakdown,
    metrics: Sequence[Metric],
    tiers: Mapping[str, Fraction],
) -> None:
    """Whether every ramped node's group can be fitted, at the plan's totals and
    under every tier; an error at the ramped node's ``start:`` when not."""
    names = [m.name for m in metrics]
    seen: set[str] = set()
    runs: list[tuple[str | None, Mapping[str, Mapping[str, int]] | None]] = [(None, None)]
    runs += [(t, _units(root, metrics, f)) for t, f in tiers.items() if f != 1]
    for tier, table in runs:

        def units(
            node: Node, table: Mapping[str, Mapping[str, int]] | None = table
        ) -> Mapping[str, int]:
            return node.units if table is None else table[node.key]

        try:
            fit(root, seasonality, days, units, names)
        except Unfit as e:
            if e.node.key in seen:
                continue
            seen.add(e.node.key)
            under = f" (under tier {tier})" if tier is not None else ""
            diags.error(f"{e}{under}", node_loc(e.node.path, "start"))


def _units(root: Node, metrics: Sequence[Metric], factor: Fraction) -> dict[str, dict[str, int]]:
    """Every node's figures under a tier: its total times ``factor``, rounded half up,
    split down the tree as ``split.hierarchy.allocate`` splits it."""
    out: dict[str, dict[str, int]] = {}

    def visit(node: Node, units: dict[str, int]) -> None:
        out[node.key] = units
        if not node.children:
            return
        parts = {
            m.name: largest_remainder(
                units[m.name], whole_weights([c.shares[m.name] for c in node.children])
            )
            for m in metrics
        }
        for i, c in enumerate(node.children):
            visit(c, {name: p[i] for name, p in parts.items()})

    top = {}
    for m in metrics:
        x = m.total_units * factor + Fraction(1, 2)
        top[m.name] = x.numerator // x.denominator
    visit(root, top)
    return out
