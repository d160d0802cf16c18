"""Crossing the hierarchy with a dimension (issue 13, part 3): ``mix:`` and ``--cross``."""

from __future__ import annotations

import json
from fractions import Fraction

from targetsplit.plan.load import parse_plan

HEAD = """\
plan: P
period: 2026
metrics:
  revenue: {total: 1.2亿, round: 1万}
  new_customers: {total: 200}
dimensions:
  product: {High-end: 30%, Mid-range: 50%, New: 20%}
split:
"""


def test_a_mix_is_read_as_shares_in_the_dimensions_order() -> None:
    plan = parse_plan(
        HEAD + "  A:\n    weight: 50%\n    mix: {product: {New: 1, High-end: 3}}\n"
        "  B: {weight: 50%, mix: {product: {Mid-range: 60%, High-end: 40%}}}\n",
        "p.yaml",
    )
    a, b = plan.root.children
    assert a.mix == {"product": (Fraction(3, 4), Fraction(0), Fraction(1, 4))}
    assert b.mix == {"product": (Fraction(2, 5), Fraction(3, 5), Fraction(0))}
    assert plan.root.mix is None


def test_the_schema_has_the_mix_key(run) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(run("schema").out)
    mix = schema["$defs"]["NodeDoc"]["properties"]["mix"]
    assert "allocate --cross" in mix["description"]
