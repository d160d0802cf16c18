"""progress's figures in integers are the figures of their definition: the
Fraction and Decimal arithmetic they replaced (kept here as the oracle),
value for value, Decimal exponents included, on random plans and actuals;
and the JSON and CSV written from the integers are those of the figures."""

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
from targetsplit.report.jsonout import dumps
from targetsplit.report.progress import FIELDS, below, ordered_rows, progress_csv, progress_json
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
) -> list[dict[str, Figures]]:
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
    return [figures[row.path] for row in alloc.rows]


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


def _same(new: Progress, old: list[dict[str, Figures]]) -> None:
    for a, b in zip(new.rows, old, strict=True):
        assert list(a.figures) == list(b)
        for name, f in b.items():
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
        to_date = targets_to_date(alloc, cut.day)[0]
        _same(compute(alloc, cut, to_date, direct), oracle(alloc, cut, to_date, direct))


def test_integer_figures_on_a_generated_plan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gen.yaml"
    path.write_text(plan_text(3, 4, 5), encoding="utf-8")
    plan = load_plan(str(path)).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    direct = _random_actuals(alloc, random.Random(7))
    cut = cutoff(plan.breakdown, date(2026, 8, 9), 32)
    to_date = targets_to_date(alloc, cut.day)[0]
    _same(compute(alloc, cut, to_date, direct), oracle(alloc, cut, to_date, direct))


def _reference_order(p: Progress, depth: int | None, sort_rank: str | None) -> list[str]:
    """The rows' order as it was made from the figures: depth-first, siblings by rank."""
    by_path = {r.path: r for r in p.rows}
    out: list[str] = []

    def visit(row: ProgressRow) -> None:
        if depth is not None and row.node.depth > depth:
            return
        out.append(row.path)
        kids = [by_path[c.key] for c in row.node.children]
        if sort_rank is not None:
            kids.sort(key=lambda r: r.figures[sort_rank].rank or 10**9)
        for k in kids:
            visit(k)

    visit(p.rows[0])
    return out


def _json_value(name: str, f: Figures) -> object:
    value = getattr(f, name)
    return amounts.round_fraction(value) if isinstance(value, Fraction) else value


def _reference_json(p: Progress, depth: int | None, sort_rank: str | None) -> str:
    """The JSON document made the general way, from each node's figures."""
    c, metrics = p.cutoff, p.plan.metrics
    by_path = {r.path: r for r in p.rows}
    nodes = []
    for path in _reference_order(p, depth, sort_rank):
        r = by_path[path]
        n = r.node
        nodes.append(
            {
                "path": path,
                **{k: getattr(n, k) for k in ("name", "depth", "owner", "due", "strategy", "note")},
                "targets": {m.name: r.figures[m.name].target for m in metrics},
                "progress": {
                    m.name: {k: _json_value(k, r.figures[m.name]) for k in FIELDS} for m in metrics
                },
            }
        )
    doc = {
        "plan": p.plan.title,
        "period": {
            "start": p.plan.period.start,
            "end": p.plan.period.end,
            "name": p.plan.period.name,
        },
        "metrics": [m.name for m in metrics],
        "tier": None,
        "cutoff": {
            "date": c.day,
            "week": c.week,
            "workdays_done": c.workdays_done,
            "workdays_total": c.workdays_total,
            "weeks_left": amounts.round_fraction(c.weeks_left),
        },
        "nodes": nodes,
    }
    return dumps(doc)


def _reference_csv(rows: list[ProgressRow]) -> list[list[str | None]]:
    """The CSV cells made from each node's figures."""
    out: list[list[str | None]] = []
    for r in rows:
        cells: list[str | None] = [r.path, r.node.name, str(r.node.depth)]
        for f in r.figures.values():
            for name in FIELDS:
                v = _json_value(name, f)
                cells.append(
                    None
                    if v is None
                    else amounts.decimal_text(v)
                    if isinstance(v, Decimal)
                    else str(v)
                )
        out.append(cells)
    return out


@pytest.mark.parametrize("plan_file", PLANS)
def test_json_and_csv_from_the_integers_are_those_of_the_figures(plan_file: str) -> None:
    plan = load_plan(plan_file).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    rnd = random.Random(11)
    direct = _random_actuals(alloc, rnd)
    first = plan.metrics[0].name
    for offset in (-3, rnd.randint(1, 360), 1000):
        cut = cutoff(plan.breakdown, plan.period.start + timedelta(days=offset))
        p = compute(alloc, cut, targets_to_date(alloc, cut.day)[0], direct)
        for depth, sort_rank in ((None, None), (1, None), (None, first), (2, first)):
            made = "".join(progress_json(p, plan.metrics, depth, sort_rank))
            assert made == _reference_json(p, depth, sort_rank), (offset, depth, sort_rank)
            rows = ordered_rows(p, depth, sort_rank)
            assert [r.path for r in rows] == _reference_order(p, depth, sort_rank)
            cells = progress_csv(p, plan.metrics, depth, sort_rank)[1]
            assert [list(row) for row in cells] == _reference_csv(rows)
            for threshold in (Fraction(9, 10), Fraction(2)):
                assert below(p, plan.metrics, depth, threshold) == [
                    f"{r.path or r.node.name}: {name} at {amounts.format_percent(f.attainment, 1)}"
                    for r in ordered_rows(p, depth, None)
                    for name, f in r.figures.items()
                    if f.attainment is not None and f.attainment < threshold
                ]


@pytest.mark.parametrize("plan_file", PLANS)
def test_json_rows_made_before_the_actuals_are_those_made_after(plan_file: str) -> None:
    """The rows made from the plan alone while the actuals are summed (the
    figures from the actuals left as holes), filled in afterwards, are the
    rows made at once: every view, a subtree, a metric subset in another
    order; made for other metrics or nodes, they are not used."""
    from targetsplit.report.progress import json_ahead
    from targetsplit.track.progress import frame, settle

    plan = load_plan(plan_file).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    rnd = random.Random(5)
    direct = _random_actuals(alloc, rnd)
    first = plan.metrics[0].name
    under = alloc.rows[1].node
    subset = plan.metrics[::-1][:2]
    for offset in (-3, rnd.randint(1, 360), 1000):
        cut = cutoff(plan.breakdown, plan.period.start + timedelta(days=offset))
        f = frame(alloc, cut, targets_to_date(alloc, cut.day)[0])
        p = settle(f, direct)
        for metrics in (plan.metrics, subset):
            for depth, sort_rank, node in (
                (None, None, None),
                (1, None, None),
                (None, first, None),
                (2, first, under),
                (None, None, under),
            ):
                at_once = "".join(progress_json(p, metrics, depth, sort_rank, node))
                made = json_ahead(f, metrics, depth, node)
                assert "".join(progress_json(p, metrics, depth, sort_rank, node, made)) == at_once
        other = json_ahead(f, subset, 0, None)  # other metrics, and the root alone
        assert "".join(progress_json(p, plan.metrics, None, None, None, other)) == "".join(
            progress_json(p, plan.metrics, None, None)
        )


@pytest.mark.parametrize("engine_bytes", [None, 0])
def test_progress_makes_the_json_rows_while_the_actuals_are_read(
    engine_bytes: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``progress(ahead=...)`` runs it while the actuals are read (by Python, or
    by DuckDB's child: every file counts as large with FAST_BYTES 0), and the
    JSON written from what it made is the JSON written without it."""
    from targetsplit.api.progress import progress
    from targetsplit.report.formats import Format, Stream
    from targetsplit.report.progress import JsonAhead, ahead, render
    from targetsplit.track import actuals

    if engine_bytes is not None:
        monkeypatch.setattr(actuals, "FAST_BYTES", engine_bytes)
    plan, csv = str(EXAMPLES / "fy2026.yaml"), str(EXAMPLES / "fy2026-actuals.csv")
    assert ahead(Format.csv, None, False) is None
    assert ahead(Format.json, None, True) is None  # (a leaderboard)
    made = progress(plan, week=20, actuals=csv, ahead=ahead(Format.json, 1, False))
    plain = progress(plan, week=20, actuals=csv)
    assert isinstance(made.ahead, JsonAhead) and plain.ahead is None
    shown = [render(r, Format.json, 1, False) for r in (made, plain)]
    assert all(isinstance(s, Stream) for s in shown)
    texts = ["".join(s.pieces) for s in shown if isinstance(s, Stream)]
    assert texts[0] == texts[1]


def test_judging_by_one_key_a_node_is_judging_node_by_node() -> None:
    """Status, projection and tier by the attainment's key (bisected among the
    tiers') are those compared node by node: equal tier shares, a 0 % tier,
    negative actuals and targets, no target to date."""
    from dataclasses import replace

    from targetsplit.track.progress import _judge_by_key, _judge_each

    plan = load_plan(str(EXAMPLES / "fy2026.yaml")).plan
    rnd = random.Random(3)
    for _ in range(200):
        names = [f"t{i}" for i in range(rnd.randint(0, 4))]
        tiers = {n: Fraction(rnd.choice([0, 50, 90, 100, 100, 120, 150]), 100) for n in names}
        p = replace(
            plan, tiers=tiers, green=Fraction(rnd.randint(80, 110), 100), yellow=Fraction(3, 4)
        )
        order = sorted(tiers.items(), key=lambda kv: kv[1])[::-1]
        ut = rnd.choice([1, 100, 10**6])
        n = 50
        target = [rnd.randint(-5, 300) for _ in range(n)]
        ttd = [rnd.choice([0, rnd.randint(0, 200)]) for _ in range(n)]
        actual = [rnd.randint(-50, 400) * ut // rnd.choice([1, 3]) for _ in range(n)]
        args = (p, ut, (target, ttd), actual, order)
        assert _judge_by_key(*args) == _judge_each(*args)


def test_actuals_of_no_node_or_metric_of_the_plan_are_left_out() -> None:
    plan = load_plan(str(EXAMPLES / "fy2026.yaml")).plan
    assert plan.breakdown is not None
    alloc = allocate(plan)
    direct = _random_actuals(alloc, random.Random(8))
    cut = cutoff(plan.breakdown, plan.period.start + timedelta(days=100))
    to_date = targets_to_date(alloc, cut.day)[0]
    more = {("No such node", plan.metrics[0].name): Decimal(5), ("", "no_metric"): Decimal(1)}
    for extra in ({**more, **direct}, {**direct, **more}):
        p, q = compute(alloc, cut, to_date, extra), compute(alloc, cut, to_date, direct)
        assert [r.figures for r in p.rows] == [r.figures for r in q.rows]
