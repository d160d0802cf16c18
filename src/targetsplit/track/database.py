"""Actuals from a SQL database (issue 15): ``actuals: {url:, table: | query:, …}``.

Any SQLAlchemy URL (SQLite, PostgreSQL, MySQL; a warehouse whose dialect is
installed), read with SQLAlchemy (the ``sql`` extra). The work is the
database's: the ``where`` filter, the date filter (from the period's start, or
the window's, through the cut-off) and ``SUM … GROUP BY`` the node column run
there, so only one row per node value comes back, whatever the table's size.
Sums are exact: each value is cast to NUMERIC in SQL and the sum comes back as
text (SQLite, which has no exact decimal type, sums with an aggregate of ours
taking each stored value exactly: an integer, a text as a CSV cell, a double
as its shortest decimal). Node values are matched here, as in a CSV export:
paths, names, owners, aliases (:class:`~targetsplit.track.mapping.Mapped`).

Credentials come from the URL, from the environment (``url: env:NAME``, or no
``url:`` and ``$TARGETSPLIT_DB_URL``) or from the driver's own variables
(``PGPASSWORD``, ``~/.pgpass``); they are never shown: a URL in a message has
its password masked, and a driver's message is scrubbed of it.
"""

from __future__ import annotations

import os
import re
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from targetsplit.errors import Diagnostic
from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.names import did_you_mean, fold
from targetsplit.track import csvfile
from targetsplit.track.actuals import ActualsError
from targetsplit.track.exported import export_value
from targetsplit.track.mapping import Bad, Columns, Mapped, Unmatched

#: The URL when the mapping gives none.
ENV_URL = "TARGETSPLIT_DB_URL"
INSTALL = "pip install 'targetsplit[sql]'"
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*):[^@/?#]*@")
_SECRET_PARAM = re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api_key)=[^&;\s]*")


def mask(url: str) -> str:
    """``url`` with any password (in the user part or a parameter) shown as ***."""
    return _SECRET_PARAM.sub(r"\1=***", _USERINFO.sub(r"\1:***@", url.strip()))


def _url(mapping: ActualsMap) -> tuple[str | None, str]:
    """The URL (None when the variable naming it is not set) and where it came from."""
    given = mapping.url
    if given is None:
        return os.environ.get(ENV_URL) or None, f"${ENV_URL}"
    if given.lower().startswith("env:"):
        name = given[4:].strip().lstrip("$")
        return os.environ.get(name) or None, f"${name}"
    return given, "url:"


def shown_url(mapping: ActualsMap) -> str:
    """The database as messages name it: its URL, password masked, or the
    variable that should hold it."""
    url, origin = _url(mapping)
    return mask(url) if url is not None else origin


def _fail(shown: str, message: str, secret: str | None = None) -> ActualsError:
    if secret:
        message = message.replace(secret, "***")
    return ActualsError([Diagnostic(message).placed(shown, None, None)])


def fill(mapped: Mapped, shown: str) -> None:
    """Sum the database's rows into ``mapped`` (as a CSV reader feeds it rows):
    its sums, rows read, kept, outside the dates, per node and unmatched."""
    mapping = mapped.mapping
    try:
        import sqlalchemy as sa
    except ImportError:
        raise _fail(shown, f"reading a database needs SQLAlchemy: {INSTALL}") from None
    url, origin = _url(mapping)
    if url is None:
        raise _fail(
            shown,
            f"no database URL: {origin} is not set (give url: in the actuals mapping,"
            f" url: env:NAME, or set {ENV_URL})",
        )
    secret = _password(sa, url)
    try:
        with warnings.catch_warnings():
            # A driver's or SQLAlchemy's own warnings (an unknown URL argument)
            # would print a line of its source, the URL's arguments with it.
            warnings.simplefilter("ignore")
            engine = _engine(sa, url, shown)
            with engine.connect() as con:
                _sum(sa, con, mapped, shown)
    except ActualsError as e:
        raise ActualsError(
            [
                d
                if not secret
                else Diagnostic(d.message.replace(secret, "***")).placed(shown, None, None)
                for d in e.diagnostics
            ]
        ) from None
    except sa.exc.NoSuchModuleError as e:
        raise _fail(shown, f"no driver for this URL ({_reason(e)}); install it", secret) from None
    except sa.exc.ArgumentError:
        raise _fail(
            shown, "not a database URL (e.g. postgresql://user@host/sales, sqlite:///sales.db)"
        ) from None
    except sa.exc.DBAPIError as e:
        raise _fail(shown, f"the database says: {_reason(e.orig or e)}", secret) from None
    except (sa.exc.SQLAlchemyError, ImportError, OSError) as e:
        raise _fail(shown, f"cannot read the database: {_reason(e)}", secret) from None


def _password(sa: Any, url: str) -> str | None:
    try:
        found = sa.engine.make_url(url).password
    except Exception:
        return None
    return str(found) if found else None


def _engine(sa: Any, url: str, shown: str) -> Any:
    from sqlalchemy.pool import NullPool

    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise _fail(
            shown, "not a database URL (e.g. postgresql://user@host/sales, sqlite:///sales.db)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            if not os.path.isfile(path):
                raise _fail(shown, "no such database file")
        engine = sa.create_engine(parsed, poolclass=NullPool)
        sa.event.listen(engine, "connect", _exact_sum)
        return engine
    args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        args["connect_args"] = {"connect_timeout": 10}
    return sa.create_engine(parsed, poolclass=NullPool, **args)


def _exact_sum(dbapi: Any, _: Any) -> None:
    dbapi.create_aggregate("targetsplit_exact_sum", 1, _ExactSum)


class _ExactSum:
    """SQLite's sum, exactly: each stored value as its exact decimal."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.bad: str | None = None

    def step(self, value: Any) -> None:
        if value is None or self.bad is not None:
            return
        if isinstance(value, int):
            v: Decimal | str | None = Decimal(value)
        elif isinstance(value, float):
            v = Decimal(repr(value))
        else:
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            v = export_value(text)
        if isinstance(v, str):
            self.bad = v
        elif v is not None:
            self.total = amounts.EXACT.add(self.total, v)

    def finalize(self) -> str:
        return f"!{self.bad}" if self.bad is not None else str(self.total)


def _sum(sa: Any, con: Any, mapped: Mapped, shown: str) -> None:
    mapping = mapped.mapping
    source, names = _source(sa, con, mapping, shown)
    problems = csvfile.Problems(shown)
    columns = mapped.bind(names, 0, problems)
    if columns is None:
        raise ActualsError(
            [
                Diagnostic(d.message.replace(" in the header", "")).placed(shown, None, None)
                for d in problems.diagnostics()
            ]
        )
    col = [source.c[n] for n in names]
    # As a file's cells, a value is compared without the spaces around it.
    kept = [
        sa.func.trim(sa.cast(col[i], sa.String)).in_(sorted(values)) for i, values in columns.where
    ]
    day = col[columns.date]
    lo, hi = _bounds(sa, con, source, day, mapped.first, mapped.last + timedelta(days=1))
    in_dates = sa.and_(day >= lo, day < hi)
    dialect = con.dialect.name
    sums = [sa.func.count() if i < 0 else _exact(sa, dialect, col[i]) for _, i in columns.values]
    node = col[columns.node]
    # Rows read, kept by where, without a date: one pass (counts only).
    keep = sa.and_(*kept) if kept else sa.true()
    if isinstance(lo, str):
        _check_text_dates(sa, con, source, day, keep, mapping.date, shown)
    counts = con.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((keep, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(keep, day.is_(None)), 1), else_=0)),
        ).select_from(source)
    ).one()
    mapped.rows, mapped.kept = int(counts[0] or 0), int(counts[1] or 0)
    if counts[2]:
        raise _fail(shown, f"{int(counts[2]):,} row(s) kept have no date ({mapping.date})")
    dims = [col[i] for _, i in columns.dims]  # grouped too: each item's sums
    grouped = con.execute(
        sa.select(node, *dims, sa.func.count(), *sums)
        .select_from(source)
        .where(keep, in_dates)
        .group_by(node, *dims)
    ).all()
    counted = _groups(mapped, grouped, columns, problems)
    mapped.skipped = mapped.kept - counted
    if problems:
        raise ActualsError(problems.diagnostics())
    if mapped.weeks is not None:  # a report's burn-up: the same rows, by node and day
        rows = sa.select(node, day, *sums).select_from(source).where(keep, in_dates)
        by_day = con.execute(rows.group_by(node, day)).all()
        _weeks(mapped, by_day, columns)


def _source(sa: Any, con: Any, mapping: ActualsMap, shown: str) -> tuple[Any, list[str]]:
    """The table (or the query's rows) as a selectable, and its column names."""
    if mapping.query is not None:
        text = mapping.query.strip().rstrip(";")
        probe = con.execute(sa.text(f"SELECT * FROM ({text}) AS targetsplit_rows WHERE 1 = 0"))
        names = [str(k) for k in probe.keys()]
        probe.close()
        rows = sa.text(text).columns(*(sa.column(n) for n in names)).subquery("targetsplit_rows")
        return rows, names
    assert mapping.table is not None
    schema, _, name = mapping.table.rpartition(".")
    inspector = sa.inspect(con)
    tables = list(inspector.get_table_names(schema or None))
    tables += list(inspector.get_view_names(schema or None))
    if name not in tables:
        same = [t for t in tables if fold(t) == fold(name)]
        if len(same) != 1:
            listed = csvfile.clip(", ".join(sorted(tables)), 200) or "none"
            raise _fail(
                shown,
                f"no table '{csvfile.clip(mapping.table)}'{did_you_mean(name, tables)}"
                f" (tables: {listed})",
            )
        name = same[0]
    names = [str(c["name"]) for c in inspector.get_columns(name, schema or None)]
    return sa.table(name, *(sa.column(n) for n in names), schema=schema or None), names


def _bounds(sa: Any, con: Any, source: Any, day: Any, first: date, after: date) -> tuple[Any, Any]:
    """The date filter's bounds, typed as the column holds dates: dates (a DATE
    or TIMESTAMP column), else ISO text (text dates compare as text)."""
    sample = con.execute(sa.select(day).select_from(source).where(day.is_not(None)).limit(1))
    found = sample.scalar()
    if isinstance(found, datetime):
        return datetime.combine(first, datetime.min.time()), datetime.combine(
            after, datetime.min.time()
        )
    if isinstance(found, date):
        return first, after
    return first.isoformat(), after.isoformat()


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_text_dates(
    sa: Any, con: Any, source: Any, day: Any, keep: Any, column: str, shown: str
) -> None:
    """Dates held as text are compared as text in the database, which is right
    only for ISO dates (2026-08-03, with or without a time): any other form
    (2026/8/3, 03/08/2026, an Excel serial) would be left out by the date
    filter without a word, so it is an error. One row back per distinct day."""
    prefix = sa.func.substr(sa.cast(day, sa.String), 1, 10)
    found = con.execute(
        sa.select(prefix, sa.func.count())
        .select_from(source)
        .where(keep, day.is_not(None))
        .group_by(prefix)
    ).all()
    bad: list[tuple[str, int]] = []
    for text, count in found:
        value = "" if text is None else str(text)
        try:
            ok = bool(_ISO_DAY.fullmatch(value)) and bool(date.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            bad.append((value, int(count)))
    if bad:
        rows = sum(n for _, n in bad)
        listed = ", ".join(f"'{csvfile.clip(v, 40)}' ({n:,})" for v, n in bad[:5])
        more = f" and {len(bad) - 5:,} more" if len(bad) > 5 else ""
        raise _fail(
            shown,
            f"{rows:,} row(s) kept have a date ({column}) that is not an ISO date"
            f" (YYYY-MM-DD), which the database cannot compare: {listed}{more};"
            " store dates as DATE, or as YYYY-MM-DD text",
        )


def _exact(sa: Any, dialect: str, column: Any) -> Any:
    """The column's sum, exact, as text."""
    if dialect == "sqlite":
        return sa.func.targetsplit_exact_sum(column)
    if dialect in ("mysql", "mariadb"):
        return sa.cast(sa.func.sum(sa.cast(column, sa.Numeric(65, 30))), sa.String)
    if dialect == "postgresql":
        return sa.cast(sa.func.sum(sa.cast(column, sa.Numeric())), sa.String)
    return sa.cast(sa.func.sum(sa.cast(column, sa.Numeric(38, 12))), sa.String)


def _groups(
    mapped: Mapped,
    grouped: list[Any],
    columns: Columns,
    problems: csvfile.Problems,
) -> int:
    """Each node value's (and dimension items') sums into ``mapped``; the rows counted."""
    exact = amounts.EXACT
    counted = 0
    values, k = columns.values, len(columns.dims)
    for row in grouped:
        text = "" if row[0] is None else _text(row[0])
        items = ["" if x is None else _text(x).strip() for x in row[1 : 1 + k]]
        rows = int(row[1 + k])
        node = mapped.node(text)
        if isinstance(node, Unmatched) and not mapped.strict:
            mapped.unmatched[text.strip()] = mapped.unmatched.get(text.strip(), 0) + rows
            continue
        if isinstance(node, Bad):
            more = f" (on {rows:,} row(s))" if rows > 1 else ""
            problems.add(None, node.message + more)
            continue
        counted += rows
        mapped.per_node[node] = mapped.per_node.get(node, 0) + rows
        for (metric, _), total in zip(values, row[2 + k :], strict=True):
            value = _decimal(total, problems)
            if value is not None:
                key = (node, metric)
                mapped.direct[key] = exact.add(mapped.direct.get(key, Decimal(0)), value)
                for (dim, _), item in zip(columns.dims, items, strict=True):
                    mapped.add_item((dim, item, metric), value)
    return counted


def _weeks(mapped: Mapped, by_day: list[Any], columns: Columns) -> None:
    """The sums per node value and day (as the database holds it: a date, a
    timestamp or ISO text) into ``mapped.weeks``; every node value matched
    already (:func:`_groups`)."""
    assert mapped.weeks is not None
    scratch = csvfile.Problems("")
    for row in by_day:
        node = mapped.node("" if row[0] is None else _text(row[0]))
        if isinstance(node, Bad):  # an unmatched node's rows (not strict): not counted
            continue
        when = row[1]
        day = (
            when.date()
            if isinstance(when, datetime)
            else when
            if isinstance(when, date)
            else date.fromisoformat(str(when)[:10])
        )
        for (metric, _), total in zip(columns.values, row[2:], strict=True):
            value = _decimal(total, scratch)
            if value is not None:
                mapped.weeks.add(day, node, metric, value)


def _text(value: Any) -> str:
    if isinstance(value, float):
        from targetsplit.track.tables import number_text

        return number_text(value)
    return str(value)


def _decimal(total: Any, problems: csvfile.Problems) -> Decimal | None:
    if total is None:
        return None
    if isinstance(total, int | Decimal):
        return Decimal(total)
    text = str(total).strip()
    if text.startswith("!"):  # SQLite's exact sum met a value that is not a number
        problems.add(None, text[1:])
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        problems.add(None, f"the database summed to '{csvfile.clip(text)}', not a number")
        return None


def _reason(e: BaseException) -> str:
    """An error's first line, clipped (a driver's own words, no SQL)."""
    lines = [x for x in str(e).strip().splitlines() if x.strip()]
    text = lines[0] if lines else type(e).__name__
    text = re.sub(r"\s*\(Background on this error at:.*\)$", "", text)
    return csvfile.clip(text.split("[SQL:")[0].strip(), 300)
