"""``init`` and ``schema``: the starter plan and the plan format's JSON Schema."""

from __future__ import annotations

from importlib.resources import files
from typing import Any


def starter_plan() -> str:
    """The commented starter plan that ``targetsplit init`` writes."""
    return files("targetsplit").joinpath("starter.yaml").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema of the plan format, for editors that validate YAML."""
    from targetsplit.plan.document import json_schema

    return json_schema()
