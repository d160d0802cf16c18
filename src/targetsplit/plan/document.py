"""The plan file's format, version 1, as pydantic models (SPEC §1).

These models check the *shape* of a plan: which keys exist, which values
parse. Sums and shares are checked when the plan is built (:mod:`plan`).
The JSON Schema printed by ``targetsplit schema`` is generated from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from targetsplit.calendar.periods import Period, custom_period, parse_period_text
from targetsplit.numbers import amounts
from targetsplit.plan import shapes
from targetsplit.plan.actualsmap import ActualsMap
from targetsplit.plan.weights import Weight, WeightSpec

_AMOUNT_SCHEMA = {
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}],
    "description": "An amount: 500, 1,200,000, 1.2e8, 1.2亿, 4800万, $1.5M, 1.5 万",
}
_PERCENT_SCHEMA = {"type": "string", "pattern": "^\\s*[0-9.,]+\\s*[%％]\\s*$"}
_SINGLE_WEIGHT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "description": "a percent (60%), a ratio (1.2) or 'rest'"},
        {"type": "number", "minimum": 0, "description": "a ratio"},
        {
            "type": "object",
            "properties": {"amount": _AMOUNT_SCHEMA},
            "required": ["amount"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"history": _AMOUNT_SCHEMA},
            "required": ["history"],
            "additionalProperties": False,
        },
    ]
}
_WEIGHT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _SINGLE_WEIGHT_SCHEMA,
        {
            "type": "object",
            "description": "per-metric weights: {default: 60%, new_customers: 12}",
            "additionalProperties": _SINGLE_WEIGHT_SCHEMA,
        },
    ]
}

DriverText = Annotated[
    amounts.Parsed,
    PlainValidator(shapes.driver),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string"}],
            "description": "an amount (50万, 0.5) for a metric derived per:, a percent (25%)"
            " for one derived by rate:",
        }
    ),
]
AmountText = Annotated[
    amounts.Parsed, PlainValidator(shapes.amount), WithJsonSchema(_AMOUNT_SCHEMA)
]
PercentText = Annotated[
    amounts.Parsed, PlainValidator(shapes.percent), WithJsonSchema(_PERCENT_SCHEMA)
]
WeightField = Annotated[WeightSpec, PlainValidator(shapes.weight), WithJsonSchema(_WEIGHT_SCHEMA)]
NodeAmount = Annotated[Weight, PlainValidator(shapes.node_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
NodeHistory = Annotated[Weight, PlainValidator(shapes.node_history), WithJsonSchema(_AMOUNT_SCHEMA)]
MixShare = Annotated[
    amounts.Parsed,
    PlainValidator(shapes.mix_share),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "number", "minimum": 0}],
            "description": "a percent (40%) or a ratio (2)",
        }
    ),
]
Text = Annotated[str, PlainValidator(shapes.text), WithJsonSchema({"type": "string"})]
ShareList = Annotated[
    tuple[Fraction, ...],
    PlainValidator(shapes.share_list),
    WithJsonSchema({"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}]}}),
]
QuarterShares = Annotated[
    tuple[Fraction, ...],
    PlainValidator(shapes.quarter_shares),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "number"}]},
            "minItems": 3,
            "maxItems": 3,
        }
    ),
]
RampList = Annotated[
    tuple[Fraction, ...],
    PlainValidator(shapes.ramp),
    WithJsonSchema(
        {
            "type": "array",
            "items": _PERCENT_SCHEMA,
            "minItems": 1,
            "description": "productivity in the 1st, 2nd, … month from start: [50%, 75%]",
        }
    ),
]
TextList = Annotated[
    tuple[str, ...],
    PlainValidator(shapes.text_list),
    WithJsonSchema({"type": "array", "items": {"type": "string"}}),
]
AliasList = Annotated[
    tuple[str, ...],
    PlainValidator(shapes.aliases),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "other spellings of this node in actuals (a CRM's names, emails)",
        }
    ),
]
_ACTUALS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "description": "our own actuals CSV, relative to the plan file"},
        {
            "type": "object",
            "description": "an export as it comes: which columns are the date, the node and"
            " each metric's value, and which rows count",
            "properties": {
                "file": {
                    "type": "string",
                    "description": "a path or a glob (several files are one table),"
                    " relative to the plan file",
                },
                "sheet": {
                    "type": "string",
                    "description": "a workbook's sheet (.xlsx, .xls, .ods); default the first",
                },
                "url": {
                    "type": "string",
                    "description": "a database's SQLAlchemy URL, or env:NAME (the URL is in"
                    " that environment variable); default $TARGETSPLIT_DB_URL",
                },
                "table": {"type": "string", "description": "the database table (or view)"},
                "query": {"type": "string", "description": "a SELECT whose rows are read"},
                "date": {"type": "string", "description": "the date column"},
                "node": {
                    "type": "string",
                    "description": "the column naming the node: a path, a name,"
                    " a node's owner or one of its aliases",
                },
                "values": {
                    "type": "object",
                    "description": "metric: the column of its value, or count (the rows)",
                    "additionalProperties": {"type": "string"},
                },
                "where": {
                    "type": "object",
                    "description": "keep only rows whose column equals the value"
                    " (or one of a list)",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": ["string", "number", "boolean"]},
                            {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
                        ]
                    },
                },
                "dimensions": {
                    "type": "object",
                    "description": "a plan dimension: the column naming its item"
                    " (progress --dimension)",
                    "additionalProperties": {"type": "string"},
                },
                "encoding": {"type": "string", "description": "default utf-8; e.g. gb18030"},
                "date_format": {
                    "enum": ["day-first", "month-first", "DD/MM/YYYY", "MM/DD/YYYY"],
                    "description": "how to read 03/08/2026 (refused without it)",
                },
            },
            "required": ["date", "node", "values"],
            "additionalProperties": False,
        },
    ]
}
ActualsField = Annotated[
    str | ActualsMap, PlainValidator(shapes.actuals), WithJsonSchema(_ACTUALS_SCHEMA)
]
Name = Annotated[str, AfterValidator(shapes.name)]
MetricName = Annotated[str, AfterValidator(shapes.metric_name)]


@contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """Build the models without pydantic's plugin scan.

    A plugin (observability hooks) has no use in a command-line tool, and the
    scan of installed packages' entry points costs ~25 ms of every start-up.
    typer does the same around the adapters it builds for its parameters.
    """
    previous = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["PYDANTIC_DISABLE_PLUGINS"]
        else:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = previous


with _no_pydantic_plugins():

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    class MetricDoc(_Strict):
        """One metric: its total for the period, or the metric it derives from (the
        funnel: ``deals: {from: revenue, per: 10万}``), and how its figures are rounded."""

        model_config = ConfigDict(
            json_schema_extra={
                "oneOf": [
                    {"required": ["total"], "not": {"required": ["from"]}},
                    {
                        "required": ["from"],
                        "oneOf": [{"required": ["per"]}, {"required": ["rate"]}],
                        "not": {"required": ["total"]},
                    },
                ]
            },
        )

        total: AmountText | None = Field(
            default=None, description="the period's total (not with from:)"
        )
        from_: MetricName | None = Field(
            default=None,
            alias="from",
            description="derive this metric from another one's figures: each leaf's figure is"
            " the source's divided by per: or rate:, rounded up; parents are the sums",
        )
        per: AmountText | None = Field(
            default=None,
            description="with from: the source's amount per one of this metric"
            " (10万 of revenue a deal; 0.5 leads a visit)",
        )
        rate: PercentText | None = Field(
            default=None,
            description="with from: the conversion rate from this metric to the source"
            " (leads: {from: deals, rate: 20%} needs 5 leads a deal)",
        )
        round: AmountText | None = Field(
            default=None, description="every figure is a multiple of this (default 1)"
        )
        unit: Text | None = Field(default=None, description="a label only, e.g. CNY")
        display: Literal["full", "cn", "short"] | None = Field(
            default=None,
            description="how tables show big numbers: full (120,000,000), cn (1.2亿, 4,800万)"
            " or short (120M); default: as the total is written",
        )

    class SeasonalityDoc(_Strict):
        """How the period's target spreads over time; unset parts follow working days."""

        quarters: ShareList | None = Field(default=None, description="one value per quarter")
        months: ShareList | None = Field(default=None, description="one value per month")
        within_quarter: QuarterShares | None = Field(
            default=None, description="three values: the months of each quarter"
        )

    class CalendarDoc(_Strict):
        """Which days are working days."""

        workdays: TextList | None = Field(
            default=None, description="default [Mon, Tue, Wed, Thu, Fri]"
        )
        holidays: TextList | None = Field(
            default=None, description="dates and ranges: [2026-10-01..2026-10-07]"
        )
        workday_overrides: TextList | None = Field(
            default=None, description="weekend days that are worked (make-up days)"
        )

    class StatusDoc(_Strict):
        """Progress thresholds, as a percent of pace (attainment to date)."""

        green: PercentText | None = Field(default=None, description="default 100%")
        yellow: PercentText | None = Field(default=None, description="default 90%")

    class NodeDoc(_Strict):
        """A node of the hierarchy. A bare weight (60%, 1.2, rest) is short for a leaf
        with that weight; ``amount:`` or ``history:`` beside the other keys is short for
        ``weight: {amount: …}`` (``{amount: 300万, owner: Li}``)."""

        weight: WeightField | None = None
        amount: NodeAmount | None = Field(
            default=None, description="claims exactly this much: weight {amount: …}"
        )
        history: NodeHistory | None = Field(
            default=None, description="last period's result, a ratio: weight {history: …}"
        )
        split: dict[Name, NodeDoc] | None = None
        owner: Text | None = None
        aliases: AliasList | None = Field(
            default=None,
            description="other spellings of this node in actuals, matched after paths and"
            " names: [Chen Wei, 陈伟, wei.chen@example.com]",
        )
        due: date | None = None
        strategy: Text | None = None
        note: Text | None = None
        seasonality: SeasonalityDoc | None = Field(
            default=None, description="this subtree's own seasonality (replaces the plan's)"
        )
        mix: dict[Name, dict[Name, MixShare]] | None = Field(
            default=None,
            description="this node's preferred split by a dimension's items, for"
            " allocate --cross: {product: {High-end: 40%, Mid-range: 40%, New: 20%}}",
        )
        drivers: dict[MetricName, DriverText] | None = Field(
            default=None,
            description="this subtree's own per: or rate: of derived metrics:"
            " {deals: 50万, leads: 25%}",
        )
        start: date | None = Field(
            default=None,
            description="the day this node starts working (a hire's first day, a territory's"
            " opening): nothing before it; a ratio or history weight counts by its capacity",
        )
        ramp: RampList | None = Field(
            default=None,
            description="productivity in the 1st, 2nd, … month from start (100% after): [50%, 75%]",
        )

        @model_validator(mode="before")
        @classmethod
        def _shorthand(cls, data: Any) -> Any:
            if not isinstance(data, dict):
                return {"weight": data}
            for key, example in (("amount", "300万"), ("history", "120")):
                if key in data and data[key] is None:
                    raise shapes.custom(f"'{key}:' needs a value, e.g. {key}: {example}")
            return data

        @model_validator(mode="after")
        def _amount_or_history(self) -> NodeDoc:
            if self.amount is None and self.history is None:  # most nodes: nothing to do
                return self
            given = [k for k in ("weight", "amount", "history") if getattr(self, k) is not None]
            if len(given) > 1:
                raise shapes.custom(
                    f"give the weight once: {' and '.join(given)} are both given"
                    " (amount: 300万 is short for weight: {amount: 300万})"
                )
            claim = self.amount or self.history
            if claim is None:
                return self
            return self.model_copy(
                update={"weight": WeightSpec(claim), "amount": None, "history": None}
            )

    class PeriodDoc(_Strict):
        """A period given by its first and last day (fiscal years)."""

        start: date
        end: date
        name: Text | None = None

    def _period(value: Any) -> Period:
        if isinstance(value, dict):
            try:
                doc = PeriodDoc.model_validate(value)
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                what = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
                raise shapes.custom(f"period {where}: {what} (keys: start, end, name)") from None
            try:
                return custom_period(doc.start, doc.end, doc.name)
            except ValueError as e:
                raise shapes.custom(str(e)) from None
        if value is None or isinstance(value, list):
            raise shapes.custom(
                "expected a period: 2026, 2026-H1, 2026-Q3, 2026-07 or {start:, end:, name:}"
            )
        try:
            return parse_period_text(str(value))
        except ValueError as e:
            raise shapes.custom(str(e)) from None

    PeriodField = Annotated[
        Period,
        PlainValidator(_period),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "description": "2026, 2026-H1, 2026-Q3 or 2026-07"},
                    {"type": "integer"},
                    {
                        "type": "object",
                        "properties": {
                            "start": {"type": "string", "format": "date"},
                            "end": {"type": "string", "format": "date"},
                            "name": {"type": "string"},
                        },
                        "required": ["start", "end"],
                        "additionalProperties": False,
                    },
                ]
            }
        ),
    ]

    class PlanDoc(_Strict):
        """A targetsplit plan (format version 1)."""

        version: Literal[1, "1"] = Field(default=1, description="the format version")
        plan: Text = Field(description="the plan's title")
        period: PeriodField
        metrics: dict[MetricName, MetricDoc] = Field(min_length=1)
        tiers: dict[Name, PercentText] | None = Field(
            default=None, description="e.g. {floor: 80%, target: 100%, stretch: 120%}"
        )
        seasonality: SeasonalityDoc | None = None
        calendar: CalendarDoc | None = None
        split: dict[Name, NodeDoc] = Field(min_length=1, description="the hierarchy")
        dimensions: dict[Name, dict[Name, WeightField]] | None = Field(
            default=None, description="independent cuts of the total, e.g. by product"
        )
        status: StatusDoc | None = None
        max_growth: PercentText | None = Field(
            default=None,
            description="check warns when a target grows more than this over its history"
            " (default 30%)",
        )
        actuals: ActualsField | None = Field(
            default=None,
            description="the actuals: our own CSV (a path relative to the plan file), or an"
            " export's columns as a mapping {file, date, node, values, where, encoding}",
        )


#: Keys allowed at each kind of place, for "did you mean" suggestions.
PLAN_KEYS = tuple(PlanDoc.model_fields)
NODE_KEYS = tuple(NodeDoc.model_fields)
METRIC_KEYS = tuple(f.alias or name for name, f in MetricDoc.model_fields.items())
PERIOD_KEYS = tuple(PeriodDoc.model_fields)
SEASONALITY_KEYS = tuple(SeasonalityDoc.model_fields)
CALENDAR_KEYS = tuple(CalendarDoc.model_fields)
STATUS_KEYS = tuple(StatusDoc.model_fields)


def json_schema() -> dict[str, Any]:
    schema = PlanDoc.model_json_schema()
    # A node may be its bare weight (North: 30%, South: rest, Rep Chen: 1.2): a
    # split's entries are a Node, that is a NodeDoc or a bare weight.
    bare = [w for w in _SINGLE_WEIGHT_SCHEMA["anyOf"] if w["type"] != "object"]
    schema["$defs"]["Node"] = {"anyOf": [{"$ref": "#/$defs/NodeDoc"}, *bare]}

    def repoint(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("additionalProperties") == {"$ref": "#/$defs/NodeDoc"}:
                value["additionalProperties"] = {"$ref": "#/$defs/Node"}
            for v in value.values():
                repoint(v)
        elif isinstance(value, list):
            for v in value:
                repoint(v)

    repoint(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "targetsplit plan, format version 1"
    return schema
