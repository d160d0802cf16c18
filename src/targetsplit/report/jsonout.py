"""JSON with exact numbers: decimals are written digit for digit, never as floats."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from targetsplit.numbers.amounts import decimal_text

# json.dumps(ensure_ascii=False) leaves C1 controls and bidi overrides raw.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _string(s: str, _cache: dict[str, str] = {}) -> str:  # noqa: B006 - a deliberate memo
    out = _cache.get(s)
    if out is None:
        out = json.dumps(s, ensure_ascii=False)
        out = _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)
        if len(_cache) < 100_000:
            _cache[s] = out
    return out


def dumps(value: Any, indent: int = 2) -> str:
    parts: list[str] = []
    _write(value, parts, 0, indent)
    return "".join(parts) + "\n"


def _write(value: Any, out: list[str], level: int, indent: int) -> None:
    kind = type(value)
    if kind is int:
        out.append(str(value))
    elif kind is Decimal:
        out.append(decimal_text(value))
    elif kind is str:
        out.append(_string(value))
    elif kind is dict or isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        pad = "\n" + " " * (indent * (level + 1))
        sep = "," + pad
        first = True
        out.append("{" + pad)
        for k, v in value.items():
            if not first:
                out.append(sep)
            first = False
            out.append(_string(str(k)))
            out.append(": ")
            _write(v, out, level + 1, indent)
        out.append("\n" + " " * (indent * level) + "}")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, date):
        out.append(_string(value.isoformat()))
    elif isinstance(value, Sequence):
        if not value:
            out.append("[]")
            return
        pad = "\n" + " " * (indent * (level + 1))
        out.append("[")
        for i, v in enumerate(value):
            out.append(("," if i else "") + pad)
            _write(v, out, level + 1, indent)
        out.append("\n" + " " * (indent * level) + "]")
    else:  # pragma: no cover - a programming error, not a user one
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
