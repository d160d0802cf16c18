"""The errors and warnings found while a plan is built, collected in order."""

from __future__ import annotations

from targetsplit.errors import Diagnostic, Loc, PlanError


class Collector:
    """Every problem found so far: errors (once per place and key), warnings (once each)."""

    def __init__(self) -> None:
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self._seen: set[tuple[Loc, str]] = set()

    def error(
        self, message: str, loc: Loc, dedupe: str | None = None, cause: Loc | None = None
    ) -> None:
        """Record an error; with ``dedupe``, only the first at ``loc`` with that key;
        ``cause``: the part whose absence alone causes it (``Diagnostic.cause``)."""
        if dedupe is not None:
            if (loc, dedupe) in self._seen:
                return
            self._seen.add((loc, dedupe))
        self.errors.append(Diagnostic(message, loc, cause=cause))

    def warn(self, message: str, loc: Loc) -> None:
        d = Diagnostic(message, loc, severity="warning")
        if d not in self.warnings:  # a metric-independent warning comes once
            self.warnings.append(d)

    def raise_if_errors(self) -> None:
        """Raise :class:`PlanError` with the errors, then the warnings, if there is an error."""
        if self.errors:
            raise PlanError(self.errors + self.warnings)
