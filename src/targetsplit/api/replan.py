"""``replan`` and ``rollover``: new plans from an old plan and its actuals."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from targetsplit.api.common import Inputs, Warnings, WarningSink, one_stdin, read_plan
from targetsplit.cycle.common import NewPlan
from targetsplit.cycle.replan import Owed
from targetsplit.errors import Diagnostic, PlanError, TargetsplitError, UsageError
from targetsplit.numbers.exact import exact
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.load import Loaded, parse_document
from targetsplit.plan.tree import Plan
from targetsplit.split.hierarchy import allocate


class NewPlanResult(NamedTuple):
    text: str  # the new plan, YAML
    plan: Plan  # the new plan as read back from ``text``
    warnings: tuple[Diagnostic, ...]
    inputs: Inputs  # the files read


@exact
def replan(
    plan: str | Path | None = None,
    *,
    week: int | str | None = None,
    as_of: date | str | None = None,
    policy: str = "keep",
    actuals: str | Path | None = None,
    output: str | Path | None = None,
    on_warning: WarningSink | None = None,
) -> NewPlanResult:
    """A new plan for the days after the cut-off (the end of ``week``, or
    ``as_of``): with ``policy`` "keep" each leaf's target is what it still owes,
    with "share" the plan's remaining is split by its own shares. ``output``
    (where the new plan will be written) only makes its ``actuals:`` path relative
    to it."""
    from targetsplit.api.common import actuals_source
    from targetsplit.api.progress import _cut_day, _week_number
    from targetsplit.cycle.common import Unstatable
    from targetsplit.cycle.replan import POLICIES, ReplanError
    from targetsplit.cycle.replan import replan as make
    from targetsplit.track.progress import cutoff

    if (week is None) == (as_of is None):
        raise UsageError("give the cut-off: --week N or --as-of DATE (one of them)")
    if policy not in POLICIES:
        raise UsageError(f"--policy takes keep or share, not '{policy}'")
    one_stdin(plan, actuals, "--actuals")
    loaded, inputs = read_plan(plan)
    number = None if week is None else _week_number(loaded, week)
    b = loaded.plan.breakdown
    assert b is not None
    cut = cutoff(b, _cut_day(loaded, number, as_of), number)
    path, shown, mapping = actuals_source(loaded, actuals)
    warnings = Warnings(on_warning)
    warnings.add(loaded.plan.warnings)
    owed, facts_warnings = _owed(loaded, path, shown, cut.day, mapping)
    warnings.add(facts_warnings)
    header = header_lines(loaded, inputs[0][1], path, shown, "Re-planned")
    try:
        new = make(
            loaded.plan,
            document(loaded),
            owed,
            cut=cut.day,
            week=number,
            policy=policy,
            header=header,
        )
    except ReplanError as e:
        raise UsageError(str(e)) from None
    except Unstatable as e:
        raise TargetsplitError(str(e)) from None
    new = point_actuals(new, path, output)
    warnings.add(Diagnostic(n, severity="warning") for n in new.notes)
    text, checked = written(new)
    return NewPlanResult(text, checked, warnings.all(), (*inputs, ("actuals", path)))


def document(loaded: Loaded) -> dict[str, object]:
    assert loaded.document is not None and isinstance(loaded.document.data, dict)
    return loaded.document.data


def _owed(
    loaded: Loaded, path: str, shown: str, day: date, mapping: ActualsMap | None = None
) -> tuple[dict[str, dict[str, Owed]], tuple[Diagnostic, ...]]:
    """Each node's target and actual (rolled up the tree) at the cut-off."""
    from targetsplit.track.actuals import read_actuals

    p = loaded.plan
    facts = read_actuals(path, shown, p, day, mapping=mapping)
    alloc = allocate(p)
    rolled = rolled_up(p, facts.direct)
    owed = {
        row.path: {m: Owed(row.targets[m], rolled[row.path][m]) for m in p.metric_names}
        for row in alloc.rows
    }
    return owed, facts.warnings


def rolled_up(
    plan: Plan, direct: Mapping[tuple[str, str], Decimal]
) -> dict[str, dict[str, Decimal]]:
    """Each node's actual per metric: its own rows and its subtree's."""
    from targetsplit.numbers.amounts import EXACT

    out: dict[str, dict[str, Decimal]] = {}
    for node in reversed(list(plan.root.walk())):
        sums = {}
        for m in plan.metric_names:
            total = direct.get((node.key, m), Decimal(0))
            for c in node.children:
                total = EXACT.add(total, out[c.key][m])
            sums[m] = total
        out[node.key] = sums
    return out


def header_lines(
    loaded: Loaded, plan_path: str, path: str, shown: str, verb: str
) -> tuple[str, ...]:
    from targetsplit import __version__

    source = "standard input" if plan_path == "-" else plan_path
    lines = [
        f"{verb} by targetsplit {__version__} from {source}",
        f"({loaded.plan.title}, period {loaded.plan.period.name}:"
        f" {loaded.plan.period.start} to {loaded.plan.period.end}).",
    ]
    if path == "-":
        lines.append("Actuals: standard input.")
    else:
        try:
            st = os.stat(path)
            when = datetime.fromtimestamp(st.st_mtime, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            lines.append(f"Actuals: {shown} ({st.st_size:,} bytes, modified {when}).")
        except OSError:
            lines.append(f"Actuals: {shown}.")
    return tuple(lines)


def point_actuals(new: NewPlan, path: str, output: str | Path | None) -> NewPlan:
    """The new plan reads the same actuals file: ``actuals:`` as a path relative
    to where the new plan is written (the current directory for standard output).
    Actuals from standard input leave the plan's own ``actuals:`` as it was."""
    if path == "-":
        return new
    where = Path(output).resolve().parent if output not in (None, "-") else Path.cwd()
    try:
        rel = Path(os.path.relpath(Path(path).resolve(), where)).as_posix()
    except ValueError:  # on another drive (Windows)
        rel = str(Path(path).resolve())
    old = new.data.get("actuals")
    if isinstance(old, dict):  # an export's mapping: the same columns, the file moved
        return replace(new, data={**new.data, "actuals": {**old, "file": rel}})
    return replace(new, data={**new.data, "actuals": rel})


def written(new: NewPlan) -> tuple[str, Plan]:
    """The new plan's text, read back and checked: it must load and give the
    figures it was made to give."""
    from targetsplit.cycle.common import flow_at
    from targetsplit.plan.write import dump

    text = dump(new.data, header=new.header, flow_at=flow_at)
    try:
        plan, _ = parse_document(text, "<new plan>")
    except PlanError as e:
        raise TargetsplitError(
            [
                Diagnostic(
                    "internal error: the new plan does not load; please report this with the"
                    " plan:\n" + "\n".join(d.render() for d in e.diagnostics)
                )
            ]
        ) from None
    if new.units:  # the metrics with a total (a derived one follows from them)
        got = {
            row.path: {m: row.units[m] for m in new.units.get(row.path, {})}
            for row in allocate(plan).rows
        }
        if got != {k: dict(v) for k, v in new.units.items()}:
            raise TargetsplitError(
                [Diagnostic("internal error: the new plan does not reproduce its figures")]
            )
    return text, plan
