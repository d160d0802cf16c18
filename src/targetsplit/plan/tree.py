"""The plan as the core sees it: an immutable tree with exact shares.

:func:`build_plan` turns a validated :class:`~targetsplit.model.PlanDoc`
into a :class:`Plan`, checking everything that needs more than one value at
a time (shares that must add up, amounts that must fit the rounding unit)
and collecting every problem before it raises.
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
from targetsplit.calendar.seasonality import Seasonality, SeasonalityError, month_shares
from targetsplit.calendar.workdays import (
    Breakdown,
    Calendar,
    breakdown,
    parse_day_range,
    parse_weekday,
)
from targetsplit.errors import Diagnostic, Loc, PlanError
from targetsplit.numbers import amounts
from targetsplit.numbers.apportion import largest_remainder
from targetsplit.plan.document import CalendarDoc, NodeDoc, PlanDoc, SeasonalityDoc
from targetsplit.plan.weights import Weight, WeightSpec

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
        return int(self.total / self.unit)

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


def _fraction_text(f: Fraction, metric: Metric) -> str:
    if (f / Fraction(metric.unit)).denominator == 1 or _terminates(f):
        try:
            return metric.format(amounts.to_decimal(f))
        except ArithmeticError:  # pragma: no cover - guarded by _terminates
            pass
    return "≈" + metric.format(amounts.round_fraction(f, 4))


def _terminates(f: Fraction) -> bool:
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


class _Builder:
    def __init__(self, doc: PlanDoc) -> None:
        self.doc = doc
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.seen: set[tuple[Loc, str]] = set()
        self.metrics = self._metrics()
        self.names = tuple(m.name for m in self.metrics)
        self.breakdown: Breakdown | None = None

    def error(self, message: str, loc: Loc, dedupe: str | None = None) -> None:
        if dedupe is not None:
            if (loc, dedupe) in self.seen:
                return
            self.seen.add((loc, dedupe))
        self.errors.append(Diagnostic(message, loc))

    def warn(self, message: str, loc: Loc) -> None:
        d = Diagnostic(message, loc, severity="warning")
        if d not in self.warnings:  # a metric-independent warning comes once
            self.warnings.append(d)

    # -- metrics ---------------------------------------------------------

    def _metrics(self) -> tuple[Metric, ...]:
        out: list[Metric] = []
        for name, m in self.doc.metrics.items():
            unit = m.round.value if m.round is not None else Decimal(1)
            if unit <= 0:
                self.error(
                    f"metric '{name}': round must be more than zero", ("metrics", name, "round")
                )
                unit = Decimal(1)
            display = m.display or amounts.display_for(m.total.suffix)
            metric = Metric(name, m.total.value, unit, m.unit, display)
            if m.total.value % unit != 0:
                self.error(
                    f"metric '{name}': the total {m.total.text} is not a multiple of its rounding"
                    f" unit {metric.format(unit)} (round: {m.round.text if m.round else 1})",
                    ("metrics", name, "total"),
                )
            out.append(metric)
        return tuple(out)

    # -- weights ---------------------------------------------------------

    def resolve(self, spec: WeightSpec | None, loc: Loc, what: str) -> dict[str, Weight] | None:
        if spec is None:
            self.error(
                f"{what} has no weight: give a percent (60%), a ratio (1.2),"
                " {amount: 300万}, {history: 120} or rest",
                loc,
            )
            return None
        ok = True
        for name in spec.by_metric:
            if name not in self.names:
                self.error(
                    f"{what}: weight for unknown metric '{name}'{did_you_mean(name, self.names)}"
                    f" (metrics: {', '.join(self.names)})",
                    (*loc, "weight", name),
                )
                ok = False
        out: dict[str, Weight] = {}
        for m in self.metrics:
            w = spec.by_metric.get(m.name, spec.default)
            if w is None:
                self.error(
                    f"{what} has no weight for '{m.name}': add default: or {m.name}: to its weight",
                    (*loc, "weight"),
                )
                ok = False
                continue
            if w.kind == "amount":
                counted = self.metrics[0] if w.metric is None else self._metric(w.metric)
                if counted is not None and (w.value / Fraction(counted.unit)).denominator != 1:
                    self.error(
                        f"{what}: the amount {w.text} is not a multiple of {counted.name}'s"
                        f" rounding unit {counted.format(counted.unit)}",
                        (*loc, "weight"),
                        dedupe="amount-unit",
                    )
                    ok = False
            out[m.name] = w
        return out if ok else None

    def _metric(self, name: str) -> Metric | None:
        for m in self.metrics:
            if m.name == name:
                return m
        return None

    # -- one sibling group -----------------------------------------------

    def shares(
        self,
        parent_units: Mapping[str, int],
        children: Sequence[tuple[str, dict[str, Weight]]],
        loc: Loc,
        where: str,
    ) -> list[dict[str, Fraction]] | None:
        """Each child's exact share of the parent, per metric; None on error."""
        result: list[dict[str, Fraction]] = [{} for _ in children]
        ok = True
        for m in self.metrics:
            per_metric = self._group(m, parent_units, [w[m.name] for _, w in children], loc, where)
            if per_metric is None:
                ok = False
                continue
            for i, share in enumerate(per_metric):
                result[i][m.name] = share
        return result if ok else None

    def _group(
        self,
        metric: Metric,
        parent_units: Mapping[str, int],
        weights: Sequence[Weight],
        loc: Loc,
        where: str,
    ) -> list[Fraction] | None:
        label = f"{metric.name} " if len(self.metrics) > 1 else ""
        parent = Fraction(metric.amount(parent_units[metric.name]))
        rests = [i for i, w in enumerate(weights) if w.kind == "rest"]
        ratios = [i for i, w in enumerate(weights) if w.is_ratio]
        if len(rests) > 1:
            self.error(
                f"more than one 'rest' {where}; only one sibling can take the rest", loc, "rests"
            )
            return None
        if rests and ratios:
            self.error(
                f"'rest' and ratio weights {where} cannot be mixed: use ratios for all of the"
                " siblings that share what the claims leave",
                loc,
                "rest-ratio",
            )
            return None
        shares: list[Fraction] = [Fraction(0)] * len(weights)
        claimed = Fraction(0)
        has_amount = False
        for i, w in enumerate(weights):
            if w.kind == "percent":
                shares[i] = w.value
            elif w.kind == "amount":
                has_amount = True
                counted = w.metric or self.metrics[0].name
                counted_metric = self._metric(counted)
                assert counted_metric is not None  # unknown metrics were rejected in resolve()
                base = Fraction(counted_metric.amount(parent_units[counted]))
                if base == 0:
                    if w.value == 0:
                        shares[i] = Fraction(0)
                        continue
                    if counted == metric.name:
                        self.error(
                            f"{label}claims {where} exceed the parent: {w.text} of 0",
                            loc,
                            "over",
                        )
                    else:
                        self.error(
                            f"the amount {w.text} {where} gives no share of '{metric.name}':"
                            f" the parent's '{counted}' is zero",
                            loc,
                            f"zero-base-{metric.name}",
                        )
                    return None
                shares[i] = w.value / base
            claimed += shares[i]
        if claimed > 1:
            over = claimed * parent - parent
            self.error(
                f"{label}claims {where} add up to {amounts.format_percent(claimed)}"
                f" ({_fraction_text(claimed * parent, metric)}),"
                f" {_fraction_text(over, metric)} over {_fraction_text(parent, metric)}",
                loc,
                "over",
            )
            return None
        left = 1 - claimed
        if rests:
            shares[rests[0]] = left
        elif ratios:
            total_ratio = sum((weights[i].value for i in ratios), Fraction(0))
            if total_ratio == 0:
                if left > 0:
                    self.error(
                        f"{label}ratio weights {where} are all zero but"
                        f" {amounts.format_percent(left)} ({_fraction_text(left * parent, metric)})"
                        " is left to share",
                        loc,
                        "zero-ratios",
                    )
                    return None
            else:
                if left == 0:
                    self.warn(
                        f"the claims {where} take all of it: its ratio siblings get nothing",
                        loc,
                    )
                for i in ratios:
                    shares[i] = left * weights[i].value / total_ratio
        elif claimed != 1 and not (has_amount and parent == 0):
            short = parent - claimed * parent
            self.error(
                f"{label}shares {where} add up to {amounts.format_percent(claimed)}"
                f" ({_fraction_text(claimed * parent, metric)}),"
                f" {_fraction_text(short, metric)} short of {_fraction_text(parent, metric)}",
                loc,
                "short",
            )
            return None
        return shares

    # -- the tree ----------------------------------------------------------

    def node(
        self,
        name: str,
        path: tuple[str, ...],
        doc: NodeDoc | None,
        weights: Mapping[str, Weight],
        shares: Mapping[str, Fraction],
        units: Mapping[str, int],
    ) -> Node:
        children: list[Node] = []
        kids = (doc.split or {}) if doc is not None else self.doc.split
        if kids:
            resolved: list[tuple[str, dict[str, Weight]]] = []
            ok = True
            for child_name, child in kids.items():
                child_path = (*path, child_name)
                w = self.resolve(child.weight, node_loc(child_path), f"'{'/'.join(child_path)}'")
                if w is None:
                    ok = False
                    continue
                resolved.append((child_name, w))
                for m, wt in w.items():
                    if wt.kind != "rest" and wt.value == 0:
                        self.warn(
                            f"'{'/'.join(child_path)}' has a zero weight"
                            f"{' for ' + m if wt.metric is not None else ''}: it gets nothing",
                            node_loc(child_path, "weight"),
                        )
                        break
            where = f"under '{'/'.join(path)}'" if path else "at the top level"
            child_shares = (
                self.shares(units, resolved, node_loc(path, "split"), where) if ok else None
            )
            if child_shares is not None:
                parts = {
                    m.name: largest_remainder(units[m.name], [s[m.name] for s in child_shares])
                    for m in self.metrics
                }
                for i, (child_name, w) in enumerate(resolved):
                    child_units = {m: parts[m][i] for m in parts}
                    children.append(
                        self.node(
                            child_name,
                            (*path, child_name),
                            kids[child_name],
                            w,
                            child_shares[i],
                            child_units,
                        )
                    )
            else:
                # The group is wrong, but children whose claim alone fixes their
                # figure can still be checked, so that all errors come out at once.
                for child_name, w in resolved:
                    provisional = self._provisional_units(units, w)
                    if provisional is not None:
                        self.node(
                            child_name, (*path, child_name), kids[child_name], w, {}, provisional
                        )
        return Node(
            name=name if path else self.doc.plan,
            path=path,
            weights=weights,
            shares=shares,
            children=tuple(children),
            owner=doc.owner if doc else None,
            due=doc.due if doc else None,
            strategy=doc.strategy if doc else None,
            note=doc.note if doc else None,
            seasonality=self.seasonality(doc.seasonality, node_loc(path, "seasonality"))
            if doc
            else None,
        )

    def _provisional_units(
        self, parent_units: Mapping[str, int], weights: Mapping[str, Weight]
    ) -> dict[str, int] | None:
        out: dict[str, int] = {}
        for m in self.metrics:
            w = weights[m.name]
            if w.kind == "percent":
                share = w.value
            elif w.kind == "amount" and (w.metric or self.metrics[0].name) == m.name:
                if parent_units[m.name] == 0:
                    return None
                share = w.value / Fraction(m.amount(parent_units[m.name]))
            else:
                return None
            quota = share * parent_units[m.name]
            out[m.name] = quota.numerator // quota.denominator
        return out

    def dimensions(self, units: Mapping[str, int]) -> dict[str, tuple[DimensionItem, ...]]:
        out: dict[str, tuple[DimensionItem, ...]] = {}
        for dim, items in (self.doc.dimensions or {}).items():
            resolved: list[tuple[str, dict[str, Weight]]] = []
            for item, spec in items.items():
                w = self.resolve(spec, ("dimensions", dim, item), f"'{item}' in dimension '{dim}'")
                if w is not None:
                    resolved.append((item, w))
            if len(resolved) != len(items):
                continue
            shares = self.shares(units, resolved, ("dimensions", dim), f"in dimension '{dim}'")
            if shares is not None:
                out[dim] = tuple(
                    DimensionItem(n, w, s) for (n, w), s in zip(resolved, shares, strict=True)
                )
        return out

    def calendar(self, doc: CalendarDoc | None) -> Calendar:
        if doc is None:
            return Calendar()
        workdays: set[int] = set()
        for i, text in enumerate(doc.workdays or ()):
            try:
                workdays.add(parse_weekday(text))
            except ValueError as e:
                self.error(str(e), ("calendar", "workdays", i))
        holidays: set[date] = set()
        overrides: set[date] = set()
        for key, into in (("holidays", holidays), ("workday_overrides", overrides)):
            for i, text in enumerate(getattr(doc, key) or ()):
                try:
                    into.update(parse_day_range(text))
                except ValueError as e:
                    self.error(str(e), ("calendar", key, i))
        return Calendar(
            frozenset(workdays) if doc.workdays is not None else frozenset(range(5)),
            frozenset(holidays),
            frozenset(overrides),
        )

    def seasonality(self, doc: SeasonalityDoc | None, loc: Loc) -> Seasonality | None:
        if doc is None:
            return None
        s = Seasonality(doc.quarters, doc.months, doc.within_quarter)
        if self.breakdown is not None:
            try:
                month_shares(s, self.breakdown)
            except SeasonalityError as e:
                self.error(f"seasonality: {e}", (*loc, e.key) if e.key else loc)
        return s

    def tiers(self) -> dict[str, Fraction]:
        if self.doc.tiers is None:
            return dict(DEFAULT_TIERS)
        tiers = {name: Fraction(p.value) for name, p in self.doc.tiers.items()}
        values = list(tiers.values())
        if any(b <= a for a, b in zip(values, values[1:], strict=False)):
            self.warn(
                "tiers should increase in the order given (e.g. floor 80%, target 100%,"
                " stretch 120%): "
                + ", ".join(f"{n} {amounts.format_percent(v)}" for n, v in tiers.items()),
                ("tiers",),
            )
        return tiers


def build_plan(doc: PlanDoc) -> Plan:
    """Build and check the plan; raise :class:`PlanError` with every problem."""
    b = _Builder(doc)
    tiers = b.tiers()
    calendar = b.calendar(doc.calendar)
    b.breakdown = None if b.errors else breakdown(doc.period, calendar)
    seasonality = b.seasonality(doc.seasonality, ("seasonality",))
    if doc.seasonality is None and b.breakdown is not None:
        try:  # without seasonality the period still needs working days
            month_shares(None, b.breakdown)
        except SeasonalityError as e:
            b.error(str(e), ("period",))
    units = {m.name: m.total_units for m in b.metrics}
    if b.errors:  # totals that do not fit their unit: nothing below can be trusted
        raise PlanError(b.errors + b.warnings)
    green, yellow = Fraction(1), Fraction(9, 10)
    if doc.status is not None:
        green = Fraction(doc.status.green.value) if doc.status.green else green
        yellow = Fraction(doc.status.yellow.value) if doc.status.yellow else yellow
        if yellow > green:
            b.error(
                f"status: yellow ({amounts.format_percent(yellow)}) is above green"
                f" ({amounts.format_percent(green)})",
                ("status", "yellow"),
            )
    root = b.node(doc.plan, (), None, {}, {m.name: Fraction(1) for m in b.metrics}, units)
    dims = b.dimensions(units)
    if b.errors:
        raise PlanError(b.errors + b.warnings)
    return Plan(
        title=doc.plan,
        period=doc.period,
        metrics=b.metrics,
        root=root,
        tiers=tiers,
        tiers_given=doc.tiers is not None,
        dimensions=dims,
        warnings=tuple(b.warnings),
        calendar=calendar,
        seasonality=seasonality,
        breakdown=b.breakdown,
        green=green,
        yellow=yellow,
        actuals=doc.actuals,
        max_growth=Fraction(doc.max_growth.value) if doc.max_growth else Fraction(3, 10),
    )
