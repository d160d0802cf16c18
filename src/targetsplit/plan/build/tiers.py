"""Target tiers (floor, target, stretch) and the status thresholds of progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.tree import DEFAULT_TIERS, Metric

if TYPE_CHECKING:
    from targetsplit.plan.document import StatusDoc


def build_tiers(
    diags: Collector, docs: Mapping[str, amounts.Parsed] | None, metrics: Sequence[Metric]
) -> dict[str, Fraction]:
    """The tiers as given (warning when they do not increase), or the default ones.
    A tier may not take a total past the limit on amounts."""
    if docs is None:
        return dict(DEFAULT_TIERS)
    tiers = {name: Fraction(p.value) for name, p in docs.items()}
    for name, factor in tiers.items():
        for m in metrics:
            if Fraction(m.total) * factor >= amounts.MAX_ABS:
                diags.error(
                    f"tier '{name}' ({docs[name].text.strip()}) takes {m.name}'s total"
                    f" {m.format(m.total)} to 10^18 or more, past the limit on amounts",
                    ("tiers", name),
                )
                break
    values = list(tiers.values())
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        diags.warn(
            "tiers should increase in the order given (e.g. floor 80%, target 100%,"
            " stretch 120%): "
            + ", ".join(f"{n} {amounts.format_percent(v)}" for n, v in tiers.items()),
            ("tiers",),
        )
    return tiers


def build_status(diags: Collector, doc: StatusDoc | None) -> tuple[Fraction, Fraction]:
    """The green and yellow thresholds, as shares of pace; yellow cannot be above green."""
    green, yellow = Fraction(1), Fraction(9, 10)
    if doc is not None:
        green = Fraction(doc.green.value) if doc.green else green
        yellow = Fraction(doc.yellow.value) if doc.yellow else yellow
        if yellow > green:
            diags.error(
                f"status: yellow ({amounts.format_percent(yellow)}) is above green"
                f" ({amounts.format_percent(green)})",
                ("status", "yellow"),
            )
    return green, yellow
