"""JSON paths for schema and model errors."""

from __future__ import annotations

from typing import Any

import pytest

from negotiator.wire.paths import json_path, make_validator, model_error_path, schema_errors


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ([], "$"),
        (["price", "amount"], "$.price.amount"),
        (["bids", 2, "price"], "$.bids[2].price"),
        (["metrics", "odd key"], '$.metrics["odd key"]'),
    ],
)
def test_json_path(parts: list[str | int], path: str) -> None:
    assert json_path(parts) == path


def test_model_error_path_drops_union_tags_and_member_names() -> None:
    data: dict[str, Any] = {"clauses": [{"kind": "penalty", "forfeit_fraction": 2}]}
    loc = ("clauses", 0, "penalty", "forfeit_fraction")
    assert model_error_path(loc, data) == "$.clauses[0].forfeit_fraction"
    assert model_error_path(("threshold", "float"), {"threshold": "x"}) == "$.threshold"
    assert model_error_path(("terms", "price"), {"terms": {}}) == "$.terms.price"


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "maybe": {"anyOf": [{"type": "integer", "minimum": 3}, {"type": "null"}]},
        "either": {"anyOf": [{"type": "boolean"}, {"type": "number"}]},
        "when": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
    "required": ["when"],
}


@pytest.mark.parametrize(
    ("instance", "errors"),
    [
        ({"when": "2026-01-01T00:00:00Z"}, []),
        (
            {"when": "2026-01-01T00:00:00Z", "maybe": 1},
            ["$.maybe: 1 is less than the minimum of 3"],
        ),
        (
            {"when": "2026-01-01T00:00:00Z", "either": "x"},
            ["$.either: 'x' is not of type 'boolean' or 'number'"],
        ),
        (
            {"when": "yesterday"},
            ["$.when: 'yesterday' is not a date-time with a time zone (RFC 3339)"],
        ),
        (
            {"a": 1, "b": 2},
            [
                "$.a: unexpected field (not allowed here)",
                "$.b: unexpected field (not allowed here)",
                "$.when: required field is missing",
            ],
        ),
    ],
)
def test_schema_errors(instance: dict[str, Any], errors: list[str]) -> None:
    assert [str(e) for e in schema_errors(make_validator(SCHEMA), instance)] == errors
