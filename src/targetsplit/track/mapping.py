"""Actuals from an export, through the plan's ``actuals:`` mapping (issue 15).

:class:`Mapped` applies an :class:`~targetsplit.plan.actualsmap.ActualsMap` to
the rows of any table: a reader (CSV today: :mod:`targetsplit.track.mapped`)
binds it to each table's column names (:meth:`Mapped.bind`) and hands it the
rows (:meth:`Mapped.take`). It keeps the rows ``where`` keeps, reads dates and
values as exports write them (:mod:`targetsplit.track.exported`), finds each
row's node by path, then name, then a node's owner or aliases, and sums
exactly, as our own CSV's reader sums the same rows. Pure: no files here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import COUNT, ActualsMap
from targetsplit.plan.names import Names, fold
from targetsplit.plan.tree import NodeIndex, Plan
from targetsplit.track.csvfile import Problems, clip
from targetsplit.track.exported import export_date, export_value
from targetsplit.track.weeksums import WeekSums

_ONE = Decimal(1)
_ZERO = Decimal(0)


class NodeMatcher:
    """A row's node: a path, else a name unique in the plan, else a node's owner or
    one of its ``aliases`` (compared folded: case, width and spaces aside)."""

    def __init__(self, plan: Plan) -> None:
        self.index = NodeIndex(plan)
        self.others: dict[str, list[str]] = {}  # folded owner or alias -> node paths
        for node in plan.nodes():
            if not node.path:
                continue
            spellings = {fold(a) for a in node.aliases}
            if node.owner:
                spellings.add(fold(node.owner))
            for key in spellings:
                self.others.setdefault(key, []).append(node.key)

    def match(self, text: str) -> str | Unmatched | Bad:
        """The node's path, or why there is none."""
        t = text.strip()
        if not t:
            return Bad("a row has no node")
        try:
            node = self.index.find(t)
        except LookupError as e:
            return Bad(str(e))
        if node is not None:
            return node.key
        paths = self.others.get(fold(t))
        if paths is None:
            return Unmatched(
                f"unknown node '{clip(t)}'{self.index.hint(t) if len(t) <= 60 else ''}"
                "; add it to a node's aliases (or leave its rows out with where:)"
            )
        if len(paths) > 1:
            shown = ", ".join(f"'{p}'" for p in paths[:4])
            return Bad(
                f"'{clip(t)}' is the owner or an alias of {len(paths)} nodes ({shown});"
                " give each its own alias, or write paths"
            )
        return paths[0]


class Bad:
    """A cell's error."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class Unmatched(Bad):
    """A node text that names no node (listed by ``actuals-check``)."""


@dataclass(frozen=True)
class Columns:
    """The mapping bound to one table's header: column numbers."""

    date: int
    node: int
    values: tuple[tuple[str, int], ...]  # (metric, column; -1 for count)
    where: tuple[tuple[int, frozenset[str]], ...]
    width: int  # the columns a row must have for these to be read
    dims: tuple[tuple[str, int], ...] = ()  # (plan dimension, column of its item)


class Mapped:
    """Sums the rows of one or more tables (one table, as a whole) through
    ``mapping``, from ``first_day`` (default: the period's start) through
    ``cut_day``. ``strict``: a row whose node is unknown is an error (progress);
    otherwise it is listed in :attr:`unmatched` (actuals-check). ``weeks``: the
    rows counted are summed per week there too (a report's burn-up)."""

    def __init__(
        self,
        mapping: ActualsMap,
        plan: Plan,
        cut_day: date,
        first_day: date | None = None,
        *,
        strict: bool = True,
        weeks: WeekSums | None = None,
    ) -> None:
        b = plan.breakdown
        assert b is not None
        self.mapping, self.plan, self.strict = mapping, plan, strict
        self.weeks = weeks
        self.window = first_day is not None
        self.first = b.period.start if first_day is None else max(first_day, b.period.start)
        self.last = min(cut_day, b.period.end)
        self.matcher = NodeMatcher(plan)
        self.direct: dict[tuple[str, str], Decimal] = {}
        self.rows = 0  # records read
        self.kept = 0  # of them, kept by where
        self.skipped = 0  # of those, dated outside the period or the window
        self.unmatched: dict[str, int] = {}  # node text -> rows kept (not strict)
        self.per_node: dict[str, int] = {}  # node path -> rows counted
        # (dimension, its item as written, metric) -> sum: the mapping's dimensions:
        self.by_item: dict[tuple[str, str, str], Decimal] = {}
        self._days: dict[str, bool | Bad] = {}
        self._dates: dict[str, date] = {}  # a date cell's day, where it has one
        self._nodes: dict[str, str | Bad] = {}
        self._values: dict[str, Decimal | Bad | None] = {}

    def bind(self, names: Sequence[str], line: int, problems: Problems) -> Columns | None:
        """The mapping's columns in a table with these column names (each found as
        written, else ignoring case and spaces); None with the errors in
        ``problems`` when one is missing."""
        known = Names(names)
        folded: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            folded.setdefault(fold(n), []).append(i)
        m = self.mapping
        ok = True

        def find(column: str, role: str) -> int:
            nonlocal ok
            exact = known.find(column)
            if exact is not None:
                return list(names).index(exact)
            same = folded.get(fold(column), [])
            if len(same) == 1:
                return same[0]
            ok = False
            problems.add(
                line,
                f"no column '{clip(column)}' ({role}) in the header{known.hint(column)}"
                f" (columns: {clip(', '.join(names), 200)})",
            )
            return -1

        at_date = find(m.date, "date:")
        at_node = find(m.node, "node:")
        values = tuple(
            (metric, -1 if column == COUNT else find(column, f"values: {metric}"))
            for metric, column in m.values
        )
        where = tuple((find(c, "where:"), frozenset(kept)) for c, kept in m.where)
        dims = tuple((d, find(c, f"dimensions: {d}")) for d, c in m.dimensions)
        if not ok:
            return None
        used = [at_date, at_node, *(i for _, i in values), *(i for i, _ in where)]
        used += [i for _, i in dims]
        return Columns(at_date, at_node, values, where, max(used) + 1, dims)

    def take(self, columns: Columns, line: int, cells: Sequence[str], problems: Problems) -> None:
        """Count one record (not blank) of a table bound as ``columns``."""
        self.rows += 1
        for i, kept in columns.where:
            if cells[i].strip() not in kept:
                return
        self.kept += 1
        keep = self.day(cells[columns.date])
        node = self.node(cells[columns.node])
        pairs: list[tuple[str, Decimal | None]] = []
        bad: list[Bad] = []
        for metric, i in columns.values:
            v = _ONE if i < 0 else self.value(cells[i])
            if isinstance(v, Bad):
                bad.append(v)
            else:
                pairs.append((metric, v))
        if isinstance(keep, Bad):
            bad.insert(0, keep)
        if isinstance(node, Unmatched) and not self.strict:
            self.unmatched[cells[columns.node].strip()] = (
                self.unmatched.get(cells[columns.node].strip(), 0) + 1
            )
        elif isinstance(node, Bad):
            bad.insert(1 if isinstance(keep, Bad) else 0, node)
        if bad:
            for b in bad:
                problems.add(line, b.message)
            return
        if keep is False:
            self.skipped += 1
            return
        if isinstance(node, Bad):
            return
        self.per_node[node] = self.per_node.get(node, 0) + 1
        exact = amounts.EXACT
        for metric, v in pairs:
            if v is not None:
                key = (node, metric)
                self.direct[key] = exact.add(self.direct.get(key, _ZERO), v)
                for dim, i in columns.dims:
                    self.add_item((dim, cells[i].strip(), metric), v)
                if self.weeks is not None:
                    self.weeks.add(self._dates[cells[columns.date]], node, metric, v)

    def add_item(self, key: tuple[str, str, str], value: Decimal) -> None:
        """Add ``value`` to a dimension item's sum."""
        self.by_item[key] = amounts.EXACT.add(self.by_item.get(key, _ZERO), value)

    def day(self, text: str) -> bool | Bad:
        found = self._days.get(text)
        if found is None:
            if not text.strip():
                found = Bad("a row has no date")
            else:
                day = export_date(text, self.mapping.date_format)
                if isinstance(day, str):
                    found = Bad(day)
                else:
                    self._dates[text] = day
                    found = self.first <= day <= self.last
            self._days[text] = found
        return found

    def node(self, text: str) -> str | Bad:
        found = self._nodes.get(text)
        if found is None:
            found = self._nodes[text] = self.matcher.match(text)
        return found

    def value(self, text: str) -> Decimal | Bad | None:
        if text in self._values:
            return self._values[text]
        v = export_value(text)
        found = Bad(v) if isinstance(v, str) else v
        self._values[text] = found
        return found
