"""``check``: validate and lint a plan, or compare a hand-made target sheet with it."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from targetsplit.api.common import Inputs, Warnings, WarningSink, one_stdin, read_plan
from targetsplit.audit.against import Difference
from targetsplit.audit.lint import lint
from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers.exact import exact
from targetsplit.plan.load import Loaded
from targetsplit.plan.tree import Plan
from targetsplit.split.hierarchy import Allocation, allocate


class CheckResult(NamedTuple):
    plan: Plan
    source: str  # the plan as named in messages
    warnings: tuple[Diagnostic, ...]  # the plan's and the lint's
    inputs: Inputs  # the files read
    sheet: str | None = None  # with a sheet: its name, how many figures it has,
    checked: int = 0
    differences: tuple[Difference, ...] = ()  # and where it disagrees

    @property
    def nodes(self) -> int:
        return sum(1 for _ in self.plan.nodes()) - 1

    def failed(self, strict: bool) -> bool:
        """Whether the check fails: a sheet that disagrees, or warnings under ``strict``."""
        return bool(self.differences) or (strict and bool(self.warnings))


@exact
def check(
    plan: str | Path | None = None,
    *,
    against: str | Path | None = None,
    on_warning: WarningSink | None = None,
) -> CheckResult:
    """Build and lint the plan (errors raise); with ``against`` (``-``: standard
    input), compare the sheet."""
    one_stdin(plan, against, "--against")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    alloc = allocate(p)
    _mixes_add_up(loaded, alloc)
    warnings = Warnings(on_warning)
    warnings.add(p.warnings + tuple(loaded.place(d) for d in lint(alloc)))
    if against is None:
        return CheckResult(p, loaded.source, warnings.all(), inputs)
    from targetsplit.audit.against import compare
    from targetsplit.audit.sheets import read_sheet

    sheet, entries = read_sheet(str(against), p)
    differences = tuple(compare(alloc, entries))
    inputs += (("sheet", str(against)),)
    return CheckResult(p, loaded.source, warnings.all(), inputs, sheet, len(entries), differences)


def _mixes_add_up(loaded: Loaded, alloc: Allocation) -> None:
    """Raise the errors of the nodes' ``mix:`` that cannot add up (allocate --cross's)."""
    from targetsplit.split.cross import cross, mixed_dimensions

    errors: list[Diagnostic] = []
    for dim in mixed_dimensions(alloc.plan):
        try:
            cross(alloc, dim)
        except PlanError as e:
            errors += [loaded.place(d) for d in e.diagnostics]
    if errors:
        raise PlanError(errors + list(alloc.plan.warnings))
