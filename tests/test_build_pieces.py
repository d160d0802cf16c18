"""The plan builder's pieces on their own: one sibling group, one metric, one calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from targetsplit.errors import Diagnostic, PlanError
from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.metrics import build_metrics
from targetsplit.plan.build.shares import (
    Weights,
    provisional_units,
    resolve_weights,
    shares_by_metric,
    sibling_shares,
)
from targetsplit.plan.build.tiers import build_status, build_tiers
from targetsplit.plan.build.timing import build_calendar
from targetsplit.plan.document import CalendarDoc, MetricDoc, StatusDoc
from targetsplit.plan.tree import Metric
from targetsplit.plan.weights import parse_weight

TOP = "at the top level"


def metrics(diags: Collector, **docs: dict[str, Any]) -> tuple[Metric, ...]:
    return build_metrics(diags, {n: MetricDoc.model_validate(d) for n, d in docs.items()})


def children(diags: Collector, ms: tuple[Metric, ...], **weights: Any) -> list[tuple[str, Weights]]:
    out = []
    for name, text in weights.items():
        w = resolve_weights(diags, ms, parse_weight(text), ("split", name), f"'{name}'")
        assert w is not None, diags.errors
        out.append((name, w))
    return out


def group(
    ms: tuple[Metric, ...], **weights: Any
) -> tuple[list[dict[str, Fraction]] | None, Collector]:
    diags = Collector()
    units = {m.name: m.total_units for m in ms}
    kids = children(diags, ms, **weights)
    return sibling_shares(diags, ms, units, kids, ("split",), TOP), diags


REVENUE = metrics(Collector(), revenue={"total": 500})
TWO = metrics(Collector(), revenue={"total": "500万", "round": "1万"}, deals={"total": 20})


def test_claims_come_first_and_ratios_share_what_is_left() -> None:
    shares, diags = group(REVENUE, A="20%", B={"amount": 100}, C=3, D=1)
    assert diags.errors == [] and diags.warnings == []
    # 20 % + 100 of 500 claimed; the 60 % left goes 3 : 1.
    assert shares == [
        {"revenue": Fraction(1, 5)},
        {"revenue": Fraction(1, 5)},
        {"revenue": Fraction(9, 20)},
        {"revenue": Fraction(3, 20)},
    ]


def test_rest_takes_what_the_claims_leave() -> None:
    shares, diags = group(REVENUE, A="30%", B={"amount": 125}, C="rest")
    assert diags.errors == []
    assert shares == [
        {"revenue": Fraction(3, 10)},
        {"revenue": Fraction(1, 4)},
        {"revenue": Fraction(9, 20)},
    ]


def test_an_amount_in_one_metric_is_the_same_share_of_the_others() -> None:
    shares, diags = group(TWO, A={"amount": "125万"}, B="rest")
    assert diags.errors == []
    assert shares == [
        {"revenue": Fraction(1, 4), "deals": Fraction(1, 4)},
        {"revenue": Fraction(3, 4), "deals": Fraction(3, 4)},
    ]


def test_shares_short_of_the_parent() -> None:
    shares, diags = group(REVENUE, A="30%", B="50%")
    assert shares is None
    assert diags.errors == [
        Diagnostic("shares at the top level add up to 80% (400), 100 short of 500", ("split",))
    ]


def test_claims_over_the_parent_name_the_metric_when_there_are_several() -> None:
    shares, diags = group(TWO, A="70%", B={"amount": "200万"})
    assert shares is None
    # The deals are over too, but a group's "over" is reported once.
    assert [d.message for d in diags.errors] == [
        "revenue claims at the top level add up to 110% (550万), 50万 over 500万"
    ]


def test_a_figure_that_does_not_come_out_even_is_shown_approximately() -> None:
    ms = metrics(Collector(), revenue={"total": 300}, deals={"total": 20})
    # 100 of the revenue is a third of the deals too; with 50 % that leaves a sixth.
    shares, diags = group(ms, A={"amount": 100}, B={"revenue": "rest", "deals": "50%"})
    assert shares is None
    assert [d.message for d in diags.errors] == [
        "deals shares at the top level add up to 83.33% (≈16.6667), ≈3.3333 short of 20"
    ]


def test_zero_ratios_get_nothing() -> None:
    shares, diags = group(REVENUE, A=1, B=0, C="0%")
    assert diags.errors == []
    assert shares == [{"revenue": Fraction(1)}, {"revenue": Fraction(0)}, {"revenue": Fraction(0)}]


def test_rest_and_ratios_cannot_be_mixed() -> None:
    shares, diags = group(REVENUE, A="rest", B=2)
    assert shares is None
    assert [d.message for d in diags.errors] == [
        "'rest' and ratio weights at the top level cannot be mixed: use ratios for all of the"
        " siblings that share what the claims leave"
    ]


def test_resolve_weights_suggests_a_metric_name() -> None:
    diags = Collector()
    w = resolve_weights(
        diags, TWO, parse_weight({"deal": 3, "default": "rest"}), ("split", "A"), "'A'"
    )
    assert w is None
    assert diags.errors == [
        Diagnostic(
            "'A': weight for unknown metric 'deal'; did you mean 'deals'?"
            " (metrics: revenue, deals)",
            ("split", "A", "weight", "deal"),
        )
    ]


def test_provisional_units_only_for_a_claim_that_fixes_the_figure() -> None:
    units = {"revenue": 500}
    percent = children(Collector(), REVENUE, A="30%")[0][1]
    amount = children(Collector(), REVENUE, A={"amount": 120})[0][1]
    ratio = children(Collector(), REVENUE, A=2)[0][1]
    assert provisional_units(REVENUE, units, percent) == {"revenue": 150}
    assert provisional_units(REVENUE, units, amount) == {"revenue": 120}
    assert provisional_units(REVENUE, units, ratio) is None


def test_total_not_a_multiple_of_the_rounding_unit() -> None:
    diags = Collector()
    (m,) = metrics(diags, revenue={"total": 1234, "round": 100, "unit": "CNY"})
    assert m == Metric("revenue", Decimal(1234), Decimal(100), "CNY", "full")
    assert diags.errors == [
        Diagnostic(
            "metric 'revenue': the total 1234 is not a multiple of its rounding unit 100"
            " (round: 100)",
            ("metrics", "revenue", "total"),
        )
    ]


def test_a_zero_rounding_unit_falls_back_to_one() -> None:
    diags = Collector()
    (m,) = metrics(diags, revenue={"total": 1234, "round": 0})
    assert m.unit == Decimal(1)
    assert [d.loc for d in diags.errors] == [("metrics", "revenue", "round")]


def test_tiers_that_do_not_increase_warn_once() -> None:
    diags = Collector()
    given = {
        n: amounts.parse(p) for n, p in {"floor": "90%", "target": "90%", "max": "150%"}.items()
    }
    tiers = build_tiers(diags, given, ())
    build_tiers(diags, given, ())
    assert tiers == {"floor": Fraction(9, 10), "target": Fraction(9, 10), "max": Fraction(3, 2)}
    assert diags.errors == []
    assert diags.warnings == [
        Diagnostic(
            "tiers should increase in the order given (e.g. floor 80%, target 100%,"
            " stretch 120%): floor 90%, target 90%, max 150%",
            ("tiers",),
            severity="warning",
        )
    ]


def test_default_tiers_and_status() -> None:
    diags = Collector()
    assert build_tiers(diags, None, ()) == {
        "floor": Fraction(4, 5),
        "target": Fraction(1),
        "stretch": Fraction(6, 5),
    }
    assert build_status(diags, None) == (Fraction(1), Fraction(9, 10))
    assert diags.errors == [] and diags.warnings == []


def test_status_yellow_above_green() -> None:
    diags = Collector()
    green, yellow = build_status(diags, StatusDoc.model_validate({"green": "95%", "yellow": "97%"}))
    assert (green, yellow) == (Fraction(19, 20), Fraction(97, 100))
    assert diags.errors == [
        Diagnostic("status: yellow (97%) is above green (95%)", ("status", "yellow"))
    ]


def test_calendar_holiday_ranges_and_make_up_days() -> None:
    diags = Collector()
    doc = CalendarDoc.model_validate(
        {
            "workdays": ["Mon", "Tue", "周三", "4", "Fri", "Sat"],
            "holidays": ["2026-10-01..2026-10-03", "2026-12-25"],
            "workday_overrides": ["2026-10-11"],
        }
    )
    cal = build_calendar(diags, doc)
    assert diags.errors == []
    assert cal.workdays == frozenset(range(6))
    assert cal.holidays == {date(2026, 10, d) for d in (1, 2, 3)} | {date(2026, 12, 25)}
    assert cal.overrides == {date(2026, 10, 11)}


def test_calendar_errors_name_the_entry() -> None:
    diags = Collector()
    doc = CalendarDoc.model_validate(
        {"workdays": ["Mon", "Funday"], "holidays": ["2026-10-07..2026-10-01"]}
    )
    cal = build_calendar(diags, doc)
    assert cal.workdays == frozenset({0})
    assert diags.errors == [
        Diagnostic(
            "'Funday' is not a day of the week (Mon, Tue, … Sun, or 1-7)",
            ("calendar", "workdays", 1),
        ),
        Diagnostic(
            "'2026-10-07..2026-10-01': the range ends before it starts",
            ("calendar", "holidays", 0),
        ),
    ]


def test_collector_dedupes_by_place_and_key_and_raises_errors_before_warnings() -> None:
    diags = Collector()
    diags.warn("w", ("tiers",))
    diags.error("first", ("split",), "over")
    diags.error("second", ("split",), "over")  # same place, same key: dropped
    diags.error("third", ("split", "A"), "over")  # another place
    diags.error("fourth", ("split",))  # no key: always kept
    diags.warn("w", ("tiers",))
    with pytest.raises(PlanError) as e:
        diags.raise_if_errors()
    assert [(d.message, d.severity) for d in e.value.diagnostics] == [
        ("first", "error"),
        ("third", "error"),
        ("fourth", "error"),
        ("w", "warning"),
    ]
    Collector().raise_if_errors()  # nothing collected: no error


def test_a_weight_written_as_text_is_read_once_and_its_errors_every_time() -> None:
    """parse_weight keeps what it read of a text (a large plan repeats a few
    weights); a bad text is an error each time it is given."""
    assert parse_weight("60%") is parse_weight("60%")
    assert parse_weight(" 60% ") == parse_weight(" 60% ")
    assert parse_weight(" 60% ").default.text == "60%"  # type: ignore[union-attr]
    for _ in range(2):
        with pytest.raises(ValueError, match="looks like an amount"):
            parse_weight("300万")


def test_metrics_with_the_very_same_weights_share_their_shares() -> None:
    """Shares are worked out once for metrics whose weights are the same ratios,
    and on their own for a metric with its own weight or an amount."""
    diags = Collector()
    units = {m.name: m.total_units for m in TWO}

    def shares(**weights: Any) -> dict[str, list[Fraction]] | None:
        kids = children(diags, TWO, **weights)
        return shares_by_metric(diags, TWO, units, kids, ("split",), TOP)

    same = shares(A="1", B="3")
    assert same is not None and same["revenue"] is same["deals"]
    assert same["deals"] == [Fraction(1, 4), Fraction(3, 4)]
    own = shares(A={"default": "1", "deals": "2"}, B="3")
    assert own == {
        "revenue": [Fraction(1, 4), Fraction(3, 4)],
        "deals": [Fraction(2, 5), Fraction(3, 5)],
    }
    claim = shares(A={"amount": "100万"}, B="rest")
    assert claim is not None and claim["revenue"] is not claim["deals"]
    assert claim["revenue"] == claim["deals"] == [Fraction(1, 5), Fraction(4, 5)]
    assert not diags.errors and not diags.warnings


def test_a_node_is_made_as_its_dataclass_would_make_it() -> None:
    """Node's quick __init__ takes the fields in order, with their defaults and
    factories (a fresh one each time), and makes the same value."""
    import dataclasses
    import inspect

    from targetsplit.plan.tree import Node

    fields = dataclasses.fields(Node)
    assert list(inspect.signature(Node).parameters) == [f.name for f in fields]
    bare = Node("East", ("East",), {}, {})
    for f in fields[4:]:
        expected = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        assert getattr(bare, f.name) == expected, f.name
    assert Node("East", ("East",), {}, {}).units is not bare.units  # a fresh dict each
    given = {f.name: object() for f in fields}
    made = Node(**given)  # type: ignore[arg-type]
    assert vars(made) == given
    assert vars(Node(*given.values())) == given  # type: ignore[arg-type]
    assert dataclasses.replace(bare, name="West").name == "West" and bare.name == "East"
    with pytest.raises(dataclasses.FrozenInstanceError):
        bare.name = "West"  # type: ignore[misc]
    assert bare.key == "East" and Node("P", (), {}, {}).key == ""
