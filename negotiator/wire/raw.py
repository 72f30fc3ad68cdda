"""The one validation core: raw input to a typed object, or every error with its JSON path.

Raw input (JSON text, UTF-8 bytes, or an already-parsed mapping) goes through three gates, and
the first gate that fails returns **every** error it found, each a
:class:`~negotiator.errors.FieldError` located by the one path renderer
(:mod:`negotiator.wire.paths`):

1. JSON syntax, read strictly (:func:`negotiator.wire.jsontext.read_json`): ``NaN`` and
   ``Infinity`` are not JSON, and a duplicate key, a number that cannot be read exactly
   (``1e-1000``, ``4.999999999999999999``) or nesting deeper than 64 levels is an error;
2. a JSON Schema (Draft 2020-12, ``date-time`` formats checked), e.g.
   ``$.price.amount: -5 is less than the minimum of 0``;
3. the pydantic model in strict mode.

Everything that validates outside data uses it: :func:`negotiator.wire.validation.validate_raw`
(and so bid screening and ``negotiator validate``) with the committed schema of a wire kind, and
the model seam's re-ask (:func:`negotiator.llm.schema.validate_answer`) with the strict schema the
model was given — so the model is told exactly what screening would reject. Rules that need
context (a task, the time, a call's own checks) run after, on the typed object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from negotiator.errors import FieldError
from negotiator.wire.jsontext import MAX_DEPTH, JsonTextError, read_json
from negotiator.wire.paths import model_error_path, schema_errors

__all__ = ["RawInput", "parse_json", "read_strictly", "to_typed"]

M = TypeVar("M", bound=BaseModel)
RawInput = str | bytes | Mapping[str, Any]
"""JSON text, UTF-8 bytes, or a mapping of JSON-like values (``Decimal``, ``datetime`` allowed)."""


def _jsonable(value: object) -> object:
    """Make Python values JSON-ready (Decimal as an exact string, datetime as RFC 3339)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def parse_json(data: RawInput) -> tuple[Any, str] | FieldError:
    """The parsed instance and its JSON text, or the parse error located at ``$``.

    Example:
        >>> parse_json('{"a": 1}')
        ({'a': 1}, '{"a": 1}')
        >>> print(parse_json("{"))
        $: not valid JSON: Expecting property name enclosed in double quotes (line 1 column 2)
    """
    parsed = read_strictly(data)
    return parsed if isinstance(parsed, tuple) else parsed[0]


def read_strictly(data: RawInput) -> tuple[Any, str] | list[FieldError]:
    """The parsed instance and its JSON text, or every reading problem, each located.

    Example:
        >>> [str(e) for e in read_strictly('{"a": 1, "a": 2}')]
        ['$.a: duplicate key']
    """
    try:
        if isinstance(data, str | bytes):
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        else:
            text = json.dumps(data, default=_jsonable, ensure_ascii=False)
        instance, problems = read_json(text)
    except JsonTextError as exc:
        return [FieldError("$", f"not valid JSON: {exc}")]
    except RecursionError:
        return [FieldError("$", f"not valid JSON: nested deeper than {MAX_DEPTH} levels")]
    except (UnicodeDecodeError, TypeError, ValueError) as exc:
        return [FieldError("$", f"not valid JSON: {str(exc)[:200]}")]
    return problems or (instance, text)


def _model_errors(exc: ValidationError, instance: Any) -> list[FieldError]:
    found = {
        FieldError(model_error_path(e["loc"], instance), e["msg"].removeprefix("Value error, "))
        for e in exc.errors()
    }
    return sorted(found, key=lambda e: (e.path, e.message))


def to_typed(
    model: type[M], data: RawInput, validator: Draft202012Validator
) -> M | list[FieldError]:
    """Turn raw input into a ``model`` instance, or return every error of the first failing gate.

    Args:
        model: the pydantic model (validated in strict mode: no lax coercion).
        data: JSON text, UTF-8 bytes, or a mapping.
        validator: the JSON Schema the input must meet
            (:func:`negotiator.wire.paths.make_validator`).

    Example:
        >>> from negotiator.money import Money
        >>> from negotiator.wire.paths import make_validator
        >>> schema = make_validator(Money.model_json_schema())
        >>> to_typed(Money, '{"amount": "5.00", "currency": "USDC"}', schema)
        Money(amount=Decimal('5.00'), currency='USDC')
        >>> [str(e) for e in to_typed(Money, '{"amount": "5.00"}', schema)]
        ['$.currency: required field is missing']
    """
    parsed = read_strictly(data)
    if isinstance(parsed, list):
        return parsed
    instance, text = parsed
    errors = schema_errors(validator, instance)
    if errors:
        return errors
    try:
        return model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        return _model_errors(exc, instance)
