"""progress's figures in integers are the figures of their definition: the
Fraction and Decimal arithmetic they replaced (kept here as the oracle),
value for value, Decimal exponents included, on random plans and actuals."""

from __future__ import annotations

import random
import sys
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import EXAMPLES, ROOT
from targetsplit.numbers import amounts
from targetsplit.plan.load import load_plan
from targetsplit.plan.tree import Metric, Node
from targetsplit.split.hierarchy import Allocation, allocate
from targetsplit.track.progress import (
    Cutoff,
    Figures,
    Progress,
    ProgressRow,
    compute,
    cutoff,
    targets_to_date,
)

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import plan_text  # noqa: E402


def _round_unit(x: Fraction, metric: Metric, *, up: bool = False) -> Decimal:
    """``x`` in whole rounding units: up (a need), else half up (half away from zero)."""
    un, ud = metric.unit.as_integer_ratio()
    num, den = x.numerator * ud, x.denominator * un  # x / unit
    if up:
        n = -((-num) // den)
    else:
        n = (2 * abs(num) + den) // (2 * den) * (1 if num >= 0 else -1)
    return metric.amount(n)


def _ratio(a: Decimal, b: Decimal) -> Fraction:
    an, ad = a.as_integer_ratio()
    bn, bd = b.as_integer_ratio()
    return Fraction(an * bd, ad * bn)


def oracle(
    alloc: Allocation,
    cut: Cutoff,
    to_date: Mapping[str, Mapping[str, int]],
    direct: Mapping[tuple[str, str], Decimal],
) -> Progress:
    """Figures for every node; ``direct`` holds the actuals booked on each node."""
    plan = alloc.plan
    tiers = sorted(plan.tiers.items(), key=lambda kv: kv[1])
    exact = amounts.EXACT
    nodes = list(plan.root.walk())
    zero = Decimal(0)
    figures: dict[str, dict[str, Figures]] = {n.key: {} for n in nodes}
    for m in plan.metrics:
        # Actuals roll up the tree, children before parents.
        actual: dict[str, Decimal] = {}
        for node in reversed(nodes):
            total = direct.get((node.key, m.name), zero)
            for c in node.children:
                total = exact.add(total, actual[c.key])
            actual[node.key] = total
        attainments: dict[str, Fraction | None] = {}
        for row in alloc.rows:
            key = row.path
            ttd = to_date[key][m.name]
            attainments[key] = _ratio(actual[key], m.amount(ttd)) if ttd else None
        ranks = _ranks(nodes, attainments)
        for row in alloc.rows:
            key = row.path
            target_d = row.targets[m.name]
            ttd_d = m.amount(to_date[key][m.name])
            act_d = actual[key]
            attainment = attainments[key]
            status = tier = None
            projection = None
            if attainment is not None:
                status = (
                    "green"
                    if attainment >= plan.green
                    else "yellow"
                    if attainment >= plan.yellow
                    else "red"
                )
                projection = _round_unit(attainment * _ratio(target_d, Decimal(1)), m)
                if target_d:
                    for name, share in tiers:  # projection >= target x share
                        if attainment >= share:
                            tier = name
            remaining = exact.subtract(target_d, act_d)
            figures[key][m.name] = Figures(
                target=target_d,
                target_to_date=ttd_d,
                actual=act_d,
                attainment=attainment,
                attainment_full=_ratio(act_d, target_d) if target_d else None,
                gap=exact.subtract(ttd_d, act_d),
                remaining=remaining,
                needed_per_week=_round_unit(
                    _ratio(remaining, Decimal(1)) / cut.weeks_left, m, up=True
                )
                if cut.weeks_left
                else None,
                projection=projection,
                status=status,
                rank=ranks.get(key),
                tier=tier,
            )
    rows = tuple(ProgressRow(row.node, figures[row.path]) for row in alloc.rows)
    return Progress(plan, cut, rows)


def _ranks(nodes: list[Node], attainments: Mapping[str, Fraction | None]) -> dict[str, int]:
    """Rank siblings by attainment, best first; equal attainments share a rank."""
    ranks: dict[str, int] = {}
    for node in nodes:
        scored = [(a, c.key) for c in node.children if (a := attainments[c.key]) is not None]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        for i, (a, key) in enumerate(scored):
            ranks[key] = ranks[scored[i - 1][1]] if i and scored[i - 1][0] == a else i + 1
    return ranks


def _random_actuals(alloc: Allocation, rnd: random.Random) -> dict[tuple[str, str], Decimal]:
    direct: dict[tuple[str, str], Decimal] = {}
    for row in alloc.rows:
        for m in alloc.plan.metrics:
            if rnd.random() < 0.3:
                continue
            cents = rnd.choice([0, 1, 2, 3]) if rnd.random() < 0.2 else rnd.randint(-50, 10**7)
            scale = rnd.choice([0, 1, 2, 3, -2])
            value = Decimal(cents).scaleb(-scale)
            if rnd.random() < 0.1:  # an exact multiple of the plan's figure
                value = row.targets[m.name] * rnd.choice([0, 1, 2]) / 3
            direct[(row.path, m.name)] = amounts.EXACT.plus(value)
    return direct


def _same(new: Progress, old: Progress) -> None:
    assert new.cutoff == old.cutoff
    for a, b in zip(new.rows, old.rows, strict=True):
        assert a.node is b.node
        for name, f in b.figures.items():
            assert repr(a.figures[name]) == repr(f), (a.path, name)


PLANS = [
    str(EXAMPLES / "fy2026.yaml"),
    str(EXAMPLES / "china-2026.yaml"),
    str(EXAMPLES / "new-customers.yaml"),
    str(ROOT / "tests" / "golden" / "odd-names.yaml"),
]


@pytest.mark.parametrize("plan_file", PLANS)
@pytest.mark.parametrize("seed", range(4))
def test_integer_figures_are_the_exact_figures(plan_file: str, seed: int) -> None:
    plan = load_plan(plan_file).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    rnd = random.Random(seed)
    direct = _random_actuals(alloc, rnd)
    start = plan.period.start
    for offset in (-3, 0, rnd.randint(1, 200), rnd.randint(1, 400), 1000):
        cut = cutoff(plan.breakdown, start + timedelta(days=offset))
        to_date = targets_to_date(alloc, cut.day)
        _same(compute(alloc, cut, to_date, direct), oracle(alloc, cut, to_date, direct))


def test_integer_figures_on_a_generated_plan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gen.yaml"
    path.write_text(plan_text(3, 4, 5), encoding="utf-8")
    plan = load_plan(str(path)).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    direct = _random_actuals(alloc, random.Random(7))
    cut = cutoff(plan.breakdown, date(2026, 8, 9), 32)
    to_date = targets_to_date(alloc, cut.day)
    _same(compute(alloc, cut, to_date, direct), oracle(alloc, cut, to_date, direct))
