"""Progress against the plan at a cut-off day (SPEC §6), for every node and metric.

Target to date is the node's target for the days from the period's start
through the cut-off, rounded like every period figure (within one unit of
exact, each parent the sum of its children); with a cut-off at the end of a
week it is the sum of the node's weekly targets. Actuals roll up the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from targetsplit import amounts
from targetsplit.allocate import Allocation
from targetsplit.calendars import Breakdown, Slot
from targetsplit.plan import Metric, Node, Plan
from targetsplit.timesplit import split_over_time


@dataclass(frozen=True)
class Cutoff:
    """The last day that counts, and how far into the period it is."""

    day: date
    week: int | None  # the week number when given as --week
    workdays_done: int
    workdays_total: int
    weeks_left: int


def week_end(b: Breakdown, week: int) -> date:
    """The last day of week ``week`` (within the period); raise ValueError."""
    weeks = b.weeks()
    if not 1 <= week <= len(weeks):
        raise ValueError(f"week {week} is not in the period (weeks 1 to {len(weeks)})")
    return weeks[week - 1].end


def cutoff(b: Breakdown, day: date, week: int | None = None) -> Cutoff:
    """A cut-off at ``day``, clipped to the period (the day before it starts at the earliest)."""
    start, end = b.period.start, b.period.end
    day = min(max(day, start - timedelta(days=1)), end)
    done = sum(1 for d in b.day_month if d <= day)
    left = sum(1 for w in b.weeks() if w.end > day)
    return Cutoff(day, week, done, len(b.day_month), left)


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
    """Each node's target units from the period's start through ``day``."""
    plan = alloc.plan
    b = plan.breakdown
    assert b is not None
    start, end = plan.period.start, plan.period.end
    if day < start:
        return {r.path: dict.fromkeys(r.units, 0) for r in alloc.rows}
    if day >= end:
        return {r.path: dict(r.units) for r in alloc.rows}
    slots = (Slot("to date", start, day), Slot("after", day + timedelta(days=1), end))
    split = split_over_time(alloc, "week", slots=slots)
    return {
        path: {m: row[0] for m, row in by_metric.items()} for path, by_metric in split.units.items()
    }


def _round_unit(x: Fraction, metric: Metric, *, up: bool = False) -> Decimal:
    q = x / Fraction(metric.unit)
    if up:
        n = -((-q.numerator) // q.denominator)
    else:  # half up, away from zero for negatives
        n = int((abs(q) + Fraction(1, 2)) // 1) * (1 if q >= 0 else -1)
    return metric.amount(n)


def compute(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
) -> Progress:
    """Figures for every node; ``direct`` holds the actuals booked on each node."""
    plan = alloc.plan
    tiers = sorted(plan.tiers.items(), key=lambda kv: kv[1])
    actual: dict[tuple[str, str], Fraction] = {}
    for node in reversed(list(plan.root.walk())):
        for m in plan.metrics:
            total = Fraction(direct.get((node.key, m.name), Decimal(0)))
            total += sum((actual[(c.key, m.name)] for c in node.children), Fraction(0))
            actual[(node.key, m.name)] = total
    figures: dict[str, dict[str, Figures]] = {}
    for row in alloc.rows:
        out: dict[str, Figures] = {}
        for m in plan.metrics:
            target = Fraction(row.targets[m.name])
            ttd = Fraction(m.amount(to_date[row.path][m.name]))
            act = actual[(row.path, m.name)]
            attainment = act / ttd if ttd else None
            status = None
            if attainment is not None:
                status = (
                    "green"
                    if attainment >= plan.green
                    else "yellow"
                    if attainment >= plan.yellow
                    else "red"
                )
            projection = act * target / ttd if ttd else None
            tier = None
            if projection is not None and target:
                for name, share in tiers:
                    if projection >= target * share:
                        tier = name
            remaining = target - act
            out[m.name] = Figures(
                target=row.targets[m.name],
                target_to_date=m.amount(to_date[row.path][m.name]),
                actual=amounts.to_decimal(act),
                attainment=attainment,
                attainment_full=act / target if target else None,
                gap=amounts.to_decimal(ttd - act),
                remaining=amounts.to_decimal(remaining),
                needed_per_week=_round_unit(remaining / cut.weeks_left, m, up=True)
                if cut.weeks_left
                else None,
                projection=_round_unit(projection, m) if projection is not None else None,
                status=status,
                rank=None,
                tier=tier,
            )
        figures[row.path] = out
    # Rank siblings by attainment, best first; equal attainments share a rank.
    ranked: dict[tuple[str, str], int] = {}
    for node in plan.root.walk():
        for m in plan.metrics:
            kids = [c for c in node.children if figures[c.key][m.name].attainment is not None]
            kids.sort(key=lambda c: figures[c.key][m.name].attainment, reverse=True)  # type: ignore[arg-type, return-value]
            for i, c in enumerate(kids):
                prev = kids[i - 1] if i else None
                same = prev is not None and (
                    figures[prev.key][m.name].attainment == figures[c.key][m.name].attainment
                )
                ranked[(c.key, m.name)] = ranked[(prev.key, m.name)] if same and prev else i + 1
    rows = [
        ProgressRow(
            row.node,
            {
                name: replace(f, rank=ranked.get((row.path, name)))
                for name, f in figures[row.path].items()
            },
        )
        for row in alloc.rows
    ]
    return Progress(plan, cut, tuple(rows))
