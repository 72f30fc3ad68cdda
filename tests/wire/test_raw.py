"""The one validation core: raw input to a typed object or located errors, and the model seam
telling the model exactly what screening (``validate_raw``) rejects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.errors import FieldError, InvalidInputError, RetryableModelOutput
from negotiator.llm.schema import strict_wire_schema, validate_answer
from negotiator.money import Money
from negotiator.wire.bid import Bid
from negotiator.wire.paths import make_validator
from negotiator.wire.raw import parse_json, to_typed
from negotiator.wire.validation import validate_raw

from .conftest import seed_bid

MONEY = make_validator(Money.model_json_schema())


def test_each_gate_returns_every_error_it_found() -> None:
    assert to_typed(Money, "{", MONEY) == [
        FieldError(
            "$",
            "not valid JSON: Expecting property name enclosed in double quotes (line 1 column 2)",
        )
    ]
    assert [str(e) for e in to_typed(Money, {"amount": "-1", "zz": 1}, MONEY)] == [
        "$.amount: '-1' is not a non-negative decimal such as \"5.00\" (up to 12 digits, 6 "
        "decimals)",
        "$.currency: required field is missing",
        "$.zz: unexpected field (not allowed here)",
    ]
    assert to_typed(Money, b'{"amount": "1.5", "currency": "EUR"}', MONEY) == Money(
        amount="1.5", currency="EUR"
    )


def test_not_a_number_is_not_json() -> None:
    assert str(parse_json('{"amount": NaN}')) == "$: not valid JSON: NaN is not a JSON number"


#: one bad edit of a valid bid's JSON -> applied to a copy
EDITS: dict[str, Any] = {
    "negative price": lambda b: b["price"].update(amount=-5),
    "lower-case currency": lambda b: b["price"].update(currency="usdc"),
    "unexpected field": lambda b: b.update(discount="10%"),
    "missing task id": lambda b: b.pop("task_id"),
    "price as text": lambda b: b.update(price="five dollars"),
    "quality out of range": lambda b: b.update(claimed_quality=1.5),
    "naive expiry": lambda b: b.update(expiry="2026-01-01T00:00:00"),
}


def _screening_errors(text: str) -> list[str]:
    with pytest.raises(InvalidInputError) as info:
        validate_raw("bid", text)
    return [str(e) for e in info.value.errors]


def _model_feedback(text: str) -> list[str]:
    with pytest.raises(RetryableModelOutput) as info:
        validate_answer(text, Bid, strict_wire_schema(Bid), lambda b: ())
    return info.value.feedback.splitlines()


@settings(max_examples=25)
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=3, unique=True))
def test_the_model_is_told_what_screening_rejects(edits: list[str]) -> None:
    body = seed_bid().model_dump(mode="json")
    for name in sorted(edits):  # "price as text" after the edits inside the price
        EDITS[name](body)
    text = json.dumps(body)
    assert _model_feedback(text) == _screening_errors(text)
