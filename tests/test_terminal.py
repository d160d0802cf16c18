"""Tables on a real terminal (a pseudo-terminal of 60 to 200 columns): a number
or a status is shown whole or its column is dropped and named in a note; never
cut to ``1.…``."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections import Counter

import pytest
from wcwidth import wcwidth

from conftest import EXAMPLES

WIDTHS = [60, 80, 120, 200]
FOLDED = {"node", "owner", "strategy", "note", "likely cause"}  # text: folded, never cut
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NOTE = re.compile(r"not shown at (\d+) columns: (.*?) \(see them with --format plain")

# Wide CJK names (two cells a character), long ones too.
NAMES = {
    "FY2026 National Sales": "二〇二六年全国销售目标",
    "Manager Li": "李经理",
    "Manager Zhang": "张经理（华东大区）",
    "Manager Wang": "王经理",
    "two more reps, three trade shows": "新增两名销售，参加三场展会",
    "North": "华北大区",
    "East": "华东大区销售中心",
    "South": "华南大区",
    "Group 1": "上海第一销售组",
    "Group 2": "杭州销售组",
    "Group 3": "南京销售组",
    "Rep Chen": "陈晓明（高级客户经理）",
    "Rep Liu": "刘伟",
}


@pytest.fixture(scope="module")
def cjk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """fy2026.yaml and its actuals with CJK names: (plan, actuals)."""
    d = tmp_path_factory.mktemp("cjk")
    plan = (EXAMPLES / "fy2026.yaml").read_text(encoding="utf-8")
    actuals = (EXAMPLES / "fy2026-actuals.csv").read_text(encoding="utf-8")
    for old, new in sorted(NAMES.items(), key=lambda kv: -len(kv[0])):
        plan, actuals = plan.replace(old, new), actuals.replace(old, new)
    (d / "plan.yaml").write_text(plan, encoding="utf-8")
    (d / "actuals.csv").write_text(actuals, encoding="utf-8")
    return str(d / "plan.yaml"), str(d / "actuals.csv")


def on_terminal(columns: int, args: list[str]) -> str:
    """The CLI run for real on a pseudo-terminal ``columns`` wide; its output, uncoloured."""
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, on the terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "targetsplit", *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return ANSI.sub("", out.decode("utf-8")).replace("\r\n", "\n")


def piped(args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "targetsplit", *args], capture_output=True, timeout=120
    )
    return done.stdout.decode("utf-8")


def _cut(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """The cells of a line of plain text between display columns."""
    cols: list[str] = []
    for ch in line:  # each display cell's character ("" for a wide one's second)
        cols += [ch] + [""] * (max(wcwidth(ch), 1) - 1)
    return ["".join(cols[a:b]).strip() for a, b in spans]


def plain_columns(text: str) -> list[tuple[str, list[str]]]:
    """(header, cells) of every column after the first, of every plain table."""
    lines = text.splitlines()
    out = []
    for k, line in enumerate(lines):
        if not re.fullmatch(r"-+(  +-+)+", line):
            continue
        spans = [m.span() for m in re.finditer(r"-+", line)]
        spans[-1] = (spans[-1][0], 10_000)
        spans[0] = (0, spans[0][1])
        headers = _cut(lines[k - 1], spans)
        body = []
        for row in lines[k + 1 :]:
            if not row.strip():
                break
            body.append(_cut(row, spans))
        out += [(headers[j] or "bar", [r[j] for r in body if r[j]]) for j in range(1, len(spans))]
    return out


def assert_whole(args: list[str], columns: int) -> tuple[str, set[str]]:
    """Every cell of the plain table is whole in the terminal's table, unless
    its column is named in a drop note; nothing is cut with an ellipsis."""
    shown = on_terminal(columns, args)
    assert "…" not in shown, shown
    flat = " ".join(shown.split())
    notes = NOTE.findall(flat)
    assert all(int(w) == columns for w, _ in notes)
    dropped = {name for _, names in notes for name in names.split(", ")}
    tokens = Counter(shown.split())
    expected: Counter[str] = Counter()
    for header, cells in plain_columns(piped([*args, "--format", "plain"])):
        if header not in dropped and header not in FOLDED:
            for cell in cells:
                expected.update(cell.split())
    missing = expected - tokens
    assert not missing, f"cut or missing at {columns} columns: {missing}\n{shown}"
    return shown, dropped


def allocations(plan: str) -> list[list[str]]:
    return [
        ["allocate", plan],
        ["allocate", plan, "--metric", "revenue"],
        ["allocate", plan, "--by", "quarter"],
        ["allocate", plan, "--by", "month", "--metric", "revenue"],
        ["allocate", plan, "--by", "week", "--period", "2026-Q3", "--metric", "new_customers"],
    ]


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("which", range(5))
def test_allocate_never_cuts_a_number(cjk: tuple[str, str], columns: int, which: int) -> None:
    args = allocations(cjk[0])[which]
    shown, dropped = assert_whole(args, columns)
    if "--by" in args:  # periods that do not fit continue in further tables, never dropped
        assert not dropped, dropped
        if "week" in args and columns < 200:  # 14 weeks of Q3 take several tables
            assert "(continued)" in shown


@pytest.mark.parametrize("columns", WIDTHS)
def test_allocate_with_owners_and_strategy(cjk: tuple[str, str], columns: int) -> None:
    shown, dropped = assert_whole(["allocate", cjk[0]], columns)
    if columns == 200:
        assert not dropped and "新增两名销售，参加三场展会" in shown
    if columns == 80:  # the info columns go first, the figures stay
        assert {"owner", "strategy"} <= dropped
        assert {"revenue (CNY)", "new_customers"}.isdisjoint(dropped)


@pytest.mark.parametrize("columns", WIDTHS)
def test_progress_never_cuts_a_number_or_a_status(cjk: tuple[str, str], columns: int) -> None:
    plan, actuals = cjk
    args = ["progress", plan, "--week", "32", "-a", actuals, "-q"]
    shown, dropped = assert_whole(args, columns)
    data = json.loads(piped([*args, "--format", "json"]))
    tokens = Counter(shown.split())
    for field, column in [("status", "status"), ("tier", "tier"), ("rank", "rank")]:
        if column in dropped:
            continue
        seen = Counter(
            str(n["progress"][m][field])
            for n in data["nodes"]
            for m in data["metrics"]
            if n["progress"][m][field] is not None
        )
        assert not seen - tokens, (field, seen - tokens)
    assert "status" not in dropped  # red/yellow/green stay, down to 60 columns
    assert "attain." not in dropped


@pytest.mark.parametrize("columns", WIDTHS)
def test_review_never_cuts_a_number_or_a_tier(cjk: tuple[str, str], columns: int) -> None:
    plan, actuals = cjk
    args = ["review", plan, "--period", "2026-H1", "-a", actuals, "-q"]
    shown, dropped = assert_whole(args, columns)
    assert "tier" not in dropped


@pytest.mark.parametrize("columns", WIDTHS)
def test_check_against_never_cuts_a_number(columns: int) -> None:
    plan, sheet = str(EXAMPLES / "two-reps.yaml"), str(EXAMPLES / "two-reps-sheet.csv")
    shown, dropped = assert_whole(["check", plan, "--against", sheet, "-f", "table"], columns)
    assert "difference" not in dropped


@pytest.mark.parametrize("columns", WIDTHS)
def test_explain_is_text_not_a_table(cjk: tuple[str, str], columns: int) -> None:
    args = ["explain", cjk[0], "华东大区销售中心/上海第一销售组"]
    shown = on_terminal(columns, args)
    assert "…" not in shown
    assert shown == piped(args)


def test_the_note_names_what_was_dropped_and_how_to_see_it(cjk: tuple[str, str]) -> None:
    plan, actuals = cjk
    shown = on_terminal(80, ["progress", plan, "--week", "32", "-a", actuals, "-q"])
    flat = " ".join(shown.split())
    assert "not shown at 80 columns: bar, needed/wk, projection, tier, rank" in flat
    assert "(see them with --format plain or a wider terminal)" in flat
