"""The strict wire schema of an output type, and the validation of a model's raw answer.

Strict structured outputs (OpenAI, vLLM) require every property to be listed in ``required``,
``additionalProperties: false`` on every object, and no ``$ref`` with sibling keys. So the schema
the server sees is stricter than ``Model.model_json_schema()``. :func:`strict_wire_schema` is the
one place that produces it (a test checks it equals what the ``openai`` SDK sends for the same
model), and :func:`validate_answer` checks a raw answer against exactly that schema, then the
pydantic model (strict) — through the same validation core and path renderer as every wire
input (:func:`negotiator.wire.raw.to_typed`), so the model is told what screening would reject —
then the call's semantic ``check``, collecting every problem with its JSON path, ready to be fed
back to the model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from negotiator.errors import RetryableModelOutput
from negotiator.wire.paths import make_validator
from negotiator.wire.raw import to_typed

__all__ = [
    "MAX_FEEDBACK_ERRORS",
    "strict_wire_schema",
    "unbounded_strings",
    "validate_answer",
]

T = TypeVar("T", bound=BaseModel)

MAX_FEEDBACK_ERRORS = 10
"""At most this many problems are fed back to the model in one re-ask."""

_MAX_PROBLEM_CHARS = 240


def strict_wire_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the strict JSON Schema of ``model`` exactly as strict structured outputs need it.

    Every object gets ``additionalProperties: false`` and lists every property as required;
    ``readOnly`` properties (signatures, which the author's software adds) are left out, so a
    model is never asked for them;
    ``$defs`` are made strict too; a ``$ref`` with sibling keys is inlined; ``default: null``
    is dropped; a one-element ``allOf`` is merged.

    Example:
        >>> from pydantic import BaseModel
        >>> class P(BaseModel):
        ...     x: int = 0
        >>> strict_wire_schema(P)["required"]
        ['x']
    """
    schema = copy.deepcopy(model.model_json_schema())
    return _strict(schema, schema)


def _strict(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    for key in ("$defs", "definitions"):
        defs = node.get(key)
        if isinstance(defs, dict):
            for sub in defs.values():
                _strict(sub, root)
    if node.get("type") == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = False
    props = node.get("properties")
    if isinstance(props, dict):
        props = {k: v for k, v in props.items() if not (isinstance(v, dict) and v.get("readOnly"))}
        node["required"] = list(props)
        node["properties"] = {k: _strict(v, root) for k, v in props.items()}
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"], root)
    if isinstance(node.get("anyOf"), list):
        node["anyOf"] = [_strict(v, root) for v in node["anyOf"]]
    _strict_all_of(node, root)
    if "default" in node and node["default"] is None:
        node.pop("default")
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        resolved = _resolve(root, ref)
        node.update({**resolved, **node})
        node.pop("$ref")
        return _strict(node, root)
    return node


def _strict_all_of(node: dict[str, Any], root: dict[str, Any]) -> None:
    all_of = node.get("allOf")
    if not isinstance(all_of, list):
        return
    if len(all_of) == 1:
        node.update(_strict(all_of[0], root))
        node.pop("allOf")
    else:
        node["allOf"] = [_strict(v, root) for v in all_of]


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"unsupported $ref {ref!r}: only local '#/...' references are allowed")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref!r} does not point at a schema object")
    return node


_STRING_BOUNDS = ("maxLength", "enum", "const", "pattern", "format")


def unbounded_strings(schema: dict[str, Any]) -> list[str]:
    """List the data paths of string fields a model could make arbitrarily long.

    A string is bounded by ``maxLength``, ``enum``, ``const``, ``format`` or ``pattern`` (the
    project's patterns are anchored with bounded repeats). An unbounded free-text field lets a
    model run into ``max_tokens`` and be cut off, so wire models should have none (issue 7).

    Example:
        >>> from pydantic import BaseModel, Field
        >>> class N(BaseModel):
        ...     short: str = Field(max_length=10)
        ...     free: str
        ...     tags: list[str]
        >>> unbounded_strings(strict_wire_schema(N))
        ['$.free', '$.tags[*]']
    """
    found: list[str] = []
    _walk_strings(schema, schema, "$", found, frozenset())
    return found


def _walk_strings(
    node: dict[str, Any], root: dict[str, Any], path: str, found: list[str], seen: frozenset[str]
) -> None:
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref not in seen:  # recursive models are walked once per branch
            _walk_strings(_resolve(root, ref), root, path, found, seen | {ref})
        return
    if node.get("type") == "string" and not any(k in node for k in _STRING_BOUNDS):
        found.append(path)
    for key, sub in (node.get("properties") or {}).items():
        _walk_strings(sub, root, f"{path}.{key}", found, seen)
    if isinstance(node.get("items"), dict):
        _walk_strings(node["items"], root, f"{path}[*]", found, seen)
    for variant in [*node.get("anyOf", ()), *node.get("allOf", ())]:
        _walk_strings(variant, root, path, found, seen)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_PROBLEM_CHARS else text[: _MAX_PROBLEM_CHARS - 3] + "..."


def validate_answer(
    text: str,
    output_type: type[T],
    schema: dict[str, Any],
    check: Callable[[T], Sequence[str]],
) -> T:
    """Validate a model's raw JSON answer: JSON syntax, the wire schema, the model, ``check``.

    Args:
        text: the raw JSON text the model produced.
        output_type: the pydantic model to parse into (strict mode: no lax coercion).
        schema: the wire schema the model was given (see :func:`strict_wire_schema`).
        check: the call's semantic checks; returns problems, ideally prefixed with a JSON path.

    The text is read strictly (:func:`negotiator.wire.raw.to_typed` reads it with
    :func:`negotiator.wire.jsontext.read_json`): duplicate keys, numbers that cannot be read
    exactly and nesting beyond 64 levels are problems too, and no answer, however hostile
    (``"[" * 100000``, a 5,000-digit integer), raises anything else.

    Raises:
        RetryableModelOutput: with every problem found (one per line, each with its JSON path,
            at most :data:`MAX_FEEDBACK_ERRORS`), ready to be fed back to the model.

    Example:
        >>> from pydantic import BaseModel
        >>> class P(BaseModel):
        ...     x: int
        >>> validate_answer('{"x": 1}', P, strict_wire_schema(P), lambda p: ()).x
        1
    """
    obj = to_typed(output_type, text, make_validator(schema))
    if isinstance(obj, list):
        problems = [_clip(str(e)) for e in obj]
    else:
        problems = [_clip(p) for p in check(obj)]
        if not problems:
            return obj
    shown = problems[:MAX_FEEDBACK_ERRORS]
    if len(problems) > len(shown):
        shown.append(f"(and {len(problems) - len(shown)} more problem(s))")
    raise RetryableModelOutput("\n".join(shown))
