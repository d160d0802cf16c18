"""The project's errors: diagnostics with a place, and the one exception family.

The core raises these with a *document location* (a path of keys into the
plan, such as ``("split", "East", "weight")``); the loader turns locations
into ``file:line:col`` before the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

Loc = tuple[str | int, ...]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning, with where it is when that is known."""

    message: str
    loc: Loc = ()
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    # Where a part whose absence alone would cause it is (a ramp's missing
    # start): not reported where that part was left out as wrong.
    cause: Loc | None = None

    def placed(self, file: str, line: int | None, col: int | None) -> Diagnostic:
        return replace(self, file=file, line=line, col=col)

    def render(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        # One diagnostic, one line: a line break in a name or cell quoted in the
        # message (a quoted CSV value, a YAML "a\nb") is shown as an escape, as
        # report.textsafe shows other control characters.
        text = f"{where}{self.severity}: {self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")


class TargetsplitError(Exception):
    """Base of every error the tool reports to a user (exit code 1 unless said)."""

    exit_code = 1

    def __init__(self, diagnostics: Sequence[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(diagnostics)]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class PlanError(TargetsplitError):
    """The plan cannot be read or is wrong."""


class AmountError(ValueError):
    """Text that is not a valid amount (raised inside validation, then placed)."""


class UsageError(TargetsplitError):
    """The command line is wrong (exit code 2)."""

    exit_code = 2
