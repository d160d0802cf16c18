"""Nodes' ``aliases:`` (each names one node) and the ``actuals:`` mapping's metrics."""

from __future__ import annotations

from collections.abc import Sequence

from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.names import fold, nfc
from targetsplit.plan.tree import Metric, Node, did_you_mean, node_loc


def check_aliases(diags: Collector, root: Node) -> None:
    """An alias names one node: not two nodes' aliases, not another node's name or path
    (those are matched first, so the alias would never be reached)."""
    aliased = [node for node in root.walk() if node.aliases]
    if not aliased:  # (most plans: no walk over the names)
        return
    named: dict[str, list[str]] = {}
    for node in root.walk():
        if node.path:
            named.setdefault(nfc(node.name), []).append(node.key)
            named.setdefault(nfc(node.key), []).append(node.key)
    seen: dict[str, str] = {}  # folded alias -> the first node's path
    for node in aliased:
        for alias in node.aliases:
            loc = node_loc(node.path, "aliases")
            key = fold(alias)
            other = seen.get(key)
            if other is not None and other != node.key:
                diags.error(
                    f"alias '{alias}' names two nodes: '{other}' and '{node.key}';"
                    " an alias must name one node",
                    loc,
                )
                continue
            seen[key] = node.key
            holders = [p for p in named.get(nfc(alias), []) if p != node.key]
            if holders:
                diags.error(
                    f"alias '{alias}' of '{node.key}' is the name of '{holders[0]}',"
                    " which names and paths match first; remove the alias",
                    loc,
                )


def check_map(
    diags: Collector,
    mapping: ActualsMap,
    metrics: Sequence[Metric],
    dimensions: Sequence[str] = (),
) -> None:
    """The mapping's ``values:`` name the plan's metrics, its ``dimensions:`` the
    plan's dimensions."""
    for dim, _ in mapping.dimensions:
        if dim not in dimensions:
            known = f" (dimensions: {', '.join(dimensions)})" if dimensions else " (it has none)"
            diags.error(
                f"unknown dimension '{dim}'{did_you_mean(dim, list(dimensions))}: not one of"
                f" the plan's{known}",
                ("actuals", "dimensions", dim),
            )
    names = [m.name for m in metrics]
    for metric, _ in mapping.values:
        if metric not in names:
            diags.error(
                f"unknown metric '{metric}'{did_you_mean(metric, names)}"
                f" (metrics: {', '.join(names)})",
                ("actuals", "values", metric),
            )
