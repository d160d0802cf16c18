"""The plan's metrics: each one's total (or the metric it derives from), rounding
unit and display."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.tree import Derived, Driver, Metric, did_you_mean

if TYPE_CHECKING:
    from targetsplit.plan.document import MetricDoc


def build_metrics(diags: Collector, docs: Mapping[str, MetricDoc]) -> tuple[Metric, ...]:
    """The metrics in plan order; a total must be a multiple of its rounding unit.
    A derived metric's total is zero here: it is the sum of its leaves' figures,
    known once the tree is built."""
    out: list[Metric] = []
    for name, m in docs.items():
        unit = m.round.value if m.round is not None else Decimal(1)
        if unit <= 0:
            diags.error(
                f"metric '{name}': round must be more than zero", ("metrics", name, "round")
            )
            unit = Decimal(1)
        derived = _derived(diags, name, m)
        if m.total is None:
            if m.from_ is None:
                diags.error(
                    f"metric '{name}' needs a total (total: 1.2亿), or from: the metric it"
                    " derives from with per: or rate: (deals: {from: revenue, per: 10万})",
                    ("metrics", name),
                )
            display = m.display or "full"
            out.append(Metric(name, Decimal(0), unit, m.unit, display, derived))
            continue
        display = m.display or amounts.display_for(m.total.suffix)
        metric = Metric(name, m.total.value, unit, m.unit, display)
        if (Fraction(m.total.value) / Fraction(unit)).denominator != 1:
            diags.error(
                f"metric '{name}': the total {m.total.text} is not a multiple of its rounding"
                f" unit {metric.format(unit)} (round: {m.round.text if m.round else 1})",
                ("metrics", name, "total"),
            )
        out.append(metric)
    _check_sources(diags, docs)
    return tuple(out)


def _derived(diags: Collector, name: str, m: MetricDoc) -> Derived | None:
    """A derived metric's source and driver; errors for keys that do not go together."""
    if m.from_ is None:
        for key in ("per", "rate"):
            if getattr(m, key) is not None:
                diags.error(
                    f"metric '{name}': {key}: goes with from: (the metric it derives from,"
                    f" e.g. from: revenue, {key}: {'10万' if key == 'per' else '20%'})",
                    ("metrics", name, key),
                )
        return None
    if m.total is not None:
        diags.error(
            f"metric '{name}' derives from '{m.from_}' (from:), so it has no total: its"
            f" figures are {m.from_}'s divided by per: or rate:, and its total is their sum",
            ("metrics", name, "total"),
        )
    if m.per is not None and m.rate is not None:
        diags.error(f"metric '{name}': give per: or rate:, not both", ("metrics", name, "rate"))
        return None
    given = m.per or m.rate
    if given is None:
        diags.error(
            f"metric '{name}' derives from '{m.from_}': give per: (how much {m.from_} makes"
            f" one of {name}) or rate: (the conversion rate, e.g. rate: 20%)",
            ("metrics", name),
        )
        return None
    kind: Literal["per", "rate"] = "per" if m.per is not None else "rate"
    if given.value <= 0:
        diags.error(
            f"metric '{name}': {kind}: must be more than zero (got {given.text.strip()})",
            ("metrics", name, kind),
        )
        return None
    return Derived(m.from_, Driver(kind, Fraction(given.value), given.text.strip()))


def _check_sources(diags: Collector, docs: Mapping[str, MetricDoc]) -> None:
    """Every from: names a metric of the plan, no chain of them comes back to where
    it started, and the first metric has a total (amounts count in it)."""
    names = list(docs)
    first = names[0]
    if docs[first].from_ is not None:
        diags.error(
            f"metric '{first}' is derived, so it cannot come first: amounts ({{amount: …}})"
            " count in the first metric; put a metric with a total first",
            ("metrics", first, "from"),
        )
    for name, m in docs.items():
        source = m.from_
        if source is None:
            continue
        if source not in docs:
            diags.error(
                f"metric '{name}': from: unknown metric '{source}'{did_you_mean(source, names)}"
                f" (metrics: {', '.join(names)})",
                ("metrics", name, "from"),
            )
            continue
        chain = [name]
        while source is not None and source not in chain and source in docs:
            chain.append(source)
            source = docs[source].from_
        if source is not None and source in chain:
            loop = chain[chain.index(source) :]
            if loop[0] == name and min(loop, key=names.index) == name:  # each cycle once
                diags.error(
                    f"metrics derive from each other in a cycle:"
                    f" {' from '.join([*loop, source])}; one of them needs a total",
                    ("metrics", name, "from"),
                )


def find_metric(metrics: Sequence[Metric], name: str) -> Metric | None:
    for m in metrics:
        if m.name == name:
            return m
    return None


def derived_totals(
    diags: Collector,
    metrics: tuple[Metric, ...],
    figures: Mapping[str, int],
    tiers: Mapping[str, Fraction],
) -> tuple[Metric, ...]:
    """The metrics with each derived one's total: the root's figure, the sum of its
    leaves'. It may not reach the limit on amounts, nor may it scaled by the highest
    tier (about what the tier gives: the source scales, its figures follow)."""
    out = []
    top = max([Fraction(1), *tiers.values()])
    for m in metrics:
        if m.derived is None or m.name not in figures:
            out.append(m)
            continue
        total = m.amount(figures[m.name])
        if total >= amounts.MAX_ABS or Fraction(total) * top >= amounts.MAX_ABS:
            diags.error(
                f"metric '{m.name}': its figures add up to {m.format(total)}"
                f"{'' if total >= amounts.MAX_ABS else ' (before tiers)'}, past the limit"
                f" on amounts (10^18): {m.derived.driver.kind}: {m.derived.driver.text} is"
                " too small for its source's figures",
                ("metrics", m.name, m.derived.driver.kind),
            )
        out.append(replace(m, total=total))
    return tuple(out)
