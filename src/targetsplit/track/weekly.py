"""The root's target and actual week by week, for the burn-up charts of a
report (``progress --format html`` and ``--format xlsx``).

The targets are the time ledger's (``split.ledger``: a week's target is a sum
of its segments, as ``allocate --by week`` shows). The actuals are the rows
:func:`targetsplit.track.actuals.read_actuals` counts (in the period, through
the cut-off), summed per metric and week as they are read, by the same reader
and in the same pass (:class:`~targetsplit.track.weeksums.WeekSums`; DuckDB's
child sums them per day): every node is under the root, so they add up to the
root's actual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.tree import Node
from targetsplit.split.hierarchy import Allocation
from targetsplit.track.actuals import Actuals, Early, read_actuals_while
from targetsplit.track.weeksums import WeekSums

if TYPE_CHECKING:
    from targetsplit.split.ledger import Loose


@dataclass(frozen=True)
class Weekly:
    """The root's figures per week of the period (``breakdown.weeks()``), per metric."""

    target: Mapping[str, list[int]]  # rounding units: the ledger's weeks
    actual: Mapping[str, list[Decimal]]  # the actuals dated in each week, through the cut-off


def read_with_weeks(
    path: str,
    source: str,
    alloc: Allocation,
    cut_day: date,
    early: Early | None,
    top: Node | None = None,
    mapping: ActualsMap | None = None,
) -> tuple[Actuals, dict[str, dict[str, int]], Weekly, tuple[Loose, ...]]:
    """The actuals (as :func:`~targetsplit.track.actuals.read_actuals_while`
    reads them, from any source), the targets to date at ``cut_day`` (as
    ``targets_to_date`` gives them: the ledger is built once, meanwhile) and
    the weekly targets and actuals of the root (of ``top``, when given: its
    subtree's rows); and the metrics the ledger rounded as one flow."""
    from targetsplit.split.ledger import Ledger, build
    from targetsplit.split.timesplit import view

    plan = alloc.plan
    b = plan.breakdown
    assert b is not None
    weeks = WeekSums(plan, top)

    def work() -> tuple[Ledger, dict[str, dict[str, int]]]:
        ledger = build(alloc)
        return ledger, ledger.to_date(cut_day)

    facts, (ledger, to_date) = read_actuals_while(
        path, source, plan, cut_day, work, early=early, mapping=mapping, weeks=weeks
    )
    shown = view(ledger, "week", b.weeks())
    root = shown.units[alloc.root.path if top is None else top.key]
    target = {m.name: list(root[m.name]) for m in plan.metrics}
    return facts, to_date, Weekly(target, weeks.sums), ledger.loose
