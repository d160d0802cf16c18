"""The plan as the core sees it: an immutable tree with exact shares.

These are the values the rest of the core reads, and the lookups over them.
:func:`targetsplit.plan.build.build_plan` makes a :class:`Plan` from a
validated plan document and checks it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from targetsplit.calendar.periods import Period
from targetsplit.calendar.seasonality import Seasonality
from targetsplit.calendar.workdays import Breakdown, Calendar
from targetsplit.errors import Diagnostic, Loc
from targetsplit.numbers import amounts
from targetsplit.plan.weights import Weight

DEFAULT_TIERS: dict[str, Fraction] = {
    "floor": Fraction(4, 5),
    "target": Fraction(1),
    "stretch": Fraction(6, 5),
}


@dataclass(frozen=True)
class Metric:
    """A metric's total, rounding unit and display."""

    name: str
    total: Decimal
    unit: Decimal  # the rounding unit: every figure is a multiple of it
    label: str | None
    display: amounts.Display

    @property
    def total_units(self) -> int:
        return int(Fraction(self.total) / Fraction(self.unit))

    def amount(self, units: int) -> Decimal:
        return amounts.EXACT.multiply(Decimal(units), self.unit)

    def numbers(self, units: Sequence[int]) -> list[int] | list[Decimal]:
        """Exact amounts, as ints when the rounding unit is whole (fast to write)."""
        if self.unit == self.unit.to_integral_value():
            whole = int(self.unit)
            return [u * whole for u in units]
        return [self.amount(u) for u in units]

    def format(self, value: Decimal) -> str:
        return amounts.format_amount(value, self.display)

    @property
    def title(self) -> str:
        """The metric's name with its unit label, for column headers."""
        return f"{self.name} ({self.label})" if self.label else self.name


@dataclass(frozen=True)
class Node:
    """One node of the hierarchy; the root is the plan itself (path ``()``)."""

    name: str
    path: tuple[str, ...]
    weights: Mapping[str, Weight]  # per metric; empty for the root
    shares: Mapping[str, Fraction]  # exact share of the parent, per metric
    children: tuple[Node, ...] = ()
    owner: str | None = None
    due: date | None = None
    strategy: str | None = None
    note: str | None = None
    seasonality: Seasonality | None = None  # this subtree's own, if the plan gives one

    @cached_property
    def key(self) -> str:
        return "/".join(self.path)

    @property
    def depth(self) -> int:
        return len(self.path)

    def walk(self) -> Iterator[Node]:
        """This node and its descendants, depth-first in plan order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(frozen=True)
class DimensionItem:
    name: str
    weights: Mapping[str, Weight]
    shares: Mapping[str, Fraction]


@dataclass(frozen=True)
class Plan:
    title: str
    period: Period
    metrics: tuple[Metric, ...]
    root: Node
    tiers: Mapping[str, Fraction]
    tiers_given: bool
    dimensions: Mapping[str, tuple[DimensionItem, ...]] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()
    calendar: Calendar = field(default_factory=Calendar)
    seasonality: Seasonality | None = None
    breakdown: Breakdown | None = None
    green: Fraction = Fraction(1)  # status thresholds, as a share of pace
    yellow: Fraction = Fraction(9, 10)
    actuals: str | None = None  # the plan's actuals file, as written in it
    max_growth: Fraction = Fraction(3, 10)

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    def nodes(self) -> Iterator[Node]:
        return self.root.walk()


class NodeIndex:
    """Find a node by its path (``East/Group 1``) or by a name unique in the plan."""

    def __init__(self, plan: Plan) -> None:
        self.nodes: dict[str, Node] = {}
        self.names: dict[str, list[str]] = {}
        for node in plan.nodes():
            if node.path:
                self.nodes[node.key] = node
                self.names.setdefault(node.name, []).append(node.key)

    def lookup(self, text: str) -> Node:
        """The node; raise LookupError with a message that says what to write."""
        key = text.strip()
        if key in self.nodes:
            return self.nodes[key]
        found = self.names.get(key, [])
        if len(found) == 1:
            return self.nodes[found[0]]
        if found:
            raise LookupError(
                f"'{key}' names {len(found)} nodes ({', '.join(found[:4])}); give its path instead"
            )
        choices = list(dict.fromkeys([*self.nodes, *self.names]))
        close = difflib.get_close_matches(key, choices, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise LookupError(f"unknown node '{key}'{hint}")


def node_loc(path: Sequence[str], *rest: str | int) -> Loc:
    """Where a node sits in the plan document."""
    loc: list[str | int] = []
    for name in path:
        loc += ["split", name]
    return (*loc, *rest)


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
