"""--output: the format from the file's extension, and --bom for Excel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES

FY = str(EXAMPLES / "fy2026.yaml")
ACTUALS = str(EXAMPLES / "fy2026-actuals.csv")
BOX = set("─│┃━┏┓┗┛╭╮╰╯")

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
@pytest.mark.parametrize("name", ["t.xlsx", "T.XLSX", "t.html", "t.HTM"])
@pytest.mark.parametrize("fmt", [[], ["--format", "csv"], ["--format", "table"]])
def test_a_format_not_built_yet_is_refused(
    run, tmp_path: Path, command: str, name: str, fmt: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """Never text in an .xlsx file: exit 2, nothing written, even with --format."""
    out = tmp_path / name
    result = run(*COMMANDS[command], *fmt, "-o", str(out))
    assert result.code == 2
    kind = "xlsx" if "xlsx" in name.lower() else "html"
    assert result.err == (
        f"error: --output {out}: the {kind} format is not available yet"
        " (nothing was written); write .csv or .json instead\n"
    )
    assert result.out == ""
    assert not out.exists()


def test_standard_output_keeps_the_default(run) -> None:  # type: ignore[no-untyped-def]
    assert run("allocate", FY, "-o", "-").out == run("allocate", FY).out
