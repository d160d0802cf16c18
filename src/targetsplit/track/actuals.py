"""Reading actuals (SPEC §5): a CSV of transactions, summed exactly per node and
metric through a cut-off day.

The grammar is :mod:`targetsplit.track.csvfile`'s. Two engines read it and give
the same result:

- the Python reader, the definition: record by record, every error placed at
  its ``file:line``, in file order; small files take this path;
- DuckDB, for files of a megabyte or more: it scans a million rows in well under
  a second and sums plain numbers as exact DECIMAL(38,12) values (values in the
  amount syntax, ``1.2万``, are few and summed here). It runs in a forked child
  process, so a crash or an out-of-memory kill inside it cannot take this
  process down, and it only answers for a file it finds entirely valid: any
  error, refusal or death, and the Python reader reads the file and says what
  is wrong, in its words. The child reads the file as soon as its name is
  known (:func:`reading_early`: before the plan is loaded) and sums it once
  the plan's names and the cut-off are sent to it.

Standard input (``-``), pipes and devices are read once, into a temporary file.
Sums are exact: every addition is made in the project's exact context.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

from targetsplit.calendar.periods import Period
from targetsplit.calendar.workdays import Breakdown
from targetsplit.errors import AmountError, Diagnostic, TargetsplitError
from targetsplit.numbers import amounts
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.names import Names, nfc
from targetsplit.plan.tree import Metric, Node, NodeIndex, Plan
from targetsplit.track import csvfile
from targetsplit.track.weeksums import WeekSums

T = TypeVar("T")

MAX_ERRORS = csvfile.MAX_ERRORS
#: Actuals are read into memory (about 250 bytes a row); past this, refuse.
MAX_ACTUALS_BYTES = 2 * 1024**3
#: Files this large or larger are summed by DuckDB (when they are valid).
FAST_BYTES = 1024 * 1024
_PLAIN = r"-?[0-9]{1,18}(\.[0-9]{1,12})?"
_PLAIN_RE = re.compile(_PLAIN)
_ZERO = Decimal(0)


class ActualsError(TargetsplitError):
    """The actuals file is wrong or cannot be read (exit 1)."""


@dataclass(frozen=True)
class Actuals:
    """Actual totals booked directly on each (node path, metric) through the cut-off."""

    direct: Mapping[tuple[str, str], Decimal]
    rows: int  # records read (blank ones not counted)
    skipped: int  # rows dated outside the period or after the cut-off
    warnings: tuple[Diagnostic, ...] = field(default_factory=tuple)
    # (dimension, item as written, metric) -> sum: an export mapped with dimensions:
    by_item: Mapping[tuple[str, str, str], Decimal] = field(default_factory=dict)


def _fail(source: str, message: str, line: int | None = None) -> ActualsError:
    return ActualsError([Diagnostic(message).placed(source, line, None)])


def read_actuals(
    path: str,
    source: str,
    plan: Plan,
    cut_day: date,
    *,
    engine: str | None = None,
    first_day: date | None = None,
    mapping: ActualsMap | None = None,
) -> Actuals:
    """Sum the actuals in ``path`` (``-``: standard input) per node and metric
    through ``cut_day`` (from ``first_day`` on, when given: a window of the
    period, as ``review --period`` reads). ``engine`` forces "python" or
    "duckdb" (tests); ``mapping``: the file is an export read through it."""
    return read_actuals_while(
        path,
        source,
        plan,
        cut_day,
        lambda: None,
        engine=engine,
        first_day=first_day,
        mapping=mapping,
    )[0]


def read_actuals_while(
    path: str,
    source: str,
    plan: Plan,
    cut_day: date,
    work: Callable[[], T],
    *,
    engine: str | None = None,
    first_day: date | None = None,
    early: Early | None = None,
    mapping: ActualsMap | None = None,
    weeks: WeekSums | None = None,
) -> tuple[Actuals, T]:
    """:func:`read_actuals`, with ``work()`` done meanwhile: a large file is
    summed in a child process, so the two run side by side on two cores (in
    ``early``'s child, when :func:`reading_early` started one on it). An export
    read through a ``mapping`` is read by :mod:`targetsplit.track.mapped`.
    ``weeks``: the rows counted are summed per week there too, in the same pass
    (a report's burn-up)."""
    if mapping is not None:
        from targetsplit.track.mapped import read_mapped

        try:
            return read_mapped(path, source, plan, mapping, cut_day, first_day, weeks), work()
        except MemoryError:
            raise _fail(source, f"out of memory reading {source}") from None
    from targetsplit.track import tables

    if mapping is None and path != "-" and tables.kind(path) is not None:
        # A workbook or a Parquet file in our own layout: written out as our CSV.
        return tables.read_plain(
            path, source, plan, cut_day, work, engine=engine, first_day=first_day, weeks=weeks
        )
    try:
        with csvfile.regular_file(path, source, "actuals", MAX_ACTUALS_BYTES, ActualsError) as f:
            if engine != "python" and (engine == "duckdb" or os.path.getsize(f) >= FAST_BYTES):
                fast, done = _fast(
                    f, source, plan, cut_day, work, first_day=first_day, early=early, weeks=weeks
                )
                if fast is not None:
                    return fast, done
                return _python(f, source, plan, cut_day, first_day, weeks), done
            facts = _python(f, source, plan, cut_day, first_day, weeks)
            return facts, work()
    except MemoryError:
        raise _fail(
            source,
            f"out of memory reading {source};"
            " raise the memory limit or split the actuals by period",
        ) from None


# --- what the columns mean ---------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    time: str  # "date" or "week"
    metrics: tuple[tuple[int, str], ...]  # (column, metric) for the wide form; () for long


def _layout(header: csvfile.Header, plan: Plan, problems: csvfile.Problems) -> _Layout | None:
    names = header.names
    lower = [h.lower() for h in names]
    if len(lower) < 3 or lower[0] not in ("date", "week") or lower[1] != "node":
        problems.add(
            header.line,
            "the header must start with date,node (or week,node), then metric,value"
            f" or one column per metric ({', '.join(plan.metric_names)});"
            f" got {csvfile.clip(','.join(names), 120)}",
        )
        return None
    if lower[2:4] == ["metric", "value"]:
        for extra in names[4:]:
            problems.add(
                header.line,
                f"an extra column '{csvfile.clip(extra)}' after date,node,metric,value;"
                " remove it (or give one column per metric)",
            )
        return _Layout(lower[0], ())
    wide = []
    metric_names = Names(plan.metric_names)
    for i, name in enumerate(names[2:], start=2):
        found = metric_names.find(name)
        if found is None:
            problems.add(
                header.line,
                f"unknown metric column '{csvfile.clip(name)}'{metric_names.hint(name)}",
            )
        wide.append((i, found or name))
    return _Layout(lower[0], tuple(wide))


class _Bad:
    """A cell's error (kept in the caches beside good values)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Cells:
    """What a cell's text means: its day (kept or not), node, metric or value,
    or a :class:`_Bad` saying why not. Both engines judge cells here."""

    def __init__(
        self, plan: Plan, layout: _Layout, cut_day: date, first_day: date | None = None
    ) -> None:
        b = plan.breakdown
        assert b is not None
        self.plan, self.layout, self.breakdown = plan, layout, b
        self.window = first_day is not None  # a window of the period, not all of it to date
        self.first = b.period.start if first_day is None else max(first_day, b.period.start)
        self.last = min(cut_day, b.period.end)
        self.metric_names = Names(plan.metric_names)
        # Made for the first node cell not in the cache (see _node_plan):
        self.index: NodeIndex | None = None
        self.longest = 0  # no node has a longer name or path: a longer cell needs no suggestions
        self.days: dict[str, bool | _Bad] = {}
        self.dates: dict[str, date] = {}  # the day of each date (a week: its end) judged
        self.nodes: dict[str, str | _Bad] = {}
        self.metrics: dict[str, str | _Bad] = {}
        self.odd: dict[str, Decimal | _Bad] = {}

    def day(self, text: str) -> bool | _Bad:
        """Whether a row dated ``text`` counts: in the period, from the window's
        first day (or the period's start) through the cut-off."""
        found = self.days.get(text)
        if found is None:
            found = self.days[text] = self._day(text)
        return found

    def _day(self, text: str) -> bool | _Bad:
        t = text.strip()
        b = self.breakdown
        if self.layout.time == "date":
            if not t:
                return _Bad("a row has no date")
            try:
                day = date.fromisoformat(t)
            except ValueError:
                try:  # a timestamp, as CRMs export: its date as written
                    day = datetime.fromisoformat(t).date()
                except ValueError:
                    return _Bad(f"'{csvfile.clip(t)}' is not a date (write YYYY-MM-DD){_total(t)}")
        else:
            if not t:
                return _Bad("a row has no week")
            try:
                day = b.weeks()[b.week_number(t) - 1].end
            except ValueError as e:
                return _Bad(f"{csvfile.clip(str(e), 200)}{_total(t)}")
        self.dates[text] = day
        return self.first <= day <= self.last

    def _node_plan(self) -> Plan:
        """The plan whose nodes the node cells name."""
        return self.plan

    def node(self, text: str) -> str | _Bad:
        found = self.nodes.get(text)
        if found is None:
            index = self.index
            if index is None:
                plan = self._node_plan()
                index = self.index = NodeIndex(plan)
                self.longest = max(max(len(n.key), len(n.name)) for n in plan.nodes())
            t = text.strip()
            if not t:
                found = _Bad("a row has no node")
            elif len(t) > self.longest:
                found = _Bad(f"unknown node '{csvfile.clip(t)}'{_total(t)}")
            else:
                try:
                    found = index.lookup(t).key
                except LookupError as e:
                    found = _Bad(str(e) if len(t) <= 60 else f"unknown node '{csvfile.clip(t)}'")
            self.nodes[text] = found
        return found

    def metric(self, text: str) -> str | _Bad:
        found = self.metrics.get(text)
        if found is None:
            t = text.strip()
            name = self.metric_names.find(t)
            if not t:
                found = _Bad("a row has no metric")
            elif name is not None:
                found = name
            else:
                near = self.metric_names.hint(t) if len(t) <= 100 else ""
                found = _Bad(f"unknown metric '{csvfile.clip(t)}'{near}")
            self.metrics[text] = found
        return found

    def value(self, text: str) -> Decimal | _Bad | None:
        """The amount in ``text``; None when blank."""
        t = text.strip()
        if _PLAIN_RE.fullmatch(t):
            return Decimal(t)
        if not t:
            return None
        found = self.odd.get(t)
        if found is None:
            try:
                found = amounts.parse_amount(t, allow_negative=True)
            except AmountError as e:
                found = _Bad(_accounting(t) or str(e))
            self.odd[t] = found
        return found


def _total(text: str) -> str:
    return "; a totals row? leave totals out" if text.lower().startswith("total") else ""


def _accounting(text: str) -> str | None:
    """The message for an accountant's negative, ``(1,000)``."""
    if text.startswith("(") and text.endswith(")") and len(text) > 2:
        return (
            f"'{csvfile.clip(text)}' is an accounting negative; write it as"
            f" -{csvfile.clip(text[1:-1])}"
        )
    return None


def _canon(d: Decimal) -> Decimal:
    """One form for a sum, whichever engine made it: no trailing zeros, no exponent."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1), context=amounts.EXACT)
    return d.normalize(amounts.EXACT)


def _result(
    direct: dict[tuple[str, str], Decimal],
    rows: int,
    skipped: int,
    source: str,
    cells: _Cells,
    *,
    canonical: bool = False,
) -> Actuals:
    """The actuals read; ``canonical``: the sums are in :func:`_canon`'s form already."""
    warnings: tuple[Diagnostic, ...] = ()
    if skipped:
        where = (
            f"outside the days counted ({cells.first.isoformat()} .. {cells.last.isoformat()})"
            if cells.window
            else "outside the period or after the cut-off"
        )
        warnings = (
            Diagnostic(
                f"{skipped} row(s) dated {where} were not counted", severity="warning"
            ).placed(source, None, None),
        )
    if not canonical:
        direct = {k: _canon(v) for k, v in direct.items()}
    return Actuals(direct, rows, skipped, warnings)


# --- the Python reader: the definition ---------------------------------------------


def _python(
    path: str,
    source: str,
    plan: Plan,
    cut_day: date,
    first_day: date | None = None,
    weeks: WeekSums | None = None,
) -> Actuals:
    opened = csvfile.open_csv(path, source, "actuals", "date,node,metric,value")
    problems, it, header = opened.problems, opened.rows, opened.header
    if header is None:
        raise ActualsError(problems.diagnostics())
    layout = _layout(header, plan, problems)
    if layout is None or problems:
        raise ActualsError(problems.diagnostics())
    cells = _Cells(plan, layout, cut_day, first_day)
    exact = amounts.EXACT
    direct: dict[tuple[str, str], Decimal] = {}
    rows = skipped = 0
    width, named = header.width, len(header.names)
    add = problems.add
    for line, row in it:
        if len(row) != width or not row[0].strip():
            if csvfile.is_blank(row):
                continue
            if len(row) != width:
                add(line, csvfile.field_count(row, header) or "")
                continue
        if width > named and (extra := csvfile.extra_cells(row, header)):
            add(line, extra)
            continue
        rows += 1
        keep = cells.day(row[0])
        node = cells.node(row[1])
        bad = [x.message for x in (keep, node) if isinstance(x, _Bad)]
        if layout.metrics:
            pairs = [(name, cells.value(row[i])) for i, name in layout.metrics]
        else:
            metric = cells.metric(row[2])
            value = cells.value(row[3])
            if isinstance(metric, _Bad):
                bad.append(metric.message)
            if value is None:
                bad.append("a row has no value")
            pairs = [(metric if isinstance(metric, str) else "", value)]
        for _, v in pairs:
            if isinstance(v, _Bad):
                bad.append(v.message)
        if bad:
            for message in bad:
                add(line, message)
            continue
        if keep is False:
            skipped += 1
            continue
        for metric_name, v in pairs:
            if isinstance(v, Decimal):
                key = (str(node), metric_name)
                direct[key] = exact.add(direct.get(key, _ZERO), v)
                if weeks is not None:
                    weeks.add(cells.dates[row[0]], str(node), metric_name, v)
    if problems:
        raise ActualsError(problems.diagnostics())
    return _result(direct, rows, skipped, source, cells)


# --- DuckDB, in a child process ----------------------------------------------------


@contextlib.contextmanager
def reading_early(
    path: str | Path | None, plan: str | Path | None = None
) -> Iterator[Early | None]:
    """Start reading a large actuals file into DuckDB now, in a child process,
    while the caller goes on to load the plan; pass what this yields to
    :func:`read_actuals_while` (``early=``), which sums the file with it. The
    file is ``path``, or without it the one the ``plan`` file names in its
    ``actuals:`` (a guess from a glance at its text: a child started on a wrong
    guess is not used). Only a regular file of :data:`FAST_BYTES` or more starts
    early, and nothing is said about the file here: its errors come when it is
    read, in their turn. A child not asked for its answer is stopped on leaving
    the block."""
    if path is None and plan is not None:
        path = _plan_actuals(str(plan))
    child = None
    if path is not None and _waiting and _waiting[-1].path == str(path):
        child = _waiting.pop()  # started before the command line was parsed
    abandon_early()
    if child is None and path is not None:
        child = _early_child(str(path))
    try:
        yield child
    finally:
        if child is not None:
            child.abandon()


#: A child started by :func:`start_early`, until :func:`reading_early` takes it.
_waiting: list[Early] = []


def start_early(path: str) -> bool:
    """Start reading ``path`` (when :func:`reading_early` would) before the caller
    knows whether it is wanted: the command line is not parsed yet. The next
    :func:`reading_early` of the same file takes the child; :func:`abandon_early`
    stops it. Whether a child was started."""
    abandon_early()
    child = _early_child(path)
    if child is not None:
        _waiting.append(child)
    return child is not None


def abandon_early() -> None:
    """Stop the child :func:`start_early` started, if no one took it."""
    while _waiting:
        _waiting.pop().abandon()


def _early_child(path: str) -> Early | None:
    """A child reading ``path``, if it is a large regular file and children can be had."""
    from targetsplit.track.tables import kind

    if path == "-" or not hasattr(os, "fork") or kind(path) is not None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if stat.S_ISREG(st.st_mode) and FAST_BYTES <= st.st_size <= MAX_ACTUALS_BYTES:
        return Early(path)
    return None


# A top-level ``actuals:`` line with a plain value: no quotes, no comment, nothing
# YAML would read other than as written.
_PLAN_ACTUALS = re.compile(
    rb"^actuals:[ \t]+([^\s#'\"&*!|>{}\[\],%@`?:-][^#\r\n]*?)[ \t]*\r?$", re.MULTILINE
)


def _plan_actuals(plan: str) -> str | None:
    """The actuals file the plan file at ``plan`` names, as the plan's loading
    resolves it (against the plan's folder), if a glance at its text finds it."""
    if plan == "-":
        return None
    try:
        with open(plan, "rb") as f:
            found = _PLAN_ACTUALS.findall(f.read(64 * 1024 * 1024))
        if len(found) != 1:
            return None
        return str(Path(plan).resolve().parent / found[0].decode("utf-8"))
    except (OSError, ValueError):
        return None


def _fast(
    path: str,
    source: str,
    plan: Plan,
    cut_day: date,
    meanwhile: Callable[[], T],
    *,
    first_day: date | None = None,
    early: Early | None = None,
    weeks: WeekSums | None = None,
) -> tuple[Actuals | None, T]:
    """The actuals as DuckDB sums them, or None when it cannot say (an error in
    the file, a crash, no memory): then the Python reader has the last word.
    ``meanwhile()`` runs while the child sums; its result comes second. With
    ``weeks``, the child sums the rows counted per day too, added up there."""
    request = _Request.of(source, plan, cut_day, first_day, weeks)
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        try:
            sums = _duckdb(path, lambda: request)
        except Exception:
            sums = None
        return None if sums is None else sums.actuals(weeks), meanwhile()
    child = early if early is not None and early.path == path else Early(path)
    child.send(request)
    try:
        done = meanwhile()
    except BaseException:
        child.abandon()
        raise
    return child.result(weeks), done


@dataclass(frozen=True)
class _Request:
    """What the child needs to sum the file it has read: where to count from and
    to, and the plan's names (its nodes' names and paths, no shares), sent by
    the parent once it has them."""

    source: str
    cut_day: date
    first_day: date | None
    title: str
    period: Period
    metrics: tuple[Metric, ...]
    breakdown: Breakdown | None
    nodes: tuple[tuple[str, tuple[str, ...]], ...]  # (name, path) of each node but the root
    # The rows counted summed per day too (a report's burn-up): on the nodes
    # under this node's key ('': all); None: not asked.
    by_day: str | None = None

    @classmethod
    def of(
        cls,
        source: str,
        plan: Plan,
        cut_day: date,
        first_day: date | None,
        weeks: WeekSums | None = None,
    ) -> _Request:
        nodes = tuple((n.name, n.path) for n in plan.nodes() if n.path)
        under = None if weeks is None else weeks.top
        return cls(
            source,
            cut_day,
            first_day,
            plan.title,
            plan.period,
            plan.metrics,
            plan.breakdown,
            nodes,
            under,
        )

    def plan(self, nodes: bool = True) -> Plan:
        """A plan with these names, for the cells to be judged against as the
        Python reader judges them (the nodes hang flat under the root; without
        ``nodes``, the root alone)."""
        children = tuple(Node(name, path, {}, {}) for name, path in self.nodes) if nodes else ()
        root = Node(self.title, (), {}, {}, children)
        return Plan(
            self.title, self.period, self.metrics, root, {}, False, breakdown=self.breakdown
        )

    def known(self) -> dict[str, str]:
        """The node texts NodeIndex finds as they stand, each with its node's key:
        every node's path, and its name where no other node has that name (a path
        first), in NFC; none with spaces around it (a cell is stripped first) or
        longer than every name and path (such a cell is unknown: see _Cells.node)."""
        keys = ["/".join(path) for _, path in self.nodes]
        names = [name for name, _ in self.nodes]
        longest = max([len(self.title), *map(len, keys), *map(len, names)])  # the root's too
        if "".join(keys).isascii() and "".join(names).isascii():  # in NFC as they stand
            count = Counter(names)
            found = {name: key for name, key in zip(names, keys, strict=True) if count[name] == 1}
            found.update(zip(keys, keys, strict=True))  # a path first
        else:
            paths: dict[str, str] = {}  # as NodeIndex.nodes: the first node with the path
            named: dict[str, list[str]] = {}
            for name, key in zip(names, keys, strict=True):
                paths.setdefault(key if key.isascii() else nfc(key), key)
                named.setdefault(name if name.isascii() else nfc(name), []).append(key)
            found = {
                name: paths[key if key.isascii() else nfc(key)]
                for name, (key, *more) in named.items()
                if not more
            }
            found.update(paths)
        return {t: key for t, key in found.items() if t and len(t) <= longest and t == t.strip()}


class _RequestCells(_Cells):
    """The child's cells, judged against a request: the node texts it knows
    (:meth:`_Request.known`) are in the cache from the start; the plan of its
    nodes, for any other text, is made on first need."""

    def __init__(self, asked: _Request, layout: _Layout) -> None:
        super().__init__(asked.plan(nodes=False), layout, asked.cut_day, asked.first_day)
        self.asked = asked
        self.nodes.update(asked.known())

    def _node_plan(self) -> Plan:
        return self.asked.plan()


class Early:
    """The actuals at ``path`` read by DuckDB in a forked child, from the moment
    it is made, while the parent goes on; :meth:`send` tells it what to sum them
    against, and :meth:`result` is its answer: None if it cannot say (the file
    needs the Python reader's words, a crash, a signal, no memory)."""

    def __init__(self, path: str) -> None:
        import gc

        self.path = path
        inbox, self._inbox = os.pipe()  # parent -> child: the request
        self._answer, answer = os.pipe()  # child -> parent: the actuals
        gc.freeze()  # the child's collector leaves the parent's objects (and pages) alone
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                gc.disable()
                # Nothing it says reaches the terminal; standard input stays, as the
                # file may be /dev/stdin.
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (1, 2):
                    os.dup2(quiet, fd)
                os.close(self._inbox)
                os.close(self._answer)
                letter = _Inbox(inbox)
                try:
                    data = pickle.dumps(_duckdb(path, letter.request))
                finally:  # read to its end all the same: the parent's write never fails
                    letter.wait()
                with os.fdopen(answer, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: S110 - the parent falls back
                pass
            finally:
                os._exit(code)
        gc.unfreeze()
        os.close(inbox)
        os.close(answer)
        self.pid = pid

    def send(self, request: _Request) -> None:
        """Tell the child what to sum against (it reads meanwhile: this does not wait)."""
        data = memoryview(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            while data:
                data = data[os.write(self._inbox, data) :]
        except OSError:  # the child is gone: result() says so
            pass
        finally:
            self._close("_inbox")

    def result(self, weeks: WeekSums | None = None) -> Actuals | None:
        """The child's answer (its sums by day added to ``weeks``, when given)."""
        try:
            with os.fdopen(self._answer, "rb") as child:
                self._answer = -1
                data = child.read()
        finally:
            self._close("_inbox")
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
        if status != 0 or not data:
            return None
        result = pickle.loads(data)  # noqa: S301 - our own child's answer
        return result.actuals(weeks) if isinstance(result, _Sums) else None

    def abandon(self) -> None:
        """Stop the child (its answer is not wanted) and reap it; nothing if done."""
        import signal

        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        self._close("_inbox")
        self._close("_answer")

    def _close(self, name: str) -> None:
        fd = getattr(self, name)
        if fd >= 0:
            setattr(self, name, -1)
            os.close(fd)


class _Inbox:
    """In the child: the parent's request, read by a thread as it comes, while
    DuckDB reads the file (it lets go of the GIL)."""

    def __init__(self, fd: int) -> None:
        import threading

        self._data: list[bytes] = []
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as f:
            self._data.append(f.read())

    def wait(self) -> None:
        """Until the parent has sent its request, or closed without one."""
        self._thread.join()

    def request(self) -> _Request | None:
        """The request, once it has come; None if the parent closed without one."""
        self.wait()
        data = self._data[0] if self._data else b""
        found = pickle.loads(data) if data else None  # noqa: S301 - our own parent's
        return found if isinstance(found, _Request) else None


def _duckdb(path: str, request: Callable[[], _Request | None]) -> _Sums | None:
    """In the child: the file read into DuckDB at once, then summed when
    ``request()`` gives what to sum against; None when the Python reader must
    say what is wrong (or the request never comes)."""
    opened = csvfile.open_csv(path, path, "actuals")
    header = opened.header
    opened.rows.close()
    if header is None or opened.problems or header.physical_lines != header.line:
        return None
    engine = _engine()
    # One thread: the file is read by one scan anyway (a second thread bought no
    # time, only CPU), and the parent is busy on the other core meanwhile.
    con = engine.connect(config={"threads": 1})
    try:
        texts = _duck_read(con, path, header)
        asked = request()
        if texts is None or asked is None:
            return None
        problems = csvfile.Problems(asked.source)
        layout = _layout(header, asked.plan(nodes=False), problems)
        if layout is None or problems:
            return None
        return _duck_sum(con, texts, asked, layout)
    except engine.Error:
        return None


def _engine() -> Any:
    """DuckDB's engine: its compiled module alone (``_duckdb``) where the package
    has one, as DuckDB 1.4 and later do. The package's Python layer around it
    (relations, expressions, version metadata) is more than half the cost of
    importing ``duckdb``, some 0.06 s of the child's time, and nothing here uses it."""
    try:
        import _duckdb
    except ImportError:  # an older DuckDB: the engine is inside the package
        import duckdb

        return duckdb
    return _duckdb


@dataclass
class _Texts:
    """The distinct texts of the file's columns that need no plan to be found."""

    days: list[tuple[str, int]]  # each date (or week) cell, and its records
    odd: list[str]  # values DuckDB does not sum itself (amount syntax, blanks)
    nodes: list[str]  # one column per metric only (the long form's come with the sums)


def _duck_read(con: Any, path: str, header: csvfile.Header) -> _Texts | None:
    """Read the file into the table ``raw`` (one text column per field, blank
    records left out) and the view or table ``rows`` (d, n, m, v: one value
    each, and its ``amount`` when DuckDB sums it itself: a plain number, as an
    exact decimal): all that needs no plan. None when the file is not for DuckDB."""
    names = [h.lower() for h in header.names]
    if len(names) < 3:
        return None
    long = names[2:4] == ["metric", "value"]
    width = header.width
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    # Not blank (a first cell starting with a digit, as a date does, settles it at once).
    # (c0 from '0' up to ':', the character after '9': its first byte a digit; a
    # comparison of bytes costs less than cutting out the first character.)
    filled = "(c0 >= '0' and c0 < ':') or " + " or ".join(f"trim(c{i}) <> ''" for i in range(width))
    literal = "'" + path.replace("'", "''") + "'"

    def amount(column: str) -> str:  # (most values need no trimming: tried first as they are)
        return (
            f"case when regexp_full_match({column}, '{_PLAIN}')"
            f" then cast({column} as decimal(38, 12))"
            f" when regexp_full_match(trim({column}), '{_PLAIN}')"
            f" then cast(trim({column}) as decimal(38, 12)) end"
        )

    # The file is read once into memory; every query below scans the table. No text
    # reads as NULL (an unquoted field cannot be a line break): DuckDB would drop
    # NULL (empty) fields past the last column, where a record may have no more.
    # The long form keeps a value's text only where DuckDB does not sum it itself.
    extra = f", {amount('c3')} as amount" if long else ""
    kept = ", ".join(
        "case when amount is null then c3 end as c3" if i == 3 else f"c{i}" for i in range(width)
    )
    outer = f"select {kept}, amount from" if long else "select * from"
    con.execute(
        f"create temp table raw as {outer} (select *{extra} from read_csv({literal},"
        f" header = false, skip = {header.physical_lines}, columns = {{{cols}}}, delim = ',',"
        " quote = '\"', escape = '\"', auto_detect = false, null_padding = false,"
        " strict_mode = true, nullstr = '\n', allow_quoted_nulls = false)"
        f" where {filled})"
    )
    for i in range(len(names), width):  # nameless trailing columns are blank
        if con.execute(f"select 1 from raw where trim(c{i}) <> '' limit 1").fetchall():
            return None
    if long:
        con.execute(
            "create temp view rows as select c0 as d, c1 as n, c2 as m, c3 as v, amount from raw"
        )
    else:  # one column per metric: its column number stands for the metric
        parts = " union all ".join(
            f"select c0 as d, c1 as n, '{i}' as m, c{i} as v, {amount(f'c{i}')} as amount"
            f" from raw where c{i} <> ''"
            for i in range(2, len(names))
        )
        con.execute(f"create temp table rows as {parts}")

    # The rows of values DuckDB does not sum itself, apart: few (summed in Python).
    con.execute("create temp table odd as select d, n, m, v from rows where amount is null")

    def column(query: str) -> list[str]:
        return [text for (text,) in con.execute(query).fetchall()]

    return _Texts(
        con.execute("select c0, count(*) from raw group by c0").fetchall(),
        column("select distinct v from odd"),
        [] if long else column("select distinct c1 from raw"),
    )


def _duck_sum(con: Any, texts: _Texts, asked: _Request, layout: _Layout) -> _Sums | None:
    """The sums, once the request has come: every text judged as the Python
    reader judges it (None at the first it would not take), then summed."""
    cells = _RequestCells(asked, layout)
    keep: list[str] = []
    rows = skipped = 0
    for d, count in texts.days:
        counts = cells.day(d)
        if isinstance(counts, _Bad):
            return None
        rows += count
        if counts:
            keep.append(d)
        else:
            skipped += count
    for n in texts.nodes:
        if isinstance(cells.node(n), _Bad):
            return None
    odd: dict[str, Decimal] = {}
    for v in texts.odd:
        value = cells.value(v)
        if isinstance(value, _Bad) or (value is None and not layout.metrics):
            return None
        if value is not None:
            odd[v] = value

    # Sum per node text and metric (few groups: every node and metric text of the
    # file is one), then map node texts to paths here. A sum comes as text in
    # _canon's form (DuckDB's 12 decimals, their trailing zeros gone; the parent
    # makes the Decimals); one with more than one part is added up as a Decimal here.
    # (Every row counted, as at the period's end: no filter, a third of the sum's time.)
    if skipped:
        _table(con, "keep_dates", d=keep)
        kept = "d in (select d from keep_dates)"
        total = f"sum(amount) filter (where {kept})"
    else:
        kept, total = "true", "sum(amount)"
    found: list[tuple[str, str, str | None]] = con.execute(
        "select n, m, case when contains(t, '.') then rtrim(rtrim(t, '0'), '.') else t end"
        f" from (select n, m, cast({total} as varchar) as t from rows group by n, m)"
    ).fetchall()
    # Each node and metric text judged once (a node's text comes with each metric;
    # the texts the request knows are judged already).
    for n in {n for n, _, _ in found}.difference(cells.nodes):
        if isinstance(cells.node(n), _Bad):
            return None
    node_of = cast("dict[str, str]", cells.nodes)  # every node text of the file: no _Bad
    metric_of: dict[str, str | _Bad] = {str(i): name for i, name in layout.metrics}
    metric_by: dict[str, str] = {}
    for m in {m for _, m, _ in found}:
        metric = metric_of.get(m) or cells.metric(m)
        if isinstance(metric, _Bad):
            return None
        metric_by[m] = metric
    live = [(n, m, t) for n, m, t in found if t is not None]
    keys = [(node_of[n], metric_by[m]) for n, m, _ in live]
    totals = [t for _, _, t in live]
    sums: dict[tuple[str, str], str | Decimal] = dict(zip(keys, totals, strict=True))
    touched: set[tuple[str, str]] = set()  # sums not in _canon's form
    exact = amounts.EXACT

    def add(k: tuple[str, str], amount: Decimal) -> None:
        before = sums.get(k)
        if before is not None:
            amount = exact.add(Decimal(before), amount)
        sums[k] = amount
        touched.add(k)

    if len(sums) < len(keys):  # texts of one node in more than one form: added up
        sums.clear()
        for k, text in zip(keys, totals, strict=True):
            if k in sums:
                add(k, Decimal(text))
            else:
                sums[k] = text
    if odd:
        for n, m, v, count in con.execute(
            f"select n, m, v, count(*) from odd where v <> '' and {kept} group by all"
        ).fetchall():
            if v in odd:
                add((node_of[n], metric_by[m]), exact.multiply(odd[v], Decimal(count)))
    for k in touched:
        sums[k] = str(_canon(Decimal(sums[k])))
    counted = _result({}, rows, skipped, asked.source, cells, canonical=True)
    by_day = [] if asked.by_day is None else _duck_by_day(con, cells, asked.by_day, kept, odd)
    return _Sums(
        counted,
        [k[0] for k in sums],
        [k[1] for k in sums],
        [str(t) for t in sums.values()],
        by_day,
    )


def _duck_by_day(
    con: Any, cells: _RequestCells, under: str, kept: str, odd: Mapping[str, Decimal]
) -> list[tuple[str, str, str]]:
    """The rows counted (on the nodes under the node keyed ``under``) summed per
    day and metric: (the day in ISO form, the metric, the sum as text)."""
    where = kept
    if under:
        inside = [
            n
            for n, key in cells.nodes.items()
            if isinstance(key, str) and (key == under or key.startswith(under + "/"))
        ]
        _table(con, "under_nodes", n=inside)
        where += " and n in (select n from under_nodes)"
    metric_of = {str(i): name for i, name in cells.layout.metrics}
    exact = amounts.EXACT
    out: dict[tuple[str, str], Decimal] = {}

    def add(d: str, m: str, value: Decimal) -> None:
        metric = metric_of.get(m) or cells.metric(m)
        assert isinstance(metric, str), "every metric text of the file is judged already"
        k = (cells.dates[d].isoformat(), metric)
        before = out.get(k)
        out[k] = value if before is None else exact.add(before, value)

    for d, m, t in con.execute(
        f"select d, m, cast(sum(amount) as varchar) from rows where {where} group by d, m"
    ).fetchall():
        if t is not None:
            add(d, m, Decimal(t))
    if odd:
        for d, m, v, count in con.execute(
            f"select d, m, v, count(*) from odd where v <> '' and {where} group by all"
        ).fetchall():
            if v in odd:
                add(d, m, exact.multiply(odd[v], Decimal(count)))
    return [(d, m, str(_canon(v))) for (d, m), v in out.items()]


@dataclass(frozen=True)
class _Sums:
    """The child's answer: :class:`Actuals` with the sums as text, in _canon's form
    (a Decimal costs the pickle a call of its own each; the parent makes them)."""

    counted: Actuals  # rows, skipped and warnings, without the sums
    nodes: list[str]
    metrics: list[str]
    texts: list[str]
    by_day: list[tuple[str, str, str]]  # when asked: (ISO day, metric, sum) of the rows counted

    def actuals(self, weeks: WeekSums | None = None) -> Actuals:
        """The actuals; the sums by day added to ``weeks``, when given (the node
        is the subtree the request named: ``weeks`` takes every row)."""
        if weeks is not None:
            for day, metric, text in self.by_day:
                weeks.add(date.fromisoformat(day), weeks.top, metric, Decimal(text))
        keys = zip(self.nodes, self.metrics, strict=True)
        direct = dict(zip(keys, map(Decimal, self.texts), strict=True))
        return replace(self.counted, direct=direct)


def _table(con: Any, name: str, **columns: list[str]) -> None:
    """A temporary table of text columns filled from Python lists."""
    con.execute(f"create temp table {name} ({', '.join(f'{c} varchar' for c in columns)})")
    unnests = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    con.execute(f"insert into {name} select {unnests}", list(columns.values()))
