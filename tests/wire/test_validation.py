"""validate_raw: every error reported, each with its exact JSON path; the three gates in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from negotiator.errors import InvalidInputError, UnknownKeyError, UsageError
from negotiator.wire import Bid, Contract, TaskSpec, WireModel
from negotiator.wire.paths import make_validator
from negotiator.wire.schemas import load_schema
from negotiator.wire.validation import validate_model, validate_raw

NOW = datetime(2026, 9, 15, tzinfo=UTC)


def bid_data(sample: dict[str, WireModel], **changes: Any) -> dict[str, Any]:
    data = sample["bid"].model_dump(mode="json")
    data.update(changes)
    return data


def errors_of(kind: str, data: Any, **context: Any) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        validate_raw(kind, data, **context)
    assert caught.value.what == kind
    return [str(e) for e in caught.value.errors]


def task_of(sample: dict[str, WireModel]) -> TaskSpec:
    task = sample["task"]
    assert isinstance(task, TaskSpec)
    return task


def test_valid_bid_comes_back_as_the_model(sample: dict[str, WireModel]) -> None:
    bid = validate_raw("bid", sample["bid"].model_dump_json(), task=task_of(sample), now=NOW)
    assert bid == sample["bid"]
    assert validate_model(Bid, sample["bid"].model_dump_json().encode()) == sample["bid"]


def test_negative_price_is_named_with_the_schema_message(sample: dict[str, WireModel]) -> None:
    data = bid_data(sample, price={"amount": -5, "currency": "USDC"})
    assert errors_of("bid", data) == ["$.price.amount: -5 is less than the minimum of 0"]


def test_missing_field_is_reported_at_its_own_path(sample: dict[str, WireModel]) -> None:
    data = bid_data(sample)
    del data["expiry"]
    del data["reputation_bond"]["currency"]
    assert errors_of("bid", data) == [
        "$.expiry: required field is missing",
        "$.reputation_bond.currency: required field is missing",
    ]


def test_wrong_type_extra_field_and_bad_enum_are_all_reported(
    sample: dict[str, WireModel],
) -> None:
    data = bid_data(
        sample, estimated_duration_seconds="300", privacy_guarantee="magic", sneaky=True
    )
    assert errors_of("bid", json.dumps(data)) == [
        "$.estimated_duration_seconds: '300' is not of type 'integer'",
        "$.privacy_guarantee: 'magic' is not one of ['none', 'local', 'tee', 'zkp', 'he']",
        "$.sneaky: unexpected field (not allowed here)",
    ]


def test_errors_deep_in_lists_and_tagged_unions_have_indexed_paths(
    sample: dict[str, WireModel],
) -> None:
    data = sample["contract"].model_dump(mode="json")
    data["clauses"][1]["forfeit_fraction"] = 1.5
    data["clauses"][2]["kind"] = "bogus"
    data["clauses"][3]["report_interval_seconds"] = None
    assert errors_of("contract", data) == [
        "$.clauses[1].forfeit_fraction: 1.5 is greater than the maximum of 1",
        "$.clauses[2].kind: 'bogus' is not one of 'performance_requirement', 'penalty', "
        "'cancellation_compensation', 'monitoring', 'autonomy', 'default_penalty'",
        "$.clauses[3].report_interval_seconds: None is not of type 'integer'",
    ]


def test_model_rules_are_located_too(sample: dict[str, WireModel]) -> None:
    data = bid_data(sample, reputation_bond={"amount": "0.50", "currency": "EUR"})
    assert errors_of("bid", data) == [
        "$.reputation_bond.currency: currency EUR differs from price currency USDC"
    ]


def test_a_tampered_signed_contract_names_each_signature(sample: dict[str, WireModel]) -> None:
    data = sample["contract"].model_dump(mode="json")
    data["price"]["amount"] = "9.00"
    assert errors_of("contract", data) == [
        "$.signatures[0].terms_sha256: does not match the terms",
        "$.signatures[1].terms_sha256: does not match the terms",
    ]


def test_model_errors_inside_a_tagged_union_drop_the_tag(sample: dict[str, WireModel]) -> None:
    data = sample["contract"].model_dump(mode="json")
    data["clauses"][2] = {"kind": "cancellation_compensation", "method": "milestones"}
    data["signatures"] = []
    assert errors_of("contract", data) == [
        "$.clauses[2]: method 'milestones' needs at least one milestone"
    ]


def test_schema_valid_bid_with_negative_price_is_still_rejected_by_path(
    sample: dict[str, WireModel],
) -> None:
    """A model's strict-output schema may lack 'minimum'; the model still names the path."""
    relaxed = json.loads(json.dumps(load_schema("bid")).replace('"minimum": 0,', ""))
    data = bid_data(sample, price={"amount": -5, "currency": "USDC"})
    assert list(make_validator(relaxed).iter_errors(data)) == []
    with pytest.raises(ValidationError) as caught:
        Bid.model_validate_json(json.dumps(data), strict=True)
    assert caught.value.errors()[0]["loc"] == ("price", "amount")
    assert errors_of("bid", data) == ["$.price.amount: -5 is less than the minimum of 0"]


def test_schema_valid_bid_with_past_expiry_is_rejected_naming_expiry(
    sample: dict[str, WireModel],
) -> None:
    data = bid_data(sample, expiry="2026-09-01T00:00:00Z")
    assert validate_raw("bid", data) is not None  # valid without a clock
    assert errors_of("bid", data, now=NOW) == [
        "$.expiry: 2026-09-01T00:00:00+00:00 is not after the current time "
        "2026-09-15T00:00:00+00:00"
    ]


def test_semantic_errors_against_the_task_are_all_listed(sample: dict[str, WireModel]) -> None:
    data = bid_data(
        sample,
        price={"amount": "12", "currency": "USDC"},
        reputation_bond={"amount": "0.1", "currency": "USDC"},
        estimated_duration_seconds=7200,
    )
    assert errors_of("bid", data, task=sample["task"], now=NOW) == [
        "$.price.amount: 12 exceeds the budget 10.00 USDC",
        "$.reputation_bond.amount: 0.1 is below the task's minimum bond 0.50 USDC",
        "$.estimated_duration_seconds: 7200 exceeds the deadline of 3600 s",
    ]


def test_currency_mismatch_with_the_task_budget(sample: dict[str, WireModel]) -> None:
    data = bid_data(
        sample,
        price={"amount": "5", "currency": "EUR"},
        reputation_bond={"amount": "1", "currency": "EUR"},
    )
    assert errors_of("bid", data, task=sample["task"], now=NOW) == [
        "$.price.currency: EUR differs from the task budget's currency USDC"
    ]


def test_contract_checked_against_its_task(sample: dict[str, WireModel]) -> None:
    task = sample["task"]
    assert isinstance(task, TaskSpec)
    contract = sample["contract"]
    assert isinstance(contract, Contract)
    assert validate_raw("contract", contract.model_dump_json(), task=task) == contract
    other = task.model_copy(update={"id": "other-task"})
    assert errors_of("contract", contract.model_dump_json(), task=other) == [
        "$.task_id: 'task-react-dashboard' is not the task 'other-task'"
    ]


def test_bid_against_a_task_needs_a_clock(sample: dict[str, WireModel]) -> None:
    with pytest.raises(UsageError, match="needs the current time"):
        validate_raw("bid", bid_data(sample), task=task_of(sample))
    with pytest.raises(UsageError, match="timezone-aware"):
        validate_raw("bid", bid_data(sample), now=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "$: not valid JSON: Expecting property name enclosed in double quotes"),
        (b"\xff", "$: not valid JSON: 'utf-8' codec can't decode byte 0xff"),
        ('{"price": NaN}', "$: not valid JSON: NaN is not a JSON number"),
        ("[1, 2]", "$: [1, 2] is not of type 'object'"),
    ],
)
def test_unparseable_input_is_one_error_at_the_root(raw: str | bytes, message: str) -> None:
    errors = errors_of("bid", raw)
    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownKeyError, match="expected one of: answer, award, bid"):
        validate_raw("bids", "{}")


def test_every_error_is_reported_not_just_the_first() -> None:
    errors = errors_of("task", {"id": "bad id!", "budget": {"amount": -1, "currency": "usd"}})
    assert (
        "$.id: 'bad id!' is not an id of letters, digits, '.', '_', ':' or '-' such as task-1"
        in errors
    )
    assert "$.budget.amount: -1 is less than the minimum of 0" in errors
    assert "$.budget.currency: 'usd' is not a currency code in capitals such as USDC" in errors
    assert "$.title: required field is missing" in errors
    assert len(errors) == 10


def test_long_free_text_is_reported_by_length_not_echoed(sample: dict[str, WireModel]) -> None:
    errors = errors_of("bid", bid_data(sample, rationale="x" * 5000))
    assert errors == ["$.rationale: has 5000, at most 2000 characters allowed"]


def test_datetime_without_time_zone_is_rejected(sample: dict[str, WireModel]) -> None:
    errors = errors_of("bid", bid_data(sample, expiry="2026-10-01T12:00:00"))
    assert errors == [
        "$.expiry: '2026-10-01T12:00:00' is not a date-time with a time zone (RFC 3339)"
    ]


def test_amount_given_as_number_with_too_many_digits_is_not_rounded(
    sample: dict[str, WireModel],
) -> None:
    raw = json.dumps(bid_data(sample)).replace('"amount": "5.00"', '"amount": 123456789012.12345')
    (error,) = errors_of("bid", raw)
    assert error == (
        "$.price.amount: the number 123456789012.12345 cannot be read exactly (it would become "
        "123456789012.12344); send amounts as a decimal string"
    )


def test_control_characters_in_text_are_rejected(sample: dict[str, WireModel]) -> None:
    assert errors_of("bid", bid_data(sample, rationale="ok\x00\x1b[31m")) == [
        "$.rationale: 'ok\\x00\\x1b[31m' is not text without control characters "
        "(tab and newline are allowed)"
    ]
    data = bid_data(sample, rationale="line one\nline two\tindented")
    assert validate_model(Bid, data).rationale == "line one\nline two\tindented"
    c1_escape = bid_data(sample, rationale="red \x9b31m alert")  # CSI of 8-bit terminals
    assert errors_of("bid", c1_escape) == [
        "$.rationale: 'red \\x9b31m alert' is not text without control characters "
        "(tab and newline are allowed)"
    ]
    task = sample["task"].model_dump(mode="json") | {"title": "two\nlines"}
    assert errors_of("task", task) == [
        "$.title: 'two\\nlines' is not one line of text without control characters"
    ]


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_bidirectional_overrides_are_rejected(sample: dict[str, WireModel], char: str) -> None:
    """Text that reads differently from what it holds (a right-to-left override) is refused."""
    task = sample["task"].model_dump(mode="json") | {"title": f"pay {char}001 USDC"}
    (error,) = errors_of("task", task)
    assert error.startswith("$.title: ") and "not one line of text" in error
    assert errors_of("bid", bid_data(sample, rationale=f"fine {char}print")) != []


def test_tiny_float_price_from_a_small_model_is_rejected(sample: dict[str, WireModel]) -> None:
    raw = json.dumps(bid_data(sample)).replace('"amount": "5.00"', '"amount": 1e-323')
    assert errors_of("bid", raw) == ["$.price.amount: 1e-323 has more than 6 decimal places"]


@pytest.mark.parametrize("kind", ["bid", "contract", "settlement", "task"])
def test_python_mappings_are_accepted(sample: dict[str, WireModel], kind: str) -> None:
    """A mapping holding Decimal, datetime, enum and tuple values validates like its JSON."""
    assert validate_raw(kind, sample[kind].model_dump()) == sample[kind]


def test_a_mapping_with_non_json_values_is_one_root_error() -> None:
    assert errors_of("bid", {"price": object()}) == ["$: not valid JSON: object is not JSON data"]
