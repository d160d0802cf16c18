"""Every bad plan in tests/invalid/ gives exactly its expected message, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent / "invalid"
CASES = sorted(p.stem for p in HERE.glob("*.yaml"))


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    for name in CASES:
        assert (HERE / f"{name}.expected").exists(), name


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("command", ["check", "allocate"])
def test_invalid_plan(name: str, command: str, run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(HERE)
    result = run(command, f"{name}.yaml")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.out == ""
    assert result.err == (HERE / f"{name}.expected").read_text(encoding="utf-8")
