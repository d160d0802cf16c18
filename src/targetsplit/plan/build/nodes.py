"""The hierarchy: each node's share of its parent and its figures, top down.

A node's figures are its parent's, apportioned exactly among the siblings
(largest remainder). When a sibling group is wrong, the children whose own
claim fixes their figures are still checked, so that all errors come at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers.apportion import largest_remainder, whole_weights
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.mix import build_mix
from targetsplit.plan.build.shares import (
    Weights,
    provisional_units,
    resolve_weights,
    shares_by_metric,
)
from targetsplit.plan.build.timing import build_seasonality
from targetsplit.plan.document import NodeDoc
from targetsplit.plan.tree import Metric, Node, node_loc
from targetsplit.plan.weights import Weight

Children = Mapping[str, NodeDoc]


def build_tree(
    diags: Collector,
    metrics: Sequence[Metric],
    days: Breakdown | None,
    title: str,
    split: Children,
    units: Mapping[str, int],
    dimensions: Mapping[str, Sequence[str]] | None = None,
) -> Node:
    """The root (the whole plan, named ``title``) and everything under it;
    ``dimensions`` names each dimension's items (for the nodes' ``mix:``)."""
    tree = _Tree(diags, metrics, days, dimensions or {})
    return tree.node(title, (), None, split, {}, {m.name: Fraction(1) for m in metrics}, units)


class _Tree:
    """Builds nodes depth-first; a node's seasonality is checked after its children."""

    def __init__(
        self,
        diags: Collector,
        metrics: Sequence[Metric],
        days: Breakdown | None,
        dimensions: Mapping[str, Sequence[str]],
    ) -> None:
        self.diags = diags
        self.metrics = metrics
        self.days = days  # the period's days, to check seasonality against
        self.dimensions = dimensions  # each dimension's items, to check a mix against

    def node(
        self,
        name: str,
        path: tuple[str, ...],
        doc: NodeDoc | None,
        kids: Children,
        weights: Mapping[str, Weight],
        shares: Mapping[str, Fraction],
        units: Mapping[str, int],
    ) -> Node:
        children = self._children(path, kids, units) if kids else []
        return Node(
            name=name,
            path=path,
            weights=weights,
            shares=shares,
            children=tuple(children),
            owner=doc.owner if doc else None,
            due=doc.due if doc else None,
            strategy=doc.strategy if doc else None,
            note=doc.note if doc else None,
            seasonality=build_seasonality(
                self.diags, doc.seasonality, node_loc(path, "seasonality"), self.days
            )
            if doc is not None and doc.seasonality is not None
            else None,
            mix=build_mix(
                self.diags, f"'{'/'.join(path)}'", doc.mix, node_loc(path, "mix"), self.dimensions
            )
            if doc is not None and doc.mix
            else None,
            units=units,
        )

    def _child(
        self,
        path: tuple[str, ...],
        name: str,
        doc: NodeDoc,
        weights: Mapping[str, Weight],
        shares: Mapping[str, Fraction],
        units: Mapping[str, int],
    ) -> Node:
        return self.node(name, (*path, name), doc, doc.split or {}, weights, shares, units)

    def _children(
        self, path: tuple[str, ...], kids: Children, units: Mapping[str, int]
    ) -> list[Node]:
        resolved, ok = self._weights(path, kids)
        where = f"under '{'/'.join(path)}'" if path else "at the top level"
        child_shares = (
            shares_by_metric(
                self.diags, self.metrics, units, resolved, node_loc(path, "split"), where
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
                    self._child(path, child_name, kids[child_name], w, {}, provisional)
            return []
        names = [m.name for m in self.metrics]
        ints: dict[int, list[int]] = {}  # a list of shares shared by metrics: once
        parts = []
        for name in names:
            shares = child_shares[name]
            if id(shares) not in ints:
                ints[id(shares)] = whole_weights(shares)
            parts.append(largest_remainder(units[name], ints[id(shares)]))
        return [
            self._child(
                path,
                child_name,
                kids[child_name],
                w,
                {name: child_shares[name][i] for name in names},
                {name: part[i] for name, part in zip(names, parts, strict=True)},
            )
            for i, (child_name, w) in enumerate(resolved)
        ]

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
            w = resolve_weights(self.diags, self.metrics, child.weight, node_loc(child_path), what)
            if w is None:
                ok = False
                continue
            resolved.append((child_name, w))
            for m, wt in w.items():
                if wt.kind != "rest" and wt.value == 0:
                    self.diags.warn(
                        f"{what} has a zero weight"
                        f"{' for ' + m if wt.metric is not None else ''}: it gets nothing",
                        node_loc(child_path, "weight"),
                    )
                    break
        return resolved, ok
