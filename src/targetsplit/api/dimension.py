"""``progress --dimension NAME``: each item of one of the plan's dimensions
(product: High-end, Mid-range, New), its target to date against its actual
(issue 15).

An item's target is the dimension's cut of the plan's total (as ``allocate``
shows it); its target to date is the root's target to date (the time ledger's)
cut in the same shares, by largest remainder, so the items add up to the
root's to date exactly and reach their targets at the period's end. Its actual
is the sum of the rows whose dimension column (the ``actuals:`` mapping's
``dimensions:``) names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from targetsplit.errors import Diagnostic, TargetsplitError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from targetsplit.api.common import ActualsMapGiven, WarningSink
    from targetsplit.plan.tree import Plan
    from targetsplit.track.progress import Cutoff


@dataclass(frozen=True)
class ItemFigures:
    """One item's figures in one metric."""

    item: str
    metric: str
    target: Decimal
    to_date: Decimal
    actual: Decimal

    @property
    def attainment(self) -> Fraction | None:
        """Actual over target to date (None without a target to date)."""
        if self.to_date == 0:
            return None
        return Fraction(self.actual) / Fraction(self.to_date)

    @property
    def gap(self) -> Decimal:
        """Still short of the target to date (negative: ahead)."""
        return self.to_date - self.actual


@dataclass(frozen=True)
class DimensionProgress:
    plan: Plan
    dimension: str
    cutoff: Cutoff
    metrics: tuple[str, ...]
    items: tuple[ItemFigures, ...]  # metric by metric, the dimension's items in order
    actuals: str  # the actuals as messages name them
    warnings: tuple[Diagnostic, ...]
    inputs: tuple[tuple[str, str], ...]


def progress_by_dimension(
    plan: str | Path | None,
    dimension: str,
    *,
    week: int | str | None = None,
    as_of: date | str | None = None,
    actuals: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    on_warning: WarningSink | None = None,
    actuals_map: ActualsMapGiven | None = None,
) -> DimensionProgress:
    """Each item of ``dimension``: target, target to date, actual, per metric."""
    from targetsplit.api.common import (
        Warnings,
        actuals_source,
        ledger_warnings,
        one_stdin,
        pick_metrics,
        read_plan,
    )
    from targetsplit.api.progress import _cut_day, _week_number
    from targetsplit.numbers.apportion import largest_remainder
    from targetsplit.split.hierarchy import allocate
    from targetsplit.track.actuals import read_actuals_while
    from targetsplit.track.progress import cutoff, targets_to_date

    if week is not None and as_of is not None:
        raise UsageError("give --week or --as-of, not both")
    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    b = p.breakdown
    assert b is not None
    items = _items(p, dimension)
    chosen = pick_metrics(p, metrics)
    number = None if week is None else _week_number(loaded, week)
    cut = cutoff(b, _cut_day(loaded, number, as_of), number)
    path, shown, mapping = actuals_source(loaded, actuals, actuals_map)
    if mapping is None or dimension not in dict(mapping.dimensions):
        raise TargetsplitError(
            [
                Diagnostic(
                    f"progress --dimension {dimension} needs the actuals' {dimension} column:"
                    f" add dimensions: {{{dimension}: COLUMN}} to the actuals: mapping"
                    f" (or --actuals-map dimensions.{dimension}=COLUMN)"
                ).placed(loaded.source, None, None)
            ]
        )
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    alloc = allocate(p)
    facts, (to_date, loose) = read_actuals_while(
        path, shown, p, cut.day, lambda: targets_to_date(alloc, cut.day), mapping=mapping
    )
    warnings.add(ledger_warnings(loaded, loose, chosen))
    warnings.add(facts.warnings)
    actual = _actuals_by_item(facts.by_item, dimension, items, shown)
    root = alloc.root
    full = {row.name: row.targets for row in alloc.dimensions[dimension]}
    out: list[ItemFigures] = []
    for m in chosen:
        name = m.name
        shares = [it.shares[p.origin(m).name] for it in p.dimensions[dimension]]
        parts = largest_remainder(to_date[root.path][name], shares)
        for item, units in zip(items, parts, strict=True):
            out.append(
                ItemFigures(
                    item,
                    name,
                    full[item][name],
                    m.amount(units),
                    actual.get((item, name), Decimal(0)),
                )
            )
    inputs += (("actuals", path),)
    return DimensionProgress(
        p, dimension, cut, tuple(m.name for m in chosen), tuple(out), shown, warnings.all(), inputs
    )


def _items(p: Plan, dimension: str) -> list[str]:
    from targetsplit.plan.names import did_you_mean

    if dimension not in p.dimensions:
        known = list(p.dimensions)
        if not known:
            raise UsageError("--dimension: the plan has no dimensions: (see 'dimensions:')")
        raise UsageError(
            f"--dimension: no dimension '{dimension}'{did_you_mean(dimension, known)}"
            f" (the plan's: {', '.join(known)})"
        )
    return [it.name for it in p.dimensions[dimension]]


def _actuals_by_item(
    by_item: dict[tuple[str, str, str], Decimal] | object,
    dimension: str,
    items: list[str],
    shown: str,
) -> dict[tuple[str, str], Decimal]:
    """The actuals per (item, metric); an item the plan does not have is an error."""
    from collections.abc import Mapping

    from targetsplit.numbers import amounts
    from targetsplit.plan.names import did_you_mean, fold

    assert isinstance(by_item, Mapping)
    folded = {fold(i): i for i in items}
    out: dict[tuple[str, str], Decimal] = {}
    problems: list[str] = []
    for (dim, text, metric), value in by_item.items():
        if dim != dimension:
            continue
        item = folded.get(fold(text))
        if item is None:
            message = (
                f"rows with no {dimension}"
                if not text
                else f"{dimension} '{text}' is not one of the plan's"
                f"{did_you_mean(text, items)} (items: {', '.join(items)})"
            )
            if message not in problems:
                problems.append(message)
            continue
        out[(item, metric)] = amounts.EXACT.add(out.get((item, metric), Decimal(0)), value)
    if problems:
        raise TargetsplitError([Diagnostic(m).placed(shown, None, None) for m in problems])
    return out
