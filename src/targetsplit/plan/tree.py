"""The plan as the core sees it: an immutable tree with exact shares.

These are the values the rest of the core reads, and the lookups over them.
:func:`targetsplit.plan.build.build_plan` makes a :class:`Plan` from a
validated plan document and checks it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, TypeVar, overload

from targetsplit.calendar.periods import Period
from targetsplit.calendar.ramp import Ramp
from targetsplit.calendar.seasonality import Seasonality
from targetsplit.calendar.workdays import Breakdown, Calendar
from targetsplit.errors import Diagnostic, Loc
from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.names import Names, fold, nfc
from targetsplit.plan.names import did_you_mean as did_you_mean  # where plan/ imports it
from targetsplit.plan.weights import Weight

DEFAULT_TIERS: dict[str, Fraction] = {
    "floor": Fraction(4, 5),
    "target": Fraction(1),
    "stretch": Fraction(6, 5),
}


@dataclass(frozen=True)
class Driver:
    """What a derived metric's source figure is divided by (the funnel, 倒推):
    ``per`` an amount of the source per one of the metric (10万 a deal, 0.5 leads
    a visit), ``rate`` a percent (a 20 % conversion rate)."""

    kind: Literal["per", "rate"]
    value: Fraction  # more than zero
    text: str  # as written
    where: tuple[str, ...] | None = None  # the node whose drivers: give it; None: the metric's

    def derive(self, source: Fraction, unit: Decimal) -> int:
        """``source ÷ value`` in whole units of ``unit``, rounded up (at least that many)."""
        x = source / self.value / Fraction(unit)
        return -((-x.numerator) // x.denominator)


@dataclass(frozen=True)
class Derived:
    """How a derived metric follows from another: its source and its own driver."""

    source: str
    driver: Driver


@dataclass(frozen=True)
class Metric:
    """A metric's total, rounding unit and display; a derived metric's total is the
    sum of its leaves' figures (worked out when the plan is built)."""

    name: str
    total: Decimal
    unit: Decimal  # the rounding unit: every figure is a multiple of it
    label: str | None
    display: amounts.Display
    derived: Derived | None = None

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


NO_DRIVERS: Mapping[str, Driver] = MappingProxyType({})


def leaf_figures(
    derived: Sequence[Metric],
    metrics: Mapping[str, Metric],
    units: dict[str, int],
    drivers: Mapping[str, Driver],
) -> None:
    """Add a leaf's derived figures to its ``units`` (each metric of ``derived``, in
    order, from its source's figure and the driver in force at the leaf)."""
    for d in derived:
        assert d.derived is not None
        source = metrics[d.derived.source]
        units[d.name] = drivers[d.name].derive(
            Fraction(units[source.name]) * Fraction(source.unit), d.unit
        )


class _PathKey:
    """``Node.key``: the path joined by ``/``, worked out on first use and kept
    (functools.cached_property takes a lock on each first use in Python 3.11,
    a few µs a node: hundredths of a second over a large plan)."""

    @overload
    def __get__(self, node: None, owner: type) -> _PathKey: ...
    @overload
    def __get__(self, node: Node, owner: type) -> str: ...
    def __get__(self, node: Node | None, owner: type) -> str | _PathKey:
        if node is None:
            return self
        key = "/".join(node.path)
        node.__dict__["key"] = key  # read from the node from now on
        return key


_Class = TypeVar("_Class", bound=type)


def _filled_at_once(cls: _Class) -> _Class:
    """Give frozen dataclass ``cls`` an ``__init__`` that fills the instance's dict
    in one step. The generated one sets each field through ``object.__setattr__``
    (a few µs a node: hundredths of a second for a large plan, in the parent and
    again in the actuals child); this one takes the same arguments, with the same
    defaults and factories. Only plain fields and no ``__post_init__`` (checked)."""
    params: list[str] = []
    made: list[str] = []
    names: list[str] = []
    space: dict[str, Any] = {"_MISSING": MISSING}
    for f in fields(cls):
        assert f.init and not f.kw_only, f"{cls.__name__}.{f.name}: a plain field only"
        names.append(f.name)
        if f.default is not MISSING:
            space[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            space[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            made.append(f"    if {f.name} is _MISSING:\n        {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
    assert not hasattr(cls, "__post_init__"), f"{cls.__name__} has a __post_init__"
    filled = ", ".join(f"{n}={n}" for n in names)
    source = "\n".join(
        [f"def __init__(self, {', '.join(params)}):", *made, f"    self.__dict__.update({filled})"]
    )
    exec(source, space)  # noqa: S102 - made here, from the class's own fields
    init = space["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010
    return cls


@_filled_at_once
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
    # The split by a dimension's items this node would like (allocate --cross):
    # dimension -> a share per item, in the dimension's order, adding up to one.
    mix: Mapping[str, tuple[Fraction, ...]] | None = None
    # When the node starts working and how it ramps up (start:, ramp:), and its
    # capacity: the share of its parent's working time it works (a ratio or
    # history weight counts by it).
    ramp: Ramp | None = None
    capacity: Fraction | None = None
    # The node's figures at the plan's totals, in rounding units, as the build
    # worked them out (what split.hierarchy.allocate gives without a tier).
    units: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    drivers: Mapping[str, Driver] = field(default_factory=lambda: NO_DRIVERS)  # in force here
    aliases: tuple[str, ...] = ()  # other spellings of it in actuals (aliases:)

    key = _PathKey()  # "East/Group 1" ('' for the root)

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
    actuals: str | None = None  # the plan's actuals file (or glob), as written in it
    actuals_map: ActualsMap | None = None  # how its columns map, when it is an export
    max_growth: Fraction = Fraction(3, 10)

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    @cached_property
    def sources(self) -> tuple[Metric, ...]:
        """The metrics with a total, split top-down by weights (not derived)."""
        return tuple(m for m in self.metrics if m.derived is None)

    @cached_property
    def derived(self) -> tuple[Metric, ...]:
        """The derived metrics, each after the metric it derives from."""
        return derived_order(self.metrics)

    def origin(self, m: Metric) -> Metric:
        """The metric with a total that ``m`` derives from, through any steps (``m`` itself
        when it has a total)."""
        while m.derived is not None:
            m = self.metric(m.derived.source)
        return m

    def nodes(self) -> Iterator[Node]:
        return self.root.walk()


def derived_order(metrics: Sequence[Metric]) -> tuple[Metric, ...]:
    """The derived metrics of ``metrics``, each after its source (plan order otherwise);
    a metric in a cycle or from an unknown metric is left out."""
    known = {m.name for m in metrics if m.derived is None}
    out: list[Metric] = []
    left = [m for m in metrics if m.derived is not None]
    while left:
        ready = [m for m in left if m.derived is not None and m.derived.source in known]
        if not ready:
            break
        out += ready
        known.update(m.name for m in ready)
        left = [m for m in left if m not in ready]
    return tuple(out)


class NodeIndex:
    """Find a node by its path (``East/Group 1``) or by a name unique in the plan.

    Paths and names are compared in NFC. The root is addressed as ``''`` only:
    a node may be named like the plan's title and is then found by that name.
    """

    def __init__(self, plan: Plan) -> None:
        self.root = plan.root
        self.title = plan.title
        nodes: dict[str, Node] = {}  # NFC path -> node
        names: dict[str, list[str]] = {}  # NFC name -> the paths of the nodes so named
        for node in plan.nodes():
            if node.path:
                key, name = node.key, node.name
                path = key if key.isascii() else nfc(key)  # (ASCII is NFC already)
                if path not in nodes:
                    nodes[path] = node
                name = name if name.isascii() else nfc(name)
                named = names.get(name)
                if named is None:
                    names[name] = [key]
                else:
                    named.append(key)
        self.nodes, self.names = nodes, names
        self._choices: Names | None = None

    def find(self, text: str) -> Node | None:
        """The node ``text`` addresses, None if none; LookupError if the name is not unique."""
        key = nfc(text.strip())
        if not key:
            return self.root
        node = self.nodes.get(key)
        if node is not None:
            return node
        found = self.names.get(key, [])
        if len(found) == 1:
            return self.nodes[nfc(found[0])]
        if found:
            raise LookupError(
                f"'{text.strip()}' names {len(found)} nodes ({', '.join(found[:4])});"
                " give its path instead"
            )
        return None

    def lookup(self, text: str) -> Node:
        """The node; raise LookupError with a message that says what to write."""
        node = self.find(text)
        if node is None:
            raise LookupError(f"unknown node '{text.strip()}'{self.hint(text)}")
        return node

    def hint(self, text: str) -> str:
        """What an unknown node name may have meant (``; did you mean …?``)."""
        key = text.strip()
        if fold(key) == fold(self.title):
            return f"; '{self.title}' is the plan's title: address the whole plan as ''"
        if self._choices is None:
            paths = [node.key for node in self.nodes.values()]
            self._choices = Names([*paths, *(p[0].rpartition("/")[2] for p in self.names.values())])
        return self._choices.hint(key)


def shown_nodes(nodes: Sequence[Node], under: Node | None, depth: int | None) -> list[int]:
    """The indices of ``nodes`` (a whole tree, depth-first, the root first) in the
    subtree of ``under`` (the whole tree when None) down to ``depth`` levels below
    its root (every level when None): the rows ``--node`` and ``--depth`` show."""
    if under is None:
        if depth is None:
            return list(range(len(nodes)))
        return [i for i, n in enumerate(nodes) if n.depth <= depth]
    key, top = under.key, under.depth
    start = next(i for i, n in enumerate(nodes) if n.depth == top and n.key == key)
    last = len(nodes) if depth is None else top + depth
    out = [start]
    for i in range(start + 1, len(nodes)):
        d = nodes[i].depth
        if d <= top:
            break
        if d <= last:
            out.append(i)
    return out


def node_loc(path: Sequence[str], *rest: str | int) -> Loc:
    """Where a node sits in the plan document."""
    loc: list[str | int] = []
    for name in path:
        loc += ["split", name]
    return (*loc, *rest)
