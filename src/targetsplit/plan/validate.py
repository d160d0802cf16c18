"""All the problems of a plan in one run: the shape checks, with the parts at fault
left out so that the rest can still be built and checked.

pydantic reports every shape problem of a document at once, but a plan with one
cannot be built, and the build's checks (shares that must add up, holidays,
seasonality) would wait for the next run. So each part at fault is *left out*
(an unknown key is dropped, a node whose weight is wrong is dropped with its
subtree) and the rest is validated again. The build then runs on what is left;
its errors about the places next to what was left out (the sibling group of a
dropped node, say) are not reported, as they may only follow from it. A part
that cannot be left out (a required key) ends the checks there.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from targetsplit.errors import Diagnostic, Loc
from targetsplit.plan.quick import quick_model
from targetsplit.plan.source import Document
from targetsplit.plan.tree import did_you_mean

if TYPE_CHECKING:
    from targetsplit.plan.document import PlanDoc

#: How many times the shape is checked again after leaving parts out; each round
#: leaves out at least one part, and pydantic reports all it finds in the first.
MAX_ROUNDS = 6
#: How far a check's place may be above a part left out and still only follow
#: from it: a node (1) or its sibling group (2) above the node's weight.
NEAR = 2


@dataclass(frozen=True)
class Checked:
    """The plan's model (None when a required part is wrong), the shape errors, and
    the parts left out."""

    model: PlanDoc | None
    errors: tuple[Diagnostic, ...]
    left_out: tuple[Loc, ...]

    @property
    def skip_build(self) -> bool:
        """A metric, its total, its unit or what it derives from left out changes every
        figure: nothing built from the rest holds (a label or a display left out changes
        none)."""
        return any(
            loc[:1] == ("metrics",)
            and (len(loc) < 3 or loc[2] in ("total", "round", "from", "per", "rate"))
            for loc in self.left_out
        )

    def follows_from_left_out(self, loc: Loc) -> bool:
        return any(_near(loc, out) for out in self.left_out)


def _near(loc: Loc, out: Loc) -> bool:
    """Whether a problem at ``loc`` may only follow from leaving out ``out``: it is
    inside it, or it is the node or sibling group just above it."""
    if loc[: len(out)] == out:
        return True
    return out[: len(loc)] == loc and len(out) - len(loc) <= NEAR


def validate(doc: Document) -> Checked:
    """Check the shape of ``doc``'s plan, leaving out what is wrong; see the module.
    A plain plan read without a problem is checked without pydantic
    (:mod:`targetsplit.plan.quick`); the models check any other, and say what is wrong."""
    if not doc.errors and not doc.dropped and isinstance(doc.data, dict):
        quick = quick_model(doc.data)
        if quick is not None:
            return Checked(quick, (), ())
    from pydantic import ValidationError

    from targetsplit.plan.document import PlanDoc

    errors = list(doc.errors)
    left_out = list(doc.dropped)
    data = doc.data
    for _ in range(MAX_ROUNDS):
        try:
            model = PlanDoc.model_validate(data)
        except ValidationError as e:
            problems = e.errors()
        else:
            return Checked(model, tuple(_unique(errors)), tuple(left_out))
        if data is doc.data:
            data = copy.deepcopy(data)  # the document keeps what the file says
        for err in problems:
            loc = tuple(p for p in err["loc"] if p != "[key]")
            unknown_key = err["type"] == "extra_forbidden"
            if unknown_key or not any(_near(loc, out) for out in left_out):
                errors.append(_translate(doc, err))
            elif err["type"] == "missing":  # a required part was left out: stop here
                return Checked(None, tuple(_unique(errors)), tuple(left_out))
            where = _leave_out(data, loc)
            if where is None:
                return Checked(None, tuple(_unique(errors)), tuple(left_out))
            if not unknown_key:
                left_out.append(where)
    return Checked(None, tuple(_unique(errors)), tuple(left_out))


def _leave_out(data: Any, loc: Loc) -> Loc | None:
    """Remove the deepest part of ``loc`` that ``data`` has (a whole list, never one
    of its items, so that the places of the others stay true); where it was, or
    None when that is the whole plan."""
    path: list[str | int] = []
    parent, node = None, data
    for part in loc:
        if isinstance(node, dict) and part in node:
            parent, node = node, node[part]
            path.append(part)
        else:
            break
        if isinstance(node, list):
            break
    if not path or not isinstance(parent, dict):
        return None
    del parent[path[-1]]
    return tuple(path)


def _unique(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    seen: set[str] = set()
    out = []
    for d in diags:
        r = d.render()
        if r not in seen:
            seen.add(r)
            out.append(d)
    return out


def in_file_order(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The errors by their place in the file (those without a place first), once each."""
    return sorted(_unique(diags), key=lambda d: (d.line or 0, d.col or 0))


def _allowed_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    from targetsplit.plan.document import (
        CALENDAR_KEYS,
        METRIC_KEYS,
        NODE_KEYS,
        PERIOD_KEYS,
        PLAN_KEYS,
        SEASONALITY_KEYS,
        STATUS_KEYS,
    )

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
            + doc.hints.get(loc, "")
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
