"""The warning given where the time ledger's rounding falls back to the
whole-tree flow (its search gave up): which metrics, how far off, and that
every command whose figures come from the ledger says so once per metric.

The search gives up only on rare, large plans (a minute's rounding), so here
it is made to: ``round_by_search`` as the ledger calls it answers None, and
so does the search over the weeks and months and the days found off that
comes first where the days get stuck (tests/test_ledger_days.py tries it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import write
from targetsplit.api.allocate import allocate as allocate_plan
from targetsplit.api.review import review
from targetsplit.api.rollover import rollover
from targetsplit.errors import Diagnostic
from targetsplit.plan.load import load_plan
from targetsplit.split import ledger as ledger_module
from targetsplit.split.hierarchy import allocate
from targetsplit.split.ledger import Loose, build

ROOT = Path(__file__).resolve().parent.parent
# Three metrics, two of which (m0, m2) get stuck parent by parent and need the search.
STUCK = ROOT / "tests" / "ledger" / "stuck-siblings-b.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FLOW = "so it was rounded as one flow"
Run = Callable[..., Any]  # conftest's run: main in this process, its output captured


@pytest.fixture
def flowed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The search gives up; the metrics rounded as one flow, as they are (by
    their plan totals, told apart in the plan used here)."""
    totals = {u: m for m, u in allocate(load_plan(str(STUCK)).plan).rows[0].units.items()}
    assert len(totals) == 3
    seen: list[str] = []
    flow = ledger_module._round_tree_by_flow

    def spy(root, units, exact, denoms):  # type: ignore[no-untyped-def]
        seen.append(totals[units[root.key]])
        return flow(root, units, exact, denoms)

    monkeypatch.setattr(ledger_module, "round_by_search", lambda *a, **k: None)
    monkeypatch.setattr(ledger_module, "_round_by_cut_days", lambda *a: None)
    monkeypatch.setattr(ledger_module, "_round_tree_by_flow", spy)
    return seen


def test_the_ledger_tells_which_metrics_and_how_far(flowed: list[str]) -> None:
    alloc = allocate(load_plan(str(STUCK)).plan)
    ledger = build(alloc, keep_exact=True)
    assert flowed and len(set(flowed)) == len(flowed)  # each metric once
    assert [x.metric for x in ledger.loose] == flowed  # in plan order
    assert ledger.exact is not None
    nodes = list(alloc.plan.root.walk())
    for x in ledger.loose:
        # Worked out again here: each node's running total less exact, at the
        # end of every segment.
        far = {}
        for node in nodes:
            d = ledger.denoms[node.key]
            run, worst = Fraction(0), Fraction(0)
            for cell, exact in zip(
                ledger.units[node.key][x.metric], ledger.exact[node.key][x.metric], strict=True
            ):
                run += cell - Fraction(exact, d)
                worst = max(worst, abs(run))
            far[node.key] = worst
        assert x.nodes == len(nodes)
        assert x.worst == max(far.values()) > 1
        assert x.over == sum(1 for f in far.values() if f > 1) > 0
        leaves = [n.key for n in nodes if not n.children]
        assert x.ends == all(far[k] <= 1 for k in [alloc.plan.root.key, *leaves])


def test_ordinary_plans_are_not_loose() -> None:
    """The search rounds the stuck plan (nothing falls back), and the examples
    never need it: no metric is loose and no command warns so."""
    assert build(allocate(load_plan(str(STUCK)).plan)).loose == ()
    for path in EXAMPLES:
        warned: list[Diagnostic] = []
        result = allocate_plan(path, by="week", on_warning=warned.append)
        assert result.split is not None and result.split.loose == (), path.name
        assert not [d for d in warned if FLOW in d.message], path.name


def test_the_message() -> None:
    hard = Loose("m0", 1861, 232, Fraction(43, 20), True).warning()
    assert hard == Diagnostic(
        "metric 'm0': no rounding over time was found that keeps every node's running total"
        " within a unit of exact, so it was rounded as one flow: 232 of 1,861 nodes' running"
        " totals are more than a unit off at the end of a week or month, by up to 2.15"
        " rounding units (the plan total's and every leaf's are within a unit at the end of"
        " each week and month, a target to date between them may be further off)",
        ("metrics", "m0"),
        severity="warning",
    )
    # The bound is rounded up to the hundredth: never understated, over 1 never "1.00".
    for worst, shown in [
        (Fraction(1001, 1000), "1.01"),
        (Fraction(201, 100), "2.01"),
        (Fraction(2001, 1000), "2.01"),
        (Fraction(2999, 1000), "3.00"),
        (Fraction(43, 20), "2.15"),
    ]:
        assert (
            Loose("m0", 3, 1, worst, False)
            .warning()
            .message.endswith(
                f" by up to {shown} rounding units (a target to date between the ends of weeks"
                " and months may be further off)"
            )
        ), worst
    assert Loose("m0", 3, 0, Fraction(1, 2), True).warning().message == (
        "metric 'm0': no rounding over time was found that keeps every node's target to date"
        " within a unit of exact on every day, so it was rounded as one flow: every running"
        " total is within a unit at the end of each week and month, a target to date between"
        " them may be further off"
    )


def _warned(err: str) -> list[str]:
    """The flow warnings on standard error, as ``place: metric``."""
    out = []
    for line in err.splitlines():
        if FLOW in line:
            place, _, rest = line.partition(": warning: metric '")
            out.append(f"{Path(place).name}: {rest.split(chr(39))[0]}")
    return out


def _expected(flowed: list[str]) -> list[str]:
    """Each metric's warning placed at its key under ``metrics:``."""
    lines = STUCK.read_text(encoding="utf-8").splitlines()
    return [f"{STUCK.name}:{lines.index(f'  {m}:') + 1}:3: {m}" for m in dict.fromkeys(flowed)]


def test_allocate_warns_once_per_metric_at_the_metric(
    flowed: list[str], run: Run, tmp_path: Path
) -> None:
    done = run("allocate", str(STUCK), "--by", "month")
    assert done.code == 0  # a warning: the exit code is still 0
    assert _warned(done.err) == _expected(flowed) and len(flowed) < 3
    assert f"{STUCK.name}:4:3: warning: metric 'm0': no rounding over time" in done.err
    # JSON carries no warnings (none of the formats do): they go to standard error.
    out = tmp_path / "a.json"
    flowed.clear()
    done = run("allocate", str(STUCK), "--by", "week", "-f", "json", "-o", str(out))
    assert done.code == 0 and _warned(done.err) == _expected(flowed)
    assert FLOW not in out.read_text(encoding="utf-8")
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"][0]["periods"]
    flowed.clear()
    quiet = run("allocate", str(STUCK), "--period", "2026-Q2", "-q")
    assert quiet.code == 0 and quiet.err == "" and flowed
    # Without periods the ledger is not built: nothing to say.
    flowed.clear()
    plain = run("allocate", str(STUCK))
    assert not flowed and not _warned(plain.err)


def test_every_command_from_the_ledger_warns_once_per_metric(
    flowed: list[str], run: Run, tmp_path: Path
) -> None:
    csv = write(tmp_path, "date,node,metric,value\n2026-03-02,b,m1,5\n", "actuals.csv")
    commands = [
        ("explain", str(STUCK), "b", "--period", "2026-Q2"),
        ("progress", str(STUCK), "-a", csv, "--as-of", "2026-06-30"),
        ("progress", str(STUCK), "-a", csv, "--as-of", "2026-06-30", "--window", "month"),
        (
            "progress",
            str(STUCK),
            "-a",
            csv,
            "-w",
            "26",
            "-f",
            "html",
            "-o",
            str(tmp_path / "p.html"),
        ),
        (
            "progress",
            str(STUCK),
            "-a",
            csv,
            "-w",
            "26",
            "-f",
            "xlsx",
            "-o",
            str(tmp_path / "p.xlsx"),
        ),
        ("review", str(STUCK), "-a", csv, "--period", "2026-Q1"),
    ]
    for args in commands:
        flowed.clear()
        done = run(*args)
        assert done.code == 0, (args, done.err)
        assert flowed and _warned(done.err) == _expected(flowed), args
    # A review of the whole period, ended, takes each node's whole target: no ledger.
    flowed.clear()
    warned: list[Diagnostic] = []
    review(STUCK, actuals=csv, today=date(2027, 1, 4), on_warning=warned.append)
    assert not flowed and not [d for d in warned if FLOW in d.message]


def test_rollover_carrying_a_shortfall_to_date_warns(flowed: list[str], tmp_path: Path) -> None:
    csv = write(tmp_path, "date,node,metric,value\n2026-03-02,b,m1,5\n", "actuals.csv")
    warned: list[Diagnostic] = []
    rollover(
        STUCK, to="2027", actuals=csv, carry=True, today=date(2026, 6, 30), on_warning=warned.append
    )
    assert flowed
    assert [d.message.split("'")[1] for d in warned if FLOW in d.message] == flowed


def test_progress_by_dimension_warns(flowed: list[str], tmp_path: Path, run: Run) -> None:
    (tmp_path / "deals.csv").write_text(
        "Day,Who,Product,Amount\n2026-03-02,b,A,5\n", encoding="utf-8"
    )
    plan = write(
        tmp_path,
        STUCK.read_text(encoding="utf-8")
        + "dimensions:\n  product: {A: 40%, B: 60%}\n"
        + "actuals:\n  file: deals.csv\n  date: Day\n  node: Who\n"
        + "  values: {m1: Amount}\n  dimensions: {product: Product}\n",
        STUCK.name,
    )
    done = run("progress", plan, "--as-of", "2026-06-30", "--dimension", "product")
    assert done.code == 0, done.err
    assert flowed and _warned(done.err) == _expected(flowed)


def test_only_the_metrics_a_command_shows_are_warned_of(
    flowed: list[str], run: Run, tmp_path: Path
) -> None:
    """A command with ``--metric`` warns of the metrics it shows, not of the
    others the ledger rounded as one flow (the ledger still rounds them all)."""
    csv = write(tmp_path, "date,node,metric,value\n2026-03-02,b,m1,5\n", "actuals.csv")
    commands = [
        ("allocate", str(STUCK), "--by", "month"),
        ("explain", str(STUCK), "b", "--period", "2026-Q2"),
        ("progress", str(STUCK), "-a", csv, "--as-of", "2026-06-30"),
        ("progress", str(STUCK), "-a", csv, "--as-of", "2026-06-30", "--window", "month"),
        ("review", str(STUCK), "-a", csv, "--period", "2026-Q1"),
    ]
    for args in commands:
        flowed.clear()
        run(*args)
        stuck = list(dict.fromkeys(flowed))
        assert "m1" not in stuck and len(stuck) == 2, args  # m0 and m2 fall back, m1 not
        for m in ("m1", stuck[0]):
            flowed.clear()
            done = run(*args, "--metric", m)
            assert done.code == 0, (args, done.err)
            assert flowed, args  # the ledger was built, every metric rounded
            assert _warned(done.err) == _expected([m] if m in stuck else []), (args, m)
        flowed.clear()
        done = run(*args, "--metric", stuck[1], "--metric", "m1")
        assert _warned(done.err) == _expected([stuck[1]]), args


def test_progress_outside_the_period_does_not_warn(
    flowed: list[str], run: Run, tmp_path: Path
) -> None:
    """On or after the period's last day every target to date is the node's whole
    target, before the period 0: not from the rounding, so no warning. The day
    before the last is rounded: it warns."""
    csv = write(tmp_path, "date,node,metric,value\n2026-03-02,b,m1,5\n", "actuals.csv")
    for day, warns in [
        ("2025-06-30", False),
        ("2026-01-01", True),
        ("2026-12-30", True),
        ("2026-12-31", False),
        ("2027-02-01", False),
    ]:
        flowed.clear()
        done = run("progress", str(STUCK), "-a", csv, "--as-of", day)
        assert done.code == 0, done.err
        assert flowed, day  # the ledger is still built
        assert _warned(done.err) == (_expected(flowed) if warns else []), day
