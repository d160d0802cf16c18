"""Actuals from a SQL database (issue 15): placeholder until the reader lands."""

from __future__ import annotations

from datetime import date

from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.tree import Plan
from targetsplit.track.actuals import Actuals, ActualsError


def shown_url(mapping: ActualsMap) -> str:
    return "database"


def read_database(
    plan: Plan, mapping: ActualsMap, cut_day: date, first_day: date | None = None
) -> Actuals:
    raise ActualsError("reading databases is not there yet")
