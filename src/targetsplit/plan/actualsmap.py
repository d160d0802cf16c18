"""How an exported table's columns become actuals: the plan's ``actuals:`` mapping.

A CRM export has its own column names (``Close Date``, ``Owner``, ``Amount``),
rows that do not count (``Stage`` other than ``Closed Won``) and its own
spellings of people. :class:`ActualsMap` says which column is the date, which
names the node, which holds each metric's value (or ``count``: the rows), and
which rows to keep. It is one value whatever the file's format: a reader of
any table (CSV today) binds it to the table's column names and feeds it rows
(:mod:`targetsplit.track.mapping`).

``actuals: FILE`` (a plain path) stays our own CSV layout; ``actuals:`` as a
mapping, or ``--actuals-map key=value`` on the command line, is this.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from targetsplit.plan.names import did_you_mean

#: The keys of the mapping, in the order the README shows them.
KEYS = (
    "file",
    "sheet",
    "url",
    "table",
    "query",
    "date",
    "node",
    "values",
    "where",
    "dimensions",
    "encoding",
    "date_format",
)
#: A value column that is not a column: each kept row counts one.
COUNT = "count"
#: ``date_format:`` spellings: day first (03/08/2026 is 3 August) or month first.
DATE_FORMATS = {
    "day-first": "day-first",
    "dd/mm/yyyy": "day-first",
    "dd.mm.yyyy": "day-first",
    "dd-mm-yyyy": "day-first",
    "month-first": "month-first",
    "mm/dd/yyyy": "month-first",
    "mm-dd-yyyy": "month-first",
}


@dataclass(frozen=True)
class ActualsMap:
    """Which columns of an exported table are the date, the node and each metric's
    value, and which rows count. ``file`` is a path or a glob as written (relative
    to the plan), or None (the file is given elsewhere: ``--actuals``)."""

    date: str
    node: str
    values: tuple[tuple[str, str], ...]  # (metric, column or COUNT), as written
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, the values kept)
    file: str | None = None
    encoding: str = "utf-8"
    date_format: str | None = None  # "day-first" or "month-first"
    sheet: str | None = None  # a workbook's sheet (None: the first)
    url: str | None = (
        None  # a database: its SQLAlchemy URL, or env:NAME (None: $TARGETSPLIT_DB_URL)
    )
    table: str | None = None  # a database's table (or view) ...
    query: str | None = None  # ... or a query whose rows are read
    dimensions: tuple[tuple[str, str], ...] = ()  # (plan dimension, the column naming its item)

    @property
    def database(self) -> bool:
        """Whether the rows are a database's (``table:`` or ``query:``), not a file's."""
        return self.table is not None or self.query is not None

    def without_database(self) -> ActualsMap:
        """The mapping for a file given instead (``--actuals FILE``)."""
        return replace(self, url=None, table=None, query=None)

    def with_file(self, file: str | None) -> ActualsMap:
        return replace(self, file=file)

    def columns(self) -> tuple[str, ...]:
        """Every column the mapping names, once each, in the order it names them."""
        named = [self.date, self.node, *(c for _, c in self.values if c != COUNT)]
        named += [c for c, _ in self.where]
        named += [c for _, c in self.dimensions]
        return tuple(dict.fromkeys(named))

    def describe_where(self) -> str:
        """``Stage = Closed Won`` (``Stage in (A, B)``), for reports."""
        parts = []
        for column, kept in self.where:
            parts.append(
                f"{column} = {kept[0]}" if len(kept) == 1 else f"{column} in ({', '.join(kept)})"
            )
        return "; ".join(parts)


def _text(key: str, value: Any) -> str:
    if value is None or isinstance(value, dict | list) or isinstance(value, bool):
        raise ValueError(
            f"{key}: expected {_what(key)} (text), e.g. {key}: {_EXAMPLES.get(key, 'Amount')}"
        )
    text = str(value).strip()
    if not text:
        raise ValueError(f"{key}: {_what(key)} cannot be empty")
    return text


def _what(key: str) -> str:
    columns = key in ("date", "node") or key.startswith(("values", "dimensions"))
    return "a column name" if columns else "a value"


_EXAMPLES = {
    "file": "exports/deals-*.csv",
    "date": "Close Date",
    "node": "Owner",
    "encoding": "gb18030",
    "date_format": "day-first",
    "sheet": "Deals",
    "url": "postgresql://reports@db.example.com/sales",
    "table": "deals",
    "query": "SELECT * FROM deals WHERE region = 'North'",
}


def parse_map(value: Any, metrics: tuple[str, ...] | None = None) -> ActualsMap:
    """The mapping a plan's ``actuals:`` (or the command line) gives as a dict;
    ValueError with every problem found, one per line, otherwise. ``metrics``,
    when known, are the plan's metric names (``values:`` keys are checked against
    them)."""
    if not isinstance(value, dict):
        raise ValueError(
            "actuals: expected a file name or a mapping such as"
            " {file: deals.csv, date: Close Date, node: Owner, values: {revenue: Amount}}"
        )
    problems: list[str] = [
        f"unknown key '{key}'{did_you_mean(str(key), KEYS)} (allowed: {', '.join(KEYS)})"
        for key in value
        if str(key) not in KEYS
    ]
    problems += [
        f"'{key}' is required (the {_REQUIRED[key]})"
        for key in ("date", "node", "values")
        if value.get(key) is None
    ]

    def take(key: str) -> str | None:
        if value.get(key) is None:
            return None
        try:
            return _text(key, value[key])
        except ValueError as e:
            problems.append(str(e))
            return None

    file, date, node = take("file"), take("date"), take("node")
    sheet, url, table, query = take("sheet"), take("url"), take("table"), take("query")
    if table is not None and query is not None:
        problems.append("give table: or query:, not both")
    if file is not None and (table is not None or query is not None or url is not None):
        problems.append("give file: (a file) or url: with table: or query: (a database), not both")
    if url is not None and table is None and query is None:
        problems.append("url: needs table: or query: (the rows to read), e.g. table: deals")
    encoding = take("encoding") or "utf-8"
    if value.get("encoding") is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            problems.append(
                f"encoding: unknown encoding '{encoding}' (utf-8, gb18030, gbk, big5,"
                " shift_jis, latin-1, cp1252, utf-16 …)"
            )
    date_format = None
    if value.get("date_format") is not None:
        given = take("date_format")
        if given is not None:
            date_format = DATE_FORMATS.get(given.lower().replace(" ", "-"))
            if date_format is None:
                problems.append(
                    f"date_format: '{given}' is not one of day-first (DD/MM/YYYY)"
                    " or month-first (MM/DD/YYYY)"
                )
    values = _values(value.get("values"), metrics, problems)
    where = _where(value.get("where"), problems)
    dimensions = _dimension_columns(value.get("dimensions"), problems)
    if problems or date is None or node is None:
        raise ValueError("\n".join(problems))
    return ActualsMap(
        date,
        node,
        values,
        where,
        file,
        encoding,
        date_format,
        sheet,
        url,
        table,
        query,
        dimensions,
    )


_REQUIRED = {
    "date": "date column, e.g. date: Close Date",
    "node": "column naming the node: a path, a name, an owner or an alias; e.g. node: Owner",
    "values": "value column of each metric, or count; e.g. values: {revenue: Amount, deals: count}",
}


def _values(
    given: Any, metrics: tuple[str, ...] | None, problems: list[str]
) -> tuple[tuple[str, str], ...]:
    if given is None:
        return ()
    if not isinstance(given, dict) or not given:
        problems.append(
            "values: expected a mapping from metric to column (or count),"
            " e.g. values: {revenue: Amount, deals: count}"
        )
        return ()
    out = []
    for metric, column in given.items():
        name = str(metric)
        if metrics is not None and name not in metrics:
            problems.append(
                f"values: unknown metric '{name}'{did_you_mean(name, metrics)}"
                f" (metrics: {', '.join(metrics)})"
            )
            continue
        try:
            out.append((name, _text(f"values: {name}", column)))
        except ValueError:
            problems.append(f"values: {name}: expected a column name, or count (the rows)")
    return tuple(out)


def _where(given: Any, problems: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if given is None:
        return ()
    if not isinstance(given, dict) or not given:
        problems.append(
            "where: expected a mapping from column to the value kept (or a list of them),"
            " e.g. where: {Stage: Closed Won}"
        )
        return ()
    out = []
    for column, kept in given.items():
        items = kept if isinstance(kept, list) else [kept]
        if not items or any(k is None or isinstance(k, dict | list) for k in items):
            problems.append(
                f"where: {column}: expected a value or a list of values, e.g. [Closed Won, Won]"
            )
            continue
        texts = tuple(_scalar(k) for k in items)
        out.append((str(column).strip(), texts))
    return tuple(out)


def _dimension_columns(given: Any, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if given is None:
        return ()
    if not isinstance(given, dict) or not given:
        problems.append(
            "dimensions: expected a mapping from the plan's dimension to the column naming"
            " its item, e.g. dimensions: {product: Product Line}"
        )
        return ()
    out = []
    for dim, column in given.items():
        try:
            out.append((str(dim).strip(), _text(f"dimensions: {dim}", column)))
        except ValueError:
            problems.append(f"dimensions: {dim}: expected a column name")
    return tuple(out)


def _scalar(value: Any) -> str:
    """A YAML scalar as the text a cell would hold (``true`` from YAML: ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def merge(base: ActualsMap | None, given: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping's keys as a dict (for :func:`parse_map`), ``given``'s over ``base``'s."""
    out: dict[str, Any] = {}
    if base is not None:
        out = {
            "date": base.date,
            "node": base.node,
            "values": dict(base.values),
            "encoding": base.encoding,
        }
        if base.file is not None:
            out["file"] = base.file
        if base.where:
            out["where"] = {c: list(v) for c, v in base.where}
        if base.date_format is not None:
            out["date_format"] = base.date_format
        for key in ("sheet", "url", "table", "query"):
            if getattr(base, key) is not None:
                out[key] = getattr(base, key)
        if base.dimensions:
            out["dimensions"] = dict(base.dimensions)
    if "file" in given:  # a file given here replaces a database (and the other way)
        for key in ("url", "table", "query"):
            out.pop(key, None)
    if any(key in given for key in ("url", "table", "query")):
        out.pop("file", None)
        out.pop("sheet", None)
    if "table" in given:
        out.pop("query", None)
    if "query" in given:
        out.pop("table", None)
    for key, value in given.items():
        before = out.get(key)
        if (
            key in ("values", "where", "dimensions")
            and isinstance(value, dict)
            and isinstance(before, dict)
        ):
            out[key] = {**before, **value}
        else:
            out[key] = value
    return out
