"""--format html: one self-contained report file for progress and allocate,
its figures the JSON output's, every name escaped; it renders in a browser."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import zlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, write
from targetsplit.numbers.amounts import format_percent
from targetsplit.plan.load import load_plan
from targetsplit.report.textsafe import visible

FY = str(EXAMPLES / "fy2026.yaml")
CHINA = str(EXAMPLES / "china-2026.yaml")
ACTUALS = str(EXAMPLES / "fy2026-actuals.csv")
CHROMIUM = "/usr/bin/chromium"


class Page(HTMLParser):
    """The tags, attributes and figures of a report: each table's cells with a
    data-field, by the row's data-path."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[tuple[dict[str, str | None], dict[str, dict[str, tuple[str, str]]]]] = []
        self.style = ""
        self.texts: list[str] = []
        self._path: str | None = None
        self._cell: tuple[str, str] | None = None
        self._text: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self.tables.append((a, {}))
        elif tag == "tr":
            self._path = a.get("data-path")
        elif tag == "td" and a.get("data-field") and self._path is not None:
            self._cell = (a["data-field"] or "", a.get("data-value") or "")
            self._text = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            assert self._path is not None
            field, value = self._cell
            self.tables[-1][1].setdefault(self._path, {})[field] = ("".join(self._text), value)
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.texts.append(data)
        if self._cell is not None:
            self._text.append(data)

    def figures(self, cls: str) -> list[tuple[str, dict[str, dict[str, tuple[str, str]]]]]:
        """The tables of class ``cls``: (their metric, their figures by path)."""
        return [(a.get("data-metric") or "", f) for a, f in self.tables if a.get("class") == cls]


def _report(run, tmp_path: Path, *args: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    result = run(*args, "-o", str(out))
    assert result.code == 0, result.err
    assert result.out == ""
    done = run(*args, "--format", "json")
    assert done.code == 0, done.err
    return out.read_text(encoding="utf-8"), json.loads(done.out, parse_float=Decimal)


def _metrics(plan: str) -> dict:  # type: ignore[type-arg]
    return {m.name: m for m in load_plan(plan).plan.metrics}


PROGRESS = [
    ["progress", FY, "--week", "32", "-a", ACTUALS, "-q"],
    ["progress", FY, "--week", "32", "-a", ACTUALS, "-q", "--depth", "1", "--sort", "rank"],
    ["progress", FY, "--as-of", "2026-03-04", "-a", ACTUALS, "-q", "--metric", "revenue"],
    ["progress", FY, "--as-of", "2025-12-01", "-a", ACTUALS, "-q"],  # before the period
    ["progress", FY, "--as-of", "2027-02-01", "-a", ACTUALS, "-q"],  # after it
]


@pytest.mark.parametrize("args", PROGRESS)
def test_progress_figures_are_the_json_figures(run, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    text, doc = _report(run, tmp_path, *args)
    metrics = _metrics(FY)
    page = Page(text)
    tables = page.figures("tree")
    assert [m for m, _ in tables] == doc["metrics"]
    for name, figures in tables:
        m = metrics[name]
        assert list(figures) == [n["path"] for n in doc["nodes"]]  # every node, in order
        for node in doc["nodes"]:
            progress = node["progress"][name]
            cells = figures[node["path"]]
            assert set(cells) == {
                "target",
                "target_to_date",
                "actual",
                "attainment",
                "status",
                "gap",
                "needed_per_week",
                "projection",
                "tier",
                "rank",
            }
            for field, (shown, value) in cells.items():
                exact = json.loads(value, parse_float=Decimal)
                assert exact == progress[field], (node["path"], field)
                if exact is None:
                    assert shown in ("—", ""), (field, shown)
                elif field == "attainment":
                    assert shown == format_percent(exact, 1)
                elif field in ("status", "tier", "rank"):
                    assert shown == str(exact)
                else:
                    assert shown == m.format(Decimal(exact)), (field, shown, exact)


def test_progress_has_its_header_charts_and_leaderboard(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text, doc = _report(run, tmp_path, *PROGRESS[0])
    page = Page(text)
    words = " ".join(page.texts)
    assert "through week 32, Sun 9 Aug 2026 — 157 of 261 working days" in words
    assert words.count("Burn-up") == 2 and words.count("Leaderboard") >= 2
    charts = [a for tag, a in page.tags if tag == "svg"]
    assert len(charts) == 4  # a burn-up and a bar chart per metric
    # The leaderboard: the leaves by attainment, best first; ranks from the JSON's figures.
    board = [f for a, f in page.tables if a.get("class") == "leaderboard"][0]
    assert list(board)[0] == "East/Group 1" and list(board)[-1] == "South/Rep Liu"
    paths = [n["path"] for n in doc["nodes"]]
    leaves = [n for n in doc["nodes"][1:] if not any(p.startswith(n["path"] + "/") for p in paths)]
    best = sorted(leaves, key=lambda n: -n["progress"]["revenue"]["attainment"])
    assert list(board) == [n["path"] for n in best]


def test_a_subtree_and_its_leaderboard(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--node: the report of a subtree (its burn-up of its own rows); --leaderboard
    --depth 1: the report's leaderboard ranks the nodes one level down."""
    text, doc = _report(run, tmp_path, *PROGRESS[0], "--node", "East")
    page = Page(text)
    (_, tree), *_ = page.figures("tree")
    assert (
        list(tree)
        == [n["path"] for n in doc["nodes"]]
        == ["East", "East/Group 1", "East/Group 2", "East/Group 3"]
    )
    assert "Burn-up: East" in " ".join(page.texts)
    text, _ = _report(run, tmp_path, *PROGRESS[0], "--leaderboard", "--depth", "1")
    boards = [f for a, f in Page(text).tables if a.get("class") == "leaderboard"]
    assert list(boards[0]) == ["North", "East", "South"]
    assert [c["rank"][0] for c in boards[0].values()] == ["1", "2", "3"]


def test_weekly_actuals_read_as_progress_reads_them(tmp_path: Path) -> None:
    """Wide form by week, amounts in the amount syntax, blank cells, a row after
    the cut-off and one before the period: each week's sum, adding up to the
    root's actual."""
    from targetsplit.api.progress import progress

    plan = write(
        tmp_path,
        "plan: W\nperiod: 2026\nmetrics: {revenue: {total: 100万}, deals: {total: 50}}\n"
        "split: {A: 1, B: 1}\n",
    )
    actuals = write(
        tmp_path,
        "week,node,revenue,deals\n"
        "2026-W27,A,1.5万,1\n"
        "W27,B,100,\n"
        "28,A,,2\n"
        "2026-W29,B,(500),\n".replace(  # an accounting negative is an error in our CSV...
            "(500)", "-500"
        )
        + "2026-W40,A,999,9\n",  # after the cut-off
        "a.csv",
    )
    result = progress(plan, week=29, actuals=actuals, weekly=True, on_warning=lambda d: None)
    assert result.weekly is not None and result.weekly.actual is not None
    revenue, deals = result.weekly.actual["revenue"], result.weekly.actual["deals"]
    assert [str(v) for v in revenue[26:30]] == ["15100", "0", "-500", "0"]  # weeks 27 to 30
    assert [str(v) for v in deals[26:30]] == ["1", "2", "0", "0"]
    root = result.progress.rows[0].figures
    assert sum(revenue) == root["revenue"].actual and sum(deals) == root["deals"].actual


def test_the_burnup_of_a_subtree_adds_up() -> None:
    from targetsplit.api.progress import progress

    result = progress(FY, week=32, actuals=ACTUALS, node="South", weekly=True)
    assert result.weekly is not None and result.node is not None
    i = [n.key for n in result.progress.nodes].index("South")
    south = result.progress.rows[i].figures
    for m in result.progress.plan.metrics:
        assert sum(result.weekly.actual[m.name]) == south[m.name].actual
        assert m.amount(sum(result.weekly.target[m.name])) == south[m.name].target


def test_an_export_read_through_a_mapping(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Actuals mapped from an export: the report's figures are the JSON's; its
    burn-up has the export's actuals by week, summed as it is read, and they add
    up to the root's actual."""
    from targetsplit.api.progress import progress
    from test_actuals_mapped import project

    plan = project(tmp_path)
    text, doc = _report(run, tmp_path, "progress", plan, "--as-of", "2026-09-30", "-q")
    (_, tree), *_ = Page(text).figures("tree")
    for node in doc["nodes"]:
        value = tree[node["path"]]["actual"][1]
        assert Decimal(value) == node["progress"]["revenue"]["actual"]
    assert 'class="actual"' in text.split("<svg")[1]
    result = progress(plan, as_of="2026-09-30", weekly=True, on_warning=lambda d: None)
    assert result.weekly is not None
    root = result.progress.tallies["revenue"].figures(0)
    assert sum(result.weekly.actual["revenue"]) == root.actual != 0


def test_the_leaderboard_ranks_ties_alike(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: Ties\nperiod: 2026-Q3\nmetrics: {revenue: {total: 300}}\n"
        "split: {A: 1, B: 1, C: 1}\n",
    )
    actuals = write(
        tmp_path,
        "date,node,metric,value\n2026-07-01,A,revenue,50\n2026-07-01,B,revenue,50\n"
        "2026-07-01,C,revenue,20\n",
        "a.csv",
    )
    out = tmp_path / "r.html"
    assert run("progress", plan, "-a", actuals, "--as-of", "2026-09-30", "-o", str(out)).code == 0
    board = [f for a, f in Page(out.read_text()).tables if a.get("class") == "leaderboard"][0]
    assert [(p, c["rank"][0]) for p, c in board.items()] == [("A", "1"), ("B", "1"), ("C", "3")]


ALLOCATE = [
    ["allocate", FY],
    ["allocate", FY, "--depth", "1", "--tier", "stretch"],
    ["allocate", CHINA, "--by", "quarter"],
    ["allocate", CHINA, "--by", "week", "--period", "2026-Q3"],
    ["allocate", FY, "--by", "month", "--metric", "new_customers"],
]


@pytest.mark.parametrize("args", ALLOCATE)
def test_allocate_figures_are_the_json_figures(run, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    text, doc = _report(run, tmp_path, *args)
    metrics = _metrics(args[1])
    page = Page(text)
    (_, tree), *_ = page.figures("tree")
    assert list(tree) == [n["path"] for n in doc["nodes"]]
    for node in doc["nodes"]:
        cells = tree[node["path"]]
        for name in doc["metrics"]:
            shown, value = cells[f"targets.{name}"]
            assert Decimal(value) == node["targets"][name]
            assert shown == metrics[name].format(Decimal(node["targets"][name]))
            for of in ("of_parent", "of_total"):
                shown, value = cells[f"shares.{name}.{of}"]
                exact = json.loads(value, parse_float=Decimal)
                assert exact == node["shares"][name][of]
                assert shown == ("" if exact is None else format_percent(exact, 1))
    periods = page.figures("periods")
    if "--by" not in args:
        assert periods == []
        return
    assert [m for m, _ in periods] == doc["metrics"]
    for name, figures in periods:
        for node in doc["nodes"]:
            cells = figures[node["path"]]
            by_label = {k.split(".", 2)[2]: v for k, v in cells.items() if k.startswith("periods.")}
            assert list(by_label) == list(node["periods"][name])
            for label, (shown, value) in by_label.items():
                assert Decimal(value) == node["periods"][name][label]
                assert shown == metrics[name].format(Decimal(value))


def _no_way_out(text: str) -> None:
    """Nothing the file would fetch or run: no scripts, links, images, frames,
    event handlers, sources, imports or URLs."""
    page = Page(text)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed", "image", "use")
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("src", "href", "xlink:href")
            assert "//" not in (value or "") and "url(" not in (value or "")
    for bad in ("http:", "https:", "//", "@import", "url(", "@font-face"):
        assert bad not in page.style
    assert text.startswith("<!DOCTYPE html>\n")


@pytest.mark.parametrize("args", [PROGRESS[0], *ALLOCATE])
def test_the_file_stands_alone(run, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    text, _ = _report(run, tmp_path, *args)
    _no_way_out(text)
    for bad in ("http:", "https:", "//", "src=", "@import", "url("):
        assert bad not in text  # (no name in the examples has them either)
    assert "@media print" in text and "size: A4" in text
    assert '"Noto Sans CJK SC"' in text and "Microsoft YaHei" in text


TITLE = "<script>alert(1)</script>"
HOSTILE = [
    "<script>alert(1)",
    '"><img src=x onerror=alert(1)>',
    "&amp; & co",
    "华东 大区",
    "Bell\x07 and ESC\x1b[31m",
    "'single' <b>",
]


def _hostile_plan(tmp_path: Path) -> tuple[str, str]:
    import csv
    import io

    names = [json.dumps(n) for n in HOSTILE]  # YAML reads JSON strings (escapes too)
    split = ", ".join(f'{n}: {{weight: 1, split: {{{n[:-1]} rep": 1}}}}' for n in names)
    plan = write(
        tmp_path,
        f"plan: {json.dumps(TITLE)}\nperiod: 2026-Q3\n"
        "metrics: {revenue: {total: 600万, unit: 1}}\n"
        f"split: {{{split}}}\n",
    )
    buf = io.StringIO()
    rows = csv.writer(buf, lineterminator="\n")
    rows.writerow(["date", "node", "metric", "value"])
    for i, n in enumerate(HOSTILE):
        rows.writerow([f"2026-07-0{i + 1}", f"{n}/{n} rep", "revenue", f"{i}万"])
    return plan, write(tmp_path, buf.getvalue(), "a.csv")


@pytest.mark.parametrize("command", ["progress", "allocate"])
def test_hostile_names_are_text(run, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = _hostile_plan(tmp_path)
    args = [command, plan]
    if command == "progress":
        args += ["-a", actuals, "--as-of", "2026-07-31"]
    out = tmp_path / "r.html"
    result = run(*args, "-o", str(out))
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    _no_way_out(text)
    page = Page(text)
    assert not any(tag in ("script", "img") for tag, _ in page.tags)
    assert "<script>" not in text and "<img" not in text and "\x1b" not in text
    assert "\x07" not in text
    assert "&amp;amp; &amp; co" in text  # the name's own '&amp;' is text
    words = "".join(page.texts)
    assert visible(TITLE) in words
    for name in HOSTILE:
        assert visible(name) in words, name  # shown as written (controls as escapes)
    (_, tree), *_ = page.figures("tree")
    assert set(tree) >= {visible(n) for n in HOSTILE}  # data-path: the path, escaped
    assert "Bell\\x07 and ESC\\x1b[31m" in words


def test_cross_is_its_tables(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text, doc = _report(
        run, tmp_path, "allocate", str(EXAMPLES / "cross-2026.yaml"), "-x", "product"
    )
    _no_way_out(text)
    plain = run("allocate", str(EXAMPLES / "cross-2026.yaml"), "-x", "product", "-f", "plain")
    words = " ".join(Page(text).texts)
    for line in plain.out.splitlines()[2:8]:
        for cell in line.split("  "):
            assert cell.strip() in words or set(cell.strip()) == {"-"}


def _cells_of(text: str) -> list[str]:
    """The cells of plain tables (columns two spaces apart or more)."""
    import re

    out = []
    for line in text.splitlines():
        if line.strip() and set(line.strip()) - set("- "):
            out += [c.strip() for c in re.split(r"\s{2,}", line) if c.strip()]
    return out


def test_review_is_its_tables(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ["review", FY, "--period", "2026-H1", "-a", ACTUALS, "-q"]
    out = tmp_path / "review.html"
    assert run(*args, "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    _no_way_out(text)
    words = " ".join(Page(text).texts)
    plain = run(*args, "-f", "plain").out
    for cell in _cells_of(plain):
        if not set(cell) <= set("█░+ "):  # the bars are drawn
            assert cell in words, cell
    assert text.count('class="bar') >= 18  # a bar per node and metric


def test_check_against_a_sheet(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan, sheet = str(EXAMPLES / "two-reps.yaml"), str(EXAMPLES / "two-reps-sheet.csv")
    out = tmp_path / "check.html"
    result = run("check", plan, "--against", sheet, "-o", str(out))
    assert result.code == 1  # the sheet differs, as on the terminal
    text = out.read_text(encoding="utf-8")
    _no_way_out(text)
    words = " ".join(Page(text).texts)
    assert "two-reps-sheet.csv: 2 figure(s) differ from the plan" in words
    assert "the sheet's figures are the 1.2 : 1.0 split" in words
    agrees = write(
        tmp_path, "node,metric,value\nRep A,revenue,300\nRep B,revenue,200\n", "good.csv"
    )
    assert run("check", plan, "--against", agrees, "-o", str(out)).code == 0
    assert "agrees with the plan" in out.read_text(encoding="utf-8")


def test_check_without_a_sheet_writes_no_html(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "check.html"
    result = run("check", FY, "-o", str(out))
    assert result.code == 2 and not out.exists()
    assert "the html format is not available for this command" in result.err


def test_html_to_standard_output(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", FY, "--format", "html")
    assert result.code == 0
    assert result.out.startswith("<!DOCTYPE html>") and result.out.endswith("</html>\n")


def test_html_with_actuals_from_standard_input(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Standard input is read once: the burn-up reads the same copy."""
    piped = run(
        "progress",
        FY,
        "--week",
        "32",
        "-a",
        "-",
        "-q",
        "--format",
        "html",
        stdin=Path(ACTUALS).read_text(encoding="utf-8"),
    )
    assert piped.code == 0, piped.err
    named = run("progress", FY, "--week", "32", "-a", ACTUALS, "-q", "--format", "html")
    assert _charts(piped.out) == _charts(named.out)
    assert "&lt;stdin&gt;" in piped.out


def _charts(text: str) -> list[str]:
    return [part.split("</svg>")[0] for part in text.split("<svg")[1:]]


def test_the_burnup_adds_up(tmp_path: Path) -> None:
    """The weekly actuals add up to the root's actual; the weekly targets to its target."""
    from targetsplit.api.progress import progress

    result = progress(FY, week=32, actuals=ACTUALS, weekly=True)
    assert result.weekly is not None
    root = result.progress.rows[0].figures
    for m in result.progress.plan.metrics:
        assert sum(result.weekly.actual[m.name]) == root[m.name].actual
        assert m.amount(sum(result.weekly.target[m.name])) == root[m.name].target
        assert all(v == 0 for v in result.weekly.actual[m.name][32:])  # after the cut-off
    assert progress(FY, week=32, actuals=ACTUALS).weekly is None  # only when asked for


# -- in a browser ---------------------------------------------------------------------


def _pixels(png: bytes, rows: int) -> list[bytes]:
    """The first ``rows`` rows of an 8-bit RGB or RGBA PNG, as raw pixel bytes."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data, ihdr = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            data += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(data)
    out: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(rows, height)):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        out.append(bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        prev = line
    return out


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")
def test_the_report_renders_in_a_browser(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "progress.html"
    result = run(*PROGRESS[0], "-o", str(report))
    assert result.code == 0, result.err
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.exists(), done.stderr[-2000:]
    rows = _pixels(shot.read_bytes(), 700)  # the header, the figures and the burn-up
    colours: set[bytes] = set()
    inked = 0
    for line in rows:
        for i in range(0, len(line), 3):
            px = line[i : i + 3]
            colours.add(px)
            inked += px != b"\xff\xff\xff"
    total = sum(len(line) // 3 for line in rows)
    assert len(colours) > 50, len(colours)  # text, lines and status colours, anti-aliased
    assert 0.02 < inked / total < 0.9, inked / total
    # The chart's colours are there: the actual's orange and a status pill's yellow.
    assert any(px[0] > 200 and 80 < px[1] < 140 and px[2] < 40 for px in colours)
    assert any(px[0] > 230 and 150 < px[1] < 190 and px[2] < 60 for px in colours)
