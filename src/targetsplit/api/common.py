"""What several commands share: choosing metrics, tiers and periods, and warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from targetsplit.errors import Diagnostic, TargetsplitError, UsageError
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.load import Loaded, find_plan, load_plan
from targetsplit.plan.names import Names
from targetsplit.plan.tree import Metric, Node, Plan

if TYPE_CHECKING:
    from targetsplit.calendar.workdays import Granularity, Slot
    from targetsplit.split.cross import Cross
    from targetsplit.split.hierarchy import Allocation
    from targetsplit.split.ledger import Loose

WarningSink = Callable[[Diagnostic], None]
Inputs = tuple[tuple[str, str], ...]  # the files a command read: (what, path)


def read_plan(plan: str | Path | None) -> tuple[Loaded, Inputs]:
    """The plan (the argument, $TARGETSPLIT_PLAN or ./targetsplit.yaml), and its file."""
    path = find_plan(None if plan is None else str(plan))
    return load_plan(path), (("plan", path),)


def one_stdin(plan: str | Path | None, other: str | Path | None, option: str) -> None:
    """Refuse to read standard input twice: the plan as ``-`` and ``option``'s
    file as ``-`` (or /dev/stdin, or whatever else standard input is)."""
    if other is None or find_plan(None if plan is None else str(plan)) != "-":
        return
    import os

    same = str(other) == "-"
    if not same:
        try:
            a, b = os.stat(other), os.fstat(0)
            same = (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
        except OSError:
            pass
    if same:
        raise UsageError(
            f"the plan and {option} cannot both come from standard input; give one as a file"
        )


class Warnings:
    """The warnings of one call: kept for its result, and passed on as they arise."""

    def __init__(self, sink: WarningSink | None) -> None:
        self.items: list[Diagnostic] = []
        self._sink = sink

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.items.append(d)
            if self._sink is not None:
                self._sink(d)

    def all(self) -> tuple[Diagnostic, ...]:
        return tuple(self.items)


def ledger_warnings(
    loaded: Loaded, loose: Iterable[Loose], shown: Iterable[Metric]
) -> list[Diagnostic]:
    """The warnings of the metrics the time ledger rounded as one flow (its
    search gave up), each at its metric in the plan: of the metrics ``shown``
    (the command's), not of the others."""
    names = {m.name for m in shown}
    return [loaded.place(x.warning(), key=True) for x in loose if x.metric in names]


def pick_metrics(plan: Plan, wanted: Sequence[str] | None) -> tuple[Metric, ...]:
    """The plan's metrics named in ``wanted`` (all without), in plan order."""
    if not wanted:
        return plan.metrics
    available = Names(plan.metric_names)
    chosen = set()
    for m in wanted:
        name = available.find(m)
        if name is None:
            raise UsageError(
                f"unknown metric '{m}'{available.hint(m, 1)};"
                f" the plan's metrics are: {', '.join(plan.metric_names)}"
            )
        chosen.add(name)
    return tuple(m for m in plan.metrics if m.name in chosen)


def pick_node(plan: Plan, text: str | None) -> Node | None:
    """The node ``--node`` names: a path as the JSON's ``path`` writes it
    (``South/Rep Chen``; ``''`` is the whole plan) or a name unique in the plan;
    a usage error naming the nearest nodes if none."""
    if text is None:
        return None
    from targetsplit.plan.tree import NodeIndex

    try:
        return NodeIndex(plan).lookup(text)
    except LookupError as e:
        raise UsageError(f"--node: {e}") from None


def need_tiers(plan: Plan) -> None:
    """A usage error when the plan has no tiers (``tiers: {}``; without ``tiers:`` a
    plan has the default floor, target and stretch)."""
    if not plan.tiers:
        raise UsageError(
            "the plan has no tiers (its tiers: is empty); give them in the plan, e.g."
            " tiers: {floor: 80%, target: 100%, stretch: 120%}"
        )


def check_tier(plan: Plan, tier: str | None) -> str | None:
    """The plan's tier ``tier`` names (as the plan spells it); a usage error if none."""
    if tier is None:
        return None
    need_tiers(plan)
    tiers = Names(plan.tiers)
    found = tiers.find(tier)
    if found is None:
        raise UsageError(
            f"unknown tier '{tier}'{tiers.hint(tier, 1)}; the plan's tiers are:"
            f" {', '.join(plan.tiers)}"
        )
    return found


def periods_shown(
    plan: Plan, period: str | None, by: Granularity | None
) -> tuple[Granularity, tuple[Slot, ...] | None]:
    """The granularity and the slots a ``--period`` label picks (None: all of them),
    the first and last clipped to the chosen days."""
    from targetsplit.calendar.workdays import select

    assert plan.breakdown is not None
    if period is None:
        return by or "month", None
    try:
        return select(plan.breakdown, period, by)
    except ValueError as e:
        raise UsageError(f"--period: {e}") from None


def check_dimension(plan: Plan, name: str) -> str:
    """The plan's dimension ``name`` names (as the plan spells it); a usage error if none."""
    names = Names(plan.dimensions)
    found = names.find(name)
    if found is not None:
        return found
    if not plan.dimensions:
        raise UsageError(
            f"--cross {name}: the plan has no dimensions (add dimensions: {{{name}: {{…}}}})"
        )
    raise UsageError(
        f"unknown dimension '{name}'{names.hint(name, 1)}; the plan's dimensions are:"
        f" {', '.join(plan.dimensions)}"
    )


def crossed(loaded: Loaded, allocation: Allocation, dimension: str) -> Cross:
    """Every node of ``allocation`` by ``dimension``'s items; the errors (mixes that
    cannot add up) placed in the plan."""
    from targetsplit.errors import PlanError
    from targetsplit.split.cross import cross

    try:
        return cross(allocation, dimension)
    except PlanError as e:
        raise PlanError([loaded.place(d) for d in e.diagnostics]) from None


ActualsMapGiven = Mapping[str, Any]  # --actuals-map keys as given: {"date": "Close Date", …}


class ActualsSource(NamedTuple):
    """The actuals to read: the file (or glob, or ``-``), its name in messages,
    and the mapping its columns are read through (None: our own CSV)."""

    path: str
    shown: str
    mapping: ActualsMap | None


def actuals_source(
    loaded: Loaded, given: str | Path | None, given_map: ActualsMapGiven | None = None
) -> ActualsSource:
    """The actuals a command reads: ``given`` (--actuals) or the plan's file, read
    through the plan's mapping with ``given_map``'s keys over it (--actuals-map;
    a ``file`` given there is relative to the current directory)."""
    from targetsplit.plan.actualsmap import merge, parse_map

    plan = loaded.plan
    mapping = plan.actuals_map
    from_cli = False
    if given_map:
        try:
            mapping = parse_map(merge(mapping, given_map), plan.metric_names)
        except ValueError as e:
            raise UsageError(f"--actuals-map: {'; '.join(str(e).splitlines())}") from None
        from_cli = "file" in given_map
    if given is not None:
        path = str(given)
        if mapping is not None and mapping.database:  # the file given stands for the database
            mapping = mapping.without_database()
        return ActualsSource(path, "<stdin>" if path == "-" else path, mapping)
    if mapping is not None and mapping.database:
        from targetsplit.track.database import shown_url

        shown = shown_url(mapping)
        return ActualsSource(shown, shown, mapping)
    if mapping is not None and from_cli and mapping.file is not None:
        return ActualsSource(mapping.file, mapping.file, mapping)
    relative = mapping.file if mapping is not None and mapping.file is not None else plan.actuals
    if relative is None:
        raise TargetsplitError(
            [
                Diagnostic("no actuals: give --actuals FILE, or actuals: FILE in the plan").placed(
                    loaded.source, None, None
                )
            ]
        )
    path = str(loaded.base_dir / relative)
    return ActualsSource(path, relative if not Path(relative).is_absolute() else path, mapping)
