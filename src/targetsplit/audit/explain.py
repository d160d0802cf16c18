"""How each of a node's figures was derived, step by step from the total.

Pure: it re-traces the allocator's arithmetic for one path (shares, the
largest-remainder rounding, the tier) and, for a period, the seasonality and
working-day arithmetic, and returns the steps as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from targetsplit.calendar.seasonality import Seasonality, month_shares
from targetsplit.calendar.workdays import Breakdown, Slot
from targetsplit.numbers import amounts
from targetsplit.plan.rampfit import fit as fit_ramps
from targetsplit.plan.rampfit import has_ramps
from targetsplit.plan.tree import Metric, Node, Plan
from targetsplit.split.cross import Cross
from targetsplit.split.hierarchy import Allocation, root_units


@dataclass(frozen=True)
class Step:
    """One line of a derivation: what was done and the figure it gave."""

    metric: str
    text: str
    value: Decimal | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _pct(f: Fraction) -> str:
    """A share as a percent: every digit when it has at most 12 decimals (a tier of
    0.0000001% stays itself), else rounded to 2 (a third: 33.33%)."""
    x = f * 100
    if x and (x * 10**12).denominator == 1:
        return amounts.decimal_text(amounts.round_fraction(x, 12)) + "%"
    return amounts.format_percent(f, 2)


#: What controlled rounding over time keeps for a period's figure: a difference
#: of two running totals (README, the time ledger); under the flow fallback a
#: team's may be further off, and a warning says so.
PERIOD_ROUNDING = (
    "the target to date at each end of the period within one unit of exact,"
    " so the period's figure within two; parents the sum of their children"
)


def _exact(x: Fraction, m: Metric) -> str:
    """An exact amount, or a rounded one marked ≈ when it does not terminate."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        return m.format(amounts.to_decimal(x))
    hundredths = Fraction(m.unit) / 100  # two decimals of the rounding unit
    return "≈" + m.format(
        m.unit * amounts.round_fraction(x / Fraction(m.unit), 2)
        if hundredths
        else amounts.round_fraction(x, 2)
    )


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _share_text(child: Node, parent: Node, m: Metric, plan: Plan, parent_value: Decimal) -> str:
    w = child.weights[m.name]
    siblings = parent.children
    pname = parent.name if parent.path else "the total"
    share = child.shares[m.name]
    if w.kind == "percent":
        return f"{child.name}: {w.text} of {pname} {m.format(parent_value)}"
    if w.kind == "amount":
        counted = w.metric or plan.metrics[0].name
        if counted == m.name:
            return f"{child.name}: amount {w.text}"
        return (
            f"{child.name}: holds {w.text} of {pname}'s {counted}, {_pct(share)}"
            f" of {pname} {m.format(parent_value)}"
        )
    claims = sum((c.shares[m.name] for c in siblings if c.weights[m.name].is_claim), Fraction(0))
    left = 1 - claims
    if w.kind == "rest":
        return (
            f"{child.name}: rest, what the claims ({_pct(claims)}) leave: {_pct(left)} of {pname}"
        )
    ratios = [c for c in siblings if c.weights[m.name].is_ratio]
    total = sum((_by_capacity(c, m) for c in ratios), Fraction(0))
    kind = "history" if w.kind == "history" else "ratio"
    return (
        f"{child.name}: {kind} {_ratio_text(child, m)} of"
        f" {' + '.join(_ratio_text(c, m) for c in ratios)}"
        f" = {_exact(total, _plain)} of what the claims leave ({_pct(left)} of {pname}):"
        f" {m.format(parent_value)} × {_pct(left)} × {_ratio_text(child, m)}"
        f" / {_exact(total, _plain)}"
    )


def _by_capacity(node: Node, m: Metric) -> Fraction:
    """A ratio or history weight as it counts: times the node's capacity."""
    w = node.weights[m.name]
    return w.value * (node.capacity if node.capacity is not None else 1)


def _ratio_text(node: Node, m: Metric) -> str:
    text = node.weights[m.name].text
    if node.capacity is None or node.capacity == 1:
        return text
    return f"{text} × {_pct(node.capacity)}"


def _capacity_text(child: Node, parent: Node, m: Metric) -> str:
    """A ramped node's capacity, and what it does to its weight."""
    assert child.ramp is not None and child.capacity is not None
    pname = f"{parent.name}'s" if parent.path else "the plan's"
    ramp = child.ramp
    steps = ", ".join(_pct(p) for p in ramp.steps)
    how = f", ramp {steps} in its first months (100% after)" if steps else ""
    w = child.weights[m.name]
    effect = (
        f"its {w.kind} weight {w.text} counts as {w.text} × {_pct(child.capacity)}"
        if w.is_ratio
        else f"its {'percent' if w.kind == 'percent' else w.kind} is taken as given"
    )
    return (
        f"{child.name} starts {ramp.start}{how}: capacity {_pct(child.capacity)}, the share of"
        f" {pname} working time it works (each working day by its weight under {pname}"
        f" seasonality and by {child.name}'s productivity on it); {effect}"
    )


_plain = Metric("ratio", Decimal(0), Decimal(1), None, "full")


def derivation(alloc: Allocation, node: Node, m: Metric) -> list[Step]:
    """The steps from the plan's total to ``node``'s figure in metric ``m``."""
    if m.derived is not None:
        return _derived_steps(alloc, node, m)
    plan = alloc.plan
    rows = {r.path: r for r in alloc.rows}
    steps = [Step(m.name, f"plan total: {m.format(m.total)}", m.total)]
    if alloc.tier is not None:
        top = m.amount(root_units(plan, alloc.tier)[m.name])
        steps.append(
            Step(
                m.name,
                f"tier {alloc.tier}: {m.format(m.total)} × {_pct(plan.tiers[alloc.tier])}"
                f" = {m.format(top)} (rounded half up to {m.format(m.unit)})",
                top,
            )
        )
    parent = plan.root
    for depth in range(1, len(node.path) + 1):
        child = next(c for c in parent.children if c.path == node.path[:depth])
        p_units = rows[parent.key].units[m.name]
        p_value = rows[parent.key].targets[m.name]
        if child.ramp is not None and child.capacity is not None:
            steps.append(
                Step(
                    m.name,
                    _capacity_text(child, parent, m),
                    data={"path": child.key, "capacity": child.capacity},
                )
            )
        text = _share_text(child, parent, m, plan, p_value)
        w = child.weights[m.name]
        if alloc.tier is not None and w.kind == "amount":
            text += (
                f", {_pct(child.shares[m.name])} of {parent.name if parent.path else 'the total'}"
                f" without the tier, so {_pct(child.shares[m.name])} of"
                f" {m.format(p_value)} under it"
            )
        quotas = [Fraction(p_units) * c.shares[m.name] for c in parent.children]
        floors = [q.numerator // q.denominator for q in quotas]
        i = parent.children.index(child)
        got = rows[child.key].units[m.name]
        exact = quotas[i] * Fraction(m.unit)
        left = p_units - sum(floors)
        value = rows[child.key].targets[m.name]
        if quotas[i] == floors[i]:
            text += f" = {m.format(value)}"
        else:
            rem = quotas[i] - floors[i]
            rems = [q - f for q, f in zip(quotas, floors, strict=True)]
            ahead = sum(1 for j, r in enumerate(rems) if r > rem or (r == rem and j < i))
            tie = any(r == rem for j, r in enumerate(rems) if j != i)
            n = len(quotas)
            units = "1 unit was" if left == 1 else f"{left} units were"
            line = f"{_nth(ahead + 1)} in line among {n} siblings by remainder"
            ties = "; ties go to the sibling declared first" if tie else ""
            if got > floors[i]:
                why = f"+1 unit: remainder {_exact(rem, _plain)}, {line}; {units} left{ties}"
            else:
                why = (
                    f"no extra unit: remainder {_exact(rem, _plain)}, {line};"
                    f" only {units} left{ties}"
                )
            text += f" = {_exact(exact, m)} → {m.format(value)} ({why})"
        steps.append(Step(m.name, text, value, {"path": child.key, "share": child.shares[m.name]}))
        parent = child
    return steps


#: How many children a parent's sum names before it says how many more there are.
_SUM_SHOWN = 10


def _a_one(name: str) -> str:
    """One of a metric, for a driver: ``a deal`` (deals), else ``per 成交``."""
    if len(name) > 2 and name.endswith("s") and not name.endswith("ss") and name.isascii():
        return "a " + (name[:-3] + "y" if name.endswith("ies") else name[:-1])
    return f"per {name}"


def _derived_steps(alloc: Allocation, node: Node, m: Metric) -> list[Step]:
    """A derived metric: its rule, then a leaf's division by its driver or a parent's
    sum of its children."""
    assert m.derived is not None
    plan = alloc.plan
    source = plan.metric(m.derived.source)
    own = m.derived.driver
    rule = f"per: {own.text}" if own.kind == "per" else f"rate: {own.text}"
    steps = [
        Step(
            m.name,
            f"derived from {source.name} ({rule}, unless a node's drivers: say otherwise):"
            f" a leaf's {source.name} ÷ its driver, rounded up to a multiple of"
            f" {m.format(m.unit)} (at least that many are needed); a parent's is the sum of"
            " its children's",
        )
    ]
    if alloc.tier is not None:
        steps.append(
            Step(
                m.name,
                f"tier {alloc.tier}: {source.name}'s figures are under the tier"
                f" ({_pct(plan.tiers[alloc.tier])} of the plan's); {m.name} is worked out"
                " from them",
            )
        )
    row = alloc.row(node.key)
    value = row.targets[m.name]
    if node.children:
        kids = [alloc.row(c.key) for c in node.children]
        parts = [f"{k.node.name} {m.format(k.targets[m.name])}" for k in kids[:_SUM_SHOWN]]
        if len(kids) > _SUM_SHOWN:
            parts.append(f"{len(kids) - _SUM_SHOWN} more")
        who = node.name if node.path else "the total"
        steps.append(
            Step(
                m.name,
                f"{who}: the sum of its children's: {' + '.join(parts)} = {m.format(value)}",
                value,
            )
        )
        return steps
    driver = node.drivers[m.name]
    figure = Fraction(row.targets[source.name])
    by = f"{driver.text} {_a_one(m.name)}" if driver.kind == "per" else f"a {driver.text} rate"
    if driver.where is None:
        whence = "the metric's own"
    elif driver.where == node.path:
        whence = "its drivers"
    else:
        whence = f"{'/'.join(driver.where)}'s drivers"
    exact = figure / driver.value
    text = f"{source.name} {source.format(row.targets[source.name])} ÷ {by} ({whence})"
    if exact == Fraction(value):
        text += f" = {m.format(value)} {m.name}"
    else:
        text += f" = {_exact(exact, _plain)}, rounded up to {m.format(value)} {m.name}"
    steps.append(Step(m.name, text, value, {"driver": driver.value}))
    return steps


def _seasonality_in_force(plan: Plan, node: Node) -> tuple[Seasonality | None, str]:
    found, where = plan.seasonality, "the plan's seasonality"
    walk = plan.root
    for depth in range(1, len(node.path) + 1):
        walk = next(c for c in walk.children if c.path == node.path[:depth])
        if walk.seasonality is not None:
            found, where = walk.seasonality, f"{walk.key}'s own seasonality"
    if found is None:
        where = "working days (no seasonality)"
    return found, where


def _month_story(s: Seasonality | None, b: Breakdown, month: int) -> str:
    """Why a month has its share of the period."""
    wd = b.month_workdays
    label = b.months[month].label
    if s is not None and s.months is not None:
        return f"{label}: {_pct(s.months[month])} of the period (months seasonality)"
    qi = next(k for k, q in enumerate(b.quarters) if month in q)
    q = b.quarters[qi]
    if s is not None and s.quarters is not None:
        q_text = f"quarter {qi + 1}: {_pct(s.quarters[qi])} (quarters seasonality)"
    else:
        q_wd = sum(wd[i] for i in q)
        q_text = f"quarter {qi + 1}: {q_wd} of {sum(wd)} working days"
    if s is not None and s.within_quarter is not None:
        inner = f"{label}: {_pct(s.within_quarter[q.index(month)])} of its quarter (within_quarter)"
    else:
        inner = f"{label}: {wd[month]} of {sum(wd[i] for i in q)} working days of its quarter"
    return f"{q_text}; {inner}"


def period_steps(
    alloc: Allocation, node: Node, m: Metric, slot: Slot, rounded: Decimal
) -> list[Step]:
    """From the node's figure to its figure for one period, through working days."""
    plan = alloc.plan
    b = plan.breakdown
    assert b is not None
    figure = Fraction(next(r for r in alloc.rows if r.path == node.key).targets[m.name])
    if has_ramps(plan.root):
        profiles = fit_ramps(
            plan.root, plan.seasonality, b, lambda n: alloc.row(n.key).units, [m.name]
        )
        if node.key in profiles:
            return _ramp_steps(plan, node, m, slot, rounded, figure, profiles[node.key][m.name])
    s, where = _seasonality_in_force(plan, node)
    shares = month_shares(s, b)
    steps = [Step(m.name, f"{slot.label} ({slot.start} .. {slot.end}), spread by {where}")]
    total = Fraction(0)
    for mi, month in enumerate(b.months):
        days = sum(1 for d, k in b.day_month.items() if k == mi and slot.start <= d <= slot.end)
        if not days:
            continue
        month_target = figure * shares[mi]
        part = month_target * days / b.month_workdays[mi]
        total += part
        steps.append(
            Step(
                m.name,
                f"{_month_story(s, b, mi)} → {month.label} share {_pct(shares[mi])},"
                f" {m.format(amounts.to_decimal(figure))} × {_pct(shares[mi])}"
                f" = {_exact(month_target, m)} over {b.month_workdays[mi]} working days;"
                f" {days} of them in {slot.label}: {_exact(part, m)}",
                data={"month": month.label, "working_days": days},
            )
        )
    steps.append(
        Step(
            m.name,
            f"{slot.label}: exact {_exact(total, m)} → {m.format(rounded)} (controlled rounding:"
            f" {PERIOD_ROUNDING})",
            rounded,
        )
    )
    return steps


def _near(x: Fraction, m: Metric) -> str:
    """A fitted amount: exact to a hundredth of the unit, else rounded to it (≈)."""
    in_hundredths = x / Fraction(m.unit) * 100
    if in_hundredths.denominator == 1:
        return m.format(amounts.to_decimal(x))
    return "≈" + m.format(m.unit * amounts.round_fraction(x / Fraction(m.unit), 2))


def _by_item(items: Sequence[str], texts: Sequence[str]) -> str:
    return ", ".join(f"{item} {text}" for item, text in zip(items, texts, strict=True))


def cross_steps(crossed: Cross, node: Node, m: Metric) -> list[Step]:
    """How ``node``'s figures by the crossed dimension's items came about, level
    by level from the total: each level's seeds, fit and rounding."""
    items = crossed.items
    dim = crossed.dimension
    root = crossed.alloc.plan.root

    def amounts_of(path: str) -> str:
        return _by_item(items, [m.format(v) for v in crossed.values(path, m.name)])

    steps = [Step(m.name, f"the total by {dim} (dimensions:): {amounts_of('')}")]
    parent = root
    for depth in range(1, len(node.path) + 1):
        child = next(c for c in parent.children if c.path == node.path[:depth])
        fit = crossed.fits[(parent.key, m.name)]
        i = parent.children.index(child)
        figure = m.format(m.amount(fit.rows[i]))
        shares = _by_item(items, [_pct(w) for w in fit.seeds[i]])
        seeds = ", ".join(_near(fit.rows[i] * w * Fraction(m.unit), m) for w in fit.seeds[i])
        pname = f"'{parent.key}'" if parent.path else "the total"
        whose = f"{parent.name}'s" if parent.path else "the total's"
        if fit.stated[i]:
            origin = f"its mix {shares}"
        else:
            origin = f"no mix of its own, so {whose} as it came out, {shares}"
        steps.append(Step(m.name, f"{child.name} {figure}: {origin} → seeds {seeds}"))
        columns = _by_item(items, [m.format(m.amount(c)) for c in fit.columns])
        if fit.consistent:
            steps.append(
                Step(
                    m.name,
                    f"under {pname}, the children's seeds add up to {whose} {columns}:"
                    " kept exactly, no fitting needed",
                )
            )
        else:
            fitted = _by_item(items, [_near(y * Fraction(m.unit), m) for y in fit.fitted[i]])
            rounds = "1 round" if fit.rounds == 1 else f"{fit.rounds} rounds"
            steps.append(
                Step(
                    m.name,
                    f"under {pname}, the children's seeds do not add up to {whose} {columns}:"
                    f" fitted bi-proportionally (IPF, {rounds}) → {child.name} {fitted}",
                )
            )
        whole = all(y.denominator == 1 for y in fit.fitted[i])
        how = (
            "whole units already"
            if whole
            else "controlled rounding: each fitted value rounded down or up so that they add"
            f" up to {figure} and, with its siblings', to {whose} figures"
        )
        steps.append(Step(m.name, f"{child.name}: {amounts_of(child.key)} ({how})"))
        parent = child
    return steps


def _ramp_steps(
    plan: Plan,
    node: Node,
    m: Metric,
    slot: Slot,
    rounded: Decimal,
    figure: Fraction,
    profile: tuple[Fraction, ...],
) -> list[Step]:
    """A period figure of a node the ramps move: its profile, month by month."""
    b = plan.breakdown
    assert b is not None
    chain = [n for n in _ancestry(plan, node) if n.ramp is not None]
    if node.ramp is not None or chain:
        holder = node if node.ramp is not None else chain[-1]
        assert holder.ramp is not None
        why = (
            f"{node.name} works from {holder.ramp.start}"
            + ("" if holder is node else f" (with {holder.key})")
            + ": its seasonality's figures times its productivity, scaled to its figure"
        )
    else:
        why = (
            f"{node.name} follows its parent's seasonality, and with the siblings that do"
            " it takes what the ramped ones leave of the parent's figures, in proportion"
            " to their figures (the parent's stay its seasonality's)"
        )
    steps = [Step(m.name, f"{slot.label} ({slot.start} .. {slot.end}): {why}")]
    total = Fraction(0)
    for mi, month in enumerate(b.months):
        share = sum(
            (
                x
                for x, seg in zip(profile, b.segments, strict=True)
                if seg.month == mi and slot.start <= seg.start and seg.end <= slot.end
            ),
            Fraction(0),
        )
        if not any(
            seg.month == mi and slot.start <= seg.start and seg.end <= slot.end
            for seg in b.segments
        ):
            continue
        part = figure * share
        total += part
        steps.append(
            Step(
                m.name,
                f"{month.label}: {_pct(share)} of {m.format(amounts.to_decimal(figure))}"
                f" = {_exact(part, m)}",
                data={"month": month.label, "share": share},
            )
        )
    steps.append(
        Step(
            m.name,
            f"{slot.label}: exact {_exact(total, m)} → {m.format(rounded)} (controlled rounding:"
            f" {PERIOD_ROUNDING})",
            rounded,
        )
    )
    return steps


def _ancestry(plan: Plan, node: Node) -> list[Node]:
    """The nodes from the top down to ``node``'s parent."""
    out = []
    walk = plan.root
    for depth in range(1, len(node.path)):
        walk = next(c for c in walk.children if c.path == node.path[:depth])
        out.append(walk)
    return out
