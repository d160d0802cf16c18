"""Writing a plan document back out as YAML text (for ``replan`` and ``rollover``).

The data is what :mod:`plan.source` reads: mappings, lists and text. Every
scalar is written so that reading it back gives the same text: plain where
that is unambiguous and readable (``30%``, ``Manager Li``, ``4800万``),
double-quoted with escapes otherwise (a name such as ``=1+2``, ``[red]``,
``yes``, a control character). Pure: text in, text out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: Text that YAML reads back as the same plain scalar: starts with a letter,
#: digit or CJK character and holds only those, spaces, and ``% . - _ /``
#: (no ``: #`` or flow indicators). Our reader keeps every scalar as text, so
#: ``2026-12-31`` or ``0.1`` read back as written.
_PLAIN = re.compile(r"[^\W_][\w .%/\-]*", re.UNICODE)
#: Words another YAML reader would take for booleans or null (quoted to be safe).
_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as exactly ``text``."""
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and "  " not in text
        and text.lower() not in _WORDS
        and all(unicodedata.category(c)[0] != "C" for c in text)
    ):
        return text
    return '"' + "".join(_escape(c) for c in text) + '"'


def _escape(c: str) -> str:
    if c == '"':
        return '\\"'
    if c == "\\":
        return "\\\\"
    if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029\ufeff":
        code = ord(c)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return c


def _comment(text: str) -> str:
    """A header line as one comment line: a line break or control character in it
    (from a title, a metric's name, a file name) is shown as an escape."""
    return "".join(
        _escape(c) if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" else c for c in text
    )


#: YAML reads a key written plainly only up to 1024 characters (a "simple key");
#: a longer one is written as an explicit key, ``? name``.
SIMPLE_KEY = 1000


def _key(text: str) -> str:
    """A mapping key and the ``:`` after it (``? key :`` for a long one, in flow)."""
    k = scalar(text)
    return f"? {k} :" if len(k) > SIMPLE_KEY else f"{k}:"


def flow(value: Any) -> str:
    """A value on one line: ``{a: 1, b: [2, 3]}``."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(str(k))} {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(str(value))


def dump(
    data: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
    flow_at: Callable[[tuple[str, ...]], bool] = lambda path: False,
) -> str:
    """The document as block YAML; a mapping whose key path ``flow_at`` accepts
    (and every list) on one line. ``header`` lines become ``#`` comments at the top."""
    out = [f"# {_comment(line)}".rstrip() for line in header]
    _block(data, (), out, flow_at)
    return "\n".join(out) + "\n"


def _block(
    data: Mapping[str, Any],
    path: tuple[str, ...],
    out: list[str],
    flow_at: Callable[[tuple[str, ...]], bool],
) -> None:
    pad = "  " * len(path)
    for key, value in data.items():
        k = scalar(str(key))
        here = (*path, str(key))
        if len(k) > SIMPLE_KEY:  # an explicit key: '? name', then ': value'
            out.append(f"{pad}? {k}")
            k = ""
        if isinstance(value, Mapping) and value and not flow_at(here):
            out.append(f"{pad}{k}:")
            _block(value, here, out, flow_at)
        else:
            out.append(f"{pad}{k}: {flow(value)}")
