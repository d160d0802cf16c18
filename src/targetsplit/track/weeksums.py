"""The actuals counted, summed per week of the period: what a report's burn-up
chart shows (``progress --format html`` and ``--format xlsx``).

Every reader of actuals (our own CSV, a workbook or Parquet file in our
layout, an export read through the plan's ``actuals:`` mapping, a database)
adds the rows it counts here as it counts them, so that the weeks add up to
the actual that progress shows. Pure: no files here.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import Decimal

from targetsplit.numbers.amounts import EXACT
from targetsplit.plan.tree import Node, Plan


class WeekSums:
    """Each metric's actuals per week of the period (``breakdown.weeks()``), of
    the rows counted on ``top``'s subtree (default: the whole plan)."""

    def __init__(self, plan: Plan, top: Node | None = None) -> None:
        b = plan.breakdown
        assert b is not None
        self.starts = [w.start for w in b.weeks()]
        self.top = "" if top is None else top.key  # the subtree's key ('': the whole plan)
        self.inside = None if top is None or not top.key else {n.key for n in top.walk()}
        self.sums = {m.name: [Decimal(0)] * len(self.starts) for m in plan.metrics}

    def add(self, day: date, node: str, metric: str, value: Decimal) -> None:
        """A counted row's ``value`` of ``metric``, dated ``day`` (in the period),
        booked on the node at path ``node``."""
        if self.inside is not None and node not in self.inside:
            return
        row = self.sums.get(metric)
        if row is not None:
            k = bisect_right(self.starts, day) - 1
            row[k] = EXACT.add(row[k], value)
