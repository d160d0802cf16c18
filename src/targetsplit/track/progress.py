"""Progress against the plan at a cut-off day (SPEC §6), for every node and metric.

Target to date is the node's target for the days from the period's start
through the cut-off: a sum of the time ledger (``split.ledger``), so at the
end of a week or month it is the sum of those weeks' or months' targets, and
each parent's is the sum of its children's. Actuals roll up the tree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Metric, Node, Plan
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


def _round_unit(x: Fraction, metric: Metric, *, up: bool = False) -> Decimal:
    """``x`` in whole rounding units: up (a need), else half up (half away from zero)."""
    un, ud = metric.unit.as_integer_ratio()
    num, den = x.numerator * ud, x.denominator * un  # x / unit
    if up:
        n = -((-num) // den)
    else:
        n = (2 * abs(num) + den) // (2 * den) * (1 if num >= 0 else -1)
    return metric.amount(n)


def _ratio(a: Decimal, b: Decimal) -> Fraction:
    an, ad = a.as_integer_ratio()
    bn, bd = b.as_integer_ratio()
    return Fraction(an * bd, ad * bn)


def compute(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
) -> Progress:
    """Figures for every node; ``direct`` holds the actuals booked on each node."""
    plan = alloc.plan
    tiers = sorted(plan.tiers.items(), key=lambda kv: kv[1])
    exact = amounts.EXACT
    nodes = list(plan.root.walk())
    zero = Decimal(0)
    figures: dict[str, dict[str, Figures]] = {n.key: {} for n in nodes}
    for m in plan.metrics:
        # Actuals roll up the tree, children before parents.
        actual: dict[str, Decimal] = {}
        for node in reversed(nodes):
            total = direct.get((node.key, m.name), zero)
            for c in node.children:
                total = exact.add(total, actual[c.key])
            actual[node.key] = total
        attainments: dict[str, Fraction | None] = {}
        for row in alloc.rows:
            key = row.path
            ttd = to_date[key][m.name]
            attainments[key] = _ratio(actual[key], m.amount(ttd)) if ttd else None
        ranks = _ranks(nodes, attainments)
        for row in alloc.rows:
            key = row.path
            target_d = row.targets[m.name]
            ttd_d = m.amount(to_date[key][m.name])
            act_d = actual[key]
            attainment = attainments[key]
            status = tier = None
            projection = None
            if attainment is not None:
                status = (
                    "green"
                    if attainment >= plan.green
                    else "yellow"
                    if attainment >= plan.yellow
                    else "red"
                )
                projection = _round_unit(attainment * _ratio(target_d, Decimal(1)), m)
                if target_d:
                    for name, share in tiers:  # projection >= target x share
                        if attainment >= share:
                            tier = name
            remaining = exact.subtract(target_d, act_d)
            figures[key][m.name] = Figures(
                target=target_d,
                target_to_date=ttd_d,
                actual=act_d,
                attainment=attainment,
                attainment_full=_ratio(act_d, target_d) if target_d else None,
                gap=exact.subtract(ttd_d, act_d),
                remaining=remaining,
                needed_per_week=_round_unit(
                    _ratio(remaining, Decimal(1)) / cut.weeks_left, m, up=True
                )
                if cut.weeks_left
                else None,
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
        scored = [(a, c.key) for c in node.children if (a := attainments[c.key]) is not None]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        for i, (a, key) in enumerate(scored):
            ranks[key] = ranks[scored[i - 1][1]] if i and scored[i - 1][0] == a else i + 1
    return ranks
