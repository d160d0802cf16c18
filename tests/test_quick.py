"""The quick shape check (plan/quick.py) gives what the pydantic models give, or
nothing: wherever it answers, the models accept the plan and hold the same values."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from conftest import EXAMPLES, ROOT
from targetsplit.errors import PlanError
from targetsplit.plan.document import PlanDoc
from targetsplit.plan.quick import quick_model
from targetsplit.plan.source import load_yaml

PLANS = sorted(
    [
        *EXAMPLES.glob("*.yaml"),
        *(ROOT / "tests").glob("*/*.yaml"),
        *(ROOT / "docs").glob("**/*.yaml"),
    ]
)


def _data(path: Path) -> dict[str, Any] | None:
    """The plan's data as read from its YAML, None when it cannot be read cleanly."""
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"), path.name)
    except (PlanError, UnicodeDecodeError):
        return None
    if doc.errors or not isinstance(doc.data, dict):
        return None
    return doc.data


def _model(data: dict[str, Any]) -> PlanDoc | None:
    try:
        return PlanDoc.model_validate(copy.deepcopy(data))
    except ValidationError:
        return None


def same(quick: Any, model: Any, where: str = "") -> None:
    """``quick`` holds what ``model`` holds: the same fields, types and values."""
    if isinstance(model, BaseModel):
        fields = type(model).model_fields
        assert set(vars(quick)) <= set(fields), where
        for name in fields:
            same(getattr(quick, name), getattr(model, name), f"{where}/{name}")
    elif isinstance(model, dict):
        assert type(quick) is dict and list(quick) == list(model), where
        for key, value in model.items():
            same(quick[key], value, f"{where}/{key}")
    else:
        assert type(quick) is type(model) and quick == model, (where, quick, model)


def agree(data: dict[str, Any]) -> bool:
    """Whether the quick check answered; when it did, the models agree with it."""
    before = copy.deepcopy(data)
    quick = quick_model(data)
    assert data == before  # the document keeps what the file says
    if quick is None:
        return False
    model = _model(data)
    assert model is not None, "the quick check took a plan the models refuse"
    same(quick, model)
    return True


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_plan_file_agrees(path: Path) -> None:
    data = _data(path)
    if data is not None:
        agree(data)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_the_examples_take_the_quick_way(path: Path) -> None:
    data = _data(path)
    assert data is not None and agree(data)


# Values the models read in several ways, or refuse, put anywhere in a plan.
ODD: list[Any] = [
    None,
    "",
    " ",
    "x",
    " x",
    "a/b",
    "default",
    "60%",
    "1.2",
    "0",
    "-1",
    "rest",
    "1.2亿",
    "300万",
    "$1.5M",
    "80",
    "1",
    "2",
    "yes",
    "full",
    "cn",
    "2026",
    "2026-Q3",
    "2026-02-30",
    "2026-1-5",
    "2026-01-05",
    "20260105",
    [],
    ["20%", "30%", "50%"],
    ["1", "2", "3", "4"],
    ["50%", "75%"],
    ["Mon", "Tue"],
    {},
    {"amount": "300万"},
    {"history": "120"},
    {"default": "60%", "revenue": "2"},
    {"weight": "1"},
    {"amount": None},
    {"x": "1"},
    {"start": "2026-07-01", "end": "2026-12-31"},
]
KEYS = [
    "weight",
    "amount",
    "history",
    "split",
    "owner",
    "aliases",
    "due",
    "strategy",
    "note",
    "seasonality",
    "mix",
    "drivers",
    "start",
    "ramp",
    "total",
    "round",
    "unit",
    "display",
    "from",
    "per",
    "rate",
    "quarters",
    "months",
    "within_quarter",
    "workdays",
    "holidays",
    "green",
    "yellow",
    "tiers",
    "status",
    "calendar",
    "dimensions",
    "max_growth",
    "actuals",
    "version",
    "period",
    "plan",
    "metrics",
    "revenue",
    "East",
    "Rep A",
]
BASE: dict[str, Any] = {
    "plan": "FY",
    "period": "2026",
    "metrics": {"revenue": {"total": "1200万", "round": "1万"}, "deals": {"total": "120"}},
    "seasonality": {"quarters": ["20%", "25%", "25%", "30%"]},
    "split": {
        "East": {
            "weight": "60%",
            "owner": "Li",
            "split": {"Rep A": "1.2", "Rep B": {"amount": "100万"}, "Rep C": "rest"},
        },
        "West": "rest",
    },
}


def _mappings(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(data, dict):
        out.append(path)
        for key, value in data.items():
            out += _mappings(value, (*path, key))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(KEYS), st.sampled_from(ODD))))
def test_odd_plans_agree(edits: list[tuple[int, str, Any]]) -> None:
    """A plan with values set, replaced or removed anywhere: where the quick check
    answers, the models take it and hold the same."""
    data = copy.deepcopy(BASE)
    for pick, key, value in edits:
        places = _mappings(data)
        at = data
        for part in places[pick % len(places)]:
            at = at[part]
        if value == "x" and key in at:
            del at[key]
        else:
            at[key] = copy.deepcopy(value)
    agree(data)


PLACES: list[tuple[str, ...]] = [
    (),
    ("metrics", "revenue"),
    ("seasonality",),
    ("split", "East"),
    ("split", "East", "split", "Rep B"),
    ("split", "East", "split"),
]


def test_every_odd_value_at_every_key_agrees() -> None:
    """Each value of ODD at each key in each kind of place, one at a time."""
    answered = 0
    for place in PLACES:
        for key in KEYS:
            for value in ODD:
                data = copy.deepcopy(BASE)
                at = data
                for part in place:
                    at = at[part]
                at[key] = copy.deepcopy(value)
                answered += agree(data)
    assert answered > 500  # (the quick check does answer for many)


def test_a_plain_plan_loads_without_pydantic() -> None:
    code = (
        "import sys; from targetsplit.plan.load import load_plan;"
        f" load_plan({str(EXAMPLES / 'fy2026.yaml')!r});"
        " print(sorted(m for m in sys.modules if m.startswith('pydantic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
