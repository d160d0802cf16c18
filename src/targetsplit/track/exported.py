"""Dates and values as exports write them (mapped actuals, issue 15).

Our own actuals CSV takes ``YYYY-MM-DD`` (with a time, as ISO 8601 writes it)
and the amount syntax. An export mapped by ``actuals:`` may also write:

- dates ``2026/8/3``, ``2026.8.3``, ``2026年8月3日``, each with a time of day
  (``2026/8/3 14:30``, ``2026-08-03T14:30:00Z``: the date as written counts);
  ``03/08/2026`` is refused as ambiguous (3 August or 8 March?) unless the
  mapping's ``date_format`` says ``day-first`` or ``month-first``;
- values ``1,234.5``, ``¥1,234``, ``1.2万元`` (the amount syntax) and accounting
  negatives ``(500)``; a decimal comma (``1.234,5``, ``12,5``) and a percent are
  refused, saying why.

Everything our own CSV accepts means the same here: these functions try its
forms first. Pure functions: text in, a date or a Decimal or a message out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from targetsplit.errors import AmountError
from targetsplit.numbers import amounts

_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
# What may follow a date: a time of day (12- or 24-hour clock), a zone.
_TIME = re.compile(
    r"(?:(?:[ T]+|\s*)(?:\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?|\d{1,2}\s*[时時]\s*(?:\d{1,2}\s*分"
    r"(?:\s*\d{1,2}\s*秒)?)?)\s*(?:[AaPp]\.?[Mm]\.?|上午|下午)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?\s*"
)
_PLAIN = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,12})?")
_DECIMAL_COMMA = re.compile(r"[-+]?[^\d(]*\d{1,3}(\.\d{3})+,\d+\D*|[-+]?[^\d(]*\d+,\d{1,2}\D*")


def export_date(text: str, date_format: str | None = None) -> date | str:
    """The day ``text`` names, or a message saying why it names none."""
    t = text.strip()
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(t).date()
    except ValueError:
        pass
    found = _YEAR_FIRST.match(t) or _CJK.match(t)
    if found is not None:
        y, m, d = int(found.group(1)), int(found.groups()[-2]), int(found.groups()[-1])
    elif (last := _YEAR_LAST.match(t)) is not None:
        a, b, year = int(last.group(1)), int(last.group(3)), last.group(4)
        if len(year) == 2:
            return f"'{_clip(t)}': a two-digit year; export dates with four-digit years"
        if date_format is None:
            return (
                f"'{_clip(t)}' is ambiguous: day first or month first? say which with"
                " date_format: day-first (03/08/2026 is 3 Aug) or date_format: month-first"
                " (8 Mar)"
            )
        y = int(year)
        d, m = (a, b) if date_format == "day-first" else (b, a)
        found = last
    else:
        return f"'{_clip(t)}' is not a date (2026-08-03, 2026/8/3, 2026年8月3日)"
    if not _TIME.fullmatch(t, found.end()):
        return f"'{_clip(t)}': unexpected text after the date"
    try:
        return date(y, m, d)
    except ValueError as e:
        return f"'{_clip(t)}' is not a date ({e})"


def export_value(text: str) -> Decimal | str | None:
    """The amount in ``text``, None when blank, or a message saying why not."""
    t = text.strip()
    if _PLAIN.fullmatch(t):
        return Decimal(t)
    if not t:
        return None
    negative = False
    inner = t
    if t.startswith("(") and t.endswith(")"):  # an accountant's negative
        inner = t[1:-1].strip()
        negative = True
        if not inner or inner[0] in "+-(":
            return f"'{_clip(t)}' is not a number"
    if "%" in inner or "％" in inner:
        return f"'{_clip(t)}' is a percent, not an amount"
    if _DECIMAL_COMMA.fullmatch(inner):
        return (
            f"'{_clip(t)}' has a decimal comma (or a comma that does not group thousands):"
            " ambiguous; export numbers with a decimal point (1234.5 or 1,234.5)"
        )
    try:
        value = amounts.parse_amount(inner, allow_negative=not negative)
    except AmountError as e:
        return str(e)
    return -value if negative else value


def _clip(text: str, width: int = 60) -> str:
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= width else flat[: width - 1] + "…"
