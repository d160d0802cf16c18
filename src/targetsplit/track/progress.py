"""Progress against the plan at a cut-off day (SPEC §6), for every node and metric.

Target to date is the node's target for the days from the period's start
through the cut-off: a sum of the time ledger (``split.ledger``), so at the
end of a week or month it is the sum of those weeks' or months' targets, and
each parent's is the sum of its children's. Actuals roll up the tree.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from targetsplit.calendar.workdays import Breakdown, Granularity, Slot
from targetsplit.numbers import amounts
from targetsplit.plan.tree import Metric, Node, Plan, shown_nodes
from targetsplit.split.hierarchy import Allocation
from targetsplit.split.ledger import Loose, build


@dataclass(frozen=True)
class Cutoff:
    """The last day that counts, and how far into the period it is (into the
    window, with ``--window``)."""

    day: date
    week: int | None  # the week number when given as --week
    workdays_done: int
    workdays_total: int
    weeks_left: Fraction  # each week after the cut-off by its share of working days ahead
    # With --window: the window's size and its week, month, quarter or half, clipped
    # to the period (its first day counts; ``window.end`` is where it ends).
    size: str | None = None
    window: Slot | None = None


#: What --window takes: the size of the window the cut-off falls in.
WINDOWS = ("week", "month", "quarter", "half", "period")


def in_window(b: Breakdown, cut: Cutoff, size: Granularity) -> Cutoff:
    """``cut`` within the ``size`` (week, month, quarter, half) of the period that
    holds its day: the working days from that window's first day (never before
    the period's) through the cut-off, of those to its last day (never after the
    period's); the weeks left up to its end. A cut-off before the period is in
    its first window, with nothing done."""
    slots = b.slots(size)
    slot = next((s for s in slots if s.start <= cut.day <= s.end), slots[0])
    work = sorted(b.day_month)
    first = bisect_left(work, slot.start)
    done = max(0, bisect_right(work, cut.day) - first)
    total = bisect_right(work, slot.end) - first
    left = weeks_left(b, work, cut.day, slot.end)
    return Cutoff(cut.day, cut.week, done, total, left, size, slot)


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


def weeks_left(b: Breakdown, work: list[date], day: date, end: date | None = None) -> Fraction:
    """The weeks after ``day`` (up to ``end``, the period's by default), each
    counted by the share of its working days that lie after ``day`` (and not
    after ``end``): the cut-off's own week counts pro rata, so a Friday and the
    Sunday after it leave the same; zero when no working day is left."""
    left = Fraction(0)
    after_day = bisect_right(work, day)
    last = len(work) if end is None else bisect_right(work, end)
    for w in b.weeks():
        lo, hi = bisect_left(work, w.start), bisect_right(work, w.end)
        ahead = min(hi, last) - max(lo, after_day)
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


@dataclass(frozen=True, eq=False)
class Tally:
    """One metric's figures for every node (in the allocation's order), in
    integers: targets in rounding units, actuals in ticks (``tick`` of them
    make 1: the smallest step that makes every actual and the unit whole).
    The attainments are ``actual / (to_date x unit_ticks)`` and
    ``actual / (target x unit_ticks)``; :meth:`figures` gives a node's
    :class:`Figures`."""

    metric: Metric
    tick: int
    unit_ticks: int  # the rounding unit in ticks
    target: list[int]  # units
    to_date: list[int]  # units
    actual: list[int]  # ticks, rolled up the tree
    needed: list[int | None] | None  # units a week; None when no week is left
    projection: list[int | None]  # units; None without a target to date
    status: list[str | None]
    rank: list[int | None]
    tier: list[str | None]
    booked: Mapping[int, Decimal]  # the actuals booked on each node, as read
    parent: Sequence[int]  # each node's parent (-1 for the root)

    @cached_property
    def actual_decimals(self) -> list[Decimal]:
        """The actuals rolled up as decimals, each with the digits of what was
        booked under it (``1.50`` stays ``1.50``)."""
        total = [Decimal(0)] * len(self.parent)
        for i, value in self.booked.items():
            total[i] = value
        add, parent = amounts.EXACT.add, self.parent
        for i in range(len(parent) - 1, 0, -1):  # children before their parents
            total[parent[i]] = add(total[parent[i]], total[i])
        return total

    def attainment(self, i: int) -> Fraction | None:
        """The ``i``-th node's actual / target to date (None without a target to date)."""
        ttd_u = self.to_date[i]
        return Fraction(self.actual[i], ttd_u * self.unit_ticks) if ttd_u else None

    def figures(self, i: int) -> Figures:
        """The figures of the ``i``-th node."""
        m, ut, exact = self.metric, self.unit_ticks, amounts.EXACT
        target_u, ttd_u, act_t = self.target[i], self.to_date[i], self.actual[i]
        target, ttd, actual = m.amount(target_u), m.amount(ttd_u), self.actual_decimals[i]
        projection = self.projection[i]
        return Figures(
            target=target,
            target_to_date=ttd,
            actual=actual,
            attainment=self.attainment(i),
            attainment_full=Fraction(act_t, target_u * ut) if target_u else None,
            gap=exact.subtract(ttd, actual),
            remaining=exact.subtract(target, actual),
            needed_per_week=None
            if self.needed is None or (need := self.needed[i]) is None
            else m.amount(need),
            projection=None if projection is None else m.amount(projection),
            status=self.status[i],
            rank=self.rank[i],
            tier=self.tier[i],
        )


@dataclass(frozen=True, eq=False)
class ProgressRow:
    node: Node
    index: int  # the node's place in the allocation, and in every tally
    tallies: Mapping[str, Tally] = field(repr=False)

    @property
    def path(self) -> str:
        return self.node.key

    @cached_property
    def figures(self) -> Mapping[str, Figures]:
        return {name: t.figures(self.index) for name, t in self.tallies.items()}


@dataclass(frozen=True, eq=False)
class Progress:
    plan: Plan
    cutoff: Cutoff
    nodes: tuple[Node, ...]  # depth-first from the root, as the allocation's rows
    tallies: Mapping[str, Tally] = field(repr=False)  # per metric, in the plan's order
    tier: str | None = None  # the tier whose targets the figures are against (--tier)

    @cached_property
    def rows(self) -> tuple[ProgressRow, ...]:
        return tuple(ProgressRow(n, i, self.tallies) for i, n in enumerate(self.nodes))


Units = dict[str, dict[str, int]]  # path -> metric -> rounding units


def targets_to_date(alloc: Allocation, day: date) -> tuple[Units, tuple[Loose, ...]]:
    """Each node's target units from the period's start through ``day``: a sum
    of the time ledger (so at the end of a week, a month or a quarter it is
    exactly what ``allocate --by`` shows for those periods, summed); and the
    metrics the ledger rounded as one flow (``Ledger.loose``), none where
    ``day`` is before the period or on or after its last day (every target
    to date is then 0 or the node's whole target, not from the rounding)."""
    ledger = build(alloc)
    period = alloc.plan.period
    rounded = period.start <= day < period.end
    return ledger.to_date(day), ledger.loose if rounded else ()


def window_targets(alloc: Allocation, cut: Cutoff) -> tuple[Units, Units, tuple[Loose, ...]]:
    """Each node's target units in ``cut``'s window: from its first day through
    the cut-off, and the whole window's. Sums of the time ledger: the ledger to
    date at the cut-off (at the window's end) less the ledger to date the day
    before the window, so a whole window is what ``allocate --by`` shows for it.
    And the metrics the ledger rounded as one flow (``Ledger.loose``)."""
    win = cut.window
    assert win is not None
    ledger = build(alloc)
    upto, whole = ledger.to_date(cut.day), ledger.to_date(win.end)
    if win.start <= alloc.plan.period.start:
        return upto, whole, ledger.loose
    before = ledger.to_date(win.start - timedelta(days=1))
    return _less(upto, before), _less(whole, before), ledger.loose


def _less(a: Units, b: Units) -> Units:
    return {path: {m: u - b[path][m] for m, u in by.items()} for path, by in a.items()}


def _ticks(
    booked: Mapping[int, Decimal], unit: Decimal, parent: Sequence[int]
) -> tuple[int, list[int]]:
    """The tick (the denominator that makes ``unit`` and every actual whole),
    and each node's actual in ticks, rolled up the tree."""
    ratios = list(map(Decimal.as_integer_ratio, booked.values()))
    dens = {d for _, d in ratios}
    tick = math.lcm(unit.as_integer_ratio()[1], *dens)
    scale = {d: tick // d for d in dens}
    actual = [0] * len(parent)
    for i, (n, d) in zip(booked, ratios, strict=True):
        actual[i] = n * scale[d]
    for i in range(len(parent) - 1, 0, -1):  # children before their parents
        actual[parent[i]] += actual[i]
    return tick, actual


@dataclass(frozen=True)
class _Tree:
    """The nodes by their index: each one's parent, and each family of siblings."""

    parent: list[int]  # -1 for the root
    families: list[list[int]]

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> _Tree:
        where = {id(n): i for i, n in enumerate(nodes)}
        parent = [-1] * len(nodes)
        families = []
        for i, n in enumerate(nodes):
            if n.children:
                kids = [where[id(c)] for c in n.children]
                for k in kids:
                    parent[k] = i
                families.append(kids)
        return cls(parent, families)


def compute(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
    targets: Mapping[str, Mapping[str, int]] | None = None,
) -> Progress:
    """Figures for every node; ``direct`` holds the actuals booked on each node;
    ``targets`` the targets in units when not the period's (a window's).

    The arithmetic is in integers (see :class:`Tally`); the figures as
    decimals and fractions are made when asked for."""
    return settle(frame(alloc, cut, to_date, targets), direct)


@dataclass(frozen=True, eq=False)
class Frame:
    """What the figures need besides the actuals, made while they are summed:
    the nodes (in the allocation's order) and their tree, the weeks left of
    those that start later, and each metric's targets and targets to date in
    units, with the scales that rank siblings by attainment."""

    alloc: Allocation
    cut: Cutoff
    nodes: tuple[Node, ...]
    index: dict[str, int]  # each node's path -> its place
    tree: _Tree
    weeks: dict[int, Fraction]  # see _own_weeks
    units: dict[str, tuple[list[int], list[int]]]  # metric -> (targets, targets to date)
    # metric -> each family's siblings with a target to date, and what each one's
    # actual is multiplied by to compare attainments over a common denominator
    ranking: dict[str, list[tuple[list[int], list[int]]]]


def frame(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    targets: Mapping[str, Mapping[str, int]] | None = None,
) -> Frame:
    """The :class:`Frame` of ``alloc`` at ``cut``, from the targets to date (and
    ``targets``, a window's, in units)."""
    plan = alloc.plan
    rows = alloc.rows
    nodes = tuple(r.node for r in rows)
    keys = [n.key for n in nodes]
    index = {key: i for i, key in enumerate(keys)}
    tree = _Tree.of(nodes)
    ttd_rows = _in_order(to_date, keys)
    target_rows = [r.units for r in rows] if targets is None else _in_order(targets, keys)
    units = {}
    ranking = {}
    for m in plan.metrics:
        name = m.name
        ttd = [by[name] for by in ttd_rows]
        units[name] = ([by[name] for by in target_rows], ttd)
        ranking[name] = _rank_scales(tree.families, ttd)
    weeks = _own_weeks(plan, nodes, tree.parent, cut)
    return Frame(alloc, cut, nodes, index, tree, weeks, units, ranking)


def _in_order(by_path: Mapping[str, Mapping[str, int]], keys: list[str]) -> list[Mapping[str, int]]:
    """The values of ``by_path`` for ``keys``, in their order (the ledger's come
    in the allocation's order already: then taken as they are, not looked up)."""
    if list(by_path) == keys:
        return list(by_path.values())
    return [by_path[k] for k in keys]


def settle(f: Frame, direct: Mapping[tuple[str, str], Decimal]) -> Progress:
    """The figures of every node in frame ``f``; ``direct`` holds the actuals
    booked on each node."""
    alloc, index = f.alloc, f.index
    plan = alloc.plan
    booked: dict[str, dict[int, Decimal]] = {m.name: {} for m in plan.metrics}
    try:  # (the actuals are booked on the plan's nodes and metrics: the usual)
        for (key, name), value in direct.items():
            booked[name][index[key]] = value
    except KeyError:
        booked = {m.name: {} for m in plan.metrics}
        for (key, name), value in direct.items():
            if key in index and name in booked:
                booked[name][index[key]] = value
    tallies = {}
    for m in plan.metrics:
        name = m.name
        tallies[name] = _tally(plan, f, m, booked[name], f.ranking[name], alloc.tier)
    return Progress(plan, f.cut, f.nodes, tallies, alloc.tier)


def _tally(
    plan: Plan,
    f: Frame,
    m: Metric,
    booked: dict[int, Decimal],
    ranking: list[tuple[list[int], list[int]]],
    against: str | None = None,
) -> Tally:
    """One metric's figures from its targets and targets to date (in units,
    in ``f``) and what was booked on each node."""
    targets = f.units[m.name]
    target, ttd = targets
    parent = f.tree.parent
    tick, actual = _ticks(booked, m.unit, parent)
    un, ud = m.unit.as_integer_ratio()
    ut = un * (tick // ud)  # the rounding unit in ticks
    status, projection, tier = _judge(plan, ut, targets, actual, against)
    needed: list[int | None] | None = None
    wl = f.cut.weeks_left
    if wl:  # (target - actual) / weeks left, in units, rounded up
        wn, wd = wl.numerator * ut, wl.denominator
        needed = [-((t - u * ut) * wd // wn) for u, t in zip(target, actual, strict=True)]
        for i, own in f.weeks.items():  # a node that starts later: over its own weeks
            needed[i] = (
                -((actual[i] - target[i] * ut) * own.denominator // (own.numerator * ut))
                if own
                else None
            )
    rank = _ranked(ranking, actual)
    parts = (target, ttd, actual, needed, projection, status, rank, tier)
    return Tally(m, tick, ut, *parts, booked, parent)


def _own_weeks(
    plan: Plan, nodes: Sequence[Node], parent: Sequence[int], cut: Cutoff
) -> dict[int, Fraction]:
    """The weeks left of each node that starts working after the cut-off (a
    ramped node, or one under it): only the weeks from its start count."""
    b = plan.breakdown
    out: dict[int, Fraction] = {}
    if b is None or not any(n.ramp is not None for n in nodes):
        return out
    starts: list[date | None] = []
    work: list[date] | None = None
    for i, n in enumerate(nodes):
        above = starts[parent[i]] if parent[i] >= 0 else None
        own = n.ramp.start if n.ramp is not None else None
        start = max(d for d in (above, own) if d is not None) if above or own else None
        starts.append(start)
        if start is not None and start > cut.day and start - timedelta(days=1) > cut.day:
            if work is None:
                work = sorted(b.day_month)
            end = None if cut.window is None else cut.window.end
            out[i] = weeks_left(b, work, start - timedelta(days=1), end)
    return out


def _judge(
    plan: Plan,
    ut: int,
    targets: tuple[list[int], list[int]],
    actual: list[int],
    against: str | None = None,
) -> tuple[list[str | None], list[int | None], list[str | None]]:
    """Each node's status, projection (in units, rounded half up) and tier;
    None without a target to date. Against tier ``against``'s targets, a tier
    is reached when the attainment times that tier's percent reaches its own
    (100 % of stretch's targets reaches stretch)."""
    # The highest tier first (of equal shares, the plan's last).
    scale = Fraction(1) if against is None else plan.tiers[against]
    scaled = [(n, s / scale) for n, s in plan.tiers.items()] if scale else []  # (0 %: none)
    tiers = sorted(scaled, key=lambda kv: kv[1])[::-1]
    if min(targets[1], default=0) >= 0:  # (no target to date below zero: the usual)
        return _judge_by_key(plan, ut, targets, actual, tiers)
    return _judge_each(plan, ut, targets, actual, tiers)


def _judge_each(
    plan: Plan,
    ut: int,
    targets: tuple[list[int], list[int]],
    actual: list[int],
    tiers: list[tuple[str, Fraction]],
) -> tuple[list[str | None], list[int | None], list[str | None]]:
    """:func:`_judge`, node by node (``tiers`` the highest first)."""
    gn, gd = plan.green.numerator, plan.green.denominator
    yn, yd = plan.yellow.numerator, plan.yellow.denominator
    shares = [(name, s.numerator, s.denominator) for name, s in tiers]
    status: list[str | None] = []
    projection: list[int | None] = []
    tier: list[str | None] = []
    for target_u, ttd_u, act in zip(*targets, actual, strict=True):
        if not ttd_u:
            status.append(None)
            projection.append(None)
            tier.append(None)
            continue
        an, ad = (act, ttd_u * ut) if ttd_u > 0 else (-act, -ttd_u * ut)  # the attainment
        status.append("green" if an * gd >= gn * ad else "yellow" if an * yd >= yn * ad else "red")
        num = an * target_u  # actual x target / target to date
        projection.append((2 * abs(num) + ad) // (2 * ad) * (1 if num >= 0 else -1))
        reached = None
        if target_u:
            for name, sn, sd in shares:  # projection >= target x share
                if an * sd >= sn * ad:
                    reached = name
                    break
        tier.append(reached)
    return status, projection, tier


def _judge_by_key(
    plan: Plan,
    ut: int,
    targets: tuple[list[int], list[int]],
    actual: list[int],
    tiers: list[tuple[str, Fraction]],
) -> tuple[list[str | None], list[int | None], list[str | None]]:
    """:func:`_judge` where no target to date is below zero, by one key a node:
    its attainment ``a`` as ``floor(a x common)``, ``common`` a multiple of the
    denominators of every threshold (``a >= n / d`` as ``key >= n x common / d``,
    both sides whole); ``tiers`` the highest first (of equal shares, the plan's
    last)."""
    target, ttd = targets
    shares = [plan.green, plan.yellow, *(share for _, share in tiers)]
    common = math.lcm(*(share.denominator for share in shares))
    green, yellow = (int(share * common) for share in shares[:2])
    ads = [u * ut for u in ttd]
    keys = [act * common // ad if ad else None for act, ad in zip(actual, ads, strict=True)]
    status = [
        None if k is None else "green" if k >= green else "yellow" if k >= yellow else "red"
        for k in keys
    ]
    nums = [act * t for act, t in zip(actual, target, strict=True)]  # actual x target / to date
    projection = [
        None
        if not ad
        else (2 * num + ad) // (2 * ad)
        if num >= 0
        else -((ad - 2 * num) // (2 * ad))
        for num, ad in zip(nums, ads, strict=True)
    ]
    # The tier: the highest whose key the node's reaches (bisect over them, lowest first).
    lowest = tiers[::-1]
    marks = [int(share * common) for _, share in lowest]
    names: list[str | None] = [None, *(name for name, _ in lowest)]
    tier = [
        None if k is None or not t else names[bisect_right(marks, k)]
        for k, t in zip(keys, target, strict=True)
    ]
    return status, projection, tier


def _ranks(nodes: list[Node], attainments: Mapping[str, Fraction | None]) -> dict[str, int]:
    """Rank siblings by attainment, best first; equal attainments share a rank
    (``nodes`` a whole tree, depth-first)."""
    num = [0 if (a := attainments[n.key]) is None else a.numerator for n in nodes]
    den = [0 if (a := attainments[n.key]) is None else a.denominator for n in nodes]
    ranks = _sibling_ranks(_Tree.of(nodes).families, num, den)
    return {n.key: r for n, r in zip(nodes, ranks, strict=True) if r is not None}


def _sibling_ranks(
    families: list[list[int]], actual: list[int], ttd: list[int]
) -> list[int | None]:
    """Rank siblings by attainment (``actual / ttd`` compares as it does), best
    first; equal attainments share a rank. None without a target to date."""
    ranks: list[int | None] = [None] * len(actual)
    for kids in families:
        found = [i for i in kids if ttd[i]]
        if not found:
            continue
        # Over a common denominator the attainments are integers: sorted as fast.
        common = math.lcm(*(ttd[i] for i in found))
        scored = sorted(((actual[i] * (common // ttd[i]), i) for i in found), reverse=True)
        rank, last = 0, None
        for place, (score, i) in enumerate(scored, 1):
            if score != last:
                rank, last = place, score
            ranks[i] = rank
    return ranks


def _rank_scales(families: list[list[int]], ttd: list[int]) -> list[tuple[list[int], list[int]]]:
    """For each family, its members with a target to date, and what each one's
    actual is multiplied by to put the attainments over a common denominator
    (``actual / ttd`` compares as ``actual x common / ttd``)."""
    out = []
    for kids in families:
        found = [i for i in kids if ttd[i]]
        if found:
            common = math.lcm(*(ttd[i] for i in found))
            out.append((found, [common // ttd[i] for i in found]))
    return out


def _ranked(ranking: list[tuple[list[int], list[int]]], actual: list[int]) -> list[int | None]:
    """:func:`_sibling_ranks` with the scales of :func:`_rank_scales`."""
    ranks: list[int | None] = [None] * len(actual)
    for found, scales in ranking:
        scores = [actual[i] * s for i, s in zip(found, scales, strict=True)]
        scored = sorted(zip(scores, found, strict=True), reverse=True)
        rank, last = 0, None
        for place, (score, i) in enumerate(scored, 1):
            if score != last:
                rank, last = place, score
            ranks[i] = rank
    return ranks


def leaderboard(
    p: Progress, metric: str, under: Node | None = None, depth: int | None = None
) -> list[tuple[int | None, int]]:
    """The leaderboard (业绩排名) of ``metric``: ``(rank, index)`` of the leaves of
    ``under``'s subtree (the whole plan's without), or with ``depth`` of its nodes
    that many levels below its root and the leaves above them, best attainment
    first. Equal attainments share a rank and the next rank skips (1, 2, 2, 4:
    competition ranking) and keep plan order; nodes without a target to date
    (no attainment) come last, in plan order, unranked (None)."""
    nodes = p.nodes
    base = 0 if under is None else under.depth
    members = [
        i
        for i in shown_nodes(nodes, under, depth)
        if not nodes[i].children or (depth is not None and nodes[i].depth - base == depth)
    ]
    t = p.tallies[metric]
    ttd, actual = t.to_date, t.actual
    scored = sorted(
        ((Fraction(actual[i], ttd[i]), i) for i in members if ttd[i]), key=lambda x: -x[0]
    )  # (stable: ties keep plan order; the unit is common to all, so left out)
    out: list[tuple[int | None, int]] = []
    rank, last = 0, None
    for place, (score, i) in enumerate(scored, 1):
        if score != last:
            rank, last = place, score
        out.append((rank, i))
    out += [(None, i) for i in members if not ttd[i]]
    return out
