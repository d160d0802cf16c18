"""The README's planning cycle, run as written: progress, replan, rollover on a
copy of the shipped example (its actuals given a fixed modification time, which
the new plans' headers record)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section() -> str:
    return README.split("## The planning cycle", 1)[1].split("\n## ", 1)[0]


def _steps() -> list[tuple[str, str]]:
    """(command, its output) for each ``$`` line of the section's console blocks."""
    steps = []
    for block in re.findall(r"```console\n(.*?)```", _section(), re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            steps.append((command, output))
    return steps


def test_the_readme_walks_one_cycle(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    when = datetime(2026, 9, 5, 8, 0, tzinfo=UTC).timestamp()
    os.utime(tmp_path / "examples" / "fy2026-actuals.csv", (when, when))
    steps = _steps()
    commands = [c.split()[1] for c, _ in steps if c.startswith("targetsplit")]
    for needed in ("progress", "review", "replan", "rollover"):
        assert needed in commands
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    for command, expected in steps:
        args = shlex.split(command)
        if args[0] == "head":
            lines = (tmp_path / args[-1]).read_text(encoding="utf-8").splitlines(keepends=True)
            got = "".join(lines[: int(args[2])])
        else:
            done = subprocess.run(
                [sys.executable, "-m", "targetsplit", *args[1:]],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env=env,
                check=False,
            )
            assert done.returncode == 0, (command, done.stderr)
            got = done.stdout
        assert got == expected, command
