"""Progress against the plan at a cut-off day (SPEC §6), for every node and metric.

Target to date is the node's target for the days from the period's start
through the cut-off: a sum of the time ledger (``split.ledger``), so at the
end of a week or month it is the sum of those weeks' or months' targets, and
each parent's is the sum of its children's. Actuals roll up the tree.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import Allocation
from targetsplit.split.ledger import build


@dataclass(frozen=True)
class Cutoff:
    """The last day that counts, and how far into the period it is."""

    day: date
    week: int | None  # the week number when given as --week
    workdays_done: int
    workdays_total: int
    weeks_left: Fraction  # each week after the cut-off by its share of working days ahead


def week_end(b: Breakdown, week: int) -> date:
    """The last day of week number ``week`` (within the period); raise ValueError."""
    return b.weeks()[b.week_number(week) - 1].end


def cutoff(b: Breakdown, day: date, week: int | None = None) -> Cutoff:
    """A cut-off at ``day``, clipped to the period (the day before it starts at the earliest)."""
    start, end = b.period.start, b.period.end
    if day < start:  # (then start is not 0001-01-01: it has a day before it)
        day = start - timedelta(days=1)
    day = min(day, end)
    work = sorted(b.day_month)  # the working days
    done = bisect_right(work, day)
    return Cutoff(day, week, done, len(work), weeks_left(b, work, day))


def weeks_left(b: Breakdown, work: list[date], day: date) -> Fraction:
    """The weeks after ``day``, each counted by the share of its working days that
    lie after ``day``: the cut-off's own week counts pro rata, so a Friday and the
    Sunday after it leave the same; zero when no working day is left."""
    left = Fraction(0)
    after_day = bisect_right(work, day)
    for w in b.weeks():
        lo, hi = bisect_left(work, w.start), bisect_right(work, w.end)
        ahead = hi - max(lo, after_day)
        if ahead > 0:
            left += Fraction(ahead, hi - lo)
    return left


@dataclass(frozen=True)
class Figures:
    """The figures of §6 for one node and metric; ratios are exact fractions."""

    target: Decimal
    target_to_date: Decimal
    actual: Decimal
    attainment: Fraction | None  # actual / target to date
    attainment_full: Fraction | None  # actual / target
    gap: Decimal  # target to date - actual
    remaining: Decimal  # target - actual
    needed_per_week: Decimal | None  # remaining / weeks left, rounded up to the unit
    projection: Decimal | None  # actual * target / target to date, rounded to the unit
    status: str | None  # green, yellow, red; None without a target to date
    rank: int | None  # among siblings, by attainment (1 = best)
    tier: str | None  # the highest tier the projection reaches


@dataclass(frozen=True)
class ProgressRow:
    node: Node
    figures: Mapping[str, Figures]

    @property
    def path(self) -> str:
        return self.node.key


@dataclass(frozen=True)
class Progress:
    plan: Plan
    cutoff: Cutoff
    rows: tuple[ProgressRow, ...]


def targets_to_date(alloc: Allocation, day: date) -> dict[str, dict[str, int]]:
    """Each node's target units from the period's start through ``day``: a sum
    of the time ledger (so at the end of a week, a month or a quarter it is
    exactly what ``allocate --by`` shows for those periods, summed)."""
    return build(alloc).to_date(day)


def _half_up(num: int, den: int) -> int:
    """``num / den`` rounded half up (half away from zero); ``den`` > 0."""
    return (2 * abs(num) + den) // (2 * den) * (1 if num >= 0 else -1)


def _ticks(values: list[Decimal], unit: Decimal) -> int:
    """The denominator that makes ``unit`` and every value whole: a tick."""
    d = unit.as_integer_ratio()[1]
    for v in values:
        d = math.lcm(d, v.as_integer_ratio()[1])
    return d


def compute(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
) -> Progress:
    """Figures for every node; ``direct`` holds the actuals booked on each node.

    The arithmetic is in integers: targets in rounding units, actuals in ticks
    (the smallest step that makes every actual and the unit whole)."""
    plan = alloc.plan
    tiers = sorted(plan.tiers.items(), key=lambda kv: kv[1])
    green, yellow = plan.green, plan.yellow
    exact = amounts.EXACT
    nodes = list(plan.root.walk())
    zero = Decimal(0)
    wl = cut.weeks_left
    figures: dict[str, dict[str, Figures]] = {n.key: {} for n in nodes}
    for m in plan.metrics:
        name = m.name
        booked = {key: v for (key, metric), v in direct.items() if metric == name}
        tick = _ticks(list(booked.values()), m.unit)
        un, ud = m.unit.as_integer_ratio()
        unit_ticks = un * (tick // ud)  # the rounding unit in ticks
        # Actuals roll up the tree, children before parents: as decimals (the
        # values shown) and as ticks (for the ratios).
        actual: dict[str, Decimal] = {}
        ticks: dict[str, int] = {}
        for node in reversed(nodes):
            key = node.key
            total = booked.get(key, zero)
            n, d = total.as_integer_ratio()
            t = n * (tick // d)
            for c in node.children:
                total = exact.add(total, actual[c.key])
                t += ticks[c.key]
            actual[key] = total
            ticks[key] = t
        attainments: dict[str, Fraction | None] = {}
        for row in alloc.rows:
            key = row.path
            ttd = to_date[key][name]
            attainments[key] = Fraction(ticks[key], ttd * unit_ticks) if ttd else None
        ranks = _ranks(nodes, attainments)
        for row in alloc.rows:
            key = row.path
            target_u = row.units[name]
            ttd_u = to_date[key][name]
            target_d = row.targets[name]
            ttd_d = m.amount(ttd_u)
            act_d, act_t = actual[key], ticks[key]
            attainment = attainments[key]
            status = tier = None
            projection = None
            if attainment is not None:
                an, ad = attainment.numerator, attainment.denominator
                status = (
                    "green"
                    if an * green.denominator >= green.numerator * ad
                    else "yellow"
                    if an * yellow.denominator >= yellow.numerator * ad
                    else "red"
                )
                # actual x target / target to date, in units
                num, den = act_t * target_u, ttd_u * unit_ticks
                if den < 0:
                    num, den = -num, -den
                projection = m.amount(_half_up(num, den))
                if target_u:
                    for tier_name, share in tiers:  # projection >= target x share
                        if an * share.denominator >= share.numerator * ad:
                            tier = tier_name
            needed = None
            if wl:  # (target - actual) / weeks left, in units, rounded up
                num = (target_u * unit_ticks - act_t) * wl.denominator
                needed = m.amount(-((-num) // (wl.numerator * unit_ticks)))
            figures[key][name] = Figures(
                target=target_d,
                target_to_date=ttd_d,
                actual=act_d,
                attainment=attainment,
                attainment_full=Fraction(act_t, target_u * unit_ticks) if target_u else None,
                gap=exact.subtract(ttd_d, act_d),
                remaining=exact.subtract(target_d, act_d),
                needed_per_week=needed,
                projection=projection,
                status=status,
                rank=ranks.get(key),
                tier=tier,
            )
    rows = tuple(ProgressRow(row.node, figures[row.path]) for row in alloc.rows)
    return Progress(plan, cut, rows)


def _ranks(nodes: list[Node], attainments: Mapping[str, Fraction | None]) -> dict[str, int]:
    """Rank siblings by attainment, best first; equal attainments share a rank."""
    ranks: dict[str, int] = {}
    for node in nodes:
        found = [(a, c.key) for c in node.children if (a := attainments[c.key]) is not None]
        if not found:
            continue
        # Over a common denominator the attainments are integers: sorted as fast.
        common = math.lcm(*(f.denominator for f, _ in found))
        scored = [(f.numerator * (common // f.denominator), key) for f, key in found]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        for i, (score, key) in enumerate(scored):
            ranks[key] = ranks[scored[i - 1][1]] if i and scored[i - 1][0] == score else i + 1
    return ranks
