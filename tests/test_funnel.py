"""Derived metrics, the funnel (issue 13 part 1, 倒推): the guides' figures, the
rounding up at leaves and sums at parents, drivers, tiers, time, tracking and
the planning cycle."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, write
from targetsplit.plan.load import parse_plan
from targetsplit.split.hierarchy import allocate
from targetsplit.split.timesplit import split_over_time

GUIDES = """\
plan: Funnel
period: 2026
metrics:
  revenue: {total: 1千万}
  deals: {from: revenue, per: 10万}
  leads: {from: deals, rate: 20%}
  visits: {from: leads, per: 0.5}
split:
  Large: {weight: 50%, drivers: {deals: 50万}}
  Mid:   {weight: 30%, drivers: {deals: 10万}}
  Small: {weight: 20%, drivers: {deals: 2万}}
"""


def _targets(run, plan: str, *extra: str) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    result = run("allocate", plan, "--format", "json", *extra)
    assert result.code == 0, result.err
    return {n["path"]: n["targets"] for n in json.loads(result.out)["nodes"]}


def test_the_guides_funnel_exactly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    t = _targets(run, write(tmp_path, GUIDES))
    assert [t[k]["revenue"] for k in ("Large", "Mid", "Small")] == [5_000_000, 3_000_000, 2_000_000]
    assert [t[k]["deals"] for k in ("Large", "Mid", "Small")] == [10, 30, 100]
    assert [t[k]["leads"] for k in ("Large", "Mid", "Small")] == [50, 150, 500]
    assert [t[k]["visits"] for k in ("Large", "Mid", "Small")] == [100, 300, 1000]
    assert (t[""]["deals"], t[""]["leads"], t[""]["visits"]) == (140, 700, 1400)


def test_the_example_gives_the_guides_figures_and_reps_add_up(run) -> None:  # type: ignore[no-untyped-def]
    t = _targets(run, str(EXAMPLES / "funnel.yaml"))
    assert [t[k]["deals"] for k in ("Large", "Mid", "Small")] == [10, 30, 100]
    assert [t[k]["leads"] for k in ("Large", "Mid", "Small")] == [50, 150, 500]
    assert (t[""]["deals"], t[""]["leads"]) == (140, 700)
    # Small's 2万 a deal holds for its reps: 120万 -> 60 deals, 80万 -> 40.
    assert (t["Small/Rep Li"]["deals"], t["Small/Rep Wang"]["deals"]) == (60, 40)


def test_the_metric_total_is_the_sum_of_its_leaves() -> None:
    plan = parse_plan(GUIDES, "p.yaml")
    root = allocate(plan).root
    for m in plan.metrics:
        assert root.targets[m.name] == m.total
    assert plan.metric("deals").total == 140


def test_a_leaf_rounds_up_and_a_parent_is_the_sum(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n"
        "  revenue: {total: 1000万, round: 1万}\n"
        "  deals: {from: revenue, per: 30万}\n"
        "  calls: {from: deals, rate: 15%, round: 10}\n"
        "split:\n  A: 51%\n  B: 49%\n",
    )
    t = _targets(run, plan)
    # 510万 / 30万 = 17 exactly; 490万 / 30万 = 16.33 -> 17 (at least 17 deals).
    assert (t["A"]["deals"], t["B"]["deals"], t[""]["deals"]) == (17, 17, 34)
    # 17 / 15% = 113.3 calls, rounded up to a multiple of 10: 120 each.
    assert (t["A"]["calls"], t["B"]["calls"], t[""]["calls"]) == (120, 120, 240)


def test_drivers_hold_for_the_subtree_and_deeper_ones_win(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 100万}\n"
        "  deals: {from: revenue, per: 10万}\n  leads: {from: deals, rate: 20%}\n"
        "split:\n"
        "  East:\n    weight: 60%\n    drivers: {deals: 5万, leads: 50%}\n"
        "    split:\n      A: 50%\n      B: {weight: 50%, drivers: {deals: 3万}}\n"
        "  West: 40%\n",
    )
    t = _targets(run, plan)
    assert t["East/A"]["deals"] == 6  # 30万 / 5万 (East's)
    assert t["East/B"]["deals"] == 10  # 30万 / 3万 (its own)
    assert t["East/B"]["leads"] == 20  # 10 / 50% (East's)
    assert (t["West"]["deals"], t["West"]["leads"]) == (4, 20)  # the metrics' own
    assert t["East"]["deals"] == 16


def test_a_tier_scales_the_source_and_derived_figures_follow(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    t = _targets(run, write(tmp_path, GUIDES), "--tier", "stretch")
    assert t["Large"]["revenue"] == 6_000_000
    assert [t[k]["deals"] for k in ("Large", "Mid", "Small")] == [12, 36, 120]
    assert t[""]["leads"] == 840


def test_weeks_of_derived_metrics_add_up(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", str(EXAMPLES / "funnel.yaml"), "--format", "json", "--by", "week")
    assert result.code == 0, result.err
    nodes = {n["path"]: n for n in json.loads(result.out)["nodes"]}
    for path, n in nodes.items():
        for metric in ("deals", "leads", "visits"):
            weeks = n["periods"][metric]
            assert sum(weeks.values()) == n["targets"][metric], (path, metric)
    small = nodes["Small"]["periods"]["visits"]
    li, wang = (
        nodes["Small/Rep Li"]["periods"]["visits"],
        nodes["Small/Rep Wang"]["periods"]["visits"],
    )
    assert all(small[w] == li[w] + wang[w] for w in small)
    assert sum(li.values()) == 600


def test_dimensions_cut_a_derived_total_in_its_sources_shares(tmp_path: Path) -> None:
    plan = parse_plan(GUIDES + "dimensions:\n  product: {A: 30%, B: 70%}\n", "p.yaml")
    dims = {r.name: r.targets for r in allocate(plan).dimensions["product"]}
    assert (dims["A"]["deals"], dims["B"]["deals"]) == (42, 98)
    assert dims["A"]["leads"] + dims["B"]["leads"] == 700


def test_explain_shows_the_driver_step(run) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", str(EXAMPLES / "funnel.yaml"), "Large", "--metric", "deals")
    assert result.code == 0, result.err
    assert "  2. revenue 500万 ÷ 50万 a deal (its drivers) = 10 deals\n" in result.out
    leads = run("explain", str(EXAMPLES / "funnel.yaml"), "Mid", "--metric", "leads")
    assert "  2. deals 30 ÷ a 20% rate (the metric's own) = 150 leads\n" in leads.out
    total = run("explain", str(EXAMPLES / "funnel.yaml"), "", "--metric", "leads")
    assert "the total: the sum of its children's: Large 50 + Mid 150 + Small 500 = 700" in (
        total.out
    )


def test_explain_says_when_it_rounds_up(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 100}\n"
        "  visits: {from: revenue, per: 3}\nsplit:\n  A: 100%\n",
    )
    result = run("explain", plan, "A", "--metric", "visits")
    assert "revenue 100 ÷ 3 a visit (the metric's own) = ≈33.33, rounded up to 34 visits" in (
        result.out
    )


def test_progress_tracks_derived_metrics_from_actuals(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, GUIDES)
    actuals = write(
        tmp_path,
        "date,node,revenue,deals,leads,visits\n2026-03-02,Large,100万,2,12,30\n"
        "2026-03-03,Small,50万,20,90,200\n",
        "actuals.csv",
    )
    result = run(
        "progress", plan, "--actuals", actuals, "--as-of", "2026-12-31", "--format", "json"
    )
    assert result.code == 0, result.err
    nodes = {n["path"]: n for n in json.loads(result.out)["nodes"]}
    deals = nodes["Small"]["progress"]["deals"]
    assert (deals["target"], deals["actual"], deals["remaining"]) == (100, 20, 80)
    assert nodes[""]["progress"]["leads"]["actual"] == 102


def test_check_against_a_sheet_of_derived_figures(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, GUIDES)
    sheet = write(
        tmp_path, "node,metric,value\nLarge,deals,10\nMid,deals,30\nSmall,deals,90\n", "s.csv"
    )
    result = run("check", plan, "--against", sheet, "--format", "csv")
    assert result.code == 1
    assert "Small,deals,90,100,-10" in result.out


def test_a_per_metric_weight_elsewhere_needs_no_weight_for_a_derived_metric(
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 100万}\n"
        "  deals: {from: revenue, per: 10万}\n"
        "split:\n  A: {weight: {revenue: {amount: 60万}}}\n  B: {weight: {revenue: rest}}\n",
    )
    t = _targets(run, plan)
    assert (t["A"]["deals"], t["B"]["deals"]) == (6, 4)


def test_json_describes_the_derived_metrics(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", str(EXAMPLES / "funnel.yaml"), "--format", "json")
    doc = json.loads(result.out)
    assert doc["derived"] == {
        "deals": {"from": "revenue", "per": 100000},
        "leads": {"from": "deals", "rate": 0.2},
        "visits": {"from": "leads", "per": 0.5},
    }
    plain = run("allocate", str(EXAMPLES / "fy2026.yaml"), "--format", "json")
    assert "derived" not in json.loads(plain.out)


def test_the_schema_knows_derived_metrics_and_drivers(run) -> None:  # type: ignore[no-untyped-def]
    schema = json.loads(run("schema").out)
    metric = schema["$defs"]["MetricDoc"]
    assert {"from", "per", "rate", "total"} <= set(metric["properties"])
    assert "oneOf" in metric
    assert "drivers" in schema["$defs"]["NodeDoc"]["properties"]


def test_a_tiny_driver_past_the_limit_is_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1亿}\n"
        "  calls: {from: revenue, per: 1e-12}\nsplit:\n  A: 100%\n",
    )
    result = run("check", plan)
    assert result.code == 1
    assert result.err.startswith(f"{plan}:5:31: error: metric 'calls': its figures add up to")


def test_rollover_total_of_a_derived_metric_is_a_usage_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, GUIDES)
    actuals = write(tmp_path, "date,node,revenue\n2026-03-02,Large,100万\n", "a.csv")
    result = run("rollover", plan, "--to", "2027", "--actuals", actuals, "--total", "deals=5")
    assert result.code == 2
    assert "deals is derived from revenue" in result.err


def test_leaf_figure_is_the_ceiling_of_source_over_driver() -> None:
    plan = parse_plan(GUIDES, "p.yaml")
    alloc = allocate(plan, "floor")
    for row in alloc.rows:
        if row.node.children:
            continue
        d = row.node.drivers["deals"]
        expected = math.ceil(Fraction(row.targets["revenue"]) / d.value)
        assert row.units["deals"] == expected


@st.composite
def _funnel_plans(draw: st.DrawFn) -> str:
    """A random tree with revenue split by percents and ratios, deals derived per a
    random deal size, leads from deals by a random rate; random drivers on nodes."""
    unit = draw(st.sampled_from(["1", "100", "10000", "0.01"]))
    total = Decimal(draw(st.integers(0, 10**6))) * Decimal(unit)
    lines = [
        "plan: Random funnel",
        f"period: {draw(st.sampled_from(['2026', '2026-Q3', '2027-H1']))}",
        "metrics:",
        f"  revenue: {{total: {total}, round: {unit}}}",
        f"  deals: {{from: revenue, per: {draw(_drivers)}}}",
        f"  leads: {{from: deals, rate: {draw(st.integers(1, 150))}%,"
        f" round: {draw(st.sampled_from([1, 5]))}}}",
        "split:",
    ]
    counter = iter(range(10**6))

    def group(depth: int, indent: str) -> None:
        n = draw(st.integers(1, 4))
        if draw(st.booleans()):
            weights = [str(draw(st.integers(1, 9))) for _ in range(n)]
        else:
            cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
            weights = [f"{b - a}%" for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        for weight in weights:
            lines.append(f"{indent}N{next(counter)}:")
            lines.append(f"{indent}  weight: {weight}")
            if draw(st.booleans()):
                drivers = {"deals": draw(_drivers)}
                if draw(st.booleans()):
                    drivers["leads"] = f"{draw(st.integers(1, 100))}%"
                lines.append(
                    f"{indent}  drivers: {{{', '.join(f'{k}: {v}' for k, v in drivers.items())}}}"
                )
            if depth < 3 and draw(st.booleans()):
                lines.append(f"{indent}  split:")
                group(depth + 1, indent + "    ")

    group(1, "  ")
    return "\n".join(lines) + "\n"


_drivers = st.sampled_from(["0.5", "1", "3", "7", "250", "1万", "0.03", "12.5"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_funnel_plans(), st.sampled_from([None, "floor", "stretch"]))
def test_random_funnels_round_up_at_leaves_and_add_up(text: str, tier: str | None) -> None:
    plan = parse_plan(text, "p.yaml")
    alloc = allocate(plan, tier)
    by_path = {r.path: r for r in alloc.rows}
    for row in alloc.rows:
        node = row.node
        if node.children:
            for name in ("deals", "leads"):
                assert row.units[name] == sum(by_path[c.key].units[name] for c in node.children)
            continue
        for name, source in (("deals", "revenue"), ("leads", "deals")):
            driver = node.drivers[name]
            exact = Fraction(row.targets[source]) / driver.value
            unit = Fraction(plan.metric(name).unit)
            assert row.units[name] == math.ceil(exact / unit)
    if tier is None:
        assert all(alloc.root.targets[m.name] == m.total for m in plan.metrics)
    weeks = split_over_time(alloc, "week")
    for row in alloc.rows:
        for name in ("deals", "leads"):
            cells = weeks.units[row.path][name]
            assert sum(cells) == row.units[name]
            if row.node.children:
                kids = [weeks.units[c.key][name] for c in row.node.children]
                assert list(cells) == [sum(k) for k in zip(*kids, strict=True)]


def test_cross_and_review_take_derived_metrics(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        GUIDES.replace(
            "Large: {weight: 50%,", "Large: {weight: 50%, mix: {product: {A: 80%, B: 20%}},"
        )
        + "dimensions:\n  product: {A: 40%, B: 60%}\n",
    )
    result = run("allocate", plan, "--cross", "product", "--format", "json")
    assert result.code == 0, result.err
    nodes = {n["path"]: n for n in json.loads(result.out)["nodes"]}
    for path, n in nodes.items():
        cells = n["cross"]["product"]
        assert sum(c["deals"] for c in cells.values()) == n["targets"]["deals"], path
    root = nodes[""]["cross"]["product"]
    assert (root["A"]["deals"], root["B"]["deals"]) == (56, 84)  # 140 in revenue's 40 : 60
    actuals = write(tmp_path, "date,node,deals\n2026-02-02,Small,30\n", "a.csv")
    review = run("review", plan, "--actuals", actuals, "--period", "2026-Q1", "--format", "json")
    assert review.code == 0, review.err
    assert '"deals"' in review.out
