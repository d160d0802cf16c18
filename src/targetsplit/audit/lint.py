"""The deeper checks of `targetsplit check`: plans that are valid but suspect."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import NamedTuple

from targetsplit.calendar.seasonality import Seasonality, month_shares, slot_shares
from targetsplit.errors import Diagnostic, Loc
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Node, Plan, node_loc
from targetsplit.plan.weights import Weight
from targetsplit.split.hierarchy import Allocation


def _warn(message: str, *loc: str | int) -> Diagnostic:
    return Diagnostic(message, tuple(loc), severity="warning")


def growth(alloc: Allocation) -> list[Diagnostic]:
    """Targets that grow more than the plan's max_growth over their history."""
    plan = alloc.plan
    out = []
    for row in alloc.rows[1:]:
        for m in plan.sources:
            w = row.node.weights[m.name]
            if w.kind != "history" or (w.metric or plan.metrics[0].name) != m.name or not w.value:
                continue
            target = Fraction(row.targets[m.name])
            rise = target / w.value - 1
            if rise > plan.max_growth:
                out.append(
                    _warn(
                        f"'{row.path}' {m.name} target {m.format(row.targets[m.name])} is"
                        f" {amounts.format_percent(rise, 1)} above its history {w.text}"
                        f" (max_growth {amounts.format_percent(plan.max_growth)}); justify it or"
                        " lower the target",
                        *node_loc(row.node.path, "weight"),
                    )
                )
    return out


def owners(plan: Plan) -> list[Diagnostic]:
    """Nodes without an owner among siblings that have one."""
    out: list[Diagnostic] = []
    for node in plan.nodes():
        kids = node.children
        if any(c.owner for c in kids):
            out.extend(
                _warn(
                    f"'{c.key}' has no owner, though its siblings do (责任到人)",
                    *node_loc(c.path),
                )
                for c in kids
                if not c.owner
            )
    return out


def zero_weeks(plan: Plan) -> list[Diagnostic]:
    """Seasonality that leaves weeks with working days and no target."""
    b = plan.breakdown
    if b is None:
        return []
    weeks = b.weeks()
    worked = {b.week_of(d) for d in b.day_month}
    out = []

    def check(s: Seasonality | None, where: tuple[str | int, ...], who: str) -> None:
        if s is None:
            return
        shares = slot_shares(month_shares(s, b), b, "week")
        empty = [
            weeks[i].label for i, f in enumerate(shares) if f == Fraction(0) and i + 1 in worked
        ]
        if empty:
            span = empty[0] if len(empty) == 1 else f"{empty[0]} … {empty[-1]} ({len(empty)} weeks)"
            out.append(
                _warn(
                    f"{who} seasonality gives {span} no target although they have working days;"
                    " actuals booked then will count against nothing",
                    *where,
                )
            )

    check(plan.seasonality, ("seasonality",), "the plan's")

    def visit(node: Node) -> None:
        if node.seasonality is not None:
            check(node.seasonality, node_loc(node.path, "seasonality"), f"'{node.key}'s")
        for c in node.children:
            visit(c)

    visit(plan.root)
    return out


class _Sibling(NamedTuple):
    name: str
    loc: Loc
    weights: Mapping[str, Weight]
    shares: Mapping[str, Fraction]


def _groups(plan: Plan) -> Iterator[tuple[str, list[_Sibling]]]:
    """Every sibling group (the tree's and the dimensions'), with how messages name it."""
    for node in plan.nodes():
        if node.children:
            where = f"under '{node.key}'" if node.path else "at the top level"
            kids = [
                _Sibling(c.key, node_loc(c.path, "weight"), c.weights, c.shares)
                for c in node.children
            ]
            yield where, kids
    for dim, items in plan.dimensions.items():
        yield (
            f"in dimension '{dim}'",
            [_Sibling(i.name, ("dimensions", dim, i.name), i.weights, i.shares) for i in items],
        )


def forgotten_percent(plan: Plan) -> list[Diagnostic]:
    """Ratios that were probably meant as percents: a lone ratio among percents (it takes
    what they leave, whatever its number), or ratios written as fractions that do not
    add up to 1 (they are shared in proportion, so the group is never short)."""
    out: list[Diagnostic] = []
    for where, kids in _groups(plan):
        for m in plan.sources:
            weights = [k.weights[m.name] for k in kids]
            ratios = [i for i, w in enumerate(weights) if w.kind == "ratio"]
            percents = [w for w in weights if w.kind == "percent"]
            claims = [w for w in weights if w.is_claim]
            if percents and len(ratios) == 1 and 0 < weights[ratios[0]].value <= 100:
                kid, w = kids[ratios[0]], weights[ratios[0]]
                out.append(
                    _warn(
                        f"'{kid.name}' has the ratio {w.text} beside percents {where}, so it"
                        f" gets what they leave ({amounts.format_percent(kid.shares[m.name])}):"
                        f" did you mean {w.text}%? (write rest if it takes what is left)",
                        *kid.loc,
                    )
                )
            elif not claims and len(ratios) > 1 and all(weights[i].value < 1 for i in ratios):
                total = sum((weights[i].value for i in ratios), Fraction(0))
                if total in (0, 1):
                    continue
                texts = " / ".join(weights[i].text for i in ratios)
                got = " / ".join(amounts.format_percent(kids[i].shares[m.name], 1) for i in ratios)
                meant = ", ".join(amounts.format_percent(weights[i].value) for i in ratios)
                out.append(
                    _warn(
                        f"the ratios {where} ({texts}) look like fractions but add up to"
                        f" {amounts.decimal_text(amounts.round_fraction(total, 6))}, not 1:"
                        f" they are shared in proportion ({got}); if they are shares, write"
                        f" {meant} (then check says what is missing)",
                        *kids[ratios[0]].loc,
                    )
                )
    return list(dict.fromkeys(out))  # a group with one weight for all metrics: once


def lint(alloc: Allocation) -> list[Diagnostic]:
    return (
        growth(alloc) + forgotten_percent(alloc.plan) + zero_weeks(alloc.plan) + owners(alloc.plan)
    )
