"""Reading an export's CSV files through the plan's ``actuals:`` mapping.

The file is a path, ``-`` (standard input, read once) or a glob
(``exports/deals-*.csv``: every file it matches, in name order, read as one
table: each file has its own header, its errors are placed at its own lines).
Each file is read in the mapping's ``encoding`` by the CSV grammar of
:mod:`targetsplit.track.csvfile`; its rows go through
:class:`~targetsplit.track.mapping.Mapped`, which sums them as our own CSV's
reader sums the same rows.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from targetsplit.errors import Diagnostic
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.tree import Plan
from targetsplit.track import csvfile
from targetsplit.track.actuals import MAX_ACTUALS_BYTES, Actuals, ActualsError, _canon
from targetsplit.track.mapping import Mapped
from targetsplit.track.weeksums import WeekSums

_GLOB = "*?["


def read_mapped(
    path: str,
    source: str,
    plan: Plan,
    mapping: ActualsMap,
    cut_day: date,
    first_day: date | None = None,
    weeks: WeekSums | None = None,
) -> Actuals:
    """The actuals in the export at ``path`` (named ``source`` in messages), as
    :func:`targetsplit.track.actuals.read_actuals` gives them for our own CSV
    (and summed per week in ``weeks``, when given)."""
    mapped = Mapped(mapping, plan, cut_day, first_day, weeks=weeks)
    _read(path, source, mapped)
    return _actuals(mapped, source)


@dataclass(frozen=True)
class MappedCheck:
    """How an export's rows map (``actuals-check``): the whole period's sums."""

    files: tuple[str, ...]  # as named in messages
    rows: int  # records read
    kept: int  # kept by where
    outside: int  # of them, dated outside the period
    direct: dict[tuple[str, str], Decimal]  # (node path, metric) -> sum
    per_node: dict[str, int]  # node path -> rows counted on it
    unmatched: tuple[tuple[str, int], ...]  # node texts matching no node, and their rows


def check_mapped(path: str, source: str, plan: Plan, mapping: ActualsMap) -> MappedCheck:
    """The rows of the export at ``path`` as ``progress`` would count them over the
    whole period; rows whose node is unknown are listed, not errors."""
    assert plan.breakdown is not None
    mapped = Mapped(mapping, plan, plan.breakdown.period.end, strict=False)
    files = _read(path, source, mapped)
    direct = {k: _canon(v) for k, v in mapped.direct.items()}
    unmatched = sorted(mapped.unmatched.items(), key=lambda kv: (-kv[1], kv[0]))
    return MappedCheck(
        files,
        mapped.rows,
        mapped.kept,
        mapped.skipped,
        direct,
        dict(mapped.per_node),
        tuple(unmatched),
    )


def _read(path: str, source: str, mapped: Mapped) -> tuple[str, ...]:
    """Feed every row of the file(s) at ``path`` to ``mapped``; raise with every
    error found. The files' names as messages show them (a database's: its URL,
    password masked)."""
    if mapped.mapping.database:
        from targetsplit.track.database import fill

        fill(mapped, source)
        return (source,)
    files = _files(path, source)
    problems_all: list[Diagnostic] = []
    for file, shown in files:
        problems_all += _read_one(file, shown, mapped)
    if problems_all:
        raise ActualsError(problems_all)
    return tuple(shown for _, shown in files)


def _files(path: str, source: str) -> list[tuple[str, str]]:
    """(path, name in messages) of each file ``path`` names: itself, or a glob's matches."""
    if path == "-" or not any(c in os.path.basename(path) for c in _GLOB) or os.path.exists(path):
        return [(path, source)]
    found = sorted(f for f in glob.glob(path) if os.path.isfile(f))
    if not found:
        raise csvfile.fail(ActualsError, source, "no file matches this pattern")
    shown_dir = os.path.dirname(source)
    return [(f, os.path.join(shown_dir, os.path.basename(f))) for f in found]


def _read_one(path: str, source: str, mapped: Mapped) -> list[Diagnostic]:
    """Feed the rows of one file to ``mapped``; its errors."""
    from targetsplit.track import tables

    if tables.kind(path) is not None:  # a workbook or a Parquet file: written out as CSV
        return tables.read_mapped_one(path, source, mapped)
    problems = read_one_csv(path, source, mapped)
    return problems.diagnostics() if problems else []


def read_one_csv(
    path: str, source: str, mapped: Mapped, encoding: str | None = None
) -> csvfile.Problems | None:
    """Feed the rows of the CSV file at ``path`` to ``mapped``; its errors.
    ``encoding``: the file's (default: the mapping's)."""
    encoding = encoding or mapped.mapping.encoding
    with csvfile.regular_file(path, source, "actuals", MAX_ACTUALS_BYTES, ActualsError) as f:
        example = ",".join(mapped.mapping.columns())
        opened = csvfile.open_csv(f, source, "actuals", example, encoding=encoding)
        problems, header = opened.problems, opened.header
        if header is None:
            return problems
        columns = mapped.bind(header.names, header.line, problems)
        if columns is None:
            opened.rows.close()
            return problems
        width, named = header.width, len(header.names)
        add = problems.add
        for line, row in opened.rows:
            if len(row) != width:
                if csvfile.is_blank(row):
                    continue
                add(line, csvfile.field_count(row, header) or "")
                continue
            if csvfile.is_blank(row):
                continue
            if width > named and (extra := csvfile.extra_cells(row, header)):
                add(line, extra)
                continue
            mapped.take(columns, line, row, problems)
    return problems if problems else None


def _actuals(mapped: Mapped, source: str) -> Actuals:
    """The sums as :class:`Actuals`, with the same warning our own CSV's reader gives."""
    warnings: tuple[Diagnostic, ...] = ()
    if mapped.skipped:
        where = (
            f"outside the days counted ({mapped.first.isoformat()} .. {mapped.last.isoformat()})"
            if mapped.window
            else "outside the period or after the cut-off"
        )
        warnings = (
            Diagnostic(
                f"{mapped.skipped} row(s) dated {where} were not counted", severity="warning"
            ).placed(source, None, None),
        )
    direct = {k: _canon(v) for k, v in mapped.direct.items()}
    by_item = {k: _canon(v) for k, v in mapped.by_item.items()}
    return Actuals(direct, mapped.rows, mapped.skipped, warnings, by_item)
