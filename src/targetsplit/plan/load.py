"""Load a plan: file or standard input -> YAML -> model -> checked :class:`Plan`.

Every problem comes back as a :class:`~targetsplit.errors.Diagnostic` placed at
``file:line:col``; all the problems of a file are reported together.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers.exact import exact
from targetsplit.plan.build import build_plan
from targetsplit.plan.source import Document, load_yaml
from targetsplit.plan.tree import Plan
from targetsplit.plan.validate import in_file_order, validate

MAX_PLAN_BYTES = 20 * 1024 * 1024
ENV_VAR = "TARGETSPLIT_PLAN"
DEFAULT_NAME = "targetsplit.yaml"


@dataclass(frozen=True)
class Loaded:
    plan: Plan
    source: str  # the name shown in messages
    base_dir: Path  # relative paths in the plan resolve against this
    document: Document | None = None  # where each part of the plan is

    def place(self, d: Diagnostic, *, key: bool = False) -> Diagnostic:
        """Give a diagnostic from the core its file:line:col in the plan (with
        ``key``, its key's: ``metrics: {revenue: …}`` at ``revenue``)."""
        return self.document.place(d, key=key) if self.document is not None else d


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


def parse_plan(text: str, source: str) -> Plan:
    """Parse and check plan text; raise :class:`PlanError` with placed diagnostics."""
    return parse_document(text, source)[0]


@exact
def parse_document(text: str, source: str) -> tuple[Plan, Document]:
    """:func:`parse_plan`, also returning the positions of the plan's parts.

    Every problem comes at once: the parts that are wrong in shape are left out
    (:mod:`plan.validate`) and the rest is still built and checked, without the
    errors that only follow from what was left out.
    """
    doc = load_yaml(text, source)
    if not isinstance(doc.data, dict):
        raise PlanError(
            [
                *doc.errors,
                doc.place(
                    Diagnostic("a plan must be a mapping with plan, period, metrics and split")
                ),
            ]
        )
    checked = validate(doc)
    errors = list(checked.errors)
    warnings: list[Diagnostic] = []
    plan = None
    if checked.model is not None and not checked.skip_build:
        try:
            plan = build_plan(checked.model)
        except PlanError as e:
            for d in e.diagnostics:
                if d.severity == "warning":
                    warnings.append(doc.place(d))
                elif not checked.follows_from_left_out(d.loc) and not (
                    d.cause is not None and checked.follows_from_left_out(d.cause)
                ):
                    errors.append(doc.place(d))
    if errors or plan is None:
        raise PlanError(in_file_order(errors) + in_file_order(warnings))
    return _with_places(plan, doc), doc


def _with_places(plan: Plan, doc: Document) -> Plan:
    return replace(plan, warnings=tuple(in_file_order([doc.place(w) for w in plan.warnings])))


def load_plan(arg: str | None) -> Loaded:
    path = find_plan(arg)
    text, name = read_text(path)
    base = Path.cwd() if path == "-" else Path(path).resolve().parent
    plan, doc = parse_document(text, name)
    return Loaded(plan, name, base, doc)
