"""Views of the time ledger: halves, quarters, months, weeks or any day ranges.

Every figure here is a sum of the ledger's segments (``split.ledger``), so a
quarter is always the sum of its months, a half the sum of its quarters and
``--period 2026-Q3 --by week`` (edge weeks clipped to the quarter) sums to Q3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.calendar.workdays import Granularity, Slot
from targetsplit.plan.tree import Metric
from targetsplit.split import fastround
from targetsplit.split.hierarchy import Allocation
from targetsplit.split.ledger import Ledger, Loose, build


@dataclass(frozen=True)
class PeriodSplit:
    """Period figures per node path and metric, in the order of ``slots``,
    held as whole rounding units."""

    granularity: Granularity
    slots: tuple[Slot, ...]
    units: Mapping[str, Mapping[str, list[int]]]
    metrics: Mapping[str, Metric]
    exact: Mapping[str, Mapping[str, tuple[Fraction, ...]]] | None = None
    loose: tuple[Loose, ...] = ()  # the metrics the ledger rounded as one flow

    def values(self, path: str, metric: str) -> tuple[Decimal, ...]:
        m = self.metrics[metric]
        return tuple(m.amount(u) for u in self.units[path][metric])

    def numbers(self, path: str, metric: str) -> list[int] | list[Decimal]:
        """The same figures as :meth:`values`, as ints where the unit is whole."""
        return self.metrics[metric].numbers(self.units[path][metric])


def view(ledger: Ledger, g: Granularity, slots: tuple[Slot, ...]) -> PeriodSplit:
    """The ledger summed over ``slots`` (each a run of whole segments)."""
    spans = [ledger.span(s.start, s.end) for s in slots]
    units = {
        path: {m: [sum(cells[r.start : r.stop]) for r in spans] for m, cells in by_metric.items()}
        for path, by_metric in ledger.units.items()
    }
    metrics = {m.name: m for m in ledger.alloc.plan.metrics}
    exact = None
    if ledger.exact is not None:
        exact = {
            path: {
                m.name: tuple(
                    Fraction(sum(by_metric[m.name][r.start : r.stop]), ledger.denoms[path])
                    * Fraction(m.unit)
                    for r in spans
                )
                for m in ledger.alloc.plan.metrics
            }
            for path, by_metric in ledger.exact.items()
        }
    return PeriodSplit(g, slots, units, metrics, exact, ledger.loose)


def _sums(ledger: Ledger, spans: list[range]) -> dict[str, dict[str, list[int]]]:
    """Each node's sums of the ledger over ``spans`` (consecutive runs)."""
    metrics = ledger.alloc.plan.metrics
    arrays = isinstance(ledger.units, fastround.Table) or (
        fastround.worth_it(len(ledger.units) * len(metrics)) and fastround.fits(ledger.units)
    )
    if not arrays:
        return {
            path: {
                m: [sum(cells[r.start : r.stop]) for r in spans] for m, cells in by_metric.items()
            }
            for path, by_metric in ledger.units.items()
        }
    import numpy as np

    paths = list(ledger.units)
    out: dict[str, dict[str, list[int]]] = {path: {} for path in paths}
    starts = [r.start for r in spans]
    contiguous = all(a.stop == b.start for a, b in zip(spans, spans[1:], strict=False))
    held = ledger.units if isinstance(ledger.units, fastround.Table) else None
    if held is not None:  # the rows as the ledger holds them, in its tree's order
        paths = [n.key for n in held.tree.nodes]
    for m in ledger.alloc.plan.metrics:
        if held is not None:
            matrix = held.matrices[m.name]
        else:
            matrix = np.array([ledger.units[path][m.name] for path in paths], dtype=np.int64)
        if contiguous:
            sums = np.add.reduceat(
                matrix[:, starts[0] : spans[-1].stop], [s - starts[0] for s in starts], axis=1
            )
        else:
            sums = np.stack([matrix[:, r.start : r.stop].sum(axis=1) for r in spans], axis=1)
        for path, row in zip(paths, sums.tolist(), strict=True):
            out[path][m.name] = row
    return out


def split_over_time(
    alloc: Allocation,
    g: Granularity,
    *,
    keep_exact: bool = False,
    slots: tuple[Slot, ...] | None = None,
) -> PeriodSplit:
    """Every node's figures over the period's halves, quarters, months or weeks,
    or over ``slots`` (day ranges that start and end on ledger boundaries)."""
    b = alloc.plan.breakdown
    assert b is not None, "a built plan always has its breakdown"
    ledger = build(alloc, keep_exact=keep_exact)
    return view(ledger, g, slots if slots is not None else b.slots(g))
