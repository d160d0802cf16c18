"""Nothing lost, nothing injected: --output never replaces an input, every string
from a file reaches the terminal inert, closed standard streams, --week forms."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, write

# Raw control and format characters that a terminal could act on.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    for name in ("fy2026.yaml", "fy2026-actuals.csv", "two-reps.yaml", "two-reps-sheet.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


# -- --output is never an input ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "victim", "what"),
    [
        (["allocate", "{d}/fy2026.yaml", "-f", "csv", "-o", "{d}/fy2026.yaml"],
         "fy2026.yaml", "plan"),
        (["allocate", "{d}/fy2026.yaml", "-o", "{d}/./sub/../fy2026.yaml"], "fy2026.yaml", "plan"),
        (["explain", "{d}/fy2026.yaml", "North", "-o", "{d}/fy2026.yaml"], "fy2026.yaml", "plan"),
        (["check", "{d}/two-reps.yaml", "--against", "{d}/two-reps-sheet.csv",
          "-o", "{d}/two-reps.yaml"], "two-reps.yaml", "plan"),
        (["progress", "{d}/fy2026.yaml", "--week", "3", "-o", "{d}/fy2026-actuals.csv"],
         "fy2026-actuals.csv", "actuals"),
        (["progress", "{d}/fy2026.yaml", "-w", "3", "-a", "{d}/fy2026-actuals.csv",
          "-o", "{d}/fy2026-actuals.csv"], "fy2026-actuals.csv", "actuals"),
        (["check", "{d}/two-reps.yaml", "--against", "{d}/two-reps-sheet.csv",
          "-o", "{d}/two-reps-sheet.csv"], "two-reps-sheet.csv", "sheet"),
    ],
)  # fmt: skip
def test_output_over_an_input_is_refused(run, copies: Path, args, victim, what) -> None:  # type: ignore[no-untyped-def]
    (copies / "sub").mkdir()
    before = (copies / victim).read_bytes()
    result = run(*[a.format(d=copies) for a in args])
    assert result.code == 1, result.err
    assert f"error: --output is the {what} this command reads" in result.err
    assert "nothing was written" in result.err
    assert (copies / victim).read_bytes() == before
    assert sorted(p.name for p in copies.iterdir() if p.name.startswith(".")) == []


def test_output_over_a_link_to_the_plan_is_refused(run, copies: Path) -> None:  # type: ignore[no-untyped-def]
    plan = copies / "fy2026.yaml"
    before = plan.read_bytes()
    os.link(plan, copies / "hard.yaml")
    (copies / "soft.yaml").symlink_to(plan)
    for out in ("hard.yaml", "soft.yaml"):
        result = run("allocate", str(plan), "-f", "json", "-o", str(copies / out))
        assert result.code == 1, out
        assert result.err.startswith(f"{copies / out}: error: --output is the plan"), result.err
    result = run("allocate", str(copies / "soft.yaml"), "-o", str(plan))
    assert result.code == 1
    assert plan.read_bytes() == before


def test_output_beside_the_inputs_is_written(run, copies: Path) -> None:  # type: ignore[no-untyped-def]
    out = copies / "targets.csv"
    result = run("allocate", str(copies / "fy2026.yaml"), "-f", "csv", "-o", str(out))
    assert result.code == 0, result.err
    assert out.read_text(encoding="utf-8").startswith("section,path,name")


def test_output_without_a_name_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", str(EXAMPLES / "fy2026.yaml"), "-o", "")
    assert (result.code, result.err) == (
        2,
        "error: --output needs a file name (or - for standard output)\n",
    )


# -- names are data on the terminal too -----------------------------------------------

EVIL = (
    'plan: "Title\\e[2J\\u202e"\n'
    "period: 2026\n"
    'metrics: {"rev\\e]8;;http:x\\a": {total: 10, unit: "\\e[31mCNY"}}\n'
    'tiers: {"\\e[5mfloor": 80%, target: 100%}\n'
    'dimensions: {"dim\\x9b1m": {"item\\e[1m": 100%}}\n'
    'split: {"A\\e[2J": 50%, "B\\u200f": 50%}\n'
)


def test_hostile_names_never_reach_the_terminal_raw(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, EVIL)
    actuals = write(tmp_path, 'date,node,metric,value\n2026-01-05,"Z\x1b[2J",revenue,5\n', "a.csv")
    good = write(
        tmp_path, "date,node,metric,value\n2026-01-05,B\u200f,rev\x1b]8;;http:x\x07,5\n", "g.csv"
    )
    calls: list[tuple[str, ...]] = [("check", plan), ("allocate", plan, "--tier", "nope")]
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        calls += [
            ("allocate", plan, "-f", fmt),
            ("allocate", plan, "-f", fmt, "--by", "quarter"),
            ("explain", plan, "A\x1b[2J", "-f", fmt),
            ("progress", plan, "-w", "3", "-a", actuals, "-f", fmt),
            (
                "progress",
                plan,
                "--as-of",
                "2026-12-31",
                "-a",
                good,
                "-f",
                fmt,
                "--fail-under",
                "100",
            ),
        ]
    calls += [("allocate", plan, "--bogus-\x1b[2J"), ("explain", plan, "Q\x1b[2J")]
    for call in calls:
        result = run(*call)
        assert not RAW.search(result.out), (call, result.out)
        assert not RAW.search(result.err), (call, result.err)
        assert "Traceback" not in result.err


def test_escaped_headers_keep_plain_columns_aligned(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, EVIL)
    lines = run("allocate", plan, "-f", "plain").out.splitlines()
    header, rule = lines[2], lines[3]
    assert "rev\\x1b]8;;http:x\\x07 (\\x1b[31mCNY)" in header
    # every column's header ends where its rule ends
    ends = [m.end() for m in re.finditer(r"-+", rule)]
    assert len(header.rstrip()) == ends[-1]


def test_check_ok_line_and_fail_under_list_are_escaped(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, EVIL)
    assert run("check", plan).out == f"{plan}: ok: 2 nodes, 1 metric(s), period 2026\n"
    good = write(
        tmp_path, "date,node,metric,value\n2026-01-05,B\u200f,rev\x1b]8;;http:x\x07,5\n", "g.csv"
    )
    result = run("progress", plan, "--as-of", "2026-12-31", "-a", good, "--fail-under", "100")
    assert result.code == 3
    assert "  A\\x1b[2J: rev\\x1b]8;;http:x\\x07 at 0%\n" in result.err


def test_only_report_output_writes_to_the_standard_streams() -> None:
    allowed = {"report/output.py"}
    for path in sorted((ROOT / "src" / "targetsplit").rglob("*.py")):
        rel = path.relative_to(ROOT / "src" / "targetsplit").as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "write":
                base = ast.unparse(node.value)
                assert base not in ("sys.stdout", "sys.stderr") or rel in allowed, rel
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name not in ("print", "typer.echo", "click.echo", "typer.secho"), rel


# -- closed standard streams ------------------------------------------------------------


def _sh(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "T": f"{sys.executable} -m targetsplit"}
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def test_closed_stdout_is_an_error_not_a_traceback(copies: Path) -> None:
    result = _sh("$T allocate fy2026.yaml >&-", copies)
    assert result.returncode == 1
    assert result.stderr == "<stdout>: error: cannot write: standard output is closed\n"


def test_closed_stdout_does_not_matter_with_output(copies: Path) -> None:
    result = _sh("$T allocate fy2026.yaml -f json -o out.json >&- <&-", copies)
    assert result.returncode == 0, result.stderr
    assert (copies / "out.json").read_text(encoding="utf-8").startswith("{")


def test_closed_stdin_is_an_error_for_a_plan_from_stdin(copies: Path) -> None:
    result = _sh("$T check - <&-", copies)
    assert result.returncode == 1
    assert result.stderr == "<stdin>: error: cannot read: standard input is closed\n"
    assert _sh("$T check fy2026.yaml <&-", copies).returncode == 0


def test_closed_stderr_keeps_the_exit_code(copies: Path) -> None:
    assert _sh("$T check nope.yaml 2>&-", copies).returncode == 1
    result = _sh("$T allocate fy2026.yaml -f csv 2>&- | head -1", copies)
    assert result.stdout.startswith("section,path,name")


# -- --week and explain -----------------------------------------------------------------


@pytest.mark.parametrize("week", ["32", "W32", "w32", "2026-W32", "2026W32", " 32 "])
def test_week_by_number_or_label(run, week: str) -> None:  # type: ignore[no-untyped-def]
    plan, actuals = str(EXAMPLES / "fy2026.yaml"), str(EXAMPLES / "fy2026-actuals.csv")
    result = run("progress", plan, "--week", week, "-a", actuals, "-f", "json", "-q")
    assert result.code == 0, result.err
    assert '"target_to_date": 72180000' in result.out


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2025-W32", "error: --week: '2025-W32' is not a week of the period: give its number"
         " (1 to 53), W53 or its label (2026-W01 .. 2026-W53)\n"),
        ("W54", "error: --week: week 54 is not in the period (weeks 1 to 53)\n"),
        ("soon", "error: --week: 'soon' is not a week of the period: give its number"
         " (1 to 53), W53 or its label (2026-W01 .. 2026-W53)\n"),
    ],
)  # fmt: skip
def test_bad_week_is_a_usage_error(run, week: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("progress", str(EXAMPLES / "fy2026.yaml"), "--week", week)
    assert (result.code, result.err) == (2, message)


def test_explain_with_the_node_forgotten_asks_for_it(run) -> None:  # type: ignore[no-untyped-def]
    result = run("explain", str(EXAMPLES / "fy2026.yaml"))
    assert result.code == 2
    assert result.err == (
        f"error: which node? give it after the plan: targetsplit explain"
        f" {EXAMPLES / 'fy2026.yaml'} NODE (a path such as 'East/Group 1', or '' for the whole"
        " plan)\n"
    )


def test_out_of_memory_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    import resource

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import plan_text

    plan = tmp_path / "big.yaml"
    # 20,000 reps need ~190 MiB --by week; start-up alone ~70 MiB of address space
    plan.write_text(plan_text(20, 25, 40), encoding="utf-8")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (120 * 1024 * 1024, 120 * 1024 * 1024))

    result = subprocess.run(
        [sys.executable, "-m", "targetsplit", "allocate", str(plan), "--by", "week",
         "-f", "json", "-o", str(tmp_path / "out.json")],
        capture_output=True, text=True, preexec_fn=limit, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "error: out of memory (raise the memory limit, or work on a smaller plan or file)\n"
    )
    assert not (tmp_path / "out.json").exists()
