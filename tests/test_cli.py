"""The command line: exit codes, exact messages, formats and safe output."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from wcwidth import wcswidth

from conftest import EXAMPLES, write
from targetsplit import __version__

FY = str(EXAMPLES / "fy2026.yaml")

NASTY = """\
plan: "[bold red]Plan"
period: 2026
metrics:
  revenue: {total: 300}
split:
  "[bold red]Eve": 1
  "=HYPERLINK(\\"x\\")": 1
  "evil\\e[31mred\\x07": 1
"""


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--version")
    assert (result.code, result.out) == (0, f"targetsplit {__version__}\n")


def test_missing_file_is_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", "no-such-plan.yaml")
    assert result.code == 1
    assert result.err == "no-such-plan.yaml: error: no such plan file\n"


def test_unknown_tier_is_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", FY, "--tier", "mega")
    assert result.code == 2
    assert result.err == (
        "error: unknown tier 'mega'; the plan's tiers are: floor, target, stretch\n"
    )


def test_unknown_metric_is_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", FY, "--metric", "revenu")
    assert result.code == 2
    assert "did you mean 'revenue'?" in result.err


def test_unknown_option_is_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", FY, "--bogus")
    assert result.code == 2
    assert "No such option: --bogus" in result.err
    assert "Traceback" not in result.err


def test_plan_from_stdin(run) -> None:  # type: ignore[no-untyped-def]
    text = (EXAMPLES / "two-reps.yaml").read_text(encoding="utf-8")
    result = run("allocate", "-", "--format", "csv", stdin=text)
    assert result.code == 0
    rows = {r["path"]: r["revenue"] for r in csv.DictReader(io.StringIO(result.out))}
    assert rows["Rep A"] == "300"


def test_plan_from_env_then_cwd(run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TARGETSPLIT_PLAN", raising=False)
    result = run("check")
    assert result.code == 1
    assert "no plan given" in result.err
    (tmp_path / "targetsplit.yaml").write_text(
        (EXAMPLES / "quarter-500.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert run("check").code == 0
    monkeypatch.setenv("TARGETSPLIT_PLAN", FY)
    assert "FY2026 National Sales" in run("allocate", "-f", "plain").out


def test_depth_and_metric(run) -> None:  # type: ignore[no-untyped-def]
    result = run("allocate", FY, "--depth", "1", "--metric", "revenue", "--format", "json")
    doc = json.loads(result.out)
    assert doc["metrics"] == ["revenue"]
    assert [n["path"] for n in doc["nodes"]] == ["", "North", "East", "South"]
    assert set(doc["nodes"][1]["targets"]) == {"revenue"}


def test_json_numbers_are_exact(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026\nmetrics:\n  revenue: {total: 1000.01, round: 0.01}\n"
        "split:\n  A: 1\n  B: 1\n  C: 1\n",
    )
    result = run("allocate", plan, "--format", "json")
    assert '"revenue": 333.34' in result.out
    assert '"revenue": 333.33' in result.out
    assert "e+" not in result.out and "E+" not in result.out


def test_names_are_data_in_every_format(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, NASTY)
    for fmt in ("table", "plain", "markdown"):
        result = run("allocate", plan, "--format", fmt)
        assert result.code == 0
        shown = re.sub(r"\\(.)", r"\1", result.out) if fmt == "markdown" else result.out
        assert "[bold red]Eve" in shown
        assert "\x1b" not in result.out and "\x07" not in result.out
        assert "\\x1b[31m" in shown
    table = run("allocate", plan)
    assert "[bold red]Eve" in table.out
    assert "[bold red]Plan" in table.out
    out = run("allocate", plan, "--format", "csv").out
    names = [row["name"] for row in csv.DictReader(io.StringIO(out))]
    assert '\'=HYPERLINK("x")' in names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    js = run("allocate", plan, "--format", "json").out
    assert "\x1b" not in js
    assert json.loads(js)["nodes"][3]["name"] == "evil\x1b[31mred\x07"


def test_plain_aligns_cjk_by_display_width(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: 全国销售\nperiod: 2026\nmetrics:\n  revenue: {total: 1.2亿, round: 1万}\n"
        "split:\n  华东区: 40%\n  North: 30%\n  华南: rest\n",
    )
    out = run("allocate", plan, "--format", "plain").out
    lines = [line for line in out.splitlines() if "万" in line or "亿" in line]
    assert len(lines) == 4
    # The revenue column ends at the same display column on every row.
    ends = {
        wcswidth(line[: line.index("万") + 1 if "万" in line else line.index("亿") + 1])
        for line in lines
    }
    assert len(ends) == 1


def test_output_file_is_written_atomically(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    result = run("allocate", FY, "--format", "json", "--output", str(target))
    assert result.code == 0 and result.out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["plan"] == "FY2026 National Sales"
    assert sorted(os.listdir(tmp_path)) == ["out.json"]


def test_output_to_a_missing_directory_fails_cleanly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "nope" / "out.csv"
    result = run("allocate", FY, "--format", "csv", "--output", str(target))
    assert result.code == 1
    assert result.err.startswith(f"{target}: error: cannot write: ")


def test_table_output_to_file_has_no_escape_codes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "t.txt"
    assert run("allocate", FY, "-o", str(target)).code == 0
    text = target.read_text(encoding="utf-8")
    assert "\x1b" not in text and "Group 1" in text and "1,800万" in text


def test_init_writes_a_valid_plan_and_never_overwrites(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "targetsplit.yaml"
    assert run("init", str(target)).code == 0
    check = run("check", str(target), "--strict")
    assert (check.code, check.err) == (0, "")  # the starter plan is clean
    target.write_text("mine", encoding="utf-8")
    result = run("init", str(target))
    assert result.code == 1
    assert result.err == f"{target}: error: already exists; not overwriting it\n"
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(os.listdir(tmp_path)) == ["targetsplit.yaml"]


def test_schema_is_json_schema(run) -> None:  # type: ignore[no-untyped-def]
    result = run("schema")
    schema = json.loads(result.out)
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"plan", "period", "metrics", "split"}
    assert "NodeDoc" in schema["$defs"]


def test_check_reports_warnings_with_exit_0(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: P\nperiod: 2026\nmetrics:\n  revenue: {total: 100}\n"
        "tiers: {floor: 80%, target: 100%, stretch: 90%}\n"
        "split:\n  A: 100%\n  B: 0%\n",
    )
    result = run("check", plan)
    assert result.code == 0
    assert result.err == (
        f"{plan}:5:8: warning: tiers should increase in the order given (e.g. floor 80%,"
        " target 100%, stretch 120%): floor 80%, target 100%, stretch 90%\n"
        f"{plan}:8:6: warning: 'B' has a zero weight: it gets nothing\n"
    )
    assert result.out == f"{plan}: ok: 2 nodes, 1 metric(s), period 2026, 2 warning(s)\n"
    assert run("check", plan, "--quiet").err == ""


def test_every_command_has_help(run) -> None:  # type: ignore[no-untyped-def]
    for command in ("allocate", "progress", "check", "init", "schema"):
        result = run(command, "--help")
        assert result.code == 0
        assert "Example" in result.out


def test_collector_off_during_a_command_and_restored_after(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    import targetsplit.api.allocate as api

    seen = []
    real = api.allocate

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "allocate", spy)
    assert gc.isenabled()
    assert run("allocate", str(EXAMPLES / "two-reps.yaml"), "--format", "plain").code == 0
    assert seen == [(False, True)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_command_is_built_alone_as_it_is_in_the_whole_group() -> None:
    """`targetsplit NAME …` builds the group with NAME's command alone (the others'
    signatures are not read); NAME's parameters and help are as in the whole group,
    and anything else (a typo, an option first) gets the whole group."""
    import typer

    from targetsplit.cli.app import app
    from targetsplit.cli.main import _click_command

    whole = typer.main.get_command(app)
    context = type(whole.context_class(whole))

    def help_of(group: typer.core.TyperGroup, name: str) -> str:
        sub = group.commands[name]  # type: ignore[attr-defined]
        parent = context(group, info_name="targetsplit")
        return str(sub.get_help(context(sub, info_name=name, parent=parent)))

    for name in whole.commands:  # type: ignore[attr-defined]
        alone = _click_command([name, "plan.yaml"])
        assert list(alone.commands) == [name]
        assert help_of(alone, name) == help_of(whole, name)
        assert [p.name for p in alone.params] == [p.name for p in whole.params]
    for args in (["progres"], ["--version", "progress"], []):
        assert list(_click_command(args).commands) == list(whole.commands)  # type: ignore[attr-defined]
