"""The core stays pure: no CLI, terminal, YAML or file libraries in it."""

from __future__ import annotations

import ast

from conftest import ROOT

CORE = [
    "amounts",
    "apportion",
    "periods",
    "weights",
    "plan",
    "allocate",
    "errors",
    "calendars",
    "seasonality",
    "flow",
    "timesplit",
]
FORBIDDEN = {"typer", "click", "rich", "yaml", "tabulate", "csv", "os", "sys", "io", "pathlib"}


def test_core_modules_import_no_io_libraries() -> None:
    for name in CORE:
        tree = ast.parse((ROOT / "src" / "targetsplit" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            for mod in mods:
                assert mod.split(".")[0] not in FORBIDDEN, f"{name}.py imports {mod}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("targetsplit."):
                inner = (node.module or "").split(".")[1]
                assert inner in CORE or inner == "model", f"{name}.py imports {node.module}"


def test_core_does_not_print() -> None:
    for name in CORE:
        text = (ROOT / "src" / "targetsplit" / f"{name}.py").read_text(encoding="utf-8")
        assert "print(" not in text, name
