"""The plan's period (SPEC §3): a year, half, quarter, month or fiscal range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PeriodKind = Literal["year", "half", "quarter", "month", "custom"]


@dataclass(frozen=True)
class Period:
    """An inclusive range of days with the name its labels start with."""

    start: date
    end: date
    name: str
    kind: PeriodKind

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_calendar_year(self) -> bool:
        return self.kind == "year"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_PERIOD_RE = re.compile(r"(\d{4})(?:-(?:(H[12])|(Q[1-4])|(\d{2})))?")


def parse_period_text(text: str) -> Period:
    """``2026``, ``2026-H1``, ``2026-Q3`` or ``2026-07``; raise ValueError."""
    m = _PERIOD_RE.fullmatch(text.strip())
    if m is None:
        raise ValueError(
            f"'{text}' is not a period: write 2026, 2026-H1, 2026-Q3, 2026-07,"
            " or {start: 2026-04-01, end: 2027-03-31, name: FY2026}"
        )
    year = int(m[1])
    if not 1 <= year <= 9999:
        raise ValueError(f"'{text}': the year must be between 1 and 9999")
    # The label in its one spelling (2026-Q3, 0001-07), as the slots are labelled and
    # as --period is typed, whatever digits the plan used (２０２６ is 2026).
    label = f"{year:04d}"
    if m[2]:
        first = 1 if m[2] == "H1" else 7
        return Period(date(year, first, 1), _month_end(year, first + 5), f"{label}-{m[2]}", "half")
    if m[3]:
        q = int(m[3][1])
        first = 3 * q - 2
        return Period(
            date(year, first, 1), _month_end(year, first + 2), f"{label}-{m[3]}", "quarter"
        )
    if m[4]:
        month = int(m[4])
        if not 1 <= month <= 12:
            raise ValueError(f"'{text}': there is no month {month}")
        return Period(
            date(year, month, 1), _month_end(year, month), f"{label}-{month:02d}", "month"
        )
    return Period(date(year, 1, 1), date(year, 12, 31), label, "year")


MAX_CUSTOM_DAYS = 3 * 366


def custom_period(start: date, end: date, name: str | None) -> Period:
    """A fiscal or other range given by its first and last day."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise ValueError("a period may be at most three years long")
    label = name if name else f"{start.isoformat()}..{end.isoformat()}"
    if "/" in label:
        raise ValueError("a period's name cannot contain '/'")
    if label != label.strip():
        # its labels (FY2026-Q1, FY2026-W05) are typed to --period, which strips spaces
        raise ValueError(f"'{label}': a period's name cannot start or end with a space")
    return Period(start, end, label, "custom")
