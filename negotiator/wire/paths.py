"""JSON paths and readable, located errors from JSON Schema and pydantic validation.

Every error becomes a :class:`~negotiator.errors.FieldError` whose path points at the
offending field (``$.price.amount``, ``$.clauses[1].forfeit_fraction``): a missing field is
reported at its own path, an unexpected field at its own path, and a failed ``anyOf`` /
``oneOf`` (optional values, amounts, clause unions) at the branch the input evidently meant.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from negotiator.errors import FieldError
from negotiator.money import AMOUNT_PATTERN, CURRENCY_PATTERN
from negotiator.wire.common import (
    AGENT_ID_PATTERN,
    IDENTIFIER_PATTERN,
    LINE_PATTERN,
    METRIC_NAME_PATTERN,
    TEXT_PATTERN,
)

__all__ = ["json_path", "make_validator", "model_error_path", "schema_errors"]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_MESSAGE = 300

_FORMATS = FormatChecker(formats=())

_PATTERN_HINTS: Mapping[str, str] = {
    AMOUNT_PATTERN: 'a non-negative decimal such as "5.00" (up to 12 digits, 6 decimals)',
    CURRENCY_PATTERN: "a currency code in capitals such as USDC",
    AGENT_ID_PATTERN: "an agent id such as did:web:fast-coder.ai or fast-coder",
    IDENTIFIER_PATTERN: "an id of letters, digits, '.', '_', ':' or '-' such as task-1",
    METRIC_NAME_PATTERN: "a snake_case name such as existing_tests_pass",
    LINE_PATTERN: "one line of text without control characters",
    TEXT_PATTERN: "text without control characters (tab and newline are allowed)",
}
"""Regular expression -> what it asks for, in words (unknown patterns are shown as they are)."""


def _is_aware_datetime(value: object) -> bool:
    """RFC 3339 date-time with a time zone (non-strings are left to the ``type`` keyword)."""
    return not isinstance(value, str) or datetime.fromisoformat(value).utcoffset() is not None


_FORMATS.checks("date-time", raises=ValueError)(_is_aware_datetime)


def make_validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A Draft 2020-12 validator for ``schema`` that also checks ``date-time`` formats."""
    return Draft202012Validator(schema, format_checker=_FORMATS)


def json_path(parts: Iterable[str | int]) -> str:
    """Render a location as a JSON path.

    Example:
        >>> json_path(["clauses", 1, "forfeit_fraction"])
        '$.clauses[1].forfeit_fraction'
    """
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, list):
        return isinstance(part, int) and 0 <= part < len(node)
    return isinstance(node, dict) and part in node


def model_error_path(loc: Sequence[str | int], instance: Any) -> str:
    """JSON path of a pydantic error location, dropping the union tags pydantic inserts.

    pydantic locates an error inside a tagged union as ``clauses.0.penalty.forfeit_fraction``
    and inside a plain union with the member's type name; walking the input alongside the
    location keeps only the parts that exist in the input (and the missing field itself).
    """
    parts: list[str | int] = []
    node: Any = instance
    for part in loc:
        if _has(node, part):
            parts.append(part)
            node = node[part]
        elif isinstance(node, dict) and node.get("kind") == part:
            continue  # discriminated-union tag
        elif isinstance(node, dict | list):
            parts.append(part)  # a missing field: name it, and stop walking
            node = None
        else:
            break  # a scalar: the rest are union member names
    return json_path(parts)


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def _located(error: SchemaError, message: str, *extra: str | int) -> FieldError:
    return FieldError(json_path([*error.absolute_path, *extra]), _short(message))


def _required(error: SchemaError) -> list[FieldError]:
    names = [n for n in error.validator_value if error.message == f"{n!r} is a required property"]
    return [_located(error, "required field is missing", n) for n in names[:1]] or [
        _located(error, error.message)
    ]


def _additional(error: SchemaError) -> list[FieldError]:
    known = set(error.schema.get("properties", {}))
    extras = sorted(k for k in error.instance if k not in known)
    return [_located(error, "unexpected field (not allowed here)", k) for k in extras]


def _too_long(error: SchemaError) -> list[FieldError]:
    unit = {"maxLength": "characters", "maxItems": "items", "maxProperties": "entries"}
    size = len(error.instance)
    limit = f"at most {error.validator_value} {unit[str(error.validator)]}"
    return [_located(error, f"has {size}, {limit} allowed")]


def _format(error: SchemaError) -> list[FieldError]:
    return [_located(error, f"{error.instance!r} is not a date-time with a time zone (RFC 3339)")]


def _pattern(error: SchemaError) -> list[FieldError]:
    wanted = _PATTERN_HINTS.get(str(error.validator_value), f"a match of {error.validator_value}")
    return [_located(error, f"{error.instance!r} is not {wanted}")]


def _rules_out(branch_error: SchemaError) -> bool:
    """Whether an error shows the input was not meant for this branch at all."""
    depth = len(branch_error.relative_path)
    return (branch_error.validator == "type" and depth == 0) or (
        branch_error.validator == "const" and depth <= 1
    )


def _union(error: SchemaError) -> list[FieldError]:
    branches: defaultdict[Any, list[SchemaError]] = defaultdict(list)
    for sub in error.context or ():
        branches[sub.relative_schema_path[0]].append(sub)
    viable = [errs for errs in branches.values() if not any(_rules_out(e) for e in errs)]
    if len(viable) == 1:
        return [fe for sub in viable[0] for fe in _translate(sub)]
    consts = [e for e in error.context or () if e.validator == "const"]
    if consts and len(consts) == len(branches) and not viable:
        allowed = ", ".join(repr(e.validator_value) for e in consts)
        bad = consts[0]
        return [_located(bad, f"{bad.instance!r} is not one of {allowed}")]
    types = [e.validator_value for e in error.context or () if e.validator == "type"]
    if not viable and len(types) == len(branches):
        names = " or ".join(repr(t) for t in types)
        return [_located(error, f"{error.instance!r} is not of type {names}")]
    best = best_match(error.context or ()) or error
    return [_located(best, best.message)]


_HANDLERS: Mapping[str, Callable[[SchemaError], list[FieldError]]] = {
    "additionalProperties": _additional,
    "anyOf": _union,
    "format": _format,
    "maxItems": _too_long,
    "maxLength": _too_long,
    "maxProperties": _too_long,
    "oneOf": _union,
    "pattern": _pattern,
    "required": _required,
}
"""JSON Schema keyword -> how its error is turned into located, readable errors."""


def _translate(error: SchemaError) -> list[FieldError]:
    handler = _HANDLERS.get(str(error.validator))
    return handler(error) if handler else [_located(error, error.message)]


def schema_errors(validator: Draft202012Validator, instance: Any) -> list[FieldError]:
    """Every schema error of ``instance``, located and sorted by path (empty when valid).

    Example:
        >>> v = make_validator({"type": "object", "properties": {"n": {"minimum": 0}}})
        >>> [str(e) for e in schema_errors(v, {"n": -5})]
        ['$.n: -5 is less than the minimum of 0']
    """
    found = [fe for err in validator.iter_errors(instance) for fe in _translate(err)]
    return sorted(set(found), key=lambda e: (e.path, e.message))
