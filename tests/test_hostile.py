"""Hostile inputs found by testing the landed code as a user would: each test is
a defect that once lost or misreported data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

CLI = [sys.executable, "-m", "targetsplit"]


def cli(*args: str, cwd: Path, stdin: object = subprocess.DEVNULL, stdout: object = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        stdin=stdin,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    for name in ("fy2026.yaml", "fy2026-actuals.csv", "two-reps.yaml", "two-reps-sheet.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


# -- --output: the file behind a descriptor or a link ------------------------------


@pytest.mark.parametrize("spelling", ["/proc/self/fd/1", "/dev/fd/1", "/dev/stdout"])
def test_output_to_standard_output_redirected_to_a_file(copies: Path, spelling: str) -> None:
    """`-o /dev/stdout > out.csv` writes into out.csv: it used to replace the link
    itself (as root: /dev/stdout became a regular file) and leave out.csv empty."""
    link = copies / "to-stdout"
    link.symlink_to(spelling)  # through a link of our own: never risk the real one
    with (copies / "out.csv").open("w") as out:
        done = cli(
            "allocate", "two-reps.yaml", "-f", "csv", "-o", str(link), cwd=copies, stdout=out
        )
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert (copies / "out.csv").read_text().startswith("section,path,name")


def test_output_through_a_link_keeps_the_link(copies: Path) -> None:
    real = copies / "real.csv"
    real.write_text("old\n")
    (copies / "latest.csv").symlink_to("real.csv")
    done = cli("allocate", "two-reps.yaml", "-f", "csv", "-o", "latest.csv", cwd=copies)
    assert done.returncode == 0, done.stderr
    assert (copies / "latest.csv").is_symlink()
    assert real.read_text().startswith("section,path,name")


# -- --output over an input read from standard input -------------------------------


@pytest.mark.parametrize(
    ("args", "victim", "what"),
    [
        (["allocate", "-", "-f", "csv", "-o", "fy2026.yaml"], "fy2026.yaml", "plan"),
        (["progress", "fy2026.yaml", "-w", "3", "-a", "-", "-o", "fy2026-actuals.csv"],
         "fy2026-actuals.csv", "actuals"),
        (["check", "two-reps.yaml", "--against", "-", "-o", "two-reps-sheet.csv"],
         "two-reps-sheet.csv", "sheet"),
    ],
)  # fmt: skip
def test_output_over_the_file_on_standard_input_is_refused(
    copies: Path, args: list[str], victim: str, what: str
) -> None:
    before = (copies / victim).read_bytes()
    with (copies / victim).open("rb") as stdin:
        done = cli(*args, cwd=copies, stdin=stdin)
    assert done.returncode == 1, done.stderr
    assert f"error: --output is the {what} this command reads (standard input)" in done.stderr
    assert (copies / victim).read_bytes() == before
    assert not [p for p in os.listdir(copies) if p.startswith(".")]


# -- a quote never closed: one pass over the file ----------------------------------


@pytest.mark.parametrize("row", ["2026-01-05,North,revenue,5", '"2026-01-05","North",revenue,5'])
def test_a_quote_never_closed_is_found_in_linear_time(tmp_path: Path, row: str) -> None:
    """The quoted value ran over every following line and was searched again from
    its start on each: 20,000 lines took 3.6 s, 200,000 over two minutes."""
    import time

    from targetsplit.track.csvfile import Problems, Records

    path = tmp_path / "a.csv"
    lines = ["date,node,metric,value", '2026-01-05,North,revenue,"5', *[row] * 100_000]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = Problems(str(path))
    started = time.process_time()
    records = list(Records(str(path), problems))
    assert time.process_time() - started < 3
    assert records == [(1, ["date", "node", "metric", "value"])] or problems
    assert list(problems.first.values()) == [2]


# -- the reader of standard output goes away -----------------------------------------


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_a_reader_gone_before_the_output_ends_quietly_with_141(tmp_path: Path, fmt: str) -> None:
    """`| true` (the reader gone before the first write): rich's table ended with
    exit 1, and typer turned a broken pipe anywhere into exit 1 too."""
    plan = tmp_path / "plan.yaml"
    reps = "".join(f"  R{i}: 1\n" for i in range(300))
    plan.write_text(f"plan: P\nperiod: 2026\nmetrics: {{m: {{total: 1e9}}}}\nsplit:\n{reps}")
    for args in (["allocate", str(plan), "--by", "week"], ["schema"]):
        line = " ".join([*CLI, *args, "-f", fmt] if args[0] == "allocate" else [*CLI, *args])
        done = subprocess.run(
            ["bash", "-c", f"{line} | true; exit ${{PIPESTATUS[0]}}"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stderr) == (141, ""), args


# -- a memory limit: numpy only where it fits -------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")
@pytest.mark.parametrize("mib", [100, 120, 150])
def test_a_memory_limit_never_lets_openblas_end_the_process(mib: int) -> None:
    """Under ulimit -v of 100-150 MiB, importing numpy made OpenBLAS print
    'Memory allocation still failed' and exit 1 (or a MemoryError said 'out
    of memory' for a plan that needs a few MiB)."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mib * 1024**2, mib * 1024**2))

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [*CLI, "allocate", str(EXAMPLES / "fy2026.yaml"), "--by", "week", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env=env,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert '"by": "week"' in done.stdout


# -- one diagnostic, one line --------------------------------------------------------


def test_a_line_break_in_a_quoted_name_stays_on_the_error_line(tmp_path: Path) -> None:
    """A name with a line break (a quoted CSV cell over two lines, YAML "a\\nb")
    split its error in two, the second line without file:line."""
    (tmp_path / "plan.yaml").write_text(
        'plan: T\nperiod: 2026\nmetrics: {revenue: {total: 100}}\nsplit:\n  "a\\nb\\r": 1\n  B: 1\n'
    )
    done = cli("check", "plan.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "plan.yaml:5:3: error: 'a\\nb\\r': a name cannot start or end with a space;"
        " lookups would not find it"
    ]
    shutil.copy(EXAMPLES / "fy2026.yaml", tmp_path / "fy.yaml")
    (tmp_path / "a.csv").write_text('date,node,metric,value\n2026-01-05,"Nor\nth",revenue,5\n')
    done = cli("progress", "fy.yaml", "-w", "3", "-a", "a.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "a.csv:2: error: unknown node 'Nor\\nth'; did you mean 'North'?"
    ]


def test_init_without_a_name_is_a_usage_error(tmp_path: Path) -> None:
    """`init ''` said ': error: already exists' (the empty name is the current
    directory), exit 1."""
    done = cli("init", "", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "error: init needs a file name (default targetsplit.yaml)\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_name_that_differs_only_in_its_spaces_says_so(tmp_path: Path) -> None:
    """A no-break space from a spreadsheet gave 'unknown node 'Group 1'; did you
    mean 'Group 1'?', two names that look the same."""
    shutil.copy(EXAMPLES / "fy2026.yaml", tmp_path / "fy.yaml")
    (tmp_path / "a.csv").write_text(
        "date,node,metric,value\n2026-01-05,Group\u00a01,revenue,5\n", encoding="utf-8"
    )
    done = cli("progress", "fy.yaml", "-w", "3", "-a", "a.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "a.csv:2: error: unknown node 'Group\u00a01'; did you mean 'Group 1'?"
        " (they differ in their spaces: U+00A0 NO-BREAK SPACE)\n"
    )
