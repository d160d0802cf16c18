"""The plan's metrics: each one's total, rounding unit and display."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.document import MetricDoc
from targetsplit.plan.tree import Metric


def build_metrics(diags: Collector, docs: Mapping[str, MetricDoc]) -> tuple[Metric, ...]:
    """The metrics in plan order; a total must be a multiple of its rounding unit."""
    out: list[Metric] = []
    for name, m in docs.items():
        unit = m.round.value if m.round is not None else Decimal(1)
        if unit <= 0:
            diags.error(
                f"metric '{name}': round must be more than zero", ("metrics", name, "round")
            )
            unit = Decimal(1)
        display = m.display or amounts.display_for(m.total.suffix)
        metric = Metric(name, m.total.value, unit, m.unit, display)
        if (Fraction(m.total.value) / Fraction(unit)).denominator != 1:
            diags.error(
                f"metric '{name}': the total {m.total.text} is not a multiple of its rounding"
                f" unit {metric.format(unit)} (round: {m.round.text if m.round else 1})",
                ("metrics", name, "total"),
            )
        out.append(metric)
    return tuple(out)


def find_metric(metrics: Sequence[Metric], name: str) -> Metric | None:
    for m in metrics:
        if m.name == name:
            return m
    return None
