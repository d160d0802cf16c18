"""How a child claims part of its parent (SPEC §1): the weight forms."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from targetsplit.errors import AmountError
from targetsplit.numbers import amounts

WeightKind = Literal["percent", "amount", "ratio", "history", "rest"]


@dataclass(frozen=True)
class Weight:
    """One weight form with its exact value.

    ``percent`` holds the fraction (60% -> 3/5); ``amount`` the exact amount
    in the metric ``metric`` (``None``: the plan's first metric); ``ratio``
    and ``history`` the ratio; ``rest`` has no value.
    """

    kind: WeightKind
    value: Fraction = Fraction(0)
    metric: str | None = None
    text: str = ""

    @property
    def is_claim(self) -> bool:
        return self.kind in ("percent", "amount")

    @property
    def is_ratio(self) -> bool:
        return self.kind in ("ratio", "history")


@dataclass(frozen=True)
class WeightSpec:
    """A node's weight as written: one default, and optional per-metric ones."""

    default: Weight | None
    by_metric: Mapping[str, Weight] = field(default_factory=dict)


def yaml_scalar(text: str) -> str:
    """``text`` as a hint should write it in YAML: quoted when YAML would cut or read
    it otherwise (``1,234万`` inside ``{ }`` is two entries; ``'1,234万'`` is one)."""
    if text and not any(c in text for c in ",[]{}#&*!|>'\"`") and text[0] not in "-?%@:":
        return text
    return "'" + text.replace("'", "''") + "'"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _mapped_number(key: str, raw: Any, example: str, percent_hint: str) -> Fraction:
    """The number in ``{amount: …}`` or ``{history: …}``."""
    if raw is None:
        raise ValueError(f"'{key}:' needs a value, e.g. {{{key}: {example}}}")
    try:
        parsed = amounts.parse(_text(raw))
    except AmountError as e:
        raise ValueError(str(e)) from None
    if parsed.kind == "percent":
        raise ValueError(f"'{raw}' is a percent; {percent_hint}")
    return Fraction(parsed.value)


def parse_single(value: Any, *, metric: str | None = None) -> Weight:
    """Parse one weight form; raise ValueError with a user-facing message."""
    if isinstance(value, Mapping):
        keys = list(value)
        if keys == ["amount"]:
            raw = value["amount"]
            hint = f"write it as a bare weight ({raw}), not as an amount"
            return Weight(
                "amount", _mapped_number("amount", raw, "300万", hint), metric, _text(raw)
            )
        if keys == ["history"]:
            raw = value["history"]
            hint = "give last period's result"
            return Weight(
                "history", _mapped_number("history", raw, "120", hint), metric, _text(raw)
            )
        raise ValueError(
            "a weight mapping holds one of 'amount' or 'history'"
            f" (got {', '.join(repr(str(k)) for k in keys) or 'nothing'})"
        )
    if value is None:
        raise ValueError(
            "the weight is empty: give a percent (60%), a ratio (1.2),"
            " {amount: 300万}, {history: 120} or rest"
        )
    if isinstance(value, list):
        raise ValueError("a weight cannot be a list")
    text = _text(value)
    if text.strip() == "rest":
        return Weight("rest", Fraction(0), metric, "rest")
    try:
        parsed = amounts.parse(text)
    except AmountError as e:
        raise ValueError(str(e)) from None
    if parsed.kind == "percent":
        return Weight("percent", Fraction(parsed.value), metric, text.strip())
    if parsed.suffix is not None or parsed.money:
        raise ValueError(
            f"'{text.strip()}' looks like an amount; a bare number is a ratio."
            f" Write {{amount: {yaml_scalar(text.strip())}}} to claim exactly that much"
        )
    return Weight("ratio", Fraction(parsed.value), metric, text.strip())


def parse_weight(value: Any) -> WeightSpec:
    """Parse a node's ``weight`` (a single form or a per-metric mapping)."""
    if type(value) is str:
        return _written(value)
    if isinstance(value, Mapping) and list(value) not in (["amount"], ["history"]):
        default: Weight | None = None
        by_metric: dict[str, Weight] = {}
        problems: list[str] = []
        for key, item in value.items():
            name = str(key)
            try:
                if name == "default":
                    default = parse_single(item)
                else:
                    by_metric[name] = parse_single(item, metric=name)
            except ValueError as e:
                problems.append(f"{name}: {e}")
        if problems:
            raise ValueError("; ".join(problems))
        return WeightSpec(default, by_metric)
    return WeightSpec(parse_single(value))


@functools.lru_cache(maxsize=4096)
def _written(text: str) -> WeightSpec:
    """A weight written as text (``60%``, ``1.2``, ``rest``): a large plan repeats
    the same few, and each is read once (the values are immutable)."""
    return WeightSpec(parse_single(text))
