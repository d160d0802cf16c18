"""The one door from text to numbers: amounts, percents and ratios (SPEC §2).

Everything here is exact: text becomes a :class:`~decimal.Decimal` digit for
digit, never through a binary float. The formatting functions turn exact
values back into text without rounding them (shares, which can be repeating
fractions, are the one documented exception and are rounded for display).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from targetsplit.errors import AmountError
from targetsplit.numbers.exact import EXACT as EXACT  # re-exported: used across the core

MAX_ABS = Decimal(10) ** 18
MAX_DIGITS = 30

SUFFIXES: dict[str, int] = {
    "千万": 7,
    "百万": 6,
    "万": 4,
    "亿": 8,
    "千": 3,
    # traditional characters: the same magnitudes
    "千萬": 7,
    "百萬": 6,
    "萬": 4,
    "億": 8,
    "k": 3,
    "K": 3,
    "M": 6,
    "m": 6,
    "B": 9,
    "bn": 9,
}
CURRENCY = "¥$€£￥"
YUAN = "元"  # after the number (1.2亿元, 500元): a currency unit, like ¥ before it
_SIMPLIFIED = {"千萬": "千万", "百萬": "百万", "萬": "万", "億": "亿"}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_AMOUNT_RE = re.compile(
    rf"""\s*(?P<sign1>[+-])?\s*(?P<cur>[{CURRENCY}])?\s*(?P<sign2>[+-])?\s*
    (?P<num>{_NUMBER})\s*
    (?P<suffix>千万|千萬|百万|百萬|万|萬|亿|億|千|bn|[kKMmB%％])?\s*
    (?P<yuan>元)?\s*""",
    re.VERBOSE,
)

Kind = Literal["plain", "percent"]


@dataclass(frozen=True)
class Parsed:
    """A number read from text: its exact value and how it was written."""

    value: Decimal  # percents already divided by 100 (60% -> 0.6)
    kind: Kind
    suffix: str | None  # the magnitude suffix, if any (万, M, ...; 萬 is read as 万)
    text: str
    money: bool = False  # written with a currency: ¥, $, … before it or 元 after it


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def parse(text: str | int | Decimal, *, allow_negative: bool = False) -> Parsed:
    """Parse an amount, percent or ratio exactly; raise :class:`AmountError`."""
    if isinstance(text, bool):
        raise AmountError(f"expected a number, got {text!r}")
    if isinstance(text, int | Decimal):
        text = str(text)
    m = _AMOUNT_RE.fullmatch(text)
    if m is None:
        raise AmountError(_explain_bad(text))
    if m["sign1"] and m["sign2"]:
        raise AmountError(f"'{_clip(text)}' has two signs")
    negative = (m["sign1"] or m["sign2"]) == "-"
    digits = Decimal(m["num"].replace(",", ""))
    suffix = m["suffix"]
    kind: Kind = "plain"
    shift = 0
    if suffix in ("%", "％"):
        if m["yuan"]:
            raise AmountError(f"'{_clip(text)}' is a percent and an amount (元) at once")
        kind, shift, suffix = "percent", -2, None
    elif suffix is not None:
        shift = SUFFIXES[suffix]
        suffix = _SIMPLIFIED.get(suffix, suffix)
    if digits != 0:
        if len("".join(map(str, digits.as_tuple().digits)).strip("0")) > MAX_DIGITS:
            raise AmountError(f"'{_clip(text)}' has more than {MAX_DIGITS} significant digits")
        if digits.adjusted() + shift >= 18:
            raise AmountError(f"'{_clip(text)}' is too large (10^18 or more)")
        if digits.adjusted() + shift < -60:
            raise AmountError(f"'{_clip(text)}' is too small to be a meaningful amount")
    value = digits.scaleb(shift, EXACT)
    if negative:
        value = value.copy_negate()
    if value < 0 and not allow_negative:
        raise AmountError(f"'{_clip(text)}' is negative; amounts and weights cannot be")
    if value == 0:
        value = Decimal(0)
    money = bool(m["cur"] or m["yuan"])
    return Parsed(value=value, kind=kind, suffix=suffix, text=text, money=money)


def _explain_bad(text: str) -> str:
    shown = _clip(text.strip())
    if not text.strip():
        return "expected a number, got an empty value"
    for i, ch in enumerate(text.strip()):
        if not (ch.isdigit() or ch in ",.+-eE %％" or ch in CURRENCY):
            rest = text.strip()[i:]
            if any(rest.startswith(s) for s in (*SUFFIXES, YUAN)):
                break
            return (
                f"'{shown}' is not a number: unexpected '{ch}' at character {i + 1}"
                " (amounts look like 500, 1,200,000, 1.2亿, 4800万, $1.5M or 60%)"
            )
    return (
        f"'{shown}' is not a number (amounts look like 500, 1,200,000, 1.2亿, 4800万, $1.5M or 60%)"
    )


def parse_amount(text: str | int | Decimal, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount (not a percent)."""
    p = parse(text, allow_negative=allow_negative)
    if p.kind == "percent":
        raise AmountError(f"'{_clip(p.text)}' is a percent; an amount is expected here")
    return p.value


def parse_percent(text: str | int | Decimal) -> Decimal:
    """Parse a percent such as ``80%`` into a fraction (0.8)."""
    p = parse(text)
    if p.kind != "percent":
        raise AmountError(f"'{_clip(p.text)}' is not a percent; write it with %, e.g. 80%")
    return p.value


# ---------------------------------------------------------------------------
# Exact conversions and formatting


def to_decimal(f: Fraction | int) -> Decimal:
    """Convert an exact value whose decimal expansion terminates."""
    f = Fraction(f)
    num = Decimal(f.numerator)
    if f.denominator == 1:
        return num
    d = EXACT.divide(num, Decimal(f.denominator))  # traps Inexact if it would round
    return d


def decimal_text(d: Decimal) -> str:
    """Plain digits: no exponent, no trailing zeros (``1.50`` -> ``1.5``)."""
    if d == 0:
        return "0"
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _group(s: str) -> str:
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    whole, _, frac = s.partition(".")
    whole = f"{int(whole):,}"
    out = whole + ("." + frac if frac else "")
    return "-" + out if neg else out


Display = Literal["full", "cn", "short"]
_TEN_K = Decimal(10**4)


def format_amount(d: Decimal, display: Display = "full") -> str:
    """Readable, exact text for an amount."""
    if display == "cn":
        for exp, suffix in ((8, "亿"), (4, "万")):
            scaled = d.scaleb(-exp, EXACT)
            # 亿 only for values it shows with at most 4 decimals (a whole 万)
            if abs(d) >= Decimal(10) ** exp and (exp == 4 or EXACT.remainder(d, _TEN_K) == 0):
                return _group(decimal_text(scaled)) + suffix
    elif display == "short":
        for exp, suffix in ((9, "B"), (6, "M"), (3, "k")):
            if abs(d) >= Decimal(10) ** exp:
                return _group(decimal_text(d.scaleb(-exp, EXACT))) + suffix
    return _group(decimal_text(d))


def display_for(suffix: str | None) -> Display:
    """The display a metric gets when the plan does not say: as its total was written."""
    if suffix in ("万", "亿", "千万", "百万", "千"):
        return "cn"
    if suffix in ("k", "K", "M", "m", "B", "bn"):
        return "short"
    return "full"


def format_percent(f: Fraction | Decimal, places: int = 2) -> str:
    """A share as a percent for display, rounded half-even to ``places`` decimals."""
    return decimal_text(round_fraction(Fraction(f) * 100, places)) + "%"


def round_fraction(f: Fraction | Decimal, places: int = 6) -> Decimal:
    """An exact value as a decimal rounded half-even to ``places`` decimals (shares in
    JSON, percents on screen). Integer arithmetic: no context can make it fail."""
    whole = round(Fraction(f) * 10**places)  # Fraction rounds half to even, exactly
    return Decimal(whole).scaleb(-places, EXACT).normalize(EXACT)
