"""The canonical form of a model request and its key, shared by recording and replay.

A request is identified by what decides its answer: the step, the messages (role and content, in
order) and the requested output (the type's name and strict wire schema, or free text). Its key
is the SHA-256 of that canonical JSON, so parallel calls that finish in any order are still
matched to their own recorded answers, and a changed prompt or schema is a visible mismatch.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, JsonValue

from negotiator.llm.protocol import StructuredCall, TextCall
from negotiator.llm.schema import strict_wire_schema

__all__ = ["canonical_request", "output_label", "request_key"]


def output_label(call: StructuredCall[Any] | TextCall) -> str:
    """``"structured:<Type>"`` or ``"text"``: what a call asks for, for people."""
    if isinstance(call, StructuredCall):
        return f"structured:{call.output_type.__name__}"
    return "text"


def canonical_request(call: StructuredCall[Any] | TextCall) -> dict[str, JsonValue]:
    """Return the canonical JSON form of ``call`` (what its key is computed from)."""
    output: JsonValue
    if isinstance(call, StructuredCall):
        output_type: type[BaseModel] = call.output_type
        output = {"type": output_type.__name__, "schema": strict_wire_schema(output_type)}
    else:
        output = "text"
    return {
        "step": call.step,
        "messages": [{"role": m.role, "content": m.content} for m in call.messages],
        "output": output,
    }


def request_key(call: StructuredCall[Any] | TextCall) -> str:
    """Return the hex SHA-256 of the canonical request.

    Example:
        >>> from negotiator.llm.protocol import ChatMessage
        >>> len(request_key(TextCall("s", [ChatMessage("user", "hi")], lambda: "")))
        64
    """
    text = json.dumps(
        canonical_request(call), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
