"""A well-behaved Unix tool: pipes, Ctrl-C, full disks, unwritable paths,
non-UTF-8 terminals, NO_COLOR — all in real subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import plan_text  # noqa: E402

FY = str(EXAMPLES / "fy2026.yaml")
CMD = [sys.executable, "-m", "targetsplit"]


def run(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [*CMD, *args], capture_output=True, text=True, env=full, check=False, **kw
    )  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    path.write_text(plan_text(8, 10, 10), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def huge_plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("huge") / "huge.yaml"
    path.write_text(plan_text(20, 25, 20), encoding="utf-8")
    return str(path)


def test_output_piped_into_head_ends_quietly(big_plan: str) -> None:
    pipeline = f"{' '.join(CMD)} allocate {big_plan} --by week --format plain | head -n 2"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True
    )
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 2
    assert result.returncode in (0, 141)


@pytest.mark.parametrize("args", [["--help"], ["allocate", "--help"]])
def test_help_into_a_closed_pipe_exits_141(args: list[str]) -> None:
    """typer prints help through rich, whose console exits 1 on a broken pipe."""
    pipeline = f"{' '.join([*CMD, *args])} | true; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True)
    assert result.stderr == ""
    assert result.returncode == 141


def test_ctrl_c_exits_130_without_a_traceback(huge_plan: str) -> None:
    proc = subprocess.Popen(
        [*CMD, "allocate", huge_plan, "--by", "week", "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the command finished before the signal arrived")
    assert proc.returncode == 130
    assert err == "interrupted\n"


def test_a_full_disk_on_stdout_is_an_error() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*CMD, "allocate", FY], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 1
    assert result.stderr == "<stdout>: error: cannot write: No space left on device\n"


def test_a_full_disk_on_output_names_the_path() -> None:
    result = run("allocate", FY, "--output", "/dev/full")
    assert (result.returncode, result.stderr) == (
        1,
        "/dev/full: error: cannot write: No space left on device\n",
    )


def test_an_unwritable_output_directory_names_the_path() -> None:
    # /sys refuses new files even to root, as a read-only directory does.
    result = run("allocate", FY, "--format", "json", "--output", "/sys/targetsplit.json")
    assert (result.returncode, result.stderr) == (
        1,
        "/sys/targetsplit.json: error: cannot write: Permission denied\n",
    )
    result = run("allocate", FY, "--output", "/proc/targetsplit.txt")
    assert result.returncode == 1
    assert result.stderr.startswith("/proc/targetsplit.txt: error: cannot write: ")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from targetsplit.errors import TargetsplitError
    from targetsplit.report import output

    target = tmp_path / "targets.json"
    target.write_text("the old file\n", encoding="utf-8")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", no_space)
    with pytest.raises(TargetsplitError) as e:
        output.write_atomic(str(target), "new contents")
    assert (
        e.value.diagnostics[0].render() == f"{target}: error: cannot write: No space left on device"
    )
    assert target.read_text(encoding="utf-8") == "the old file\n"
    assert os.listdir(tmp_path) == ["targets.json"]


def test_a_killed_writer_leaves_the_old_file(tmp_path: Path, huge_plan: str) -> None:
    target = tmp_path / "weeks.json"
    target.write_text("the old file\n", encoding="utf-8")
    proc = subprocess.Popen(
        [*CMD, "allocate", huge_plan, "--by", "week", "-f", "json", "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3.0)
    proc.kill()
    proc.wait(timeout=60)
    text = target.read_text(encoding="utf-8")
    assert text == "the old file\n" or text.rstrip().endswith("}")  # old, or wholly new
    leftovers = [p for p in os.listdir(tmp_path) if p != "weeks.json"]
    # A kill -9 cannot clean up: at most the one temporary file remains, never a half target.
    assert all(p.startswith(".weeks.json.") and p.endswith(".tmp") for p in leftovers)


@pytest.mark.parametrize("env", [{"LANG": "C", "LC_ALL": "C"}, {"PYTHONIOENCODING": "ascii"}])
def test_a_non_utf8_terminal_never_crashes_on_cjk(env: dict[str, str]) -> None:
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        result = run("allocate", str(EXAMPLES / "china-2026.yaml"), "-f", fmt, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_no_color_and_pipes_give_no_escape_codes() -> None:
    piped = run("progress", FY, "--week", "32", "-q")
    assert piped.returncode == 0 and "\x1b" not in piped.stdout
    forced = run("progress", FY, "--week", "32", "-q", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert forced.returncode == 0 and "\x1b" not in forced.stdout
    coloured = run("progress", FY, "--week", "32", "-q", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout  # the check above can fail


def test_the_quick_exit_flushes_everything(big_plan: str, tmp_path: Path) -> None:
    """The process ends without tearing its heap down: what it wrote is all there."""
    from targetsplit.cli import main

    piped = run("allocate", big_plan, "--by", "week", "--format", "json")
    assert piped.returncode == 0, piped.stderr
    out = tmp_path / "in-process.json"
    assert main(["allocate", big_plan, "--by", "week", "--format", "json", "-o", str(out)]) == 0
    assert piped.stdout == out.read_text(encoding="utf-8")
    assert piped.stdout.endswith("}\n")
    failed = run("allocate", big_plan, "--tier", "nope")
    assert failed.returncode == 2 and failed.stderr


def test_a_command_does_not_scan_for_pydantic_plugins(tmp_path: Path) -> None:
    """pydantic's plugin scan (importlib.metadata) is not loaded by a command, whose
    validators are all built with plugins off; where plugins are on, the real
    loader answers."""
    probe = (
        "import os, sys\n"
        "from targetsplit.cli.main import main\n"
        f"main(['allocate', {FY!r}, '--format', 'json', '-o', {str(tmp_path / 'a.json')!r}])\n"
        "print('importlib.metadata' in sys.modules)\n"
        "loader = sys.modules['pydantic.plugin._loader']\n"
        "os.environ.pop('PYDANTIC_DISABLE_PLUGINS', None)\n"
        "print(list(loader.get_plugins()), 'importlib.metadata' in sys.modules)\n"
        "print(sys.modules['pydantic.plugin._loader'] is not loader)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["False", "[] True", "True"]


def test_a_small_plan_is_rounded_without_numpy(tmp_path: Path) -> None:
    """NumPy is imported for large plans only: for a small one, importing it would
    take longer than rounding in plain Python (same figures)."""
    actuals = tmp_path / "a.csv"
    actuals.write_text("date,node,metric,value\n2026-07-01,East,revenue,10\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from targetsplit.cli.main import main\n"
        f"main(['allocate', {FY!r}, '--by', 'week', '-f', 'json', '-o', {str(tmp_path / 'a')!r}])\n"
        f"main(['progress', {FY!r}, '-a', {str(actuals)!r}, '-w', '32', '-f', 'json',"
        f" '-o', {str(tmp_path / 'p')!r}, '-q'])\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "False", done.stderr
    assert (tmp_path / "a").stat().st_size and (tmp_path / "p").stat().st_size
