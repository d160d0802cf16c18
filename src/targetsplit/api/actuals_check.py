"""``actuals-check``: how an export's rows map to the plan, without progress."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from targetsplit.api.common import (
    ActualsMapGiven,
    Inputs,
    Warnings,
    WarningSink,
    actuals_source,
    one_stdin,
    read_plan,
)
from targetsplit.errors import Diagnostic, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.tree import Plan
from targetsplit.track.mapped import MappedCheck


class ActualsCheckResult(NamedTuple):
    check: MappedCheck
    plan: Plan
    mapping: ActualsMap
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read

    def failed(self) -> bool:
        """Whether ``progress`` would refuse the file: rows that match no node."""
        return bool(self.check.unmatched)


@exact
def actuals_check(
    plan: str | Path | None = None,
    *,
    actuals: str | Path | None = None,
    actuals_map: ActualsMapGiven | None = None,
    on_warning: WarningSink | None = None,
) -> ActualsCheckResult:
    """Read the export (``actuals``, ``-``: standard input, or the plan's own)
    through the plan's mapping with ``actuals_map``'s keys over it: rows read,
    kept by ``where``, each node's rows and sums over the whole period, and the
    node names that match no node with their rows. A bad file raises, as for
    ``progress``."""
    from targetsplit.track.mapped import check_mapped

    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    p = loaded.plan
    path, shown, mapping = actuals_source(loaded, actuals, actuals_map)
    if mapping is None:
        raise UsageError(
            "actuals-check reads an export through a mapping: give actuals: as a mapping"
            " in the plan ({file:, date:, node:, values:}), or --actuals-map date=COLUMN"
            " --actuals-map node=COLUMN --actuals-map values.METRIC=COLUMN"
        )
    warnings = Warnings(on_warning)
    warnings.add(p.warnings)
    found = check_mapped(path, shown, p, mapping)
    return ActualsCheckResult(found, p, mapping, warnings.all(), (*inputs, ("actuals", path)))
