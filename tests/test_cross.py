"""Crossing the hierarchy with a dimension (issue 13, part 3): ``mix:`` and ``--cross``."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from targetsplit.errors import Diagnostic, PlanError
from targetsplit.plan.load import parse_plan
from targetsplit.plan.tree import Metric, Node
from targetsplit.split.cross import GRID, TOLERANCE, Fit, cross, fit_group
from targetsplit.split.hierarchy import allocate

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


# --- the fit, one sibling group at a time -------------------------------------------


REVENUE = Metric("revenue", Decimal(0), Decimal(1), None, "full")


def group(mixes: list[list[int] | None]) -> Node:
    kids = tuple(
        Node(
            f"c{i}",
            ("P", f"c{i}"),
            {},
            {},
            mix=None if mix is None else {"d": tuple(Fraction(w, sum(mix)) for w in mix)},
        )
        for i, mix in enumerate(mixes)
    )
    return Node("P", ("P",), {}, {}, children=kids)


def fit(mixes: list[list[int] | None], rows: list[int], columns: list[int]) -> Fit | Diagnostic:
    items = [f"i{j}" for j in range(len(columns))]
    return fit_group(group(mixes), REVENUE, "d", items, rows, columns)


def feasible(mixes: list[list[int] | None], rows: list[int], columns: list[int]) -> bool:
    """Gale's condition by brute force: every set of items is needed no more than
    the children that may take them hold."""
    k = len(columns)
    total = sum(columns)
    support = [
        [bool(w) for w in mix] if mix is not None else [bool(c) for c in columns] for mix in mixes
    ]
    if total == 0:
        return True
    for size in range(1, k + 1):
        for items in combinations(range(k), size):
            takers = sum(r for r, s in zip(rows, support, strict=True) if any(s[j] for j in items))
            if sum(columns[j] for j in items) > takers:
                return False
    return True


@st.composite
def groups(draw) -> tuple[list[list[int] | None], list[int], list[int]]:  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 4))
    rows = draw(st.lists(st.integers(0, 10 ** draw(st.integers(1, 9))), min_size=n, max_size=n))
    total = sum(rows)
    weights = draw(st.lists(st.integers(0, 9), min_size=k, max_size=k))
    if not any(weights):
        weights[0] = 1
    from targetsplit.numbers.apportion import largest_remainder

    columns = largest_remainder(total, weights)
    mixes: list[list[int] | None] = []
    for _ in range(n):
        mix = draw(st.none() | st.lists(st.integers(0, 9), min_size=k, max_size=k))
        if mix is not None and not any(mix):
            mix[draw(st.integers(0, k - 1))] = 1
        mixes.append(mix)
    return mixes, rows, columns


@settings(max_examples=300, deadline=None)
@given(groups())
def test_random_mixes_give_rows_and_columns_that_add_up(case) -> None:  # type: ignore[no-untyped-def]
    mixes, rows, columns = case
    result = fit(mixes, rows, columns)
    if not feasible(mixes, rows, columns):
        assert isinstance(result, Diagnostic)
        child = int(result.loc[3].removeprefix("c"))  # ("split", "P", "split", "cI", "mix", "d")
        assert mixes[child] is not None and rows[child] > 0
        return
    assert isinstance(result, Fit), result
    cells = result.cells
    assert [sum(row) for row in cells] == rows
    assert [sum(col) for col in zip(*cells, strict=True)] == columns
    for i, mix in enumerate(mixes):
        for j in range(len(columns)):
            if mix is not None and not mix[j]:
                assert cells[i][j] == 0  # an item a mix leaves out stays out
            assert cells[i][j] >= 0
    off = sum(
        abs(sum(col) - c) for col, c in zip(zip(*result.fitted, strict=True), columns, strict=True)
    )
    assert [sum(row) for row in result.fitted] == rows  # rows exact, always
    # Within 2^-30 of a unit, or a slow fit stopped within a unit after 1,000 rounds.
    assert off <= Fraction(TOLERANCE, GRID) or (result.rounds >= 1000 and off < 1)
    for row, fitted in zip(cells, result.fitted, strict=True):
        for x, y in zip(row, fitted, strict=True):
            assert y - 1 < x < y + 1  # the floor or the ceiling of its fitted value


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.integers(1, 4).flatmap(
            lambda k: st.lists(
                st.lists(st.integers(0, 10**6), min_size=k, max_size=k), min_size=n, max_size=n
            )
        )
    )
)
def test_mixes_consistent_with_the_totals_come_out_exactly(matrix: list[list[int]]) -> None:
    rows = [sum(r) for r in matrix]
    columns = [sum(c) for c in zip(*matrix, strict=True)]
    mixes = [list(r) if any(r) else None for r in matrix]
    result = fit(mixes, rows, columns)
    assert isinstance(result, Fit)
    assert result.rounds == 0
    assert [list(r) for r in result.cells] == matrix


@settings(max_examples=200, deadline=None)
@given(groups())
def test_the_fit_is_bi_proportional(case) -> None:  # type: ignore[no-untyped-def]
    """Fitted values are a row factor x a column factor x the seed: the cross-ratios
    of the seeds are kept (to the grid's precision, where the cells are not tiny)."""
    mixes, rows, columns = case
    result = fit(mixes, rows, columns)
    if not isinstance(result, Fit) or result.rounds in (0, 1000):
        return
    y = result.fitted
    s = [[r * w for w in seed] for r, seed in zip(rows, result.seeds, strict=True)]
    n, k = len(rows), len(columns)
    for i, i2 in combinations(range(n), 2):
        for j, j2 in combinations(range(k), 2):
            if min(y[i][j], y[i2][j2], y[i][j2], y[i2][j]) < 1000:
                continue
            left = y[i][j] * y[i2][j2] * s[i][j2] * s[i2][j]
            right = y[i][j2] * y[i2][j] * s[i][j] * s[i2][j2]
            assert abs(left / right - 1) < Fraction(1, 10**6)


# --- whole plans -------------------------------------------------------------------


ITEMS = ["High-end", "Mid-range", "New"]


@st.composite
def crossed_plans(draw) -> str:  # type: ignore[no-untyped-def]
    def mix() -> dict[str, dict[str, int]] | None:
        weights = draw(st.lists(st.integers(0, 5), min_size=3, max_size=3))
        if not any(weights) or draw(st.booleans()):
            return None
        return {"product": {i: w for i, w in zip(ITEMS, weights, strict=True) if w}}

    def group(depth: int) -> dict[str, object]:
        out: dict[str, object] = {}
        for c in range(draw(st.integers(1, 4))):
            node: dict[str, object] = {"weight": draw(st.integers(0, 9)) or "rest"}
            if node["weight"] == "rest":
                node["weight"] = 1
            m = mix()
            if m is not None:
                node["mix"] = m
            if depth < 2 and draw(st.booleans()):
                node["split"] = group(depth + 1)
            out[f"n{depth}{c}"] = node
        return out

    doc = {
        "plan": "P",
        "period": 2026,
        "metrics": {
            "revenue": {"total": draw(st.integers(0, 10**6)) * 10000, "round": 10000},
            "units": {"total": draw(st.integers(0, 500))},
        },
        "dimensions": {
            "product": {i: draw(st.integers(0, 5)) or 1 for i in ITEMS},
        },
        "split": group(0),
    }
    return yaml.safe_dump(doc, allow_unicode=True)


@settings(max_examples=150, deadline=None)
@given(crossed_plans(), st.sampled_from([None, "stretch"]))
def test_every_node_adds_up_across_and_down(text: str, tier: str | None) -> None:
    plan = parse_plan(text, "p.yaml")
    alloc = allocate(plan, tier)
    try:
        result = cross(alloc, "product")
    except PlanError as e:
        for d in e.diagnostics:
            assert "cannot add up" in d.message
            assert d.loc[-2:] == ("mix", "product")
        return
    dims = alloc.dimensions["product"]
    for m in plan.metrics:
        root = result.units[""][m.name]
        assert list(result.values("", m.name)) == [row.targets[m.name] for row in dims]
        assert sum(root) == alloc.root.units[m.name]
        for node in plan.nodes():
            cells = result.units[node.key][m.name]
            assert sum(cells) == alloc.row(node.key).units[m.name]  # across
            assert min(cells) >= 0
            if node.children:  # down
                kids = [result.units[c.key][m.name] for c in node.children]
                assert [sum(col) for col in zip(*kids, strict=True)] == list(cells)
            if node.mix is not None:
                for share, cell in zip(node.mix["product"], cells, strict=True):
                    assert share or not cell  # nothing where its mix has nothing


def test_the_example_comes_out_as_stated() -> None:
    from conftest import EXAMPLES

    plan = parse_plan((EXAMPLES / "cross-2026.yaml").read_text(encoding="utf-8"), "x.yaml")
    result = cross(allocate(plan), "product")
    revenue = {k: v["revenue"] for k, v in result.units.items()}
    assert revenue[""] == (3600, 6000, 2400)  # 1.2亿 by 30/50/20 %, in 万
    assert revenue["North"] == (1440, 1440, 720)  # 3600万 by 40/40/20 %
    assert revenue["East"] == (1440, 2400, 960)  # 4800万 by 30/50/20 %
    assert revenue["South"] == (720, 2160, 720)  # 3600万 by 20/60/20 %
    assert result.fits[("", "revenue")].consistent
    east = result.fits[("East", "revenue")]
    assert not east.consistent and east.rounds > 0
    groups = [revenue[f"East/Group {i}"] for i in (1, 2, 3)]
    assert [sum(g) for g in groups] == [1800, 1600, 1400]
    assert [sum(col) for col in zip(*groups, strict=True)] == [1440, 2400, 960]
    assert {k: v["new_customers"] for k, v in result.units.items() if "/" not in k} == {
        "": (60, 100, 40),
        "North": (24, 24, 12),
        "East": (24, 40, 16),
        "South": (12, 36, 12),
    }


def test_a_mix_the_totals_cannot_meet_is_an_error_at_it() -> None:
    plan = parse_plan(
        HEAD + "  A:\n    weight: 50%\n    mix: {product: {High-end: 100%}}\n"
        "  B:\n    weight: 50%\n    mix: {product: {High-end: 50%, Mid-range: 50%}}\n",
        "p.yaml",
    )
    try:
        cross(allocate(plan), "product")
    except PlanError as e:
        assert [(d.message, d.loc) for d in e.diagnostics] == [
            (
                "the mixes by product at the top level cannot add up in revenue: no child's"
                " mix includes 'New', but the total has 2,400万 of it",
                ("split", "A", "mix", "product"),
            )
        ]
    else:
        raise AssertionError("no error")


# --- the command line ----------------------------------------------------------------

EXAMPLE = "examples/cross-2026.yaml"


def test_json_gives_every_node_its_cells(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = run("allocate", EXAMPLE, "--cross", "product", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["cross"] == "product"
    nodes = {n["path"]: n for n in doc["nodes"]}
    assert nodes["North"]["cross"] == {
        "product": {
            "High-end": {"revenue": 14400000, "new_customers": 24},
            "Mid-range": {"revenue": 14400000, "new_customers": 24},
            "New": {"revenue": 7200000, "new_customers": 12},
        }
    }
    for n in doc["nodes"]:
        cells = n["cross"]["product"]
        for metric, target in n["targets"].items():
            assert sum(c[metric] for c in cells.values()) == target


def test_csv_has_a_row_per_node_and_item(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = run(
        "allocate", EXAMPLE, "--cross", "product", "-f", "csv", "--depth", "1", "-m", "revenue"
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "path,name,depth,dimension,item,revenue"
    assert lines[1] == ",FY2026 Region × Product,0,product,High-end,36000000"
    assert lines[4:7] == [
        "North,North,1,product,High-end,14400000",
        "North,North,1,product,Mid-range,14400000",
        "North,North,1,product,New,7200000",
    ]
    assert len(lines) == 1 + 4 * 3  # the root and three regions, three items each


def test_names_are_data_in_every_format(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import write

    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026\nmetrics:\n  revenue: {total: 100}\n"
        "dimensions:\n  product: {'=1+2': 50%, '[red]x': 50%}\n"
        "split:\n  A:\n    weight: 100%\n    mix: {product: {'=1+2': 30%, '[red]x': 70%}}\n",
    )
    csv = run("allocate", plan, "--cross", "product", "-f", "csv")
    assert csv.code == 0, csv.err
    assert ",product,'=1+2,50" in csv.out
    table = run("allocate", plan, "--cross", "product", "-f", "table")
    assert "[red]x" in table.out
    assert json.loads(run("allocate", plan, "--cross", "product", "-f", "json").out)


def test_a_tier_scales_the_cells(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = run("allocate", EXAMPLE, "--cross", "product", "-f", "json", "--tier", "stretch")
    nodes = {n["path"]: n for n in json.loads(result.out)["nodes"]}
    assert nodes["North"]["cross"]["product"]["High-end"]["revenue"] == 17280000  # 1440万 x 1.2
    for n in nodes.values():
        cells = n["cross"]["product"]
        assert sum(c["revenue"] for c in cells.values()) == n["targets"]["revenue"]


def test_usage_errors_exit_2(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    unknown = run("allocate", EXAMPLE, "--cross", "prodct")
    assert (unknown.code, unknown.out) == (2, "")
    assert unknown.err == (
        "error: unknown dimension 'prodct'; did you mean 'product'?;"
        " the plan's dimensions are: product\n"
    )
    none = run("allocate", "examples/two-reps.yaml", "--cross", "product")
    assert none.code == 2
    assert "the plan has no dimensions" in none.err
    by = run("allocate", EXAMPLE, "--cross", "product", "--by", "quarter")
    assert by.code == 2
    assert "--cross cannot be combined with --by or --period" in by.err


def test_mixes_that_cannot_add_up_are_plan_errors(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import write

    plan = write(
        tmp_path,
        HEAD + "  A:\n    weight: 50%\n    mix: {product: {High-end: 50%, Mid-range: 50%}}\n"
        "  B:\n    weight: 50%\n    split:\n"
        "      B1:\n        weight: 50%\n        mix: {product: {New: 1}}\n"
        "      B2: 50%\n",
    )
    expected = (
        f"{plan}:17:24: error: the mixes by product under 'B' cannot add up in revenue:"
        " 'B1' holds 3,000万, but its mix includes only 'New', of which 'B' has 2,400万\n"
    )
    for command in (["allocate", plan, "--cross", "product"], ["check", plan]):
        result = run(*command)
        assert (result.code, result.out, result.err) == (1, "", expected)
    assert run("allocate", plan).code == 0  # without --cross, the mixes are not used


def test_explain_states_the_fit(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = run(
        "explain", EXAMPLE, "North", "--cross", "product", "-m", "new_customers", "-f", "json"
    )
    assert result.code == 0, result.err
    texts = [s["text"] for s in json.loads(result.out)["steps"]]
    assert texts[2:] == [
        "the total by product (dimensions:): High-end 60, Mid-range 100, New 40",
        "North 60: its mix High-end 40%, Mid-range 40%, New 20% → seeds 24, 24, 12",
        "under the total, the children's seeds add up to the total's High-end 60,"
        " Mid-range 100, New 40: kept exactly, no fitting needed",
        "North: High-end 24, Mid-range 24, New 12 (whole units already)",
    ]
    group2 = run("explain", EXAMPLE, "Group 2", "--cross", "product", "-m", "revenue")
    assert "Group 2 1,600万: no mix of its own, so East's as it came out, High-end 30%" in (
        group2.out
    )
    assert "fitted bi-proportionally (IPF, 9 rounds) → Group 2 High-end ≈368.7万" in group2.out
    unknown = run("explain", EXAMPLE, "North", "--cross", "region")
    assert unknown.code == 2
    assert "the plan's dimensions are: product" in unknown.err


def test_replan_and_rollover_keep_the_mixes(run, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    text = (ROOT / "examples" / "fy2026.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    owner: Manager Li\n",
        "    owner: Manager Li\n    mix: {product: {High-end: 40%, Mid-range: 40%, New: 20%}}\n",
    ).replace("actuals: fy2026-actuals.csv", f"actuals: {ROOT / 'examples/fy2026-actuals.csv'}")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    for command in (["replan", str(plan), "--week", "26"], ["rollover", str(plan), "--to", "2027"]):
        new = tmp_path / "new.yaml"
        result = run(*command, "-o", str(new), "-q")
        assert result.code == 0, result.err
        written = new.read_text(encoding="utf-8")
        assert "    mix: {product: {High-end: 40%, Mid-range: 40%, New: 20%}}\n" in written
        crossed = run("allocate", str(new), "--cross", "product", "-f", "json", "-q")
        assert crossed.code == 0, crossed.err
