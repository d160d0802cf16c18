"""What ``replan`` and ``rollover`` share: a plan document rewritten node by node.

A new plan is made from the old plan's document (the plain data the YAML
reader gave, so owners, notes, calendars and every key the user wrote carry
over as written) and from figures computed here. The new figures are written
as exact text that the plan format reads back to the same value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from targetsplit.calendar.seasonality import Seasonality, month_shares
from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Metric, Node, Plan

#: Mappings written on one line in a new plan (the rest are blocks).
_FLOW_KEYS = {"weight", "period", "tiers", "status", "seasonality", "workdays"}
#: A node's keys that state its weight; a new plan replaces them with its own.
WEIGHT_KEYS = ("weight", "amount", "history")


@dataclass(frozen=True)
class NewPlan:
    """A plan document to write, and what it must give when read back."""

    data: dict[str, Any]
    header: tuple[str, ...]
    units: Mapping[str, Mapping[str, int]]  # path -> metric -> units; {} when not fixed
    notes: tuple[str, ...]  # warnings for standard error


def flow_at(path: tuple[str, ...]) -> bool:
    """Where a new plan writes a mapping on one line: weights, the period, tiers,
    status, seasonality, and each dimension's items."""
    return path[-1] in _FLOW_KEYS or (len(path) == 2 and path[0] == "dimensions")


def amount_text(metric: Metric, units: int) -> str:
    """``units`` of ``metric`` as amount text the plan reads back exactly
    (in the metric's display: ``4780万``; no thousands separators)."""
    value = metric.amount(units)
    text = amounts.format_amount(value, metric.display).replace(",", "")
    if amounts.parse(text).value != value:  # (never: format_amount is exact)
        text = amounts.decimal_text(value)
    return text


def value_text(metric: Metric, value: Fraction) -> str:
    """An exact decimal amount (an actual) as plan text."""
    d = amounts.to_decimal(value)
    text = amounts.format_amount(d, metric.display).replace(",", "")
    return text if amounts.parse(text).value == d else amounts.decimal_text(d)


def ceil_units(value: Fraction, metric: Metric) -> int:
    """``value`` in whole units of ``metric``, rounded up."""
    return math.ceil(value / Fraction(metric.unit))


def integer_ratios(shares: list[Fraction]) -> list[int]:
    """Exact shares as the smallest whole numbers in the same proportions."""
    common = math.lcm(*(s.denominator for s in shares))
    whole = [int(s * common) for s in shares]
    g = math.gcd(*whole) or 1
    return [w // g for w in whole]


def remaining_months(s: Seasonality | None, old: Breakdown, new: Breakdown) -> list[int]:
    """Seasonality for ``new`` (a tail of ``old``'s period) that gives every
    working day the weight it had under ``s`` in ``old``: each month's share
    times the part of its working days that lie in ``new``, as whole ratios."""
    shares = month_shares(s, old)
    index = {(m.start.year, m.start.month): i for i, m in enumerate(old.months)}
    out = []
    for j, m in enumerate(new.months):
        i = index[(m.start.year, m.start.month)]
        wd = old.month_workdays[i]
        out.append(shares[i] * new.month_workdays[j] / wd if wd else Fraction(0))
    return integer_ratios(out)


def node_pairs(plan: Plan, data: Mapping[str, Any]) -> Iterator[tuple[Node, dict[str, Any] | None]]:
    """Each node of ``plan`` below the root with its mapping in the document
    (None for a node written as a bare weight), in plan order."""

    def walk(node: Node, split: Any) -> Iterator[tuple[Node, dict[str, Any] | None]]:
        entries = list(split.values()) if isinstance(split, dict) else []
        for child, entry in zip(node.children, entries, strict=True):
            yield child, entry if isinstance(entry, dict) else None
            yield from walk(child, entry.get("split") if isinstance(entry, dict) else None)

    yield from walk(plan.root, data.get("split"))


def rewrite_nodes(
    plan: Plan,
    data: Mapping[str, Any],
    weight: Callable[[Node], dict[str, Any]],
    seasonality: Callable[[Node], Any] | None = None,
) -> dict[str, Any]:
    """A copy of ``data`` whose every node states ``weight(node)`` as its weight
    (first among its keys) and, when ``seasonality`` is given, that as its own
    seasonality where it has one (None: left out)."""
    out = deepcopy(dict(data))

    def walk(node: Node, split: dict[str, Any]) -> dict[str, Any]:
        new: dict[str, Any] = {}
        for child, (name, entry) in zip(node.children, split.items(), strict=True):
            entry = entry if isinstance(entry, dict) else {}
            item: dict[str, Any] = {"weight": weight(child)}
            for key, value in entry.items():
                if key in WEIGHT_KEYS:
                    continue
                if key == "split" and isinstance(value, dict):
                    value = walk(child, value)
                elif key == "seasonality" and seasonality is not None:
                    value = seasonality(child)
                    if value is None:  # left out
                        continue
                item[key] = value
            new[name] = item
        return new

    out["split"] = walk(plan.root, out["split"])
    return out


def day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"
