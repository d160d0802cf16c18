"""Finding a word among names, and the one "did you mean" every message uses.

A word names something when it equals the name, or equals it in Unicode NFC
(``é`` typed as one code point or as ``e`` and a combining accent). When it
names nothing, the suggestion comes from, in order:

1. its *twin*: the name it equals after NFKC folding, case folding and
   collapsing spaces (full-width ``Ｇroup 1`` or ``East／Group 1``, ``REVENUE``);
2. a fuzzy match (:mod:`difflib`'s ratio, at least 0.6) over a bounded number
   of candidates: the names beside the word in sorted order and in sorted
   order of the reversed text (one typo leaves the prefix or the suffix
   intact), and the names sharing the most rare three-letter pieces with it.

Every step costs a bounded amount per word, whatever the number of names:
at most :data:`MAX_POSTINGS` index entries are read and :data:`MAX_COMPARED`
names compared, so a file with thousands of unknown names against a plan of
100,000 nodes stays linear. The index is built once, on the first miss.
"""

from __future__ import annotations

import bisect
import heapq
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

#: Names compared with difflib per word: half one edit away, half sharing pieces.
MAX_COMPARED = 64
#: Index entries read per word when looking for names sharing pieces with it.
MAX_POSTINGS = 4096
#: Neighbours taken on each side in each sorted order.
NEIGHBOURS = 4
#: Words longer than this get a twin but no fuzzy match (difflib is quadratic).
MAX_WORD = 256
CUTOFF = 0.6


def nfc(text: str) -> str:
    """The text in Unicode NFC, the form names are compared in."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The key twins share: NFKC (full-width to half-width), case folded, spaces collapsed."""
    plain = text if text.isascii() else unicodedata.normalize("NFKC", text)
    folded = " ".join(plain.casefold().split())
    if " /" in folded or "/ " in folded:
        folded = folded.replace(" /", "/").replace("/ ", "/")
    return folded


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _grams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Names:
    """A set of names: find a word among them, or suggest the nearest ones.

    ``compared`` and ``read`` count the difflib comparisons and index entries
    spent on suggestions, so tests can hold the cost per word to its bound.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names: tuple[str, ...] = tuple(dict.fromkeys(names))
        self._exact = frozenset(self.names)
        self._nfc: dict[str, str] = {}
        for name in self.names:
            self._nfc.setdefault(nfc(name), name)
        self._built = False
        self._memo: dict[tuple[str, int], list[str]] = {}
        self.compared = 0
        self.read = 0

    def __len__(self) -> int:
        return len(self.names)

    def find(self, word: str) -> str | None:
        """The name ``word`` is (exactly or in NFC), as the names spell it; None if none."""
        if word in self._exact:
            return word
        return self._nfc.get(nfc(word))

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Up to ``n`` names the word may have meant, best first."""
        key = (word, n)
        if key not in self._memo:
            self._memo[key] = self._suggest(word, n)
        return self._memo[key]

    def hint(self, word: str, n: int = 3) -> str:
        """``; did you mean 'a' or 'b'?``, or nothing when no name is near."""
        found = self.suggest(word, n)
        quoted = " or ".join(f"'{c}'" for c in found)
        return f"; did you mean {quoted}?{_unlike_spaces(word, found)}" if quoted else ""

    def _build(self) -> None:
        folded = [fold(name) for name in self.names]
        self._folded = folded
        self._twins: dict[str, list[int]] = {}
        for i, f in enumerate(folded):
            self._twins.setdefault(f, []).append(i)
        self._sorted = sorted((f, i) for i, f in enumerate(folded))
        self._reversed = sorted((f[::-1], i) for i, f in enumerate(folded))
        self._at = [0] * len(folded)  # each name's place in the sorted order,
        self._reversed_at = [0] * len(folded)  # and in the reversed one
        for at, (_, i) in enumerate(self._sorted):
            self._at[i] = at
        for at, (_, i) in enumerate(self._reversed):
            self._reversed_at[i] = at
        self._index: dict[str, list[int]] | None = None  # built when first needed
        self._built = True

    def _build_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, f in enumerate(self._folded):
            for g in _grams(f):
                postings = index.get(g)
                if postings is None:
                    index[g] = [i]
                else:
                    postings.append(i)
        return index

    def _suggest(self, word: str, n: int) -> list[str]:
        same = self.find(word)
        if same is not None:
            return [same]
        if not self._built:
            self._build()
        w = fold(word)
        twins = self._twins.get(w)
        if twins:
            return [self.names[i] for i in twins[:n]]
        if not w or len(w) > MAX_WORD:
            return []
        matcher = SequenceMatcher()
        matcher.set_seq2(w)
        scored: list[tuple[float, str]] = []
        seen: set[int] = set()

        def compare(candidates: Iterable[int]) -> None:
            for i in candidates:
                if i in seen:
                    continue
                seen.add(i)
                matcher.set_seq1(self._folded[i])
                self.compared += 1
                if (
                    matcher.real_quick_ratio() >= CUTOFF
                    and matcher.quick_ratio() >= CUTOFF
                    and (score := matcher.ratio()) >= CUTOFF
                ):
                    scored.append((score, self.names[i]))

        if len(self.names) <= MAX_COMPARED:
            compare(range(len(self.names)))
        else:
            budget = [MAX_POSTINGS]  # index entries this word may still read
            compare(self._one_edit_away(w, budget))
            if not scored:  # nothing close by one edit: look for shared pieces
                compare(self._sharing_pieces(w, budget))
        return [name for _, name in heapq.nlargest(n, scored)]

    def _range(self, order: list[tuple[str, int]], prefix: str) -> tuple[int, int]:
        """Where the texts starting with ``prefix`` are in a sorted order."""
        lo = bisect.bisect_left(order, (prefix, -1))
        return lo, bisect.bisect_left(order, (prefix + "\U0010ffff", -1), lo)

    def _one_edit_away(self, w: str, budget: list[int]) -> list[int]:
        """Names beside ``w`` in sorted order and in reversed sorted order, and those
        that share with it both the longest prefix and enough of the suffix to be
        one edit away (or the other way round): one typo leaves both intact."""
        chosen: dict[int, None] = {}
        edges = []
        for order, text in ((self._sorted, w), (self._reversed, w[::-1])):
            at = bisect.bisect_left(order, (text, -1))
            near = order[max(0, at - NEIGHBOURS) : at + NEIGHBOURS]
            chosen.update((i, None) for _, i in near)
            edges.append(max(_common_prefix(text, t) for t, _ in near))
        head, tail = edges
        for keep_head, keep_tail in ((head, len(w) - 2 - head), (len(w) - 2 - tail, tail)):
            if keep_head <= 0 or keep_tail <= 0:
                continue
            lo, hi = self._range(self._sorted, w[:keep_head])
            rlo, rhi = self._range(self._reversed, w[::-1][:keep_tail])
            if hi - lo <= rhi - rlo:  # walk the shorter range, test places in the other
                walk, places, within = (
                    self._sorted[lo : min(hi, lo + budget[0])],
                    self._reversed_at,
                    (rlo, rhi),
                )
            else:
                walk, places, within = (
                    self._reversed[rlo : min(rhi, rlo + budget[0])],
                    self._at,
                    (lo, hi),
                )
            for _, i in walk:
                budget[0] -= 1
                self.read += 1
                if within[0] <= places[i] < within[1]:
                    chosen[i] = None
                    if len(chosen) >= MAX_COMPARED // 2:
                        break
        return list(chosen)[: MAX_COMPARED // 2]

    def _sharing_pieces(self, w: str, budget: list[int]) -> list[int]:
        """The names that share the most rare three-letter pieces with ``w``."""
        if self._index is None:
            self._index = self._build_index()
        counts: Counter[int] = Counter()
        lists = sorted((self._index.get(g, []) for g in _grams(w)), key=len)
        for postings in lists:
            if not postings or budget[0] <= 0:
                continue
            if len(postings) > budget[0]:
                if counts:
                    break  # the rest are commoner still: the rare pieces decide
                postings = postings[: budget[0]]
            counts.update(postings)
            self.read += len(postings)
            budget[0] -= len(postings)
        return [i for i, _ in counts.most_common(MAX_COMPARED // 2)]


def _unlike_spaces(word: str, found: Sequence[str]) -> str:
    """When the word and a name it may have meant look the same but differ in
    their spaces (a no-break or ideographic space from a spreadsheet), which
    spaces: otherwise the message reads 'unknown node 'Group 1'; did you mean
    'Group 1'?'."""

    def shown(text: str) -> str:
        return "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)

    for name in found:
        if name != word and shown(name) == shown(word):
            odd = sorted({ch for ch in word + name if ch != " " and ch not in shown(ch)})
            spaces = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'SPACE')}" for ch in odd)
            return f" (they differ in their spaces: {spaces})"
    return ""


def node_label(path: str, title: str) -> str:
    """A node's path as messages show it; the root is the whole plan, shown by its title
    (a node may be named like the title, so the title alone would not say which)."""
    return path if path else f"{title} (whole plan)"


def did_you_mean(word: str, choices: Sequence[str], n: int = 1) -> str:
    """``; did you mean 'x'?`` for a word among a few choices (keys, metrics, tiers)."""
    return Names(choices).hint(word, n)
