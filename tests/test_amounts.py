from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targetsplit.errors import AmountError
from targetsplit.numbers.amounts import format_amount, parse, parse_amount, parse_percent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500", "500"),
        ("1200000", "1200000"),
        ("1.2e8", "120000000"),
        ("1,200,000", "1200000"),
        ("1.2亿", "120000000"),
        ("4800万", "48000000"),
        ("$1.5M", "1500000"),
        ("1.5 万", "15000"),
        ("￥3,000", "3000"),
        ("¥2千", "2000"),
        ("3千万", "30000000"),
        ("2百万", "2000000"),
        ("7k", "7000"),
        ("7K", "7000"),
        ("2m", "2000000"),
        ("1B", "1000000000"),
        ("1.25bn", "1250000000"),
        ("€10", "10"),
        ("£0.5", "0.5"),
        ("0.1", "0.1"),
        (".5", "0.5"),
    ],
)
def test_amounts_parse_exactly(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


def test_percents() -> None:
    assert parse_percent("60%") == Decimal("0.6")
    assert parse_percent("37.5％") == Decimal("0.375")


def test_one_tenth_is_one_tenth() -> None:
    assert parse_amount("0.1") * 3 == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a number: unexpected 'a' at character 1"),
        ("12x", "'12x' is not a number: unexpected 'x' at character 3"),
        ("", "expected a number, got an empty value"),
        ("-5", "'-5' is negative; amounts and weights cannot be"),
        ("1e18", "'1e18' is too large (10^18 or more)"),
        ("1e999999999", "'1e999999999' is too large (10^18 or more)"),
        ("1" * 31, "has more than 30 significant digits"),
        ("100万亿", "is not a number"),
    ],
)
def test_bad_amounts(text: str, message: str) -> None:
    with pytest.raises(
        AmountError, match=message.replace("^", r"\^").replace("(", r"\(").replace(")", r"\)")
    ):
        parse_amount(text)


def test_negative_allowed_for_actuals() -> None:
    assert parse_amount("-1.5万", allow_negative=True) == Decimal("-15000")


@pytest.mark.parametrize(
    ("value", "display", "text"),
    [
        ("120000000", "cn", "1.2亿"),
        ("48000000", "cn", "4,800万"),
        ("45678900", "cn", "4,567.89万"),
        ("120000001", "cn", "12,000.0001万"),
        ("500", "cn", "500"),
        ("1500000", "short", "1.5M"),
        ("1234567", "full", "1,234,567"),
        ("-1234.5", "full", "-1,234.5"),
    ],
)
def test_format_is_exact(value: str, display: str, text: str) -> None:
    assert format_amount(Decimal(value), display) == text  # type: ignore[arg-type]


@given(st.decimals(min_value=0, max_value=10**17, places=4, allow_nan=False))
def test_format_round_trips(value: Decimal) -> None:
    for display in ("full", "cn", "short"):
        assert parse(format_amount(value, display)).value == value  # type: ignore[arg-type]
