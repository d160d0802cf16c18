"""The values of a plan's keys, checked and parsed: what the pydantic models of
:mod:`targetsplit.plan.document` validate each key with, and what
:mod:`targetsplit.plan.quick` checks a plain plan with, without pydantic.

Each raises pydantic's custom error (:func:`custom`) with the user-facing message.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from targetsplit.errors import AmountError
from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import ActualsMap, parse_map
from targetsplit.plan.weights import Weight, WeightSpec, parse_single, parse_weight

if TYPE_CHECKING:
    from pydantic_core import PydanticCustomError


def custom(message: str) -> PydanticCustomError:
    """The error pydantic reports as a ``targetsplit`` error with ``message`` (pydantic's
    core is imported when a value is wrong only: the quick check needs no pydantic)."""
    from pydantic_core import PydanticCustomError

    return PydanticCustomError("targetsplit", "{message}", {"message": message})


def scalar(value: Any, expected: str) -> amounts.Parsed:
    """A single value in the amount syntax; ``expected`` says what, where the value
    is missing or a mapping or a list."""
    if value is None or isinstance(value, dict | list):
        raise custom(expected)
    try:
        return amounts.parse(str(value))
    except AmountError as e:
        raise custom(str(e)) from None


def number(value: Any, *, percent: bool) -> amounts.Parsed:
    parsed = scalar(
        value,
        "expected a percent such as 80%"
        if percent
        else "expected an amount such as 1.2亿, 4800万, 500 or $1.5M",
    )
    if percent and parsed.kind != "percent":
        raise custom(f"'{value}' is not a percent; write it with %, e.g. 80%")
    if not percent and parsed.kind == "percent":
        raise custom(f"'{value}' is a percent; an amount is expected here")
    return parsed


def amount(value: Any) -> amounts.Parsed:
    return number(value, percent=False)


def percent(value: Any) -> amounts.Parsed:
    return number(value, percent=True)


def driver(value: Any) -> amounts.Parsed:
    """A node's driver: an amount or a percent (which one fits is checked when the
    plan is built, knowing the metric)."""
    return scalar(value, "expected an amount such as 50万 or 0.5, or a percent such as 25%")


def node_amount(value: Any) -> Weight:
    """``amount:`` beside a node's other keys: the weight ``{amount: …}``."""
    try:
        return parse_single({"amount": value})
    except ValueError as e:
        raise custom(str(e)) from None


def node_history(value: Any) -> Weight:
    """``history:`` beside a node's other keys: the weight ``{history: …}``."""
    try:
        return parse_single({"history": value})
    except ValueError as e:
        raise custom(str(e)) from None


def weight(value: Any) -> WeightSpec:
    try:
        return parse_weight(value)
    except ValueError as e:
        raise custom(str(e)) from None


def name(value: str) -> str:
    """A name that can be addressed: what is typed to find it is what the plan holds."""
    if value == "":
        raise custom("a name cannot be empty")
    if value.isspace():
        raise custom(f"'{value}': a name cannot be only spaces")
    if value != value.strip():
        raise custom(
            f"'{value}': a name cannot start or end with a space; lookups would not find it"
        )
    if "/" in value:
        raise custom(f"'{value}': a name cannot contain '/' (it separates a path's names)")
    return value


def metric_name(value: str) -> str:
    name(value)
    if value == "default":
        raise custom("'default' cannot be a metric's name (it is the default weight's key)")
    return value


def text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        raise custom("expected text")
    return str(value)


def share_list(value: Any) -> tuple[Fraction, ...]:
    """A seasonality list: all percents adding up to 100 %, or all ratios."""
    if not isinstance(value, list) or not value:
        raise custom("expected a list such as [20%, 25%, 25%, 30%] or [2, 3, 3, 4]")
    parsed = []
    for item in value:
        p = scalar(item, "each value must be a percent (25%) or a ratio (2.5)")
        if p.suffix is not None or p.money:
            raise custom(f"'{item}': give shares as percents or ratios, not amounts")
        parsed.append(p)
    kinds = {p.kind for p in parsed}
    if len(kinds) > 1:
        raise custom("mix of percents and ratios: give all values as percents or all as ratios")
    values = [Fraction(p.value) for p in parsed]
    total = sum(values, Fraction(0))
    if kinds == {"percent"} and total != 1:
        raise custom(f"the percents add up to {amounts.format_percent(total)}, not 100%")
    if total == 0:
        raise custom("the values are all zero")
    return tuple(v / total for v in values)


def mix_share(value: Any) -> amounts.Parsed:
    """One item's part of a node's ``mix:``: a percent (40%) or a ratio (2)."""
    parsed = scalar(value, "expected a percent (40%) or a ratio (2)")
    if parsed.suffix is not None or parsed.money:
        raise custom(f"'{value}': give a mix as percents or ratios, not amounts")
    return parsed


def ramp(value: Any) -> tuple[Fraction, ...]:
    """``ramp``: productivity in the first, second, … month from the start."""
    if not isinstance(value, list) or not value:
        raise custom("expected a list of percents, one per month from the start: [50%, 75%]")
    out = []
    for item in value:
        p = scalar(item, "each value must be a percent, e.g. 50%")
        if p.kind != "percent":
            raise custom(f"'{item}' is not a percent; write a month's productivity as 50%")
        if p.value > 1:
            raise custom(f"'{item}': a month's productivity is at most 100%")
        out.append(Fraction(p.value))
    return tuple(out)


def quarter_shares(value: Any) -> tuple[Fraction, ...]:
    """``within_quarter``: the three months of each quarter."""
    shares = share_list(value)
    if len(shares) != 3:
        raise custom(
            f"needs 3 values, one for each month of a quarter"
            f" (got {len(shares)}), e.g. [30%, 40%, 30%]"
        )
    return shares


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise custom("expected a list, e.g. [2026-10-01..2026-10-07, 2026-12-25]")
    out = []
    for item in value:
        if item is None or isinstance(item, dict | list):
            raise custom("each entry must be a date, a range or a day name")
        out.append(str(item))
    return tuple(out)


def aliases(value: Any) -> tuple[str, ...]:
    """A node's ``aliases``: other spellings of it in actuals (a CRM's names, emails)."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, dict | list):
            raise custom("expected a list of names, e.g. [Chen Wei, 陈伟, wei.chen@example.com]")
        text = str(item).strip()
        if not text:
            raise custom("an alias cannot be empty")
        out.append(text)
    return tuple(out)


def actuals(value: Any) -> str | ActualsMap:
    """``actuals:``: our own CSV's path, or how an export's columns map (a mapping)."""
    if isinstance(value, dict):
        try:
            return parse_map(value)
        except ValueError as e:
            raise custom("; ".join(str(e).splitlines())) from None
    return text(value)
