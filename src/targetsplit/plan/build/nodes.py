"""The hierarchy: each node's share of its parent and its figures, top down.

A node's figures are its parent's, apportioned exactly among the siblings
(largest remainder). When a sibling group is wrong, the children whose own
claim fixes their figures are still checked, so that all errors come at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from targetsplit.calendar.ramp import Ramp
from targetsplit.calendar.seasonality import Seasonality
from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers.apportion import largest_remainder, whole_weights
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.mix import build_mix
from targetsplit.plan.build.ramp import build_ramp, by_capacity, node_capacity
from targetsplit.plan.build.shares import (
    Weights,
    provisional_units,
    resolve_weights,
    shares_by_metric,
)
from targetsplit.plan.build.timing import build_seasonality
from targetsplit.plan.tree import (
    NO_DRIVERS,
    Driver,
    Metric,
    Node,
    derived_order,
    did_you_mean,
    leaf_figures,
    node_loc,
)
from targetsplit.plan.weights import Weight

if TYPE_CHECKING:
    from targetsplit.plan.document import NodeDoc

Children = Mapping[str, "NodeDoc"]


class Built(NamedTuple):
    """The root (the whole plan) and everything under it, as :func:`build_tree` made it."""

    root: Node
    figures: dict[str, int]  # the root's figures in units (a derived metric's: its leaves')
    ramped: bool  # a node has a ramp
    aliased: bool  # a node has aliases


def build_tree(
    diags: Collector,
    metrics: Sequence[Metric],
    days: Breakdown | None,
    title: str,
    split: Children,
    units: Mapping[str, int],
    dimensions: Mapping[str, Sequence[str]] | None = None,
    seasonality: Seasonality | None = None,
) -> Built:
    """The root (the whole plan, named ``title``) and everything under it, and the
    root's figures in units (a derived metric's: the sum of its leaves');
    ``dimensions`` names each dimension's items (for the nodes' ``mix:``);
    ``seasonality`` is the plan's (for a ramped node's capacity)."""
    tree = _Tree(diags, metrics, days, dimensions or {})
    sources = tree.metrics
    root = tree.node(
        title,
        (),
        None,
        split,
        {},
        {m.name: Fraction(1) for m in sources},
        units,
        tree.drivers,
        _Timing(seasonality, ()),
    )
    return Built(root, tree.figures.pop((), dict(units)), tree.ramped, tree.aliased)


class _Timing:
    """What a node's children need for their capacity: the seasonality in force
    at the node, and the ramps of the node and those above it."""

    def __init__(self, seasonality: Seasonality | None, ramps: tuple[Ramp, ...]) -> None:
        self.seasonality = seasonality
        self.ramps = ramps

    def below(self, doc: NodeDoc, ramp: Ramp | None) -> _Timing:
        if ramp is None and doc.seasonality is None:  # most nodes: the parent's, as it is
            return self
        s = self.seasonality
        if doc.seasonality is not None:
            own = doc.seasonality
            s = Seasonality(own.quarters, own.months, own.within_quarter)
        return _Timing(s, (*self.ramps, ramp) if ramp is not None else self.ramps)


class _Tree:
    """Builds nodes depth-first; a node's seasonality is checked after its children.
    Weights and shares are the metrics' with a total; a derived metric's figures are
    worked out bottom-up as the nodes are built, from the drivers in force."""

    def __init__(
        self,
        diags: Collector,
        metrics: Sequence[Metric],
        days: Breakdown | None,
        dimensions: Mapping[str, Sequence[str]],
    ) -> None:
        self.diags = diags
        self.metrics = [m for m in metrics if m.derived is None]
        self.derived = derived_order(metrics)
        self.by_name = {m.name: m for m in metrics}
        self.drivers: Mapping[str, Driver] = (
            {d.name: d.derived.driver for d in self.derived if d.derived is not None}
            if self.derived
            else NO_DRIVERS
        )
        self.figures: dict[tuple[str, ...], dict[str, int]] = {}  # derived, until the parent's
        self.days = days  # the period's days, to check seasonality against
        self.dimensions = dimensions  # each dimension's items, to check a mix against
        self.ramped = False  # a node with a ramp was built
        self.aliased = False  # a node with aliases was built

    def node(
        self,
        name: str,
        path: tuple[str, ...],
        doc: NodeDoc | None,
        kids: Children,
        weights: Mapping[str, Weight],
        shares: Mapping[str, Fraction],
        units: Mapping[str, int],
        drivers: Mapping[str, Driver],
        timing: _Timing,
        ramp: Ramp | None = None,
        cap: Fraction | None = None,
    ) -> Node:
        children = self._children(path, kids, units, drivers, timing) if kids else []
        if self.derived:
            self._figures(path, children, units, drivers)
        if doc is not None and doc.aliases:
            self.aliased = True
        # The fields in their order, not by keyword: binding 16 keywords took a
        # third of making a node (about 0.01 s over 10,000 nodes).
        return Node(
            name,
            path,
            weights,
            shares,
            tuple(children),
            doc.owner if doc is not None else None,
            doc.due if doc is not None else None,
            doc.strategy if doc is not None else None,
            doc.note if doc is not None else None,
            build_seasonality(self.diags, doc.seasonality, node_loc(path, "seasonality"), self.days)
            if doc is not None and doc.seasonality is not None
            else None,  # seasonality
            build_mix(
                self.diags, f"'{'/'.join(path)}'", doc.mix, node_loc(path, "mix"), self.dimensions
            )
            if doc is not None and doc.mix
            else None,  # mix
            ramp,
            cap,  # capacity
            units,
            drivers,
            doc.aliases or () if doc is not None else (),
        )

    def _figures(
        self,
        path: tuple[str, ...],
        children: Sequence[Node],
        units: Mapping[str, int],
        drivers: Mapping[str, Driver],
    ) -> None:
        """The node's derived figures: a leaf's from its own, a parent's its children's sum."""
        figures = dict(units)
        if children:
            kids = [self.figures.pop(c.path) for c in children]
            for d in self.derived:
                figures[d.name] = sum(k[d.name] for k in kids)
        else:
            leaf_figures(self.derived, self.by_name, figures, drivers)
        self.figures[path] = figures

    def _drivers(
        self, path: tuple[str, ...], doc: NodeDoc, inherited: Mapping[str, Driver]
    ) -> Mapping[str, Driver]:
        """The drivers in force under a node: its own over its parent's."""
        if not doc.drivers:
            return inherited
        out = dict(inherited)
        derived = [d.name for d in self.derived]
        for name, given in doc.drivers.items():
            loc = node_loc(path, "drivers", name)
            metric = self.by_name.get(name)
            what = f"'{'/'.join(path)}' drivers"
            if metric is None:
                self.diags.error(
                    f"{what}: unknown metric '{name}'{did_you_mean(name, derived)}"
                    f" (derived metrics: {', '.join(derived) or 'none'})",
                    loc,
                )
                continue
            if metric.derived is None:
                self.diags.error(
                    f"{what}: '{name}' has a total, not from:; drivers set a derived metric's"
                    f" per: or rate: (derived metrics: {', '.join(derived) or 'none'})",
                    loc,
                )
                continue
            own = metric.derived.driver
            text = given.text.strip()
            if own.kind == "rate" and given.kind != "percent":
                self.diags.error(
                    f"{what}: '{name}' is derived by a rate: give a percent such as 25%,"
                    f" not {text}",
                    loc,
                )
                continue
            if own.kind == "per" and given.kind == "percent":
                self.diags.error(
                    f"{what}: '{name}' is derived per: an amount of {metric.derived.source}"
                    f" for one of {name} (like its per: {own.text}), not a percent ({text})",
                    loc,
                )
                continue
            if given.value <= 0:
                self.diags.error(f"{what}: {name} must be more than zero (got {text})", loc)
                continue
            out[name] = Driver(own.kind, Fraction(given.value), text, path)
        return out

    def _child(
        self,
        path: tuple[str, ...],
        name: str,
        doc: NodeDoc,
        weights: Mapping[str, Weight],
        shares: Mapping[str, Fraction],
        units: Mapping[str, int],
        drivers: Mapping[str, Driver],
        timing: _Timing,
        ramp: Ramp | None = None,
        cap: Fraction | None = None,
    ) -> Node:
        own = (*path, name)
        return self.node(
            name,
            own,
            doc,
            doc.split or {},
            weights,
            shares,
            units,
            self._drivers(own, doc, drivers) if doc.drivers else drivers,
            timing if ramp is None and doc.seasonality is None else timing.below(doc, ramp),
            ramp,
            cap,
        )

    def _children(
        self,
        path: tuple[str, ...],
        kids: Children,
        units: Mapping[str, int],
        drivers: Mapping[str, Driver],
        timing: _Timing,
    ) -> list[Node]:
        resolved, ok = self._weights(path, kids)
        where = f"under '{'/'.join(path)}'" if path else "at the top level"
        period = self.days.period if self.days is not None else None
        ramps: dict[str, Ramp | None] = dict.fromkeys(kids)
        caps: dict[str, Fraction | None] = dict.fromkeys(kids)
        for child_name, child in kids.items():
            if child.start is None and child.ramp is None:  # most nodes: no ramp
                continue
            r = build_ramp(self.diags, child, (*path, child_name), period)
            if r is not None:
                self.ramped = True
                ramps[child_name] = r
                caps[child_name] = node_capacity(self.days, timing.seasonality, timing.ramps, r)
        if self.ramped and any(c is not None for c in caps.values()):  # ratios count by capacity
            resolved_by_time = [(n, by_capacity(w, caps[n])) for n, w in resolved]
        else:
            resolved_by_time = resolved
        child_shares = (
            shares_by_metric(
                self.diags, self.metrics, units, resolved_by_time, node_loc(path, "split"), where
            )
            if ok
            else None
        )
        if child_shares is None:
            # The group is wrong, but children whose claim alone fixes their
            # figure can still be checked, so that all errors come out at once.
            for child_name, w in resolved:
                provisional = provisional_units(self.metrics, units, w)
                if provisional is not None:
                    self._child(
                        path, child_name, kids[child_name], w, {}, provisional, drivers, timing
                    )
                    self.figures.pop((*path, child_name), None)
            return []
        names = [m.name for m in self.metrics]
        ints: dict[int, list[int]] = {}  # a list of shares shared by metrics: once
        parts = []
        for name in names:
            shares = child_shares[name]
            if id(shares) not in ints:
                ints[id(shares)] = whole_weights(shares)
            parts.append(largest_remainder(units[name], ints[id(shares)]))
        # Each child's shares and figures, one per metric (rows of the columns above;
        # a comprehension over the metrics' places: zip(strict=True) per child was slower).
        share_rows = zip(*(child_shares[name] for name in names), strict=True)
        unit_rows = zip(*parts, strict=True)
        places = list(enumerate(names))
        plain = not self.derived
        out = []
        for (child_name, w), share_row, unit_row in zip(
            resolved, share_rows, unit_rows, strict=True
        ):
            child = kids[child_name]
            own_shares = {name: share_row[j] for j, name in places}
            figures = {name: unit_row[j] for j, name in places}
            if (
                plain
                and ramps[child_name] is None
                and child.seasonality is None
                and not (child.split or child.drivers or child.mix or child.aliases)
            ):
                # Most nodes: what node() makes of a leaf with nothing of its own to
                # check (no children, ramp, seasonality, drivers, mix or aliases, and
                # no derived metric to work out), made here: two calls fewer a node.
                out.append(
                    Node(
                        child_name,
                        (*path, child_name),
                        w,
                        own_shares,
                        (),
                        child.owner,
                        child.due,
                        child.strategy,
                        child.note,
                        None,  # seasonality
                        None,  # mix
                        None,  # ramp
                        caps[child_name],
                        figures,
                        drivers,
                        (),  # aliases
                    )
                )
                continue
            out.append(
                self._child(
                    path,
                    child_name,
                    child,
                    w,
                    own_shares,
                    figures,
                    drivers,
                    timing,
                    ramps[child_name],
                    caps[child_name],
                )
            )
        return out

    def _weights(
        self, path: tuple[str, ...], kids: Children
    ) -> tuple[list[tuple[str, Weights]], bool]:
        """The children's weights, and whether every child has one."""
        resolved: list[tuple[str, Weights]] = []
        ok = True
        names = [m.name for m in self.metrics]
        for child_name, child in kids.items():
            spec = child.weight
            one = spec.default if spec is not None and not spec.by_metric else None
            if one is not None and (one.kind == "rest" or one.kind != "amount" and one.value):
                # One percent, ratio or rest for every metric, not zero: nothing to check.
                resolved.append((child_name, dict.fromkeys(names, one)))
                continue
            child_path = (*path, child_name)
            what = f"'{'/'.join(child_path)}'"
            w = resolve_weights(
                self.diags,
                self.metrics,
                child.weight,
                node_loc(child_path),
                what,
                derived=self.derived,
            )
            if w is None:
                ok = False
                continue
            resolved.append((child_name, w))
            for m, wt in w.items():
                if wt.kind not in ("rest", "amount") and wt.value == 0:  # {amount: 0}: meant
                    self.diags.warn(
                        f"{what} has a zero weight"
                        f"{' for ' + m if wt.metric is not None else ''}: it gets nothing",
                        node_loc(child_path, "weight"),
                    )
                    break
        return resolved, ok
