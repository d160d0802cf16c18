"""The layout is the architecture: packages import inward only, the core is pure."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "targetsplit"
# The pipeline, lowest first: a module may import only from its own layer or an
# earlier one (ARCHITECTURE.md).
LAYERS = [
    "errors",
    "numbers",
    "calendar",
    "plan",
    "split",
    "track",
    "audit",
    "cycle",
    "api",
    "report",
    "cli",
]
# The core: no terminal, CLI, YAML or file libraries, and no printing ...
CORE = ["errors", "numbers", "calendar", "plan", "split", "track", "audit", "cycle"]
# ... except at its edges, the modules that read files.
EDGES = {
    "plan/source.py",  # YAML text → a document with positions
    "plan/load.py",  # finds and reads the plan file
    "plan/document.py",  # builds its pydantic models without the plugin scan (an env var)
    "track/actuals.py",  # reads the actuals file
    "track/mapped.py",  # reads an export's CSV files (globs, encodings) through a mapping
    "track/csvfile.py",  # the CSV grammar of actuals and sheets; stdin and pipes
    "track/tables.py",  # reads Excel workbooks and Parquet files (written out as CSV)
    "track/database.py",  # reads actuals from SQL databases (SQLAlchemy)
    "audit/sheets.py",  # reads a target sheet
}
FORBIDDEN = {"typer", "click", "rich", "yaml", "tabulate", "csv", "os", "sys", "io", "pathlib"}


def modules() -> list[tuple[str, str, ast.Module]]:
    """(path relative to the package, its layer, its syntax tree) for every module."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        layer = rel.split("/")[0].removesuffix(".py")
        out.append((rel, layer, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def imports(tree: ast.Module) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports hide the layer they cross"
            mod = node.module or ""
            if mod == "targetsplit":  # from targetsplit import numbers → targetsplit.numbers
                found += [f"targetsplit.{a.name}" for a in node.names if a.name != "__version__"]
            else:
                found.append(mod)
    return found


def test_every_module_belongs_to_a_layer() -> None:
    for rel, layer, _ in modules():
        assert layer in LAYERS or rel in ("__init__.py", "__main__.py"), rel


def test_layers_import_inward_only() -> None:
    for rel, layer, tree in modules():
        if layer not in LAYERS:
            continue
        own = LAYERS.index(layer)
        for mod in imports(tree):
            parts = mod.split(".")
            if parts[0] != "targetsplit" or len(parts) < 2:
                continue
            assert parts[1] in LAYERS, f"{rel} imports {mod}, which is in no layer"
            assert LAYERS.index(parts[1]) <= own, f"{rel} ({layer}) imports upward: {mod}"


def test_core_modules_import_no_io_libraries() -> None:
    for rel, layer, tree in modules():
        if layer not in CORE or rel in EDGES:
            continue
        for mod in imports(tree):
            assert mod.split(".")[0] not in FORBIDDEN, f"{rel} imports {mod}"


def test_core_does_not_print() -> None:
    for rel, layer, _ in modules():
        if layer in CORE:
            text = (PACKAGE / rel).read_text(encoding="utf-8")
            assert "print(" not in text, rel


def test_the_edges_exist() -> None:
    for rel in EDGES:
        assert Path(PACKAGE / rel).is_file(), rel


def _body_lines(fn: ast.FunctionDef) -> int:
    """Lines of a function's body, its docstring not counted."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return 0 if not body else (body[-1].end_lineno or 0) - body[0].lineno + 1


def test_commands_are_a_few_lines_long() -> None:
    commands = 0
    for rel, layer, tree in modules():
        if layer != "cli":
            continue
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "command"
                for d in fn.decorator_list
            ):
                commands += 1
                assert _body_lines(fn) <= 20, f"{rel}: {fn.name} is {_body_lines(fn)} lines"
    from targetsplit.cli.main import app

    assert commands == len(app.registered_commands)  # every command was found


def test_only_main_exits_and_the_api_knows_no_cli() -> None:
    for rel, layer, tree in modules():
        text = (PACKAGE / rel).read_text(encoding="utf-8")
        if rel != "cli/main.py":
            assert "sys.exit" not in text, rel
        if layer == "api":
            assert not {"typer", "click", "rich"} & {m.split(".")[0] for m in imports(tree)}, rel
