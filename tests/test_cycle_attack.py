"""replan, rollover and review attacked from outside: inputs of shapes their
authors had not tried, each a regression test for what it broke."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from targetsplit.api.replan import replan
from targetsplit.api.rollover import rollover
from targetsplit.errors import TargetsplitError

YEAR = """\
plan: FY2026 Sales
period: 2026
metrics:
  revenue: {total: 1000万, round: 1万}
split:
  A: 50%
  B: rest
"""


def _write(tmp: Path, plan: str, actuals: str, name: str = "plan.yaml") -> Path:
    (tmp / "a.csv").write_text(actuals, encoding="utf-8")
    path = tmp / name
    path.write_text(plan + "actuals: a.csv\n", encoding="utf-8")
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


LATE = date(2027, 6, 1)  # every 2026 period has ended


def test_rollover_of_a_dimension_with_amounts(tmp_path: Path) -> None:
    """A dimension cut by fixed amounts would not fit the next total: its amounts
    become the ratios of its shares (as replan does), not an internal error."""
    text = YEAR + "dimensions:\n  product: {P: {amount: 300万}, Q: {amount: 700万}}\n"
    plan = _write(tmp_path, text, "date,node,metric,value\n2026-03-02,A,revenue,200万\n")
    for kwargs in ({}, {"growth": "10%"}, {"carry": True}):
        result = rollover(plan, to="2027", today=LATE, **kwargs)  # type: ignore[arg-type]
        cut = {it.name: it.shares["revenue"] for it in result.plan.dimensions["product"]}
        assert cut == {"P": pytest.approx(0.3), "Q": pytest.approx(0.7)}
        assert "product: {P: 3, Q: 7}" in result.text


@pytest.mark.parametrize(
    ("rows", "what"),
    [
        # a sum with more than 30 significant digits: no history can state it
        ("2026-01-05,A,revenue,100000000000000000\n2026-01-06,A,revenue,0.0000000000001\n", "A"),
        # a sum of 10^18 or more
        ("2026-01-05,A,revenue,900000000000000000\n2026-01-06,A,revenue,900000000000000000\n", "A"),
    ],
)
def test_rollover_of_actuals_beyond_a_plans_limits(tmp_path: Path, rows: str, what: str) -> None:
    plan = _write(tmp_path, YEAR, "date,node,metric,value\n" + rows + "2026-01-07,B,revenue,5\n")
    with pytest.raises(TargetsplitError) as e:
        rollover(plan, to="2027", totals=["revenue=100万"], today=LATE)
    assert e.value.exit_code == 1
    message = e.value.diagnostics[0].render()
    assert "internal error" not in message
    assert f"'{what}'" in message and "revenue" in message and "a plan cannot state" in message


def test_figures_beyond_a_plans_limits_are_errors_not_tracebacks(tmp_path: Path) -> None:
    """Refunds far larger than the target (owed beyond 10^18), a growth that takes
    the total past 10^18: a clear error (exit 1), never a traceback."""
    text = YEAR.replace("1000万, round: 1万", "900000000000000000")
    plan = _write(
        tmp_path,
        text,
        "date,node,metric,value\n"
        "2026-01-05,A,revenue,-500000000000000000\n2026-01-05,B,revenue,-500000000000000000\n",
    )
    for policy in ("keep", "share"):
        with pytest.raises(TargetsplitError) as e:
            replan(plan, as_of="2026-03-01", policy=policy)
        assert e.value.exit_code == 1
        message = e.value.diagnostics[0].render()
        assert "the new total of revenue" in message and "a plan cannot state" in message
    small = _write(tmp_path, YEAR, "date,node,metric,value\n2026-01-05,A,revenue,105\n", "s.yaml")
    with pytest.raises(TargetsplitError, match="the new total of revenue") as e:
        rollover(small, to="2027", growth="1e18%", today=LATE)
    assert e.value.exit_code == 1
    done = _cli("rollover", str(small), "--to", "2027", "--growth", "1e18%", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
