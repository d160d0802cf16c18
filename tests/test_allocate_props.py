"""Random plans: children add up to parents, exactly, for every metric.

The strategy builds a valid plan top-down together with the figures a small
fraction-based reference implementation gives it, so the tool is checked
against the reference as well as against the invariants.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targetsplit.plan.load import parse_plan
from targetsplit.split.hierarchy import allocate, root_units
from test_apportion import reference

UNITS = [Decimal("1"), Decimal("0.01"), Decimal("10000")]
NAMES = (
    st.text(alphabet=st.sampled_from(list("abcxyz ABC华东南北区组-_1")), min_size=1, max_size=6)
    .map(str.strip)
    .filter(lambda s: s != "" and s not in ("rest",))
)


def _pct(x: Fraction) -> str:
    return f"{Decimal(x.numerator) / Decimal(x.denominator) * 100:f}%"


@st.composite
def plans(draw: Any) -> tuple[str, dict[str, dict[str, Fraction]], list[tuple[str, Decimal]]]:
    n_metrics = draw(st.integers(1, 3))
    metrics: list[tuple[str, Decimal]] = []
    metric_doc: dict[str, Any] = {}
    for i in range(n_metrics):
        unit = draw(st.sampled_from(UNITS))
        units = draw(st.integers(0, 10**7))
        name = f"m{i}"
        metrics.append((name, unit))
        metric_doc[name] = {"total": str(unit * units), "round": str(unit)}
    expected: dict[str, dict[str, Fraction]] = {}
    root_units = {name: int(Decimal(metric_doc[name]["total"]) / unit) for name, unit in metrics}
    expected[""] = {n: Fraction(root_units[n]) * Fraction(u) for n, u in metrics}

    def group(path: str, parent_units: dict[str, int], depth: int) -> dict[str, Any]:
        n = draw(st.integers(1, 5))
        names = draw(st.lists(NAMES, min_size=n, max_size=n, unique=True))
        mode = draw(st.sampled_from(["percent", "ratio", "rest", "amount"]))
        first, first_unit = metrics[0]
        parent_first = Fraction(parent_units[first]) * Fraction(first_unit)
        weights: list[Any] = []
        shares: list[Fraction] = []  # same share for every metric here
        if mode == "percent":
            cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=n - 1, max_size=n - 1)))
            bps = [b - a for a, b in zip([0, *cuts], [*cuts, 10000], strict=True)]
            shares = [Fraction(b, 10000) for b in bps]
            weights = [_pct(s) for s in shares]
        elif mode in ("ratio", "rest"):
            n_claims = draw(st.integers(0, n - 1))
            budget = 10000
            claims = []
            for _ in range(n_claims):
                b = draw(st.integers(0, budget // 2))
                budget -= b
                claims.append(Fraction(b, 10000))
            left = 1 - sum(claims, Fraction(0))
            rest_count = n - n_claims
            if mode == "rest":
                rest_count = 1
                names = names[: n_claims + 1]
                weights = [_pct(c) for c in claims] + ["rest"]
                shares = [*claims, left]
            else:
                ratios = draw(
                    st.lists(st.integers(1, 50), min_size=rest_count, max_size=rest_count)
                )
                rs = [Fraction(r, 10) for r in ratios]
                history = draw(st.lists(st.booleans(), min_size=rest_count, max_size=rest_count))
                weights = [_pct(c) for c in claims] + [
                    {"history": str(Decimal(r) / 10)} if h else str(Decimal(r) / 10)
                    for r, h in zip(ratios, history, strict=True)
                ]
                shares = [*claims] + [left * r / sum(rs) for r in rs]
        else:  # fixed amounts in the first metric, then a rest
            if parent_first == 0:
                weights, shares = ["100%"], [Fraction(1)]
                names = names[:1]
            else:
                left_units = parent_units[first]
                weights, shares = [], []
                for _ in range(n - 1):
                    take = draw(st.integers(0, left_units))
                    left_units -= take
                    amount = Fraction(take) * Fraction(first_unit)
                    weights.append({"amount": str(Decimal(take) * first_unit)})
                    shares.append(amount / parent_first)
                weights.append("rest")
                shares.append(1 - sum(shares, Fraction(0)))
        names = names[: len(weights)]
        parts = {
            m: reference(parent_units[m], shares) if parent_units[m] else [0] * len(shares)
            for m, _ in metrics
        }
        doc: dict[str, Any] = {}
        for i, (name, weight) in enumerate(zip(names, weights, strict=True)):
            child_path = f"{path}/{name}" if path else name
            child_units = {m: parts[m][i] for m, _ in metrics}
            expected[child_path] = {m: Fraction(child_units[m]) * Fraction(u) for m, u in metrics}
            if depth < 4 and draw(st.booleans()):
                doc[name] = {"weight": weight, "split": group(child_path, child_units, depth + 1)}
            else:
                doc[name] = weight
        return doc

    split = group("", root_units, 1)
    plan = {"plan": "Random", "period": "2026", "metrics": metric_doc, "split": split}
    return yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), expected, metrics


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_random_plans_add_up_and_match_the_reference(case: Any) -> None:
    text, expected, metrics = case
    plan = parse_plan(text, "random.yaml")
    result = allocate(plan)
    by_path = {r.path: r for r in result.rows}
    assert set(by_path) == set(expected)
    # The figures the build kept on the nodes are the split worked out again.
    assert allocate(plan, totals=root_units(plan, None)).rows == result.rows
    for row in result.rows:
        for m, unit in metrics:
            value = row.targets[m]
            assert value % unit == 0, (row.path, m, value)
            assert Fraction(value) == expected[row.path][m], (row.path, m)
            kids = row.node.children
            if kids:
                assert sum(by_path[c.key].targets[m] for c in kids) == value
                for c in kids:
                    exact = Fraction(value) * c.shares[m]
                    assert abs(Fraction(by_path[c.key].targets[m]) - exact) < Fraction(unit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.sampled_from(["floor", "target", "stretch"]))
def test_tiers_keep_every_plan_valid_and_adding_up(case: Any, tier: str) -> None:
    text, _, metrics = case
    plan = parse_plan(text, "random.yaml")
    result = allocate(plan, tier)
    by_path = {r.path: r for r in result.rows}
    for row in result.rows:
        for m, unit in metrics:
            assert row.targets[m] % unit == 0
            if row.node.children:
                assert sum(by_path[c.key].targets[m] for c in row.node.children) == row.targets[m]
