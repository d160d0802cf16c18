"""--output: the format from the file's extension, and --bom for Excel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, write

FY = str(EXAMPLES / "fy2026.yaml")
ACTUALS = str(EXAMPLES / "fy2026-actuals.csv")
BOX = set("─│┃━┏┓┗┛╭╮╰╯")
HTML_COMMANDS = {"allocate", "progress", "review"}  # the commands that write an HTML report

COMMANDS = {
    "allocate": ["allocate", FY],
    "progress": ["progress", FY, "--week", "32", "-a", ACTUALS, "-q"],
    "review": ["review", FY, "--period", "2026-H1", "-a", ACTUALS, "-q"],
    "explain": ["explain", FY, "East/Group 1"],
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("out.csv", "csv"),
        ("out.json", "json"),
        ("out.md", "markdown"),
        ("out.markdown", "markdown"),
        ("out.txt", "plain"),
        ("OUT.CSV", "csv"),
        ("Out.Json", "json"),
        ("OUT.MD", "markdown"),
        ("OUT.TXT", "plain"),
    ],
)
def test_the_extension_names_the_format(
    run, tmp_path: Path, command: str, name: str, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    args = COMMANDS[command]
    inferred = run(*args, "-o", str(tmp_path / name))
    assert inferred.code == 0, inferred.err
    explicit = run(*args, "--format", fmt, "-o", str(tmp_path / "explicit"))
    assert explicit.code == 0, explicit.err
    assert _read(tmp_path / name) == _read(tmp_path / "explicit")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_format_overrides_the_extension(run, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "targets.csv"
    assert run(*COMMANDS[command], "--format", "json", "-o", str(out)).code == 0
    json.loads(_read(out))  # JSON, as asked, not CSV
    assert run(*COMMANDS[command], "-f", "CSV", "-o", str(tmp_path / "t.json")).code == 0
    assert not _read(tmp_path / "t.json").lstrip().startswith("{")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", ["targets", "targets.out", "t.yaml"])
def test_no_known_extension_is_the_default_format_as_plain_text(
    run, tmp_path: Path, command: str, name: str
) -> None:  # type: ignore[no-untyped-def]
    """No extension (or one that names no format) keeps the command's default;
    a table written to a file is plain: no box drawing."""
    out = tmp_path / name
    assert run(*COMMANDS[command], "-o", str(out)).code == 0
    plain = run(*COMMANDS[command], "--format", "plain")
    assert _read(out) == plain.out
    assert not BOX & set(_read(out))


@pytest.mark.parametrize("command", ["allocate", "progress", "review"])
def test_a_table_written_to_a_file_is_plain(run, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.txt"
    assert run(*COMMANDS[command], "--format", "table", "-o", str(out)).code == 0
    assert _read(out) == run(*COMMANDS[command], "--format", "plain").out
    assert not BOX & set(_read(out))


def test_check_against_infers_too(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan, sheet = str(EXAMPLES / "two-reps.yaml"), str(EXAMPLES / "two-reps-sheet.csv")
    out = tmp_path / "diff.json"
    run("check", plan, "--against", sheet, "-o", str(out))
    json.loads(_read(out))


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", ["t.html", "T.HTM"])
@pytest.mark.parametrize("fmt", [["--format", "csv"], ["--format", "table"]])
def test_a_report_file_takes_no_other_format(
    run, tmp_path: Path, command: str, name: str, fmt: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """Never text in an .html file: exit 2, nothing written."""
    out = tmp_path / name
    result = run(*COMMANDS[command], *fmt, "-o", str(out))
    assert result.code == 2
    assert result.err == (
        f"error: --output {out} is an html file, and --format {fmt[1]} was asked for"
        " (nothing was written); drop --format, or name another file\n"
    )
    assert result.out == ""
    assert not out.exists()


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - HTML_COMMANDS))
@pytest.mark.parametrize("where", [["-o", "t.html"], ["-o", "T.HTM"], ["--format", "html"]])
def test_html_is_refused_where_not_built(
    run, tmp_path: Path, command: str, where: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """A command without an HTML report says so: exit 2, nothing written."""
    args = [str(tmp_path / w) if w.lower().startswith("t.") else w for w in where]
    result = run(*COMMANDS[command], *args)
    assert result.code == 2
    named = f"--output {args[1]}: " if args[0] == "-o" else ""
    assert result.err == (
        f"error: {named}the html format is not available for this command yet"
        " (nothing was written); write .csv or .json instead\n"
    )
    assert result.out == ""
    assert not list(tmp_path.iterdir())


def test_standard_output_keeps_the_default(run) -> None:  # type: ignore[no-untyped-def]
    assert run("allocate", FY, "-o", "-").out == run("allocate", FY).out


CJK_PLAN = """\
plan: 华东销售计划
period: 2026
metrics:
  revenue: {total: 1.2亿}
split:
  华东一区: 60%
  华南二区: rest
"""
BOM = b"\xef\xbb\xbf"


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "targetsplit", *args], capture_output=True, timeout=120
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bom_starts_a_csv_file(tmp_path: Path, command: str) -> None:
    args = COMMANDS[command]
    with_bom, without = tmp_path / "bom.csv", tmp_path / "plain.csv"
    assert _cli(*args, "--bom", "-o", str(with_bom)).returncode == 0
    assert _cli(*args, "-o", str(without)).returncode == 0
    data = with_bom.read_bytes()
    assert data[:3] == BOM and data[3:4] != BOM[:1]
    assert data[3:] == without.read_bytes()
    assert without.read_bytes()[:3] != BOM


@pytest.mark.parametrize("where", [["-f", "csv"], ["-f", "csv", "-o", "-"]])
def test_bom_on_standard_output(tmp_path: Path, where: list[str]) -> None:
    plan = write(tmp_path, CJK_PLAN)
    done = _cli("allocate", plan, "--bom", *where)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(BOM)
    assert done.stdout[3:] == _cli("allocate", plan, *where).stdout
    assert "华东一区".encode() in done.stdout  # the names, as UTF-8 text


def test_bom_with_format_csv_and_any_file_name(tmp_path: Path) -> None:
    out = tmp_path / "targets"
    assert (
        _cli(
            "allocate",
            str(EXAMPLES / "china-2026.yaml"),
            "--bom",
            "--format",
            "csv",
            "-o",
            str(out),
        ).returncode
        == 0
    )
    assert out.read_bytes().startswith(BOM)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-o", "t.json"],
        ["-o", "t.txt"],
        ["--format", "json"],
        ["--format", "table"],
        ["--format", "markdown", "-o", "t.csv"],
    ],
)
def test_bom_is_for_csv_only(run, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    args = [str(tmp_path / a) if a.startswith("t.") else a for a in args]
    result = run("allocate", str(EXAMPLES / "china-2026.yaml"), "--bom", *args)
    assert result.code == 2
    assert result.err.startswith("error: --bom is for CSV only, and the output is ")
    assert result.out == ""
    assert not list(tmp_path.iterdir())
