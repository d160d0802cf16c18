"""The allocation: every node's figure for every metric, split top-down exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from targetsplit.numbers.apportion import largest_remainder, whole_weights
from targetsplit.numbers.exact import EXACT
from targetsplit.plan.tree import Node, Plan, leaf_figures


@dataclass(frozen=True)
class Allocated:
    """One node's figures: exact amounts, multiples of each metric's unit."""

    node: Node
    targets: Mapping[str, Decimal]
    units: Mapping[str, int]

    @property
    def path(self) -> str:
        return self.node.key


@dataclass(frozen=True)
class DimensionRow:
    name: str
    targets: Mapping[str, Decimal]


@dataclass(frozen=True)
class Allocation:
    """The plan's figures, optionally under a tier, depth-first from the root."""

    plan: Plan
    tier: str | None
    rows: tuple[Allocated, ...]
    dimensions: Mapping[str, tuple[DimensionRow, ...]]

    def row(self, path: str) -> Allocated:
        """The node's row (KeyError when the plan has no such path)."""
        return self._by_path[path]

    @cached_property
    def _by_path(self) -> dict[str, Allocated]:
        return {r.path: r for r in self.rows}

    @property
    def root(self) -> Allocated:
        return self.rows[0]


def _scaled_units(total_units: int, factor: Fraction) -> int:
    """``total_units * factor`` rounded half up to a whole unit."""
    x = total_units * factor + Fraction(1, 2)
    return x.numerator // x.denominator


def root_units(plan: Plan, tier: str | None) -> dict[str, int]:
    """The root's figures in units of the metrics with a total, under ``tier``."""
    factor = plan.tiers[tier] if tier is not None else Fraction(1)
    return {m.name: _scaled_units(m.total_units, factor) for m in plan.sources}


def allocate(
    plan: Plan, tier: str | None = None, *, totals: Mapping[str, int] | None = None
) -> Allocation:
    """Split the plan's totals (scaled by ``tier``'s percent; or ``totals``, in
    units per metric) down the tree.

    Each parent's whole units are divided among its children by the largest
    remainder method on their exact shares, so children always add up to
    their parent. A derived metric's figures then follow bottom-up: a leaf's
    is its source's divided by the driver in force there, rounded up to the
    unit; a parent's is the sum of its children's (``totals`` holds none).
    Raises ``KeyError`` for an unknown tier.
    """
    metrics = plan.metrics
    if len(plan.sources) < len(metrics):
        return _with_derived(plan, tier, totals)
    names = [m.name for m in metrics]
    exact_units = [(m.name, m.unit) for m in metrics]
    multiply = EXACT.multiply  # Metric.amount, for every node
    rows: list[Allocated] = []

    built = tier is None and totals is None and bool(plan.root.units)

    def visit(node: Node, units: Mapping[str, int]) -> None:
        targets = {name: multiply(Decimal(units[name]), unit) for name, unit in exact_units}
        rows.append(Allocated(node, targets, dict(units)))
        if not node.children:
            return
        if built:  # the build worked them out: the same split
            for child in node.children:
                visit(child, child.units)
            return
        kids = node.children
        parts = {}
        last: tuple[list[Fraction], list[int]] | None = None
        for name in names:
            shares = [c.shares[name] for c in kids]
            # Metrics sharing their shares (the same values) share their integers.
            if last is None or any(a is not b for a, b in zip(shares, last[0], strict=True)):
                last = (shares, whole_weights(shares))
            parts[name] = largest_remainder(units[name], last[1])
        for i, child in enumerate(kids):
            visit(child, {name: p[i] for name, p in parts.items()})

    top = dict(totals) if totals is not None else root_units(plan, tier)
    visit(plan.root, top)
    return Allocation(plan, tier, tuple(rows), _dimensions(plan, top))


def _with_derived(plan: Plan, tier: str | None, totals: Mapping[str, int] | None) -> Allocation:
    """:func:`allocate` for a plan with derived metrics: the metrics with a total
    top-down, then the derived ones bottom-up."""
    metrics = plan.metrics
    sources = plan.sources
    derived = plan.derived
    by_name = {m.name: m for m in metrics}
    order: list[tuple[Node, dict[str, int]]] = []  # depth-first, parents first

    def visit(node: Node, units: dict[str, int]) -> None:
        order.append((node, units))
        if not node.children:
            leaf_figures(derived, by_name, units, node.drivers)
            return
        parts = {
            m.name: largest_remainder(units[m.name], [c.shares[m.name] for c in node.children])
            for m in sources
        }
        for i, child in enumerate(node.children):
            visit(child, {name: p[i] for name, p in parts.items()})

    top = root_units(plan, tier)
    if totals is not None:
        top = {m.name: totals[m.name] for m in sources}
    visit(plan.root, top)
    figures = {id(node): units for node, units in order}
    for node, units in reversed(order):
        if node.children:
            kids = [figures[id(c)] for c in node.children]
            for d in derived:
                units[d.name] = sum(k[d.name] for k in kids)
    rows = []
    for node, units in order:
        ordered = {m.name: units[m.name] for m in metrics}
        rows.append(Allocated(node, {m.name: m.amount(ordered[m.name]) for m in metrics}, ordered))
    return Allocation(plan, tier, tuple(rows), _dimensions(plan, rows[0].units))


def _dimensions(plan: Plan, top: Mapping[str, int]) -> dict[str, tuple[DimensionRow, ...]]:
    """Each dimension's cut of the root's figures; a derived metric is cut in the
    shares of the metric it derives from."""
    metrics = plan.metrics
    dims: dict[str, tuple[DimensionRow, ...]] = {}
    for dim, items in plan.dimensions.items():
        parts = {
            m.name: largest_remainder(top[m.name], [it.shares[plan.origin(m).name] for it in items])
            for m in metrics
        }
        dims[dim] = tuple(
            DimensionRow(it.name, {m.name: m.amount(parts[m.name][i]) for m in metrics})
            for i, it in enumerate(items)
        )
    return dims
