"""The strict wire schema equals what the openai SDK sends; answers are validated with paths."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st
from openai import AsyncOpenAI
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from negotiator.errors import RetryableModelOutput
from negotiator.llm.schema import (
    MAX_FEEDBACK_ERRORS,
    strict_wire_schema,
    unbounded_strings,
    validate_answer,
)
from negotiator.money import Money


class Privacy(StrEnum):
    NONE = "none"
    TEE = "tee"


class Term(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(max_length=40)
    value: float


class Offer(BaseModel):
    """Nested models, a described $ref, optional and defaulted fields, enum, literal, Money."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    price: Money = Field(description="The price asked.")
    privacy: Privacy = Field(default=Privacy.NONE, description="Privacy guarantee.")
    kind: Literal["offer", "counter"] = "offer"
    terms: list[Term] = Field(default_factory=list)
    note: str | None = None
    rounds: int = Field(default=3, ge=1)


class Flat(BaseModel):
    x: int
    y: str = "a"


@pytest.mark.parametrize("model", [Flat, Term, Offer, Money])
def test_wire_schema_equals_what_the_sdk_sends(model: type[BaseModel], http: Any) -> None:
    with respx.mock(base_url=http.BASE_URL, using="httpcore2") as router:
        route = router.post("/chat/completions").mock(return_value=http.ok("{}"))
        sdk = AsyncOpenAI(base_url=http.BASE_URL, api_key="k", max_retries=0)

        async def send() -> None:
            with contextlib.suppress(Exception):
                await sdk.chat.completions.parse(
                    model="m", messages=[{"role": "user", "content": "x"}], response_format=model
                )

        asyncio.run(send())
        sent = http.body(route.calls.last)["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == model.__name__
    assert sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["schema"] == strict_wire_schema(model)


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def test_every_object_is_closed_and_fully_required() -> None:
    schema = strict_wire_schema(Offer)
    objects = _objects(schema)
    assert len(objects) >= 3  # Offer, Money, Term
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert "description" in schema["properties"]["price"]
    assert "$ref" not in schema["properties"]["price"]  # a $ref with siblings is inlined
    assert "default" not in schema["properties"]["note"]  # default: null dropped


def test_schema_of_a_model_is_not_mutated() -> None:
    before = Offer.model_json_schema()
    strict_wire_schema(Offer)
    assert Offer.model_json_schema() == before


_FIELD_TYPES: list[Any] = [int, str, float, bool, list[int], str | None, Term, list[Term]]


@st.composite
def random_models(draw: st.DrawFn) -> type[BaseModel]:
    names = draw(
        st.lists(
            st.from_regex(r"f_[a-z]{1,6}", fullmatch=True), min_size=1, max_size=6, unique=True
        )
    )
    fields: dict[str, Any] = {}
    for name in names:
        typ = draw(st.sampled_from(_FIELD_TYPES))
        described = draw(st.booleans())
        if draw(st.booleans()) and typ is str | None:
            fields[name] = (typ, Field(default=None, description="d" if described else None))
        else:
            fields[name] = (typ, Field(description="d" if described else None))
    model: type[BaseModel] = create_model("Random", **fields)
    return model


@given(random_models())
def test_property_wire_schema_matches_the_sdk_for_random_models(model: type[BaseModel]) -> None:
    ours = strict_wire_schema(model)
    assert ours == to_strict_json_schema(model)
    for obj in _objects(ours):
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])


class Checked(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    price: Money
    qty: int

    @field_validator("qty")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError("qty must be even")
        return v


def _problems(text: str, check: Any = lambda o: ()) -> str:
    with pytest.raises(RetryableModelOutput) as info:
        validate_answer(text, Checked, strict_wire_schema(Checked), check)
    return info.value.feedback


def test_schema_errors_carry_json_paths() -> None:
    # the union (number or decimal string) is resolved to the branch the answer meant
    feedback = _problems('{"price": {"amount": -5, "currency": "USD"}, "qty": 2}')
    assert feedback == "$.price.amount: -5 is less than the minimum of 0"


def test_missing_and_extra_fields_are_all_reported() -> None:
    feedback = _problems('{"price": {"amount": "5", "currency": "usd"}, "zzz": 1}')
    assert feedback.splitlines() == [
        "$.price.currency: 'usd' is not a currency code in capitals such as USDC",
        "$.qty: required field is missing",
        "$.zzz: unexpected field (not allowed here)",
    ]


def test_model_validator_errors_carry_paths() -> None:
    feedback = _problems('{"price": {"amount": "5", "currency": "USD"}, "qty": 3}')
    assert feedback == "$.qty: qty must be even"


def test_semantic_check_runs_only_on_valid_objects() -> None:
    seen: list[Checked] = []

    def check(obj: Checked) -> list[str]:
        seen.append(obj)
        return ["$.price.amount: 5 is over the budget 4"]

    assert _problems('{"price": 1}', check).startswith("$.price: 1 is not of type 'object'")
    assert seen == []
    valid = '{"price": {"amount": "5", "currency": "USD"}, "qty": 2}'
    assert _problems(valid, check) == "$.price.amount: 5 is over the budget 4"
    assert seen[0].price.amount == Decimal("5")


def test_feedback_is_bounded() -> None:
    many = [f"$.x: problem {i}" for i in range(25)]
    valid = '{"price": {"amount": "5", "currency": "USD"}, "qty": 2}'
    lines = _problems(valid, lambda o: many).splitlines()
    assert len(lines) == MAX_FEEDBACK_ERRORS + 1
    assert lines[-1] == "(and 15 more problem(s))"
    long = _problems(valid, lambda o: ["$.x: " + "y" * 1000]).splitlines()[0]
    assert len(long) <= 240 and long.endswith("...")


def test_valid_answer_is_parsed() -> None:
    valid = '{"price": {"amount": 5.5, "currency": "USD"}, "qty": 2}'
    obj = validate_answer(valid, Checked, strict_wire_schema(Checked), lambda o: ())
    assert obj.price == Money(amount=Decimal("5.5"), currency="USD")


class Loose(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    title: str = Field(max_length=80)
    body: str
    code: Literal["a", "b"]
    price: Money
    tags: list[str]
    terms: list[Term]
    maybe: str | None = None


def test_unbounded_strings_are_listed_with_data_paths() -> None:
    assert unbounded_strings(strict_wire_schema(Loose)) == ["$.body", "$.tags[*]", "$.maybe"]
    assert unbounded_strings(strict_wire_schema(Term)) == []
