"""What ``replan`` and ``rollover`` say beside the new plan they write."""

from __future__ import annotations

from targetsplit.api.replan import NewPlanResult
from targetsplit.report.textsafe import visible


def summary(result: NewPlanResult, output: str | None) -> str:
    """One line for standard error: where the plan went, its period and totals."""
    p = result.plan
    where = "wrote the new plan to standard output" if output in (None, "-") else f"wrote {output}"
    totals = ", ".join(f"{m.name} {m.format(m.total)}" for m in p.metrics)
    line = f"{where}: {p.title}, {p.period.name} ({p.period.start} to {p.period.end}): {totals}"
    return visible(line) + "\n"  # one line, whatever the names hold
