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
