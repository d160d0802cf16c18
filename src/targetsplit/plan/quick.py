"""A plain plan's shape checked without pydantic (the models cost a start-up:
importing pydantic, building them, validating ten thousand nodes through them).

:func:`quick_model` reads the common keys only, each value with the very
function the model validates it with (:mod:`targetsplit.plan.shapes`), into
plain objects that have the models' fields as attributes. It proves the shape
right or gives up: anything else (a key it does not read, an empty or null
value, a value the model would refuse) returns None, and the plan is checked
by the models as before, with their messages. tests/test_quick.py checks that
what it gives equals the models' values, field by field, wherever it answers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from targetsplit.calendar.periods import parse_period_text
from targetsplit.plan import shapes
from targetsplit.plan.weights import WeightSpec

if TYPE_CHECKING:
    from targetsplit.plan.document import PlanDoc


class _Shape:
    """A model's fields as attributes, each None (the model's default) until given."""

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({given})"


class QuickMetric(_Shape):
    total: Any = None
    from_: Any = None
    per: Any = None
    rate: Any = None
    round: Any = None
    unit: Any = None
    display: Any = None


class QuickSeasonality(_Shape):
    quarters: Any = None
    months: Any = None
    within_quarter: Any = None


class QuickCalendar(_Shape):
    workdays: Any = None
    holidays: Any = None
    workday_overrides: Any = None


class QuickStatus(_Shape):
    green: Any = None
    yellow: Any = None


class QuickNode(_Shape):
    weight: Any = None
    amount: Any = None
    history: Any = None
    split: Any = None
    owner: Any = None
    aliases: Any = None
    due: Any = None
    strategy: Any = None
    note: Any = None
    seasonality: Any = None
    mix: Any = None
    drivers: Any = None
    start: Any = None
    ramp: Any = None


class QuickPlan(_Shape):
    version: Any = 1
    plan: Any = None
    period: Any = None
    metrics: Any = None
    tiers: Any = None
    seasonality: Any = None
    calendar: Any = None
    split: Any = None
    dimensions: Any = None
    status: Any = None
    max_growth: Any = None
    actuals: Any = None


class _NotPlain(Exception):
    """Not a plan this check reads: the models check it."""


def quick_model(data: dict[str, Any]) -> PlanDoc | None:
    """The plan's model read from ``data`` without pydantic (plain objects with the
    models' fields), or None when the models must check it."""
    try:
        return cast("PlanDoc", _plan(data))
    except Exception:  # _NotPlain, or a value the model refuses: the model says how
        return None


def _mapping(value: Any) -> dict[str, Any]:
    """A mapping with something in it (an empty or null one is left to the models)."""
    if type(value) is not dict or not value:
        raise _NotPlain
    return value


def _given(value: Any) -> Any:
    if value is None:
        raise _NotPlain
    return value


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain
    return value


def _fields(into: _Shape, value: Any, read: dict[str, Any]) -> None:
    """Each key of ``value`` (a mapping) read by its function in ``read``."""
    for key, item in _mapping(value).items():
        parse = read.get(key)
        if parse is None:
            raise _NotPlain
        setattr(into, "from_" if key == "from" else key, parse(_given(item)))


def _metric(value: Any) -> QuickMetric:
    m = QuickMetric()
    _fields(m, value, _METRIC_KEYS)
    return m


def _display(value: Any) -> str:
    if value not in ("full", "cn", "short"):
        raise _NotPlain
    return cast(str, value)


_METRIC_KEYS: dict[str, Any] = {
    "total": shapes.amount,
    "from": shapes.metric_name,
    "per": shapes.amount,
    "rate": shapes.percent,
    "round": shapes.amount,
    "unit": shapes.text,
    "display": _display,
}


def _seasonality(value: Any) -> QuickSeasonality:
    s = QuickSeasonality()
    _fields(
        s,
        value,
        {
            "quarters": shapes.share_list,
            "months": shapes.share_list,
            "within_quarter": shapes.quarter_shares,
        },
    )
    return s


def _calendar(value: Any) -> QuickCalendar:
    c = QuickCalendar()
    _fields(
        c,
        value,
        {
            "workdays": shapes.text_list,
            "holidays": shapes.text_list,
            "workday_overrides": shapes.text_list,
        },
    )
    return c


def _status(value: Any) -> QuickStatus:
    s = QuickStatus()
    _fields(s, value, {"green": shapes.percent, "yellow": shapes.percent})
    return s


def _named(value: Any, parse: Any) -> dict[str, Any]:
    """A mapping of names (checked as the models check a name) to parsed values."""
    out = {}
    for key, item in _mapping(value).items():
        out[shapes.name(key)] = parse(_given(item))
    return out


def _dimensions(value: Any) -> dict[str, Any]:
    return _named(value, lambda items: _named(items, shapes.weight))


_NODE_TEXT = frozenset(("owner", "strategy", "note"))
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: Any) -> date:
    """A date written YYYY-MM-DD (any other text the model reads its own way)."""
    if type(value) is not str or not _DAY.fullmatch(value):
        raise _NotPlain
    return date.fromisoformat(value)


def _metric_names(value: Any, parse: Any) -> dict[str, Any]:
    return {shapes.metric_name(k): parse(_given(v)) for k, v in _mapping(value).items()}


_NODE_KEYS: dict[str, Any] = {
    "amount": shapes.node_amount,
    "history": shapes.node_history,
    "aliases": shapes.aliases,
    "due": _day,
    "start": _day,
    "ramp": shapes.ramp,
    "seasonality": lambda v: _seasonality(v),
    "mix": lambda v: _named(v, lambda items: _named(items, shapes.mix_share)),
    "drivers": lambda v: _metric_names(v, shapes.driver),
}


def _split(value: Any) -> dict[str, QuickNode]:
    """A node's children: each a bare weight (a leaf) or a mapping of the keys read here."""
    out: dict[str, QuickNode] = {}
    weight = shapes.weight
    name = shapes.name
    for key, item in _mapping(value).items():
        node = QuickNode()
        if type(item) is str:  # a leaf's bare weight (60%, 1.2, rest)
            node.weight = weight(item)
        else:
            for k, v in _mapping(item).items():
                if k == "weight":
                    node.weight = weight(_given(v))
                elif k == "split":
                    node.split = _split(v)
                elif k in _NODE_TEXT:
                    setattr(node, k, _text(v))
                else:
                    parse = _NODE_KEYS.get(k)
                    if parse is None:
                        raise _NotPlain
                    setattr(node, k, parse(_given(v)))
            if node.amount is not None or node.history is not None:  # weight: {amount: …}
                if node.weight is not None or None not in (node.amount, node.history):
                    raise _NotPlain  # the model says: give the weight once
                node.weight = WeightSpec(node.amount if node.amount is not None else node.history)
                node.amount = node.history = None
        out[name(key)] = node
    return out


def _plan(data: dict[str, Any]) -> QuickPlan:
    plan = QuickPlan()
    for key, value in data.items():
        if key == "split":
            plan.split = _split(value)
        elif key == "metrics":
            plan.metrics = _metric_names(value, _metric)
        elif key == "plan":
            plan.plan = _text(value)
        elif key == "period":
            plan.period = parse_period_text(_text(value))
        elif key == "version":
            if value != "1":
                raise _NotPlain
            plan.version = value
        elif key == "seasonality":
            plan.seasonality = _seasonality(value)
        elif key == "calendar":
            plan.calendar = _calendar(value)
        elif key == "status":
            plan.status = _status(value)
        elif key == "tiers":
            plan.tiers = _named(value, shapes.percent)
        elif key == "max_growth":
            plan.max_growth = shapes.percent(_given(value))
        elif key == "actuals":
            plan.actuals = shapes.actuals(_given(value))
        elif key == "dimensions":
            plan.dimensions = _dimensions(value)
        else:
            raise _NotPlain
    if plan.plan is None or plan.period is None or plan.metrics is None or plan.split is None:
        raise _NotPlain  # a required key is missing: the model says which
    return plan
