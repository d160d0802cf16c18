"""JSON with exact numbers: decimals are written digit for digit, never as floats."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from json.encoder import encode_basestring  # what json.dumps(s, ensure_ascii=False) gives
from operator import add
from typing import Any, NamedTuple

from targetsplit.numbers.amounts import decimal_text

# json.dumps(ensure_ascii=False) leaves C1 controls and bidi overrides raw.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _string(s: str, _cache: dict[str, str] = {}) -> str:  # noqa: B006 - a deliberate memo
    out = _cache.get(s)
    if out is None:
        out = encode_basestring(s)
        if not s.isascii() or "\x7f" in s:  # (DEL is ASCII)
            out = _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)
        if len(_cache) < 100_000:
            _cache[s] = out
    return out


def dumps(value: Any, indent: int = 2) -> str:
    parts: list[str] = []
    _write(value, parts, 0, indent)
    return "".join(parts) + "\n"


ROWS_JOIN = ",\n    "  # between the items of a Rows array


class Rows(NamedTuple):
    """A JSON array written item by item: ``write(item)`` gives the text of one
    item at nesting level 2 (an array at a document's top level), or of several
    joined by ``ROWS_JOIN`` (to write a block of items at a time)."""

    items: Iterable[Any]
    write: Callable[[Any], str]


def stream(doc: Mapping[str, Any]) -> Iterator[str]:
    """``dumps(doc)`` in pieces, each :class:`Rows` value an item at a time, so
    that a large document is written as it is made and never held whole."""
    pad, item_pad = "\n  ", ROWS_JOIN[1:]
    pending = ["{"]
    for i, (key, value) in enumerate(doc.items()):
        pending.append(("," if i else "") + pad + _string(key) + ": ")
        if not isinstance(value, Rows):
            _write(value, pending, 1, 2)
            continue
        opened = False
        for item in value.items:
            if opened:
                pending.append(",")
            else:
                pending.append("[")
                opened = True
            pending.append(item_pad)
            pending.append(value.write(item))
            yield "".join(pending)
            pending = []
        pending.append("\n  ]" if opened else "[]")
    pending.append("\n}\n" if len(doc) else "}\n")
    yield "".join(pending)


def scalar(value: Any) -> str:
    """The JSON text of a number, string, date, boolean or None."""
    kind = type(value)
    if kind is Decimal:
        return decimal_text(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    out: list[str] = []
    _write(value, out, 0, 2)
    return "".join(out)


def fraction_text(num: int, den: int, places: int = 6) -> str:
    """``num / den`` rounded half-even to ``places`` decimals, as JSON writes a
    share (``decimal_text(round_fraction(...))``), in integers."""
    if den < 0:
        num, den = -num, -den
    q, r = divmod(num * 10**places, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    if q == 0:
        return "0"
    sign = "-" if q < 0 else ""
    whole, frac = divmod(abs(q), 10**places)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:0{places}d}".rstrip("0")


def share_texts(nums: Iterable[int], dens: Iterable[int]) -> list[str]:
    """:func:`fraction_text` of each ``num / den`` (6 places); ``null`` where
    ``den`` is 0. The same rounding in one loop: many shares are written."""
    out = []
    for num, den in zip(nums, dens, strict=True):
        if den <= 0:
            if not den:
                out.append("null")
                continue
            num, den = -num, -den
        q, r = divmod(num * 2_000_000 + den, den + den)  # rounded half up
        if not r and q & 1:  # a tie: to the even neighbour
            q -= 1
        # (%-formatting: the fastest here, by a third)
        if q >= 0:
            out.append(("%d.%06d" % divmod(q, 1_000_000)).rstrip("0").rstrip("."))  # noqa: UP031
        else:
            out.append(("-%d.%06d" % divmod(-q, 1_000_000)).rstrip("0").rstrip("."))  # noqa: UP031
    return out


def scaled_texts(nums: Iterable[int], den: int) -> list[str]:
    """Each ``num / den`` exactly, as ``decimal_text`` writes it; ``den`` divides
    a power of ten (it is 2**a x 5**b)."""
    if den == 1:
        return list(map(str, nums))
    places = 1
    while 10**places % den:
        places += 1
    one, scale = 10**places, 10**places // den
    form = f"%d.%0{places}d"  # (%-formatting: the fastest here)
    out = []
    for n in nums:
        text = (form % divmod(abs(n) * scale, one)).rstrip("0").rstrip(".")
        out.append("-" + text if n < 0 else text)
    return out


@lru_cache(maxsize=256)
def _members(keys: tuple[str, ...], level: int) -> tuple[tuple[str, ...], str]:
    pad = "\n" + "  " * (level + 1)
    return tuple(pad + _string(k) + ": " for k in keys), "\n" + "  " * level + "}"


@lru_cache(maxsize=64)
def template(keys: tuple[str, ...], level: int) -> str:
    """``obj(keys, level, ...)`` as a ``str.format`` template, one ``{}`` per value:
    the fastest way to write many objects of the same keys (values whose
    ``format`` is their JSON text, such as ints)."""
    if not keys:
        return "{{}}"
    prefixes, close = _members(keys, level)
    literal = [p.replace("{", "{{").replace("}", "}}") for p in prefixes]
    return "{{" + ",".join(p + "{}" for p in literal) + close.replace("}", "}}")


def objects(keys: tuple[str, ...], level: int, columns: Sequence[Iterable[str]]) -> list[str]:
    """``obj(keys, level, row)`` for each row of ``columns`` (a column of value
    texts per key, of equal lengths): the fastest way to write many."""
    if not keys:
        return ["{}" for _ in columns[0]] if columns else []
    prefixes, close = _members(keys, level)
    parts: list[Iterable[str]] = []
    for i, (prefix, column) in enumerate(zip(prefixes, columns, strict=True)):
        parts += (repeat(("," if i else "{") + prefix), column)
    parts.append(repeat(close))
    return list(map("".join, zip(*parts, strict=False)))  # (the repeats never end)


def obj(keys: tuple[str, ...], level: int, texts: Iterable[str]) -> str:
    """An object at nesting ``level`` (indent 2) from its keys and its values'
    JSON texts: what ``dumps`` writes for the same dict."""
    if not keys:
        return "{}"
    prefixes, close = _members(keys, level)
    return "{" + ",".join(map(add, prefixes, texts)) + close


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


def node_columns(nodes: Sequence[Any]) -> list[list[str]]:
    """:func:`node_texts` of each node, as a column per key."""
    return [
        [_string(n.key) for n in nodes],
        [_string(n.name) for n in nodes],
        [str(n.depth) for n in nodes],
        *([scalar(getattr(n, k)) for n in nodes] for k in ("owner", "due", "strategy", "note")),
    ]


def node_texts(path: str, node: Any) -> list[str]:
    """A node's identity in JSON: path, name, depth, owner, due, strategy, note."""
    return [
        scalar(path),
        scalar(node.name),
        str(node.depth),
        scalar(node.owner),
        scalar(node.due),
        scalar(node.strategy),
        scalar(node.note),
    ]
