"""Build the plan: a validated :class:`~targetsplit.plan.document.PlanDoc` in,
a checked :class:`~targetsplit.plan.tree.Plan` out.

Checks everything that needs more than one value at a time (shares that must
add up, amounts that must fit the rounding unit) and collects every problem
before it raises. The order of the steps is the order of the messages.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from targetsplit.calendar.ramp import cuts
from targetsplit.calendar.workdays import breakdown
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.build.aliases import check_aliases, check_map
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.dimensions import build_dimensions
from targetsplit.plan.build.metrics import build_metrics, derived_totals
from targetsplit.plan.build.nodes import build_tree
from targetsplit.plan.build.ramp import check_fit, ramps_in
from targetsplit.plan.build.tiers import build_status, build_tiers
from targetsplit.plan.build.timing import build_calendar, build_seasonality, check_working_days
from targetsplit.plan.tree import Plan

if TYPE_CHECKING:
    from targetsplit.plan.document import PlanDoc

__all__ = ["build_plan"]


def _plain(actuals: str | ActualsMap | None) -> str | None:
    return actuals if isinstance(actuals, str) else None


def build_plan(doc: PlanDoc) -> Plan:
    """Build and check the plan; raise :class:`PlanError` with every problem."""
    diags = Collector()
    metrics = build_metrics(diags, doc.metrics)
    # Totals that do not fit their unit: no figure below can be trusted.
    diags.raise_if_errors()
    tiers = build_tiers(diags, doc.tiers, metrics)
    calendar = build_calendar(diags, doc.calendar)  # a wrong entry is left out
    # A ledger segment starts wherever a ramp's productivity changes.
    days = breakdown(
        doc.period, calendar, cuts(ramps_in(doc.split), doc.period.start, doc.period.end)
    )
    seasonality = build_seasonality(diags, doc.seasonality, ("seasonality",), days)
    if doc.seasonality is None:
        check_working_days(diags, days)
    units = {m.name: m.total_units for m in metrics if m.derived is None}
    green, yellow = build_status(diags, doc.status)
    items = {dim: list(named) for dim, named in (doc.dimensions or {}).items()}
    root, figures, ramped, aliased = build_tree(
        diags, metrics, days, doc.plan, doc.split, units, items, seasonality
    )
    if not diags.errors and ramped:
        check_fit(diags, root, seasonality, days, [m for m in metrics if m.derived is None], tiers)
    metrics = derived_totals(diags, metrics, figures, tiers)
    dimensions = build_dimensions(diags, metrics, doc.dimensions, units)
    if aliased:  # (most plans: no walk over the names)
        check_aliases(diags, root)
    mapping = doc.actuals if isinstance(doc.actuals, ActualsMap) else None
    if mapping is not None:
        check_map(diags, mapping, metrics, list((doc.dimensions or {}).keys()))
    diags.raise_if_errors()
    return Plan(
        title=doc.plan,
        period=doc.period,
        metrics=metrics,
        root=root,
        tiers=tiers,
        tiers_given=doc.tiers is not None,
        dimensions=dimensions,
        warnings=tuple(diags.warnings),
        calendar=calendar,
        seasonality=seasonality,
        breakdown=days,
        green=green,
        yellow=yellow,
        actuals=mapping.file if mapping is not None else _plain(doc.actuals),
        actuals_map=mapping,
        max_growth=Fraction(doc.max_growth.value) if doc.max_growth else Fraction(3, 10),
    )
