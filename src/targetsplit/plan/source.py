"""Reading a plan's YAML safely, keeping where every key and value came from.

The YAML is composed into a node graph (never constructed into arbitrary
objects), then turned into plain data by hand: every scalar stays the text
the user wrote (so ``0.1`` stays one tenth and ``NO`` stays a name), only
the standard tags are allowed, duplicate keys are errors, and aliases are
bounded so that an alias bomb cannot exhaust memory.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from targetsplit.errors import Diagnostic, Loc, PlanError

#: The most values a plan may expand to, aliases included.
MAX_VALUES = 500_000
#: The deepest nesting of mappings and lists.
MAX_DEPTH = 64
#: The nesting the C composer is trusted with (it recurses once per level; 1,000
#: levels take well under 512 KiB of stack).
COMPOSE_CAP = 1000

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "timestamp")}


def _resolvers_kept() -> dict[Any, list[tuple[str, Any]]]:
    """YAML's implicit resolvers less those whose tags a plan takes as text."""
    out = {}
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in resolvers if tag not in _SCALAR_TAGS]
        if kept:
            out[first] = kept
    return out


class _TextResolver(yaml.resolver.BaseResolver):
    """YAML's implicit tags as far as a plan tells them apart. Every scalar stays
    the text it was written as, so a plain ``12``, ``0.5`` or ``yes`` is read like
    any text (the allowed tags alike); only the implicit tags that mean something
    else here are resolved (null, the merge key, and the others a plan does not
    allow), with YAML's own patterns. The safe resolver tried the int, float,
    bool and timestamp patterns on every scalar."""

    yaml_implicit_resolvers = _resolvers_kept()


#: What a plain scalar resolves to when that is not text: YAML's patterns for the
#: implicit tags kept above match these few words only (tests/test_yaml_source.py
#: checks the table against the patterns).
_IMPLICIT_TAGS = {
    word: tag
    for word in ("", "~", "null", "Null", "NULL", "<<", "=", "!", "&", "*")
    for tag, rx in _TextResolver.yaml_implicit_resolvers.get(word[:1], ())
    if rx.match(word)
}
_STR = _TAG + "str"


try:
    from yaml._yaml import CParser

    class _CLoader(CParser, _TextResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _TextResolver.__init__(self)

        def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
            """A scalar's tag by one look-up (the C composer asks for every scalar;
            the resolver's loop over patterns was a tenth of reading a large plan).
            A value ending in a line break (which a plain scalar cannot) is left
            to the patterns, whose ``$`` also matches before one."""
            if kind is yaml.ScalarNode:
                if not implicit[0]:
                    return _STR
                tag = _IMPLICIT_TAGS.get(value)
                if tag is not None:
                    return tag
                if not value.endswith("\n"):
                    return _STR
            return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]

    _Loader: type[Any] = _CLoader
    _C_LOADER: type[Any] | None = _CLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader
    _C_LOADER = None
_NULL = _TAG + "null"
_MERGE, _SEQ, _MAP = _TAG + "merge", _TAG + "seq", _TAG + "map"


@dataclass
class Document:
    """Plain data from a YAML file and the position of each of its parts."""

    data: Any
    source: str
    #: The YAML node of each value and key, by place (their line and column are
    #: worked out when a message needs them).
    values: dict[Loc, yaml.Node] = field(default_factory=dict)
    keys: dict[Loc, yaml.Node] = field(default_factory=dict)
    #: Problems found while reading (a tag, a duplicate key), placed; the parts at
    #: fault are left out of ``data`` and listed in ``dropped``.
    errors: list[Diagnostic] = field(default_factory=list)
    dropped: list[Loc] = field(default_factory=list)
    #: What a key without a value after a comma in ``{ }`` probably is, by its place.
    hints: dict[Loc, str] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int] | None:
        """The line and column of ``loc``, or of its nearest known ancestor."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return _pos(self.keys[loc])
        while True:
            if loc in self.values:
                return _pos(self.values[loc])
            if not loc:
                return None
            loc = loc[:-1]

    def place(self, d: Diagnostic, *, key: bool = False) -> Diagnostic:
        pos = self.position(d.loc, key=key)
        return d.placed(self.source, pos[0] if pos else None, pos[1] if pos else None)


_AMOUNT_HEAD = re.compile(r"[-+]?[¥$€£￥]?\d{1,3}")
_AMOUNT_TAIL = re.compile(
    r"\d{3}(?:,\d{3})*(?:\.\d*)?(?:[eE][+-]?\d+)?\s*(?:千万|千萬|百万|百萬|万|萬|亿|億|千|[kKMmB]|bn)?\s*元?"
)


def _cut_at_comma(key: yaml.Node, value: yaml.Node) -> bool:
    """A plain key with no value at all: in ``{a: 1,234}`` the ``234``."""
    return (
        isinstance(key, yaml.ScalarNode)
        and not key.style
        and isinstance(value, yaml.ScalarNode)
        and value.tag == _NULL
        and value.value == ""
    )


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.active: set[int] = set()
        self.deep = False  # a collection MAX_DEPTH collections down (or deeper)

    def error(self, node: yaml.Node, message: str, dropped: Loc) -> None:
        """A problem at ``node``; the part at ``dropped`` is left out or incomplete."""
        line, col = _pos(node)
        self.doc.errors.append(Diagnostic(message, dropped).placed(self.doc.source, line, col))
        self.doc.dropped.append(dropped)

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(node)
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        values = self.doc.values
        if loc not in values:  # (an alias met again keeps its first place)
            values[loc] = node
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL:
                return None
            if node.tag not in _SCALAR_TAGS:
                self.error(node, f"the tag '{node.tag}' is not allowed in a plan", loc)
                return None
            return node.value
        if depth >= MAX_DEPTH:
            self.deep = True
        if id(node) in self.active:
            self.error(node, "an alias refers to itself (a recursive structure)", loc)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    self.error(node, f"the tag '{node.tag}' is not allowed in a plan", loc)
                    return None
                return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != _MAP:
                    self.error(node, f"the tag '{node.tag}' is not allowed in a plan", loc)
                    return None
                return self.mapping(node, loc, depth)
        finally:
            self.active.discard(id(node))
        self.error(node, "unexpected YAML node", loc)  # pragma: no cover
        return None

    def cut_at_commas(self, node: yaml.MappingNode, loc: Loc) -> set[int]:
        """In ``{ }`` a comma ends an entry: ``{amount: 1,234万}`` is ``amount: 1`` and a
        key ``234万`` with no value. Such an amount is an error (and left out, with the
        keys it was cut into: the entries returned); other text cut at a comma gets a
        hint for the unknown key it makes."""
        entries = node.value
        left_out: set[int] = set()
        for i, (key, value) in enumerate(entries):
            if not isinstance(value, yaml.ScalarNode) or value.style or _cut_at_comma(key, value):
                continue
            j = i + 1
            while j < len(entries) and _cut_at_comma(*entries[j]):
                j += 1
            if j == i + 1:
                continue
            tails = [entries[k][0].value for k in range(i + 1, j)]
            if _AMOUNT_HEAD.fullmatch(value.value) and _AMOUNT_TAIL.fullmatch(",".join(tails)):
                whole = ",".join([value.value, *tails])
                self.error(
                    value,
                    f"'{whole}' is cut in two at its comma: inside {{ }} a comma ends the"
                    f" value. Quote it: {key.value}: '{whole}'",
                    (*loc, key.value),
                )
                left_out.update(range(i, j))
            else:
                joined = ", ".join([value.value, *tails])
                for tail in tails:
                    self.doc.hints[(*loc, tail)] = (
                        f" (inside {{ }} a comma starts a new entry: if it belongs to the text"
                        f" before it, quote that text: {key.value}: '{joined}')"
                    )
        return left_out

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        cut = self.cut_at_commas(node, loc) if node.flow_style else set()
        for i, (key_node, value_node) in enumerate(node.value):
            if i in cut:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be plain text, not a list or mapping", loc)
                continue
            if key_node.tag == _MERGE:
                self.error(key_node, "merge keys ('<<') are not supported in a plan", loc)
                continue
            if key_node.tag not in _SCALAR_TAGS and key_node.tag != _NULL:
                self.error(key_node, f"the tag '{key_node.tag}' is not allowed in a plan", loc)
                continue
            # Keys are compared, and kept, in Unicode's composed form (NFC): 'é' typed
            # as one character or as 'e' and an accent is the same name.
            written = key_node.value
            key = written if written.isascii() else unicodedata.normalize("NFC", written)
            if key in first:
                line, _ = _pos(first[key])
                other_form = (
                    "" if first[key].value == key_node.value else " in another Unicode form"
                )
                self.error(
                    key_node,
                    f"duplicate key '{key}' (first given on line {line}{other_form});"
                    " each name may appear once",
                    (*loc, key),
                )
                continue
            first[key] = key_node
            here = (*loc, key)
            self.doc.keys[here] = key_node
            if type(value_node) is yaml.ScalarNode and value_node.tag == _STR and depth < MAX_DEPTH:
                # Most values: text, what build() gives it, without the call.
                self.count += 1
                if self.count > MAX_VALUES:
                    raise _TooBig(value_node)
                if here not in self.doc.values:
                    self.doc.values[here] = value_node
                out[key] = value_node.value
                continue
            out[key] = self.build(value_node, here, depth + 1)
        return out


class _TooBig(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


@functools.cache
def _composer_capped() -> bool:
    """Whether the YAML parser itself refuses nesting deeper than COMPOSE_CAP
    (libyaml does, since 0.2.5), so that composing any document is safe."""
    if _Loader is not _C_LOADER:
        return False  # the pure-Python composer: its recursion is checked first
    try:
        for _ in yaml.parse("[" * (COMPOSE_CAP + 1), Loader=_Loader):
            pass
    except yaml.YAMLError as e:
        return "nesting depth" in str(e)
    return False  # pragma: no cover - a parser that took the unclosed brackets


def _check_depth(text: str, source: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before composing: the composer recurses
    (in C, with the C loader), and a deep enough document would crash it.

    Where the parser caps the nesting (:func:`_composer_capped`), the document is
    composed first and this check runs only when what was composed could be too
    deep or has a problem, with the same outcome: its error comes first."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
                raise PlanError(
                    [Diagnostic(f"nested more than {MAX_DEPTH} levels deep").placed(source, *where)]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_problem(e: yaml.MarkedYAMLError, text: str, source: str) -> Diagnostic:
    """PyYAML's complaint in the words of the mistake that usually causes it, placed."""
    mark = e.problem_mark or e.context_mark
    problem = e.problem or e.context or "invalid YAML"
    context = f" ({e.context})" if e.context and e.problem else ""
    lines = text.splitlines()
    opened = e.context_mark
    if mark is None:
        return Diagnostic(f"invalid YAML: {problem}{context}").placed(source, None, None)
    at = lines[mark.line] if mark.line < len(lines) else ""
    where = (mark.line + 1, mark.column + 1)
    message = f"{problem}{context}"
    if "cannot start any token" in problem and at[mark.column : mark.column + 1] == "\t":
        message = "a tab is used for indenting; YAML indents with spaces only"
    elif opened is not None and e.context in (
        "while parsing a flow sequence",
        "while parsing a flow mapping",
    ):
        bracket, closing = ("[", "]") if "sequence" in e.context else ("{", "}")
        message = (
            f"the '{bracket}' on line {opened.line + 1}, column {opened.column + 1} is not"
            f" closed: expected ',' or '{closing}' here"
        )
    elif opened is not None and e.context == "while scanning a quoted scalar":
        quote = text.splitlines()[opened.line][opened.column] if opened.line < len(lines) else "'"
        message = f"the quote ({quote}) here is never closed"
        where = (opened.line + 1, opened.column + 1)
    elif "mapping values are not allowed" in problem and len(at.split(":", 1)[0]) > 1024:
        message += (
            " (a name longer than 1024 characters must be written as an explicit"
            " key: '? name' on one line, ': weight' on the next)"
        )
    elif "mapping values are not allowed" in problem:
        message = (
            "a ':' YAML cannot read here: a value holding ': ' must be quoted"
            " (note: 'a: b'), a key's value goes on its own indented line, and a line"
            " above may lack its ':' (East 60% for East: 60%)"
        )
    elif problem.startswith("did not find expected") and at[mark.column : mark.column + 1] in (
        "]",
        "}",
    ):
        message = f"a '{at[mark.column]}' that closes nothing: no '[' or '{{' is open here"
    elif opened is not None and problem.startswith("did not find expected key"):
        message = (
            f"this line's indentation does not fit the block that starts on line"
            f" {opened.line + 1} (its keys are at column {opened.column + 1})"
        )
    elif opened is not None and problem.startswith("did not find expected '-'"):
        message = (
            f"a list item ('- ') was expected here: the list that starts on line"
            f" {opened.line + 1} cannot also hold 'name: value' lines at its level"
        )
    return Diagnostic(f"invalid YAML: {message}").placed(source, *where)


def load_yaml(text: str, source: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`PlanError` when it cannot
    be read at all. Lesser problems (a tag, a duplicate key) are in ``doc.errors``."""
    doc = Document(data=None, source=source)
    checked = not _composer_capped()
    try:
        if checked:
            _check_depth(text, source)
        try:
            root = yaml.compose(text, Loader=_Loader)
        except (yaml.YAMLError, RecursionError):
            if not checked:
                _check_depth(text, source)
            raise
    except yaml.MarkedYAMLError as e:
        raise PlanError([_yaml_problem(e, text, source)]) from None
    except yaml.YAMLError as e:
        raise PlanError([Diagnostic(f"invalid YAML: {e}").placed(source, None, None)]) from None
    except RecursionError:
        raise PlanError(
            [Diagnostic("the YAML is nested too deeply").placed(source, None, None)]
        ) from None
    if root is None:
        raise PlanError([Diagnostic("the plan is empty").placed(source, None, None)])
    builder = _Builder(doc)
    try:
        doc.data = builder.build(root, (), 0)
    except _TooBig as e:
        _check_depth_after(builder, text, source, checked, failed=True)
        line, col = _pos(e.node)
        raise PlanError(
            [
                Diagnostic(
                    f"the plan expands to more than {MAX_VALUES:,} values"
                    " (are aliases repeating a large part?)"
                ).placed(source, line, col)
            ]
        ) from None
    except _TooDeep as e:
        _check_depth_after(builder, text, source, checked, failed=True)
        line, col = _pos(e.node)
        raise PlanError(
            [Diagnostic(f"nested more than {MAX_DEPTH} levels deep").placed(source, line, col)]
        ) from None
    _check_depth_after(builder, text, source, checked, failed=False)
    return doc


def _check_depth_after(
    builder: _Builder, text: str, source: str, checked: bool, *, failed: bool
) -> None:
    """The depth check, when composing came first and what was built may hide a
    nesting too deep: a collection that deep was met, the build stopped, or parts
    were left out (their insides were not walked)."""
    if not checked and (failed or builder.deep or builder.doc.errors):
        _check_depth(text, source)
