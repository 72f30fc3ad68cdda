"""Money on the wire: exact decimal strings out; decimal strings or plain numbers in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from negotiator.money import Money


def parse(amount: str) -> Money:
    return Money.model_validate_json(f'{{"amount": {amount}, "currency": "USDC"}}', strict=True)


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.999999"), places=6))
def test_string_amounts_round_trip_exactly(amount: Decimal) -> None:
    money = Money(amount=amount, currency="USDC")
    text = money.model_dump_json()
    assert text == f'{{"amount":"{amount}","currency":"USDC"}}'
    back = Money.model_validate_json(text, strict=True)
    assert back.amount == amount
    assert str(back.amount) == str(amount)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"123456789012.123456"', Decimal("123456789012.123456")),
        ("5", Decimal("5")),
        ("0.1", Decimal("0.1")),
        ("5.50", Decimal("5.5")),
        ("123456789.123456", Decimal("123456789.123456")),
    ],
)
def test_accepted_forms(raw: str, expected: Decimal) -> None:
    assert parse(raw).amount == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5", "greater than or equal to 0"),
        ('"-5"', "greater than or equal to 0"),
        ('"1.1234567"', "no more than 6 decimal places"),
        ('"1e3"', "is not a decimal amount"),
        ('"NaN"', "is not a decimal amount"),
        ("true", "Decimal"),
        ("123456789012.12345", "more than 15 significant digits"),
        ("1e-7", "more than 6 decimal places"),
        ('"1234567890123"', "no more than 12 digits before the decimal point"),
    ],
)
def test_rejected_forms(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse(raw)


def test_currency_code_is_capitals() -> None:
    with pytest.raises(ValidationError, match="currency"):
        Money(amount=Decimal(1), currency="usd")
    assert str(Money(amount=Decimal("0.50"), currency="USDC")) == "0.50 USDC"
