"""Load a plan: file or standard input -> YAML -> model -> checked :class:`Plan`.

Every problem comes back as a :class:`~targetsplit.errors.Diagnostic` placed at
``file:line:col``; all the problems of a file are reported together.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers.exact import exact
from targetsplit.plan.build import build_plan
from targetsplit.plan.document import (
    CALENDAR_KEYS,
    METRIC_KEYS,
    NODE_KEYS,
    PERIOD_KEYS,
    PLAN_KEYS,
    SEASONALITY_KEYS,
    STATUS_KEYS,
    PlanDoc,
)
from targetsplit.plan.source import Document, load_yaml
from targetsplit.plan.tree import Plan, did_you_mean

MAX_PLAN_BYTES = 20 * 1024 * 1024
ENV_VAR = "TARGETSPLIT_PLAN"
DEFAULT_NAME = "targetsplit.yaml"


@dataclass(frozen=True)
class Loaded:
    plan: Plan
    source: str  # the name shown in messages
    base_dir: Path  # relative paths in the plan resolve against this
    document: Document | None = None  # where each part of the plan is

    def place(self, d: Diagnostic) -> Diagnostic:
        """Give a diagnostic from the core its file:line:col in the plan."""
        return self.document.place(d) if self.document is not None else d


def find_plan(arg: str | None) -> str:
    """The plan to read: the argument, ``$TARGETSPLIT_PLAN``, then ./targetsplit.yaml."""
    if arg:
        return arg
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    if Path(DEFAULT_NAME).exists():
        return DEFAULT_NAME
    raise PlanError(
        f"no plan given: pass a plan file, set ${ENV_VAR}, or create ./{DEFAULT_NAME}"
        " (targetsplit init writes a starter plan)"
    )


def file_error(name: str, message: str, line: int | None = None) -> PlanError:
    return PlanError([Diagnostic(message).placed(name, line, None)])


def read_text(path: str, what: str = "plan") -> tuple[str, str]:
    """Read a UTF-8 file (or ``-`` for standard input); return (text, shown name)."""
    if path == "-":
        name = "<stdin>"
        try:
            data = sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
        except OSError as e:
            raise file_error(name, f"cannot read: {e.strerror}") from None
    else:
        name = path
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_PLAN_BYTES + 1)
        except FileNotFoundError:
            raise file_error(name, f"no such {what} file") from None
        except IsADirectoryError:
            raise file_error(name, f"is a directory, not a {what} file") from None
        except OSError as e:
            raise file_error(name, f"cannot read: {e.strerror}") from None
    if len(data) > MAX_PLAN_BYTES:
        raise file_error(
            name, f"larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB; not a {what} file?"
        )
    if b"\x00" in data:
        raise file_error(name, f"contains NUL bytes; a {what} must be UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise file_error(
            name, f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the {what} as UTF-8", line
        ) from None
    return text, name


def _allowed_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    if len(loc) == 1:
        return PLAN_KEYS
    if len(loc) >= 2 and loc[-2] == "seasonality":
        return SEASONALITY_KEYS
    if loc[0] == "calendar":
        return CALENDAR_KEYS
    if loc[0] == "status":
        return STATUS_KEYS
    if loc[0] == "metrics":
        return METRIC_KEYS
    if loc[0] == "period":
        return PERIOD_KEYS
    return NODE_KEYS


_PYDANTIC_MESSAGES = {
    "missing": "is required",
    "dict_type": "must be a mapping (name: value lines)",
    "too_short": "must not be empty",
    "literal_error": "must be one of: {expected}",
    "date_from_datetime_parsing": "is not a date (write YYYY-MM-DD)",
    "date_parsing": "is not a date (write YYYY-MM-DD)",
    "date_type": "is not a date (write YYYY-MM-DD)",
    "date_from_datetime_inexact": "is not a date (write YYYY-MM-DD)",
    "string_type": "must be text",
    "model_type": "must be a mapping (name: value lines)",
    "model_attributes_type": "must be a mapping (name: value lines)",
}


def _translate(doc: Document, err: Any) -> Diagnostic:
    loc = tuple(p for p in err["loc"] if p != "[key]")
    is_key = "[key]" in err["loc"]
    kind = err["type"]
    where = "/".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc)
        message = (
            f"unknown key '{key}'{did_you_mean(key, allowed)} (allowed here: {', '.join(allowed)})"
        )
        return doc.place(Diagnostic(message, loc), key=True)
    if kind == "targetsplit":
        message = err["ctx"]["message"]
        if is_key:
            return doc.place(Diagnostic(message, loc), key=True)
        return doc.place(Diagnostic(f"{loc[-1]}: {message}" if loc else message, loc))
    if kind == "missing":
        parent = loc[:-1]
        what = f"'{loc[-1]}'" + (f" in {'/'.join(map(str, parent))}" if parent else "")
        return doc.place(Diagnostic(f"{what} is required", parent))
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is not None:
        expected = (err.get("ctx") or {}).get("expected", "")
        text = template.format(expected=expected)
    else:
        text = err["msg"]
    value = err.get("input")
    shown = f" '{value}'" if isinstance(value, str) else ""
    name = str(loc[-1]) if loc else "the plan"
    return doc.place(Diagnostic(f"{name}:{shown} {text}" if shown else f"{where} {text}", loc))


def parse_plan(text: str, source: str) -> Plan:
    """Parse and check plan text; raise :class:`PlanError` with placed diagnostics."""
    return parse_document(text, source)[0]


@exact
def parse_document(text: str, source: str) -> tuple[Plan, Document]:
    """:func:`parse_plan`, also returning the positions of the plan's parts."""
    doc = load_yaml(text, source)
    if not isinstance(doc.data, dict):
        raise PlanError(
            [doc.place(Diagnostic("a plan must be a mapping with plan, period, metrics and split"))]
        )
    try:
        model = PlanDoc.model_validate(doc.data)
    except ValidationError as e:
        raise PlanError(_dedupe([_translate(doc, err) for err in e.errors()])) from None
    try:
        plan = build_plan(model)
    except PlanError as e:
        raise PlanError([doc.place(d) for d in e.diagnostics]) from None
    return _with_places(plan, doc), doc


def _with_places(plan: Plan, doc: Document) -> Plan:
    return replace(plan, warnings=tuple(doc.place(w) for w in plan.warnings))


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[str] = set()
    out = []
    for d in diags:
        r = d.render()
        if r not in seen:
            seen.add(r)
            out.append(d)
    return sorted(out, key=lambda d: (d.line or 0, d.col or 0))


def load_plan(arg: str | None) -> Loaded:
    path = find_plan(arg)
    text, name = read_text(path)
    base = Path.cwd() if path == "-" else Path(path).resolve().parent
    plan, doc = parse_document(text, name)
    return Loaded(plan, name, base, doc)
