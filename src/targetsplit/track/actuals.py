"""Reading actuals (SPEC §5): a CSV of transactions, summed exactly per node and
metric through a cut-off day.

The file is read by DuckDB, which scans a million rows in well under a second
and sums them as exact DECIMAL(38,12) values; plain numbers take that path.
Values in the amount syntax (``1.2万``, ``$1,500``) or with more than 12
decimals are few and are summed in Python with the project's own parser.
Everything DuckDB is given is checked here first (dates, nodes, metrics), and
any problem is reported with the file's line number, found by a plain scan of
the file that only runs when there is an error to place.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from targetsplit.errors import AmountError, Diagnostic, TargetsplitError
from targetsplit.numbers import amounts
from targetsplit.plan.names import did_you_mean
from targetsplit.plan.tree import NodeIndex, Plan

MAX_ERRORS = 20
#: Actuals are read into memory (about 250 bytes a row); past this, refuse.
MAX_ACTUALS_BYTES = 2 * 1024**3
_PLAIN = r"-?[0-9]{1,18}(\.[0-9]{1,12})?"
_PLAIN_RE = re.compile(_PLAIN)
_WEEK_RE = re.compile(r"(?:(\d{4}|.+)-)?W?(\d{1,2})")


class ActualsError(TargetsplitError):
    """The actuals file is wrong or cannot be read (exit 1)."""


@dataclass(frozen=True)
class Actuals:
    """Actual totals booked directly on each (node path, metric) through the cut-off."""

    direct: Mapping[tuple[str, str], Decimal]
    rows: int
    skipped: int  # rows dated outside the period
    warnings: tuple[Diagnostic, ...] = field(default_factory=tuple)


def _fail(source: str, message: str, line: int | None = None) -> ActualsError:
    return ActualsError([Diagnostic(message).placed(source, line, None)])


def _read_header(path: str, source: str) -> list[str]:
    """The header row; the rest of the file is checked as DuckDB reads it."""
    try:
        with open(path, "rb") as f:
            data = f.read(65536)
    except FileNotFoundError:
        raise _fail(source, "no such actuals file") from None
    except IsADirectoryError:
        raise _fail(source, "is a directory, not an actuals file") from None
    except OSError as e:
        raise _fail(source, f"cannot read: {e.strerror}") from None
    if os.path.getsize(path) > MAX_ACTUALS_BYTES:
        raise _fail(source, "larger than 2 GiB; split the actuals by period")
    if b"\x00" in data:
        raise _fail(source, "contains NUL bytes; actuals must be a UTF-8 CSV")
    head = data.split(b"\n", 1)[0]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _fail(
            source, f"not UTF-8 text (byte 0x{head[e.start]:02x}); save as UTF-8", 1
        ) from None
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise _fail(source, "empty: expected a header such as date,node,metric,value", 1)
    return [h.strip() for h in next(csv.reader([first]))]


@dataclass
class _Layout:
    time: str  # "date" or "week"
    metrics: list[tuple[int, str]]  # (column, metric) for the wide form; empty for long
    width: int


def _layout(header: list[str], plan: Plan, source: str) -> _Layout:
    lower = [h.lower() for h in header]
    if len(lower) < 3 or lower[0] not in ("date", "week") or lower[1] != "node":
        raise _fail(
            source,
            "the header must start with date,node (or week,node), then metric,value"
            f" or one column per metric ({', '.join(plan.metric_names)});"
            f" got {','.join(header)}",
            1,
        )
    if lower[2:] == ["metric", "value"]:
        return _Layout(lower[0], [], 4)
    wide = []
    for i, name in enumerate(header[2:], start=2):
        if name not in plan.metric_names:
            raise _fail(
                source, f"unknown metric column '{name}'{_near(name, plan.metric_names)}", 1
            )
        wide.append((i, name))
    return _Layout(lower[0], wide, len(header))


def _near(word: str, choices: Iterable[str]) -> str:
    return did_you_mean(word, list(choices), 3)


def _day_of(text: str, layout: _Layout, plan: Plan) -> date:
    b = plan.breakdown
    assert b is not None
    t = text.strip()
    if layout.time == "date":
        try:
            return date.fromisoformat(t)
        except ValueError:
            raise ValueError(f"'{text}' is not a date (write YYYY-MM-DD)") from None
    m = _WEEK_RE.fullmatch(t)
    weeks = b.weeks()
    if m is not None:
        n = int(m[2])
        label = f"{weeks[0].label.rsplit('-W', 1)[0]}-W{n:02d}"
        if m[1] is None or t == label or t.replace("W", "-W", 1) == label:
            if 1 <= n <= len(weeks):
                return weeks[n - 1].end
    raise ValueError(
        f"'{text}' is not a week of the period (1 to {len(weeks)}, or {weeks[0].label})"
    )


def read_actuals(path: str, source: str, plan: Plan, cut_day: date) -> Actuals:
    """Sum the actuals in ``path`` per node and metric through ``cut_day``."""
    import duckdb

    header = _read_header(path, source)
    layout = _layout(header, plan, source)
    b = plan.breakdown
    assert b is not None
    con = duckdb.connect()
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    try:
        literal = "'" + path.replace("'", "''") + "'"
        con.execute(
            f"create temp view raw as select * from read_csv({literal}, header = false, skip = 1,"
            f" columns = {{{cols}}}, delim = ',', quote = '\"', escape = '\"',"
            " auto_detect = false, null_padding = true, strict_mode = false)"
        )
        # Read the file once into memory; every check below scans the table.
        if layout.metrics:
            parts = " union all ".join(
                f"select c0 as d, c1 as n, '{i}' as m, c{i} as v,"
                f" regexp_full_match(trim(c{i}), '{_PLAIN}') as plain"
                f" from raw where c{i} is not null"
                for i, _ in layout.metrics
            )
            con.execute(f"create temp table rows as {parts}")
        else:
            con.execute(
                "create temp table rows as select c0 as d, c1 as n, c2 as m, c3 as v,"
                f" coalesce(regexp_full_match(trim(c3), '{_PLAIN}'), false) as plain from raw"
            )
        return _read(con, path, source, plan, layout, cut_day)
    except duckdb.Error as e:
        raise _duckdb_error(source, str(e)) from None
    finally:
        con.close()


def _duckdb_error(source: str, message: str) -> ActualsError:
    """DuckDB's complaint about the file, as one placed line."""
    found = re.search(r"Line: (\d+)", message)
    line = int(found[1]) if found else None
    lines = [t.strip() for t in message.splitlines() if t.strip()]
    if "unicode" in message.lower() or "utf-8" in message.lower():
        return _fail(source, "not UTF-8 text; save the actuals as UTF-8", line)
    reason = next(
        (t for t in lines[1:] if not t.startswith(("Original Line", "Possible"))), lines[0]
    )
    return _fail(source, f"cannot read as CSV: {reason}", line)


def _read(con: Any, path: str, source: str, plan: Plan, layout: _Layout, cut_day: date) -> Actuals:
    b = plan.breakdown
    assert b is not None
    metric_of = {str(i): name for i, name in layout.metrics} if layout.metrics else None
    problems: list[tuple[str, str, str]] = []  # (column kind, offending text, message)

    dates = [r[0] for r in con.execute("select distinct d from rows").fetchall()]
    keep: dict[str | None, bool] = {}
    for d in dates:
        if d is None:
            problems.append(
                ("d", "", "a row has no date" if layout.time == "date" else "a row has no week")
            )
            continue
        try:
            day = _day_of(d, layout, plan)
        except ValueError as e:
            problems.append(("d", d, str(e)))
            continue
        keep[d] = b.period.start <= day <= cut_day and day <= b.period.end
    outside = {d for d in dates if d is not None and d in keep and not keep[d]}

    index = NodeIndex(plan)
    node_path: dict[str, str] = {}
    for (n,) in con.execute("select distinct n from rows").fetchall():
        if n is None or not n.strip():
            problems.append(("n", "", "a row has no node"))
            continue
        try:
            node_path[n] = index.lookup(n).key
        except LookupError as e:
            problems.append(("n", n, str(e)))

    if metric_of is None:
        for (m,) in con.execute("select distinct m from rows").fetchall():
            if m is None or m.strip() not in plan.metric_names:
                text = m or ""
                problems.append(
                    ("m", text, f"unknown metric '{text}'{_near(text, plan.metric_names)}")
                )

    odd: dict[str, Decimal] = {}
    for (v,) in con.execute("select distinct v from rows where not plain").fetchall():
        if v is None or not v.strip():
            if metric_of is None:
                problems.append(("v", "", "a row has no value"))
            continue
        try:
            odd[v] = amounts.parse_amount(v, allow_negative=True)
        except AmountError as e:
            problems.append(("v", v, str(e)))

    if problems:
        raise ActualsError(_place(path, source, layout, problems))

    # All names are known: sum the plain values in DuckDB, the odd ones here.
    _table(con, "keep_dates", d=[d for d, k in keep.items() if k and d is not None])
    _table(con, "node_paths", n=list(node_path), path=list(node_path.values()))
    direct: dict[tuple[str, str], Decimal] = {}
    for path_, m, total in con.execute(
        "select p.path, r.m, sum(cast(trim(r.v) as decimal(38, 12)))"
        " from rows r join keep_dates k on r.d = k.d join node_paths p on r.n = p.n"
        " where r.plain group by all"
    ).fetchall():
        metric = metric_of[m] if metric_of else m.strip()
        direct[(path_, metric)] = direct.get((path_, metric), Decimal(0)) + total
    if odd:
        _table(con, "odd", v=list(odd))
        for path_, m, v, count in con.execute(
            "select p.path, r.m, r.v, count(*) from rows r join keep_dates k on r.d = k.d"
            " join node_paths p on r.n = p.n join odd o on r.v = o.v group by all"
        ).fetchall():
            metric = metric_of[m] if metric_of else m.strip()
            add = amounts.EXACT.multiply(odd[v], Decimal(count))
            direct[(path_, metric)] = amounts.EXACT.add(
                direct.get((path_, metric), Decimal(0)), add
            )
    (rows,) = con.execute("select count(*) from rows").fetchone()
    skipped = 0
    if outside:
        _table(con, "outside", d=sorted(outside))
        (skipped,) = con.execute(
            "select count(*) from rows r join outside o on r.d = o.d"
        ).fetchone()
    warnings: tuple[Diagnostic, ...] = ()
    if skipped:
        warnings = (
            Diagnostic(
                f"{skipped} row(s) dated outside the period or after the cut-off were not counted",
                severity="warning",
            ).placed(source, None, None),
        )
    return Actuals(direct, int(rows), int(skipped), warnings)


def _table(con: Any, name: str, **columns: list[str]) -> None:
    """A temporary table of text columns filled from Python lists."""
    con.execute(f"create temp table {name} ({', '.join(f'{c} varchar' for c in columns)})")
    unnests = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    con.execute(f"insert into {name} select {unnests}", list(columns.values()))


def _place(
    path: str, source: str, layout: _Layout, problems: list[tuple[str, str, str]]
) -> list[Diagnostic]:
    """Find the first line of each problem by scanning the file (error path only)."""
    wanted: dict[tuple[str, str], str] = {}
    for kind, text, message in problems:
        wanted.setdefault((kind, text), message)
    found: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            line = reader.line_num
            cells = row + [""] * (layout.width - len(row))
            checks = [("d", cells[0]), ("n", cells[1])]
            if layout.metrics:
                checks += [("v", cells[i]) for i, _ in layout.metrics if cells[i] != ""]
            else:
                checks += [("m", cells[2]), ("v", cells[3])]
            for kind, text in checks:
                key = (kind, text if text.strip() else "")
                if key in wanted and key not in found:
                    found[key] = line
            if len(found) == len(wanted) or len(found) >= MAX_ERRORS:
                break
    out = [
        Diagnostic(message).placed(source, found.get(key), None) for key, message in wanted.items()
    ]
    out.sort(key=lambda d: d.line or 0)
    return out[:MAX_ERRORS]
