"""The period-end review (issue 12): for the plan's period or a window of it,
each node's target, actual, attainment, difference, the highest tier reached
and its rank among siblings; and the summary a manager reads first.

The target of a window is the time ledger summed over its days (so a quarter's
is what ``allocate --by quarter`` shows, and each parent's is the sum of its
children's); a window still running is reviewed up to its last day so far,
whose target is the ledger to date. The actual is the rows dated within the
window only (``track.actuals`` reads them), rolled up the tree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from targetsplit.calendar.workdays import Breakdown
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Node, Plan
from targetsplit.split.hierarchy import Allocation
from targetsplit.track.progress import _ranks as ranks  # one tie rule for both commands

if TYPE_CHECKING:
    from targetsplit.split.ledger import Loose

#: How many shortfalls and over-achievements the summary names, per metric.
TOP = 5
#: The tier of a node below the plan's lowest tier.
NONE = "none"


@dataclass(frozen=True)
class Window:
    """The days reviewed: ``start`` through ``last``, of the window that ends on ``end``."""

    label: str  # 2026, 2026-H1, 2026-Q1..2026-Q2
    start: date
    end: date
    last: date  # ``end``, or the last day so far when the window has not ended
    workdays_done: int  # working days from start through last
    workdays_total: int  # working days from start through end

    @property
    def ended(self) -> bool:
        return self.last >= self.end


def window(b: Breakdown, label: str, start: date, end: date, today: date) -> Window:
    """The window ``start`` .. ``end`` reviewed up to ``today`` (at the latest its end);
    ``today`` must not be before ``start``."""
    work = sorted(b.day_month)
    last = min(end, today)
    first = bisect_left(work, start)
    done = bisect_right(work, last) - first
    return Window(label, start, end, last, done, bisect_right(work, end) - first)


@dataclass(frozen=True)
class Figures:
    """One node's review of one metric; the attainment is an exact fraction."""

    target: Decimal
    actual: Decimal
    attainment: Fraction | None  # actual / target; None for a zero target
    difference: Decimal  # actual - target: over (+) or under (-)
    tier: str | None  # the highest tier reached, NONE below the lowest; None for a zero target
    rank: int | None  # among siblings, by attainment (1 = best; ties share a rank)

    @property
    def met(self) -> bool | None:
        """Whether the actual reached the target (None for a zero target)."""
        return None if self.attainment is None else self.attainment >= 1


@dataclass(frozen=True)
class ReviewRow:
    node: Node
    figures: Mapping[str, Figures]

    @property
    def path(self) -> str:
        return self.node.key


@dataclass(frozen=True)
class Review:
    plan: Plan
    window: Window
    rows: tuple[ReviewRow, ...]  # depth-first in plan order, the root first


def window_targets(
    alloc: Allocation, start: date, last: date
) -> tuple[dict[str, dict[str, int]], tuple[Loose, ...]]:
    """Each node's target units for the days ``start`` through ``last``: the time
    ledger summed over them (to date at ``last`` less to date the day before
    ``start``); the node's whole target when that is the whole period. And the
    metrics the ledger rounded as one flow (``Ledger.loose``; none without it)."""
    plan = alloc.plan
    if start <= plan.period.start and last >= plan.period.end:
        return {r.path: dict(r.units) for r in alloc.rows}, ()
    from targetsplit.split.ledger import build

    ledger = build(alloc)
    upto = ledger.to_date(last)
    if start <= plan.period.start:
        return upto, ledger.loose
    before = ledger.to_date(start - timedelta(days=1))
    return {
        path: {m: units - before[path][m] for m, units in by_metric.items()}
        for path, by_metric in upto.items()
    }, ledger.loose


def compute(
    alloc: Allocation,
    win: Window,
    targets: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
) -> Review:
    """The figures of every node; ``targets`` are the window's target units,
    ``direct`` the actuals booked on each node within the window."""
    plan = alloc.plan
    tiers = sorted(plan.tiers.items(), key=lambda kv: kv[1])
    exact = amounts.EXACT
    nodes = list(plan.root.walk())
    zero = Decimal(0)
    figures: dict[str, dict[str, Figures]] = {n.key: {} for n in nodes}
    for m in plan.metrics:
        name = m.name
        unit = Fraction(m.unit)
        actual: dict[str, Decimal] = {}
        for node in reversed(nodes):  # children before parents
            total = direct.get((node.key, name), zero)
            for c in node.children:
                total = exact.add(total, actual[c.key])
            actual[node.key] = total
        attainments: dict[str, Fraction | None] = {}
        for node in nodes:
            units = targets[node.key][name]
            attainments[node.key] = Fraction(actual[node.key]) / (units * unit) if units else None
        rank = ranks(nodes, attainments)
        for node in nodes:
            key = node.key
            target = m.amount(targets[key][name])
            attainment = attainments[key]
            tier = None
            if attainment is not None:
                tier = NONE
                for tier_name, share in tiers:  # actual >= target x share
                    if attainment >= share:
                        tier = tier_name
            figures[key][name] = Figures(
                target=target,
                actual=actual[key],
                attainment=attainment,
                difference=exact.subtract(actual[key], target),
                tier=tier,
                rank=rank.get(key),
            )
    rows = tuple(ReviewRow(n, figures[n.key]) for n in nodes)
    return Review(plan, win, rows)


# --- the summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class TierCount:
    """How many nodes of one level reached each tier, for one metric."""

    metric: str
    depth: int
    reached: Mapping[str, int]  # tier name -> nodes whose highest tier it is, highest first
    none: int  # nodes below the lowest tier
    no_target: int  # nodes with a zero target (no attainment, no tier)

    @property
    def nodes(self) -> int:
        return sum(self.reached.values()) + self.none + self.no_target


@dataclass(frozen=True)
class Standout:
    """A shortfall or an over-achievement: one node's figures for one metric."""

    node: Node
    metric: str
    figures: Figures


@dataclass(frozen=True)
class Mixed:
    """A node that met the target of some metrics and missed others'."""

    node: Node
    met: tuple[str, ...]
    missed: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    tiers: tuple[TierCount, ...]  # per metric, then per level
    shortfalls: tuple[Standout, ...]  # per metric, the largest first
    over: tuple[Standout, ...]  # per metric, the largest first
    mixed: tuple[Mixed, ...]  # in plan order


def shown_rows(review: Review, depth: int | None) -> list[ReviewRow]:
    return [r for r in review.rows if depth is None or r.node.depth <= depth]


def summarize(
    review: Review, metrics: Sequence[str], depth: int | None = None, top: int = TOP
) -> Summary:
    """The summary of the nodes down to ``depth``, for ``metrics``.

    - tiers: per metric and level, how many nodes reached each tier;
    - shortfalls and over-achievements: per metric, the ``top`` nodes below the
      total (the total itself when it is shown alone) with the largest amount
      under and over their target, the one first in plan order on a tie;
    - mixed: the nodes that met the target of one metric and missed another's
      (the guides' "result vs process" reading: revenue met, new customers missed).
    """
    rows = shown_rows(review, depth)
    order = sorted(review.plan.tiers.items(), key=lambda kv: kv[1], reverse=True)
    lowest = order[-1][1] if order else None
    tiers: list[TierCount] = []
    shortfalls: list[Standout] = []
    over: list[Standout] = []
    candidates = [r for r in rows if r.node.depth > 0] or rows
    for name in metrics:
        levels = sorted({r.node.depth for r in rows})
        for level in levels:
            reached = dict.fromkeys((t for t, _ in order), 0)
            none = no_target = 0
            for r in rows:
                if r.node.depth != level:
                    continue
                f = r.figures[name]
                if f.attainment is None:
                    no_target += 1
                elif lowest is None or f.attainment < lowest or f.tier is None:
                    none += 1  # (counted by the figure: a tier may be named "none")
                else:
                    reached[f.tier] += 1
            tiers.append(TierCount(name, level, reached, none, no_target))
        under = [r for r in candidates if r.figures[name].difference < 0]
        under.sort(key=lambda r: r.figures[name].difference)  # stable: plan order on ties
        above = [r for r in candidates if r.figures[name].difference > 0]
        above.sort(key=lambda r: -r.figures[name].difference)
        shortfalls += [Standout(r.node, name, r.figures[name]) for r in under[:top]]
        over += [Standout(r.node, name, r.figures[name]) for r in above[:top]]
    mixed: list[Mixed] = []
    for r in rows:
        met = tuple(n for n in metrics if r.figures[n].met is True)
        missed = tuple(n for n in metrics if r.figures[n].met is False)
        if met and missed:
            mixed.append(Mixed(r.node, met, missed))
    return Summary(tuple(tiers), tuple(shortfalls), tuple(over), tuple(mixed))
