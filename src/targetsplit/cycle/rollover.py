"""``rollover``: the next period's plan from this period's results.

The same tree and keys; each metric's total is this period's actual grown by
a percent (rounded half up to the unit) or a total given outright; each
node's weight is ``{history: its actual}`` per metric, so shares follow what
each node sold. A node with no (positive) actual in a metric keeps its old
basis there: a percent stays that percent, any other weight becomes
``{history: its old target}`` (it counts as having met its target) — named in
a warning. ``carry`` then adds each leaf's shortfall of this period on top of
its share; those figures are written as amounts. A derived metric (``from:``)
stays derived, with its ``from:``, ``per:`` or ``rate:`` and the nodes'
``drivers:`` as written: its figures follow from its source's new ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from targetsplit.calendar.periods import Period
from targetsplit.calendar.seasonality import Seasonality, SeasonalityError, month_shares
from targetsplit.calendar.workdays import breakdown, parse_day_range
from targetsplit.cycle.common import (
    NewPlan,
    Unstatable,
    amount_text,
    booked_above,
    ceil_units,
    dimensions_as_ratios,
    integer_ratios,
    listed,
    rewrite_nodes,
    total_text,
    value_text,
)
from targetsplit.plan.tree import Metric, Node, Plan


@dataclass(frozen=True)
class Result:
    """A node's target and actual for the period, for one metric; ``due_units``,
    its target to date when the period has not ended (what a shortfall is of)."""

    target_units: int
    actual: Decimal
    due_units: int | None = None

    @property
    def due(self) -> int:
        return self.target_units if self.due_units is None else self.due_units


def totals(
    plan: Plan,
    root: Mapping[str, Result],
    growth: Fraction,
    given: Mapping[str, Decimal],
) -> dict[str, int]:
    """Each metric's next total, in units: ``given`` where stated (a multiple of
    the unit; ValueError otherwise), else the actual x (1 + growth), half up."""
    out = {}
    for m in plan.metrics:
        if m.derived is not None:
            if m.name in given:
                raise ValueError(
                    f"--total {m.name}: {m.name} is derived from {m.derived.source} (from:):"
                    f" its total follows from {plan.origin(m).name}'s; give that one"
                )
            continue
        if m.name in given:
            units = Fraction(given[m.name]) / Fraction(m.unit)
            if units.denominator != 1 or units < 0:
                raise ValueError(
                    f"--total {m.name}: {given[m.name]} is not a non-negative multiple of the"
                    f" unit {m.unit}"
                )
            out[m.name] = int(units)
        else:
            grown = Fraction(root[m.name].actual) * (1 + growth) / Fraction(m.unit)
            out[m.name] = max(0, int((grown + Fraction(1, 2)) // 1))
    return out


def rollover(
    plan: Plan,
    data: Mapping[str, Any],
    results: Mapping[str, Mapping[str, Result]],
    *,
    period: Period,
    period_value: Any,
    next_units: Mapping[str, int],
    header: tuple[str, ...],
) -> NewPlan:
    """The next period's document: history weights, new totals, what fits of
    the calendar and seasonality. ``period_value`` is how the document states
    ``period``."""
    notes: list[str] = []
    fallback: dict[str, list[str]] = {}

    chosen = _bases(plan, results, fallback)

    def weight(node: Node) -> dict[str, Any]:
        return chosen[node.key]

    out = rewrite_nodes(plan, data, weight, None)
    out["period"] = period_value
    out["plan"] = renamed(plan.title, plan.period.name, period.name)
    for m in plan.sources:
        out["metrics"][m.name]["total"] = total_text(m, next_units[m.name])
    dimensions_as_ratios(plan, out)
    for metric, paths in fallback.items():
        shown = listed(paths)
        notes.append(
            f"{metric}: no actual for {len(paths)} node(s) ({shown}): each keeps its old basis"
            " (a percent stays; otherwise its old target counts as its history)"
        )
    notes += _fit_calendar(out, period)
    notes += _fit_seasonality(plan, out, period)
    lines = (
        *header,
        f"Next period: {period.start} to {period.end}. Each node's weight is its actual this"
        " period ({history: …}),",
        "so shares follow this period's results.",
        *(
            f"{m.name}: total {amount_text(m, next_units[m.name])}"
            f" (this period's actual {m.format(results[''][m.name].actual)})"
            for m in plan.sources
        ),
        *(
            f"{m.name}: derived from {m.derived.source} as before (from:, drivers: as written)"
            for m in plan.metrics
            if m.derived is not None
        ),
    )
    return NewPlan(out, tuple(lines), {}, tuple(notes))


_YEAR = re.compile(r"\d{4}(?![0-9])", re.ASCII)


def renamed(title: str, old: str, new: str) -> str:
    """``title`` with its mentions of the period ``old`` made ``new``: as a whole
    word (``2026`` in ``2026年`` or ``2026-H1``, not in ``120265``), or after
    letters glued to a year (``FY2026`` becomes ``FY2027``, and ``FY2027``
    given as the name, not ``FYFY2027``; a range with no name is not glued)."""
    if not old or old == new:
        return title
    lead = "[A-Za-z]*" if old[0].isdigit() else ""
    pattern = re.compile(rf"(?<![A-Za-z0-9])({lead}){re.escape(old)}(?![A-Za-z0-9])")

    def swap(m: re.Match[str]) -> str:
        prefix = m[1]
        if not prefix or new.startswith(prefix):
            return new
        return m[0] if ".." in new else prefix + new

    out = pattern.sub(swap, title)
    years = _YEAR.match(old), _YEAR.match(new)
    if out == title and years[0] and years[1] and years[0][0] != old:
        # a title that names the year of a half, quarter or re-planned rest
        # (FY2026 for 2026-H2 or '2026 from W33') names the next period's year
        return renamed(title, years[0][0], new)
    return out


def _bases(
    plan: Plan, results: Mapping[str, Mapping[str, Result]], fallback: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """Each node's weight per metric: its actual as history; with no positive
    actual, its old basis (a percent stays, else its old target as history).
    A group whose ratio weights would all be zero while a share is left (its
    members sold nothing and had no target) keeps its old shares as ratios."""
    out: dict[str, dict[str, Any]] = {}
    for parent in plan.nodes():
        kids = parent.children
        for m in plan.sources:
            texts: list[Any] = []
            zero = claimed = True
            for c in kids:
                r = results[c.key][m.name]
                old = c.weights.get(m.name)
                if r.actual > 0:
                    try:
                        texts.append({"history": value_text(m, Fraction(r.actual))})
                    except Unstatable as e:
                        raise e.at(c.key) from None
                    zero = False
                    continue
                fallback.setdefault(m.name, []).append(c.key)
                if old is not None and old.kind == "percent":
                    texts.append(old.text)
                    continue
                texts.append({"history": amount_text(m, r.target_units)})
                zero = zero and r.target_units == 0
                claimed = False
            percents = sum(
                (c.shares[m.name] for c, t in zip(kids, texts, strict=True) if isinstance(t, str)),
                Fraction(0),
            )
            if kids and zero and not claimed and percents < 1:
                others = [c for c, t in zip(kids, texts, strict=True) if not isinstance(t, str)]
                ratios = integer_ratios([c.shares[m.name] for c in others])
                if not any(ratios):
                    ratios = [1] * len(others)
                by_key = {c.key: str(r) for c, r in zip(others, ratios, strict=True)}
                texts = [by_key.get(c.key, t) for c, t in zip(kids, texts, strict=True)]
            for c, t in zip(kids, texts, strict=True):
                out.setdefault(c.key, {})[m.name] = t
    return out


def carried(
    plan: Plan,
    new_plan: Plan,
    new_units: Mapping[str, Mapping[str, int]],
    results: Mapping[str, Mapping[str, Result]],
    notes: list[str],
) -> dict[str, dict[str, int]]:
    """The next figures with each leaf's shortfall of this period (rounded up to
    the unit; an actual booked on a parent itself counts for its children in
    proportion to their targets) on top of its share; parents are the sums.
    Trees are the same."""
    pairs = {
        key: {
            m.name: (
                Fraction(by[m.name].target_units) * Fraction(m.unit),
                Fraction(by[m.name].actual),
            )
            for m in plan.sources
        }
        for key, by in results.items()
    }
    extra = booked_above(plan, pairs, notes)
    out: dict[str, dict[str, int]] = {}
    for node in reversed(list(new_plan.root.walk())):
        if node.children:
            out[node.key] = {
                m.name: sum(out[c.key][m.name] for c in node.children) for m in plan.sources
            }
            continue
        row = {}
        for m in plan.sources:
            r = results[node.key][m.name]
            more = extra.get(node.key, {}).get(m.name, Fraction(0))
            short = max(0, r.due - _actual_units_down(m, Fraction(r.actual) + more))
            row[m.name] = new_units[node.key][m.name] + short
        out[node.key] = row
    return out


def _actual_units_down(m: Metric, actual: Fraction) -> int:
    """The actual in units, rounded down (so the shortfall is rounded up)."""
    return -ceil_units(-actual, m)


def _fit_calendar(out: dict[str, Any], period: Period) -> list[str]:
    """Keep the holidays and worked weekend days that fall in the new period."""
    cal = out.get("calendar")
    if not isinstance(cal, dict):
        return []
    dropped = 0
    for key in ("holidays", "workday_overrides"):
        entries = cal.get(key)
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            try:
                days = parse_day_range(str(entry))
            except ValueError:
                kept.append(entry)
                continue
            if any(period.start <= d <= period.end for d in days):
                kept.append(entry)
            else:
                dropped += 1
        cal[key] = kept
    if not dropped:
        return []
    return [
        f"{dropped} holiday or working-weekend entr{'y' if dropped == 1 else 'ies'} of the old"
        f" period left out: add the next period's ({period.start} to {period.end}) to"
        " calendar: in the new plan"
    ]


def _fit_seasonality(plan: Plan, out: dict[str, Any], period: Period) -> list[str]:
    """Keep a seasonality where it fits the new period (as many months and
    quarters); leave it out, saying so, where it does not."""
    b = breakdown(period, plan.calendar)
    notes = []
    old_first, new_first = plan.period.start, period.start
    # A year into a year that starts in another month (a calendar year into a
    # fiscal one): the months and quarters move to other seasons.
    moved = (
        len(b.months) == 12
        and plan.breakdown is not None
        and len(plan.breakdown.months) == 12
        and old_first.month != new_first.month
    )

    def fits(where: str, s: Seasonality | None, holder: dict[str, Any]) -> None:
        if s is None:
            return
        try:
            month_shares(s, b)
        except SeasonalityError as e:
            holder.pop("seasonality", None)
            notes.append(f"{where} seasonality does not fit {period.name} ({e}): left out")
            return
        if moved:
            notes.append(
                f"{where} seasonality is kept by position: its first month was"
                f" {old_first:%B}, {period.name}'s is {new_first:%B} (check that its months"
                " and quarters still fit the seasons)"
            )

    fits("the plan's", plan.seasonality, out)

    def walk(node: Node, split: Any) -> None:
        if not isinstance(split, dict):
            return
        for child, entry in zip(node.children, split.values(), strict=True):
            fits(f"'{child.key}'s", child.seasonality, entry)
            walk(child, entry.get("split"))

    walk(plan.root, out.get("split"))
    return notes
