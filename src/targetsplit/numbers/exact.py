"""The one decimal context: every computation on amounts runs in it.

Kept apart from :mod:`amounts` so that the command line can enter it before it
imports anything heavier.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

#: The one context for every computation: wide enough that no arithmetic on
#: amounts within the limits of :mod:`amounts` ever rounds, and an error (never a silent
#: rounding) if one would. Rounding for display is done on exact fractions.
EXACT = decimal.Context(
    prec=200,
    Emax=10**6,
    Emin=-(10**6),
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def exact(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with :data:`EXACT` as the decimal context (the entry points use this,
    so that no ``+``, ``-`` or ``sum`` on amounts anywhere rounds in the default one)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with decimal.localcontext(EXACT):
            return fn(*args, **kwargs)

    return wrapper
