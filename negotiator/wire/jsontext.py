"""Reading JSON text strictly: what the standard parser accepts silently, a wire object must not.

:func:`read_json` parses JSON text and reports, each with its JSON path:

* a **duplicate key** in an object (the standard parser keeps the last one, so two readers
  could see two different objects in the same bytes);
* a **number that cannot be read exactly**: the literal's decimal value differs from the
  float it parses to (``1e-1000`` would become ``0``, ``4.999999999999999999`` would become
  ``5.0``); send such amounts as decimal strings;
* ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON;
* nesting deeper than :data:`MAX_DEPTH` levels (no wire object comes close), and input so deep
  that the parser itself gives up.

Text that is not JSON at all raises :class:`JsonTextError` with the line and column.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from negotiator.errors import FieldError

__all__ = ["MAX_DEPTH", "JsonTextError", "nesting_depth", "read_json"]

MAX_DEPTH = 64
"""The deepest nesting a wire object may have (arrays and objects count one level each)."""


class JsonTextError(ValueError):
    """The text is not JSON (or too deep to parse); the message says where and why."""


class _Inexact(float):
    """A float parsed from a literal whose exact value it does not hold."""

    literal: str


class _Pairs(dict[str, Any]):
    """An object that had duplicate keys (the first value of each is kept)."""

    duplicates: tuple[str, ...]


def _float(literal: str) -> float:
    value = float(literal)
    try:
        exact = Decimal(literal) == Decimal(repr(value))
    except InvalidOperation:  # pragma: no cover - json only hands over valid literals
        exact = False
    if exact:
        return value
    out = _Inexact(value)
    out.literal = literal
    return out


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in seen:
            duplicates.append(key)
        else:
            seen[key] = value
    if not duplicates:
        return seen
    out = _Pairs(seen)
    out.duplicates = tuple(duplicates)
    return out


def _constant(name: str) -> float:
    raise JsonTextError(f"{name} is not a JSON number")


def nesting_depth(data: Any) -> int:
    """How many arrays/objects deep ``data`` is (0 for a scalar); iterative, never recursive.

    Example:
        >>> nesting_depth({"a": [1, {"b": []}]})
        4
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[Any] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if depth + 1 <= MAX_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _problems(data: Any) -> list[FieldError]:
    problems: list[FieldError] = []
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(FieldError(path, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        if isinstance(node, _Inexact):
            problems.append(
                FieldError(
                    path,
                    f"the number {node.literal} cannot be read exactly (it would become "
                    f"{float(node)!r}); send amounts as a decimal string",
                )
            )
        elif isinstance(node, dict):
            if isinstance(node, _Pairs):
                problems += [FieldError(f"{path}.{k}", "duplicate key") for k in node.duplicates]
            stack.extend((v, f"{path}.{k}", depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))
    return sorted(problems, key=lambda e: (e.path, e.message))


def read_json(text: str) -> tuple[Any, list[FieldError]]:
    """Parse ``text`` and return the data and every strictness problem (see the module).

    Raises:
        JsonTextError: the text is not JSON, or is nested too deeply for the parser.

    Example:
        >>> for problem in read_json('{"a": 1, "a": 2, "b": 1e-1000}')[1]:
        ...     print(problem)
        $.a: duplicate key
        $.b: the number 1e-1000 cannot be read exactly (it would become 0.0); send amounts as a ...
    """
    try:
        data = json.loads(
            text, parse_float=_float, object_pairs_hook=_object, parse_constant=_constant
        )
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"{exc.msg} (line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise JsonTextError(f"nested deeper than {MAX_DEPTH} levels") from None
    except JsonTextError:
        raise
    except ValueError as exc:  # an integer literal beyond Python's max_str_digits
        raise JsonTextError(str(exc)[:200]) from None
    return data, _problems(data)
