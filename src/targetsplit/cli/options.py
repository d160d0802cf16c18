"""The options commands share, and the parsing of option text the api does not take."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any, TypedDict

import typer

from targetsplit.errors import UsageError
from targetsplit.report.formats import Format


class By(StrEnum):
    half = "half"
    quarter = "quarter"
    month = "month"
    week = "week"


PlanArg = Annotated[
    str | None,
    typer.Argument(
        help="The plan file; '-' reads standard input."
        " Default: $TARGETSPLIT_PLAN, then ./targetsplit.yaml.",
        show_default=False,
        metavar="PLAN",
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: from --output's extension, .csv .json .md .txt"
        " .xlsx .html; else table on a terminal, plain in a file). xlsx: allocate;"
        " html: a report file (progress, allocate, review).",
        case_sensitive=False,
        show_default=False,
    ),
]
PlainFormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: from --output's extension, .csv .json .md .txt"
        " .html; else plain). html: check --against only (not explain).",
        case_sensitive=False,
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write the result to FILE (atomically).", metavar="FILE"),
]
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom",
        help="Start CSV with a UTF-8 byte order mark, so that Excel opens Chinese"
        " names correctly (CSV only).",
    ),
]
ActualsOpt = Annotated[
    str | None,
    typer.Option(
        "--actuals",
        "-a",
        metavar="FILE",
        help="The actuals CSV (overrides the plan's); '-' reads standard input.",
    ),
]
ActualsMapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--actuals-map",
        metavar="KEY=VALUE",
        help="Read the actuals as an export: date=COLUMN, node=COLUMN,"
        " values.METRIC=COLUMN (or count), where.COLUMN=VALUE, encoding=, date_format=,"
        " file= (repeatable; over the plan's actuals: mapping, key by key).",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Do not print warnings.")]
MetricOpt = Annotated[
    list[str] | None,
    typer.Option("--metric", "-m", metavar="NAME", help="Show only this metric (repeatable)."),
]
TierOpt = Annotated[
    str | None,
    typer.Option(
        "--tier", "-t", metavar="NAME", help="Scale the total by a tier (floor, target, stretch…)."
    ),
]
NodeOpt = Annotated[
    str | None,
    typer.Option(
        "--node",
        "-n",
        metavar="PATH",
        help="Show only this node's subtree (figures as in the whole plan's): a path as"
        " the JSON's path writes it ('South/Rep Chen') or a name unique in the plan;"
        " --depth then counts from it.",
    ),
]
DepthOpt = Annotated[
    int | None,
    typer.Option("--depth", "-d", min=0, metavar="N", help="Show nodes down to this depth."),
]


class ActualsGiven(TypedDict):
    """``--actuals`` and ``--actuals-map`` as the api takes them (``**given``)."""

    actuals: str | None
    actuals_map: dict[str, Any] | None


def actuals_given(actuals: str | None, items: list[str] | None) -> ActualsGiven:
    return {"actuals": actuals, "actuals_map": actuals_map(items)}


def actuals_map(items: list[str] | None) -> dict[str, Any] | None:
    """``--actuals-map`` items as the plan's ``actuals:`` mapping would hold them:
    ``values.revenue=Amount`` and ``values={revenue: Amount}`` alike (a value
    starting with ``{`` or ``[`` is read as YAML flow, as the plan would read it)."""
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise UsageError(
                f"--actuals-map takes KEY=VALUE (date=Close Date, values.revenue=Amount),"
                f" not '{item}'"
            )
        parsed: Any = value.strip()
        if parsed.startswith(("{", "[")):
            import yaml

            try:
                parsed = yaml.safe_load(parsed)
            except yaml.YAMLError:
                raise UsageError(
                    f"--actuals-map {key}: '{value}' is not a YAML mapping or list"
                ) from None
        top, dot, sub = key.partition(".")
        if dot and top in ("values", "where"):
            inner = out.setdefault(top, {})
            if isinstance(inner, dict):
                inner[sub] = parsed
        else:
            out[key] = parsed
    return out


def percent(option: str, text: str | None) -> Fraction | None:
    """A percent option such as ``90`` or ``90%`` as a fraction (0.9)."""
    from targetsplit.errors import AmountError
    from targetsplit.numbers import amounts

    if text is None:
        return None
    try:
        return Fraction(amounts.parse(text.rstrip("%％") + "%").value)
    except AmountError as e:
        why = str(e).split(" (amounts look like")[0].split("' ", 1)[-1]  # "is too large …"
        raise UsageError(f"{option} takes a percent such as 90, not '{text}': it {why}") from None


def rank_sort(text: str | None) -> bool:
    """``--sort rank`` (the only order there is besides the plan's)."""
    if text not in (None, "rank"):
        raise UsageError(f"--sort takes 'rank', not '{text}'")
    return text == "rank"
