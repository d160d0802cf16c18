"""Docs that cannot drift: commands in the README, README output blocks."""

from __future__ import annotations

import re
import shlex

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    for command in ("allocate", "progress", "review", "check", "init", "schema"):
        assert f"### `targetsplit {command}" in README


def test_readme_output_blocks_match_the_real_output(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    pattern = re.compile(r"```sh\n(targetsplit [^\n]+)\n```\n\n```text\n(.*?)```", re.S)
    blocks = pattern.findall(README)
    assert blocks, "the README shows no command with its output"
    for command, expected in blocks:
        result = run(*shlex.split(command)[1:])
        assert result.code in (0, 1), result.err  # check --against exits 1 on a difference
        assert result.out == expected, command


def test_readme_test_line_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    line = "python3.11 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
    assert line in README
    assert line in ci


def test_readme_python_api_example_runs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "the README shows no Python API example"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})


def test_architecture_names_every_package() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "targetsplit"
    for sub in sorted(p.name for p in package.iterdir() if (p / "__init__.py").exists()):
        assert f"`{sub}/`" in text, sub
