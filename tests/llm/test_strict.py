"""RequireModel: any answer the flow would not use from a model stops the run."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import BaseModel

from negotiator.errors import ModelUnavailableError
from negotiator.llm.guard import ask_structured, ask_text
from negotiator.llm.protocol import ModelResult, ResultSource, StructuredCall, TextCall
from negotiator.llm.strict import RequireModel


class Price(BaseModel):
    amount: int
    note: str = ""


class Answers:
    """A client whose answers claim to come from a model, whatever they hold."""

    def __init__(self, value: Any, text: str) -> None:
        self.value, self.words = value, text

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        return ModelResult(self.value, ResultSource.MODEL)

    async def text(self, call: TextCall) -> ModelResult[str]:
        return ModelResult(self.words, ResultSource.MODEL)


def under_budget(price: Price) -> Sequence[str]:
    return [f"$.amount: {price.amount} is over the budget 50"] if price.amount > 50 else []


PRICE = StructuredCall("bid", [], Price, lambda: Price(amount=50), under_budget)
WORDS = TextCall("contract.wording", [], lambda: "Plain terms.")


def test_a_good_model_answer_passes_through() -> None:
    strict = RequireModel(Answers(Price(amount=40), "Terms."))
    assert asyncio.run(ask_structured(strict, PRICE)).value == Price(amount=40)
    assert asyncio.run(ask_text(strict, WORDS)).value == "Terms."


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Price(amount=90), "over the budget 50"),
        (Price(amount=40, note="red \x9b31m"), "U+009B"),
        ("forty", "expected a Price, got str"),
    ],
)
def test_a_structured_answer_the_guard_rejects_stops_the_run(value: Any, reason: str) -> None:
    strict = RequireModel(Answers(value, "Terms."))
    with pytest.raises(ModelUnavailableError, match="step 'bid': the model's answer was rejected"):
        asyncio.run(ask_structured(strict, PRICE))
    without = asyncio.run(ask_structured(Answers(value, "Terms."), PRICE))
    assert without.source is ResultSource.FALLBACK and reason in str(without.fallback_reason)


@pytest.mark.parametrize("text", ["", "   ", "bell \x07", "flip \u202e"])
def test_text_the_guard_rejects_stops_the_run(text: str) -> None:
    with pytest.raises(ModelUnavailableError, match=r"'contract\.wording': the model's answer"):
        asyncio.run(ask_text(RequireModel(Answers(Price(amount=1), text)), WORDS))
    assert asyncio.run(ask_text(Answers(Price(amount=1), text), WORDS)).value == "Plain terms."
