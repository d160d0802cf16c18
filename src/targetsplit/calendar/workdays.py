"""Working days, and a period cut into halves, quarters, months and weeks (SPEC §3).

Pure date arithmetic: no I/O. Weeks start on Monday. For a calendar-year
plan weeks are ISO 8601 weeks (days before ISO week 1 count in week 1, days
after the last ISO week in the last); otherwise week 1 is the week that
holds the period's first day.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

from targetsplit.calendar.periods import Period

Granularity = Literal["half", "quarter", "month", "week"]
GRANULARITIES: tuple[Granularity, ...] = ("half", "quarter", "month", "week")

_DAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
    "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6, "周天": 6,
}  # fmt: skip
MAX_CALENDAR_DAYS = 5000


@dataclass(frozen=True)
class Calendar:
    """Which days are worked: weekdays, minus holidays, plus make-up days."""

    workdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    holidays: frozenset[date] = frozenset()
    overrides: frozenset[date] = frozenset()

    def is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return True
        return d.weekday() in self.workdays and d not in self.holidays


def parse_weekday(text: str) -> int:
    key = text.strip().lower()
    if key in _DAY_NAMES:
        return _DAY_NAMES[key]
    if key.isdigit() and 1 <= int(key) <= 7:
        return int(key) - 1
    raise ValueError(f"'{text}' is not a day of the week (Mon, Tue, … Sun, or 1-7)")


_DATE_RE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2})\s*)?")


def parse_day_range(text: str) -> list[date]:
    """``2026-10-01`` or ``2026-10-01..2026-10-07`` (inclusive) as a list of days."""
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise ValueError(
            f"'{text}' is not a date or range (write 2026-10-01 or 2026-10-01..2026-10-07)"
        )
    try:
        first = date.fromisoformat(m[1])
        last = date.fromisoformat(m[2]) if m[2] else first
    except ValueError:
        raise ValueError(f"'{text}' is not a valid date") from None
    if last < first:
        raise ValueError(f"'{text}': the range ends before it starts")
    if (last - first).days >= MAX_CALENDAR_DAYS:
        raise ValueError(f"'{text}': a range may be at most {MAX_CALENDAR_DAYS} days long")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def days(start: date, end: date) -> Iterable[date]:
    """Every day from ``start`` to ``end``, inclusive (never a day past them: the
    last day may be 9999-12-31, which has no next day)."""
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)


@dataclass(frozen=True)
class Slot:
    """One column of a period table: a labelled range of days."""

    label: str
    start: date
    end: date


@dataclass(frozen=True)
class Segment:
    """The grain of the time ledger: days of one month and one week, the stretch
    between two consecutive boundaries that any view of the period needs."""

    start: date
    end: date
    month: int  # the month's index in the period
    workdays: int  # working days in the segment


@dataclass(frozen=True)
class Breakdown:
    """A period cut into months (the unit seasonality works in) and weeks."""

    period: Period
    calendar: Calendar
    months: tuple[Slot, ...]
    quarters: tuple[tuple[int, ...], ...]  # month indices of each quarter
    month_workdays: tuple[int, ...]
    day_month: dict[date, int] = field(repr=False)  # each working day's month index
    # Days inside the period that start a ledger segment besides week and month
    # starts: the days a ramp's productivity changes on (calendar.ramp).
    cuts: frozenset[date] = field(default=frozenset(), repr=False)

    def slots(self, g: Granularity) -> tuple[Slot, ...]:
        if g == "month":
            return self.months
        if g == "quarter":
            return tuple(self._span(qi + 1, q, "Q") for qi, q in enumerate(self.quarters))
        if g == "half":
            halves = [self.months[i : i + 6] for i in range(0, len(self.months), 6)]
            return tuple(
                self._label_span("H", i + 1, h[0].start, h[-1].end) for i, h in enumerate(halves)
            )
        return self.weeks()

    def _span(self, n: int, months: Sequence[int], kind: str) -> Slot:
        return self._label_span(kind, n, self.months[months[0]].start, self.months[months[-1]].end)

    def _label_span(self, kind: str, n: int, start: date, end: date) -> Slot:
        p = self.period
        if p.kind == "custom":
            return Slot(f"{p.name}-{kind}{n}", start, end)
        # Calendar-based periods use the calendar's own numbering (2026-Q3).
        if kind == "Q":
            n = (start.month - 1) // 3 + 1
        elif kind == "H":
            n = 1 if start.month <= 6 else 2
        return Slot(f"{start.year:04d}-{kind}{n}", start, end)

    def week_of(self, d: date) -> int:
        """The 1-based week number of a day of the period."""
        p = self.period
        if p.is_calendar_year:
            year = p.start.year
            iso = d.isocalendar()
            if iso.year < year:
                return 1
            if iso.year > year:
                return iso_weeks(year)
            return iso.week
        first_monday = p.start - timedelta(days=p.start.weekday())
        return (d - first_monday).days // 7 + 1

    def weeks(self) -> tuple[Slot, ...]:
        return self._weeks

    @cached_property
    def _weeks(self) -> tuple[Slot, ...]:
        p = self.period
        spans: dict[int, list[date]] = {}
        for d in days(p.start, p.end):
            w = self.week_of(d)
            span = spans.setdefault(w, [d, d])
            span[1] = d
        prefix = f"{p.start.year:04d}" if p.is_calendar_year else p.name
        return tuple(Slot(f"{prefix}-W{w:02d}", s, e) for w, (s, e) in sorted(spans.items()))

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        """The period cut at every month and every week boundary (and at each of
        ``cuts``), in order: every month, quarter, half and week (and a week
        clipped to a month) is a run of whole segments."""
        starts = {w.start for w in self.weeks()} | self.cuts
        out: list[Segment] = []
        for mi, m in enumerate(self.months):
            start, n = m.start, 0
            for d in days(m.start, m.end):  # (never a day past 9999-12-31)
                n += d in self.day_month
                if d == m.end:
                    out.append(Segment(start, d, mi, n))
                elif d + timedelta(days=1) in starts:
                    out.append(Segment(start, d, mi, n))
                    start, n = d + timedelta(days=1), 0
        return tuple(out)

    def week_number(self, week: int | str) -> int:
        """The number of a week given as 32, ``W32``, or its label (``2026-W32``,
        ``2026W32``, ``FY2026-W05``); raise ValueError saying what to write."""
        weeks = self.weeks()
        if isinstance(week, str):
            m = _WEEK_TEXT.fullmatch(week.strip())
            prefix = weeks[0].label.rsplit("-W", 1)[0]
            if m is None or (
                m["prefix"] is not None and m["prefix"].casefold() != prefix.casefold()
            ):
                raise ValueError(
                    f"'{week}' is not a week of the period: give its number (1 to {len(weeks)}),"
                    f" W{len(weeks)} or its label ({weeks[0].label} .. {weeks[-1].label})"
                )
            week = int(m["n"] or m["bare"])
        if not 1 <= week <= len(weeks):
            raise ValueError(f"week {week} is not in the period (weeks 1 to {len(weeks)})")
        return week


_WEEK_TEXT = re.compile(r"(?:(?P<prefix>.+?)-?)?[Ww](?P<n>\d{1,2})|(?P<bare>\d{1,2})")


def iso_weeks(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def breakdown(period: Period, calendar: Calendar, cuts: frozenset[date] = frozenset()) -> Breakdown:
    months: list[Slot] = []
    d = period.start
    k = 0
    while True:
        month_end = date(d.year, d.month, monthrange(d.year, d.month)[1])
        end = min(month_end, period.end)
        k += 1
        label = (
            f"{period.name}-M{k:02d}" if period.kind == "custom" else f"{d.year:04d}-{d.month:02d}"
        )
        months.append(Slot(label, d, end))
        if end == period.end:
            break
        d = end + timedelta(days=1)
    quarters = tuple(tuple(range(i, min(i + 3, len(months)))) for i in range(0, len(months), 3))
    day_month: dict[date, int] = {}
    counts = []
    for i, m in enumerate(months):
        n = 0
        for day in days(m.start, m.end):
            if calendar.is_workday(day):
                day_month[day] = i
                n += 1
        counts.append(n)
    return Breakdown(period, calendar, tuple(months), quarters, tuple(counts), day_month, cuts)


def _label_range(text: str, labels: Mapping[str, object]) -> list[str]:
    """``text`` as one label or as ``A..B``. A label may itself hold ``..`` (a period
    named by its dates, 2026-04-01..2027-03-31-Q1), so a whole label wins, then the
    one split whose both sides are labels, then the split at the only ``..``."""
    text = text.strip()
    if text in labels or ".." not in text:
        return [text]
    splits = [(text[:i].strip(), text[i + 2 :].strip()) for i in _find_all(text, "..")]
    for a, b in splits:
        if a in labels and b in labels:
            return [a, b]
    if len(splits) == 1 and all(splits[0]):
        return list(splits[0])
    raise ValueError(f"'{text}' is not a period or a range of periods (A..B)")


def _find_all(text: str, sub: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(sub, i)]


def select(b: Breakdown, text: str, by: Granularity | None) -> tuple[Granularity, tuple[Slot, ...]]:
    """The granularity and the columns a ``--period`` choice shows.

    ``text`` is one label (``2026-Q3``, ``2026-08``, ``2026-W32``, ``2026-H1``) or a
    range ``A..B`` of labels; with ``by`` the columns are those of that
    granularity that overlap the chosen days, clipped to them (so that the
    weeks of ``2026-Q3`` add up to the quarter), otherwise those of the
    label's own. Raises ValueError naming the labels that exist.
    """
    labels: dict[str, tuple[Granularity, Slot]] = {}
    for g in GRANULARITIES:
        for slot in b.slots(g):
            labels.setdefault(slot.label, (g, slot))
    parts = _label_range(text, labels)
    found = []
    for part in parts:
        if part not in labels:
            sample = ", ".join(
                s.label for g in ("half", "quarter", "month") for s in b.slots(g)[:1]
            )
            raise ValueError(
                f"the plan has no period '{part}' (labels look like {sample}, {b.weeks()[0].label})"
            )
        found.append(labels[part])
    start, end = found[0][1].start, found[-1][1].end
    if end < start:
        raise ValueError(f"'{text}': the range ends before it starts")
    g = by or found[0][0]
    chosen = tuple(
        Slot(s.label, max(s.start, start), min(s.end, end))
        for s in b.slots(g)
        if s.start <= end and s.end >= start
    )
    return g, chosen
