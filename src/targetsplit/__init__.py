"""targetsplit: split sales targets down a hierarchy exactly, and track them.

The Python API is the application layer, :mod:`targetsplit.api`; its functions
are importable from here (loaded on first use, so the CLI does not pay for them)::

    from targetsplit import allocate, progress, review
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "allocate": "targetsplit.api.allocate",
    "AllocateResult": "targetsplit.api.allocate",
    "progress": "targetsplit.api.progress",
    "ProgressResult": "targetsplit.api.progress",
    "review": "targetsplit.api.review",
    "ReviewResult": "targetsplit.api.review",
    "explain": "targetsplit.api.explain",
    "ExplainResult": "targetsplit.api.explain",
    "check": "targetsplit.api.check",
    "CheckResult": "targetsplit.api.check",
    "starter_plan": "targetsplit.api.files",
    "schema": "targetsplit.api.files",
    "TargetsplitError": "targetsplit.errors",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'targetsplit' has no attribute '{name}'")
    return getattr(import_module(_API[name]), name)
