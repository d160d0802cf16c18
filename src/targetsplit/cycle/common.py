"""What ``replan`` and ``rollover`` share: a plan document rewritten node by node.

A new plan is made from the old plan's document (the plain data the YAML
reader gave, so owners, notes, calendars and every key the user wrote carry
over as written) and from figures computed here. The new figures are written
as exact text that the plan format reads back to the same value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from targetsplit.calendar.seasonality import Seasonality, month_shares
from targetsplit.calendar.workdays import Breakdown
from targetsplit.errors import AmountError
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Metric, Node, Plan

#: Mappings written on one line in a new plan (the rest are blocks).
_FLOW_KEYS = {"weight", "period", "tiers", "status", "seasonality", "workdays", "mix"}
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


class Unstatable(ValueError):
    """A figure that no plan can state (10^18 or more, or more than 30 significant
    digits): a total grown past the limit, refunds far beyond a target, actuals
    summed past it. ``where`` says whose figure it is."""

    def __init__(self, metric: Metric, value: Decimal, where: str = "") -> None:
        self.metric, self.value = metric, value
        super().__init__(
            f"{where or f'a figure of {metric.name}'} would be {metric.format(value)}: a plan"
            f" cannot state it (amounts are below 10^18, with at most {amounts.MAX_DIGITS}"
            " significant digits)"
        )

    def at(self, key: str) -> Unstatable:
        """The same figure, as the weight of the node ``key``."""
        return Unstatable(self.metric, self.value, f"the weight of '{key}' in {self.metric.name}")


def total_text(metric: Metric, units: int) -> str:
    """A new total as plan text (Unstatable beyond the limits, saying so)."""
    try:
        return amount_text(metric, units)
    except Unstatable as e:
        raise Unstatable(metric, e.value, f"the new total of {metric.name}") from None


def _stated(metric: Metric, value: Decimal) -> str:
    """``value`` as amount text the plan reads back exactly (in the metric's
    display: ``4780万``; no thousands separators); Unstatable beyond the limits."""
    text = amounts.format_amount(value, metric.display).replace(",", "")
    try:
        if amounts.parse(text, allow_negative=True).value != value:  # (never: it is exact)
            text = amounts.decimal_text(value)
        amounts.parse(text, allow_negative=True)
    except AmountError:
        raise Unstatable(metric, value) from None
    return text


def amount_text(metric: Metric, units: int) -> str:
    """``units`` of ``metric`` as amount text the plan reads back exactly."""
    return _stated(metric, metric.amount(units))


def value_text(metric: Metric, value: Fraction) -> str:
    """An exact decimal amount (an actual) as plan text."""
    return _stated(metric, amounts.to_decimal(value))


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
            try:
                item: dict[str, Any] = {"weight": weight(child)}
            except Unstatable as e:
                raise e.at(child.key) from None
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


def clipped(name: str, width: int = 60) -> str:
    """A name as a message lists it: at most ``width`` characters."""
    return name if len(name) <= width else name[: width - 1] + "…"


def listed(names: Sequence[str], limit: int = 6) -> str:
    """``a, b, c and 4 more``: the first ``limit`` names, each clipped."""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(clipped(n) for n in names[:limit]) + more


def day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def dimensions_as_ratios(plan: Plan, out: dict[str, Any]) -> None:
    """Dimensions cut the new total as they cut the old one; a cut with fixed
    amounts (which would not fit the new total) becomes the ratios of its shares."""
    dims = out.get("dimensions")
    if not isinstance(dims, dict):
        return
    for dim, items in plan.dimensions.items():
        if dim not in dims or not any(
            w.kind == "amount" for it in items for w in it.weights.values()
        ):
            continue
        per_metric = {
            m.name: integer_ratios([it.shares[m.name] for it in items]) for m in plan.sources
        }
        same = len({tuple(r) for r in per_metric.values()}) == 1
        new: dict[str, Any] = {}
        for i, name in enumerate(dims[dim]):
            new[name] = (
                str(per_metric[plan.metrics[0].name][i])
                if same
                else {m: str(r[i]) for m, r in per_metric.items()}
            )
        dims[dim] = new


def booked_above(
    plan: Plan,
    figures: Mapping[str, Mapping[str, tuple[Fraction, Fraction]]],
    notes: list[str],
) -> dict[str, dict[str, Fraction]]:
    """Each node's part of the actuals booked on its ancestors themselves (a
    regional deal no rep owns): a parent's own actual counts for its children in
    proportion to their targets, so that it lowers what they still owe.
    ``figures`` holds each node's (target, actual rolled up) per metric; a
    warning per metric names the parents (in ``notes``)."""
    extra: dict[str, dict[str, Fraction]] = {}
    booked: dict[str, list[str]] = {}
    for node in plan.root.walk():  # parents before their children
        if not node.children:
            continue
        for m in plan.sources:
            target, actual = figures[node.key][m.name]
            kids = [figures[c.key][m.name] for c in node.children]
            direct = actual - sum((a for _, a in kids), Fraction(0))
            if direct:
                shown = m.format(amounts.to_decimal(direct))
                booked.setdefault(m.name, []).append(f"{clipped(node.key)}: {shown}")
            pool = extra.get(node.key, {}).get(m.name, Fraction(0)) + direct
            if pool and target:
                for c, (t, _) in zip(node.children, kids, strict=True):
                    extra.setdefault(c.key, {})[m.name] = pool * t / target
    for metric, where in booked.items():
        if len(where) == 1:
            key, _, amount = where[0].rpartition(": ")
            notes.append(
                f"{metric}: {amount} booked on {key} itself counted for its children in"
                " proportion to their targets"
            )
        else:
            shown = listed(where)
            notes.append(
                f"{metric}: actuals booked on {len(where)} parents themselves ({shown}) counted"
                " for their children in proportion to their targets"
            )
    return extra
