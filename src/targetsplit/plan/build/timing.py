"""When the target falls: the working-day calendar and the seasonality."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from targetsplit.calendar.seasonality import Seasonality, SeasonalityError, month_shares
from targetsplit.calendar.workdays import Breakdown, Calendar, parse_day_range, parse_weekday
from targetsplit.errors import Loc
from targetsplit.plan.build.collect import Collector

if TYPE_CHECKING:
    from targetsplit.plan.document import CalendarDoc, SeasonalityDoc


def build_calendar(diags: Collector, doc: CalendarDoc | None) -> Calendar:
    """The working days: Monday to Friday unless the plan says otherwise."""
    if doc is None:
        return Calendar()
    workdays: set[int] = set()
    for i, text in enumerate(doc.workdays or ()):
        try:
            workdays.add(parse_weekday(text))
        except ValueError as e:
            diags.error(str(e), ("calendar", "workdays", i))
    holidays: set[date] = set()
    overrides: set[date] = set()
    for key, into in (("holidays", holidays), ("workday_overrides", overrides)):
        for i, text in enumerate(getattr(doc, key) or ()):
            try:
                into.update(parse_day_range(text))
            except ValueError as e:
                diags.error(str(e), ("calendar", key, i))
    return Calendar(
        frozenset(workdays) if doc.workdays is not None else frozenset(range(5)),
        frozenset(holidays),
        frozenset(overrides),
    )


def build_seasonality(
    diags: Collector, doc: SeasonalityDoc | None, loc: Loc, days: Breakdown | None
) -> Seasonality | None:
    """The seasonality at ``loc``, checked against the period's days when they are known."""
    if doc is None:
        return None
    s = Seasonality(doc.quarters, doc.months, doc.within_quarter)
    if days is not None:
        try:
            month_shares(s, days)
        except SeasonalityError as e:
            diags.error(f"seasonality: {e}", (*loc, e.key) if e.key else loc)
    return s


def check_working_days(diags: Collector, days: Breakdown | None) -> None:
    """Without seasonality the period still needs working days to spread over."""
    if days is None:
        return
    try:
        month_shares(None, days)
    except SeasonalityError as e:
        diags.error(str(e), ("period",))
