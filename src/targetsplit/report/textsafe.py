"""Make names and free text from a plan inert in every output.

Names are data: control characters are shown as escapes (never sent to the
terminal), CSV cells cannot start a formula, markdown cells cannot break
their table or carry HTML.
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0/C1 controls, DEL, and the invisible bidirectional overrides/isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Text with every control character shown as an escape sequence."""
    if text.isprintable():
        return text
    out = _UNSAFE.sub(_escape, text)
    # Anything else unprintable of the control/format categories, too.
    return "".join(
        c
        if c.isprintable() or c == " " or unicodedata.category(c) not in ("Cc", "Cf")
        else f"\\u{ord(c):04x}"
        for c in out
    )


# Every character visible() escapes except the newline: C0/C1 controls, DEL,
# and the format characters (Unicode category Cf: bidi controls, zero-width
# characters, the BOM, tags).
_NEEDS_ESCAPE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


_ASCII_SAFE = bytes(range(0x20, 0x7F)) + b"\n"


def _needs_escape(text: str) -> bool:
    if text.isascii():  # fast for large output: only the controls and DEL are unsafe
        return bool(text.encode("ascii").translate(None, _ASCII_SAFE))
    if text.replace("\n", "").isprintable():  # everything escaped is unprintable
        return False
    return _NEEDS_ESCAPE.search(text) is not None


def safe_text(text: str) -> str:
    """Text for a terminal or a file: its lines kept, each made :func:`visible`."""
    if not _needs_escape(text):
        return text
    return "\n".join(visible(line) for line in text.split("\n"))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet will not run: formula starts get a leading quote."""
    text = visible(text)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START[:4]):
        return "'" + text
    return text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown_cell(text: str) -> str:
    """A table cell whose text renders literally in markdown (no HTML, no links)."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))
