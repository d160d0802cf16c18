"""Dimensions: independent cuts of the plan's totals (by product, by customer type)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.shares import Weights, resolve_weights, sibling_shares
from targetsplit.plan.tree import DimensionItem, Metric
from targetsplit.plan.weights import WeightSpec


def build_dimensions(
    diags: Collector,
    metrics: Sequence[Metric],
    docs: Mapping[str, Mapping[str, WeightSpec]] | None,
    units: Mapping[str, int],
) -> dict[str, tuple[DimensionItem, ...]]:
    """Each dimension's items with their shares of the totals; a wrong one is left out.
    The shares are the metrics' with a total; a derived metric's total is cut in the
    shares of the metric it derives from (:meth:`Plan.origin`)."""
    out: dict[str, tuple[DimensionItem, ...]] = {}
    sources = [m for m in metrics if m.derived is None]
    derived = [m for m in metrics if m.derived is not None]
    for dim, items in (docs or {}).items():
        resolved: list[tuple[str, Weights]] = []
        for item, spec in items.items():
            w = resolve_weights(
                diags,
                sources,
                spec,
                ("dimensions", dim, item),
                f"'{item}' in dimension '{dim}'",
                derived=derived,
            )
            if w is not None:
                resolved.append((item, w))
        if len(resolved) != len(items):
            continue
        shares = sibling_shares(
            diags, sources, units, resolved, ("dimensions", dim), f"in dimension '{dim}'"
        )
        if shares is not None:
            out[dim] = tuple(
                DimensionItem(n, w, s) for (n, w), s in zip(resolved, shares, strict=True)
            )
    return out
