"""The deeper checks of `targetsplit check`: plans that are valid but suspect."""

from __future__ import annotations

from fractions import Fraction

from targetsplit.calendar.seasonality import Seasonality, month_shares, slot_shares
from targetsplit.errors import Diagnostic
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Node, Plan, node_loc
from targetsplit.split.hierarchy import Allocation


def _warn(message: str, *loc: str | int) -> Diagnostic:
    return Diagnostic(message, tuple(loc), severity="warning")


def growth(alloc: Allocation) -> list[Diagnostic]:
    """Targets that grow more than the plan's max_growth over their history."""
    plan = alloc.plan
    out = []
    for row in alloc.rows[1:]:
        for m in plan.metrics:
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


def lint(alloc: Allocation) -> list[Diagnostic]:
    return growth(alloc) + zero_weeks(alloc.plan) + owners(alloc.plan)
