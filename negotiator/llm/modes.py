"""Structured-output modes: how a request asks an OpenAI-compatible server for a typed object.

Servers differ (issue 7): OpenAI and vLLM take ``response_format`` of type ``json_schema``; the
llama-cpp-python server rejects that and wants its own ``{"type": "json_object", "schema": ...}``;
others only do tool calls; some only follow a schema written into the prompt. A mode is two small
functions — what to add to the request, and where the raw JSON answer is in the reply — kept in
the :data:`STRUCTURED_MODES` lookup table. Whatever the mode, the answer is then validated the same
way (:func:`negotiator.llm.schema.validate_answer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from negotiator.errors import RetryableModelOutput, lookup
from negotiator.llm.dialects import llama_cpp_schema
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ChatMessage

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessage

__all__ = ["STRUCTURED_MODES", "OutputSpec", "StructuredMode", "get_mode"]


@dataclass(frozen=True)
class OutputSpec:
    """The object a structured request asks for.

    Args:
        name: the type's name as sent to the server (``json_schema.name`` / the function name).
        schema: its strict wire schema (:func:`negotiator.llm.schema.strict_wire_schema`).
        description: a one-line description (the function description in ``tools`` mode).
    """

    name: str
    schema: dict[str, Any]
    description: str


@dataclass(frozen=True)
class StructuredMode:
    """One way of asking for a structured object.

    Args:
        name: the mode's key in :data:`STRUCTURED_MODES`.
        request: the extra request parameters (``response_format``, ``tools``, ...).
        extract: the raw JSON text of the answer from the reply message; raises
            :class:`~negotiator.errors.RetryableModelOutput` when the reply has no answer.
        prepare: the messages to send, given the caller's messages (``prompt`` mode adds the
            schema to the system prompt).
        uses_parse: whether the request goes through ``chat.completions.parse`` (otherwise
            ``chat.completions.create``).
    """

    name: str
    request: Callable[[OutputSpec], dict[str, Any]]
    extract: Callable[[ChatCompletionMessage, OutputSpec], str]
    prepare: Callable[[Sequence[ChatMessage], OutputSpec], list[ChatMessage]]
    uses_parse: bool = False


def _content(message: ChatCompletionMessage, spec: OutputSpec) -> str:
    if not message.content:
        raise RetryableModelOutput(f"$: the answer is empty; reply with one {spec.name} object")
    return message.content


def _unchanged(messages: Sequence[ChatMessage], spec: OutputSpec) -> list[ChatMessage]:
    return list(messages)


def _json_schema_request(spec: OutputSpec) -> dict[str, Any]:
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"schema": spec.schema, "name": spec.name, "strict": True},
        }
    }


def _json_object_schema_request(spec: OutputSpec) -> dict[str, Any]:
    # llama-cpp-python compiles this schema to a grammar: send its dialect (see dialects.py)
    return {"response_format": {"type": "json_object", "schema": llama_cpp_schema(spec.schema)}}


def _tools_request(spec: OutputSpec) -> dict[str, Any]:
    # llama-cpp-python compiles forced-tool parameters to a grammar too: same dialect (the
    # rewritten patterns are the same regular languages over ASCII, so other servers are unaffected)
    function = {
        "name": spec.name,
        "description": spec.description,
        "parameters": llama_cpp_schema(spec.schema),
        "strict": True,
    }
    return {
        "tools": [{"type": "function", "function": function}],
        "tool_choice": {"type": "function", "function": {"name": spec.name}},
    }


def _tool_arguments(message: ChatCompletionMessage, spec: OutputSpec) -> str:
    for call in message.tool_calls or ():
        if call.type == "function" and call.function.name == spec.name:
            arguments: object = call.function.arguments
            # some servers send the arguments as an object instead of a JSON string
            return arguments if isinstance(arguments, str) else json.dumps(arguments)
    raise RetryableModelOutput(
        f"$: no call of the function {spec.name!r}; call it with the object as its arguments"
    )


def _prompt_prepare(messages: Sequence[ChatMessage], spec: OutputSpec) -> list[ChatMessage]:
    schema_text = json.dumps(spec.schema, ensure_ascii=False, sort_keys=True)
    instruction = render_prompt("structured_output", {"name": spec.name, "schema": schema_text})
    extra = "\n\n".join(m.content for m in instruction)
    out = list(messages)
    if out and out[0].role == "system":
        out[0] = ChatMessage("system", f"{out[0].content}\n\n{extra}")
    else:
        out.insert(0, ChatMessage("system", extra))
    return out


def _no_request(spec: OutputSpec) -> dict[str, Any]:
    return {}


def _fenced_or_plain(message: ChatCompletionMessage, spec: OutputSpec) -> str:
    text = _content(message, spec).strip()
    if text.startswith("```") and text.endswith("```"):
        body = text[3:-3]
        first_newline = body.find("\n")
        return body[first_newline + 1 :] if first_newline >= 0 else body
    return text


STRUCTURED_MODES: dict[str, StructuredMode] = {
    "json_schema": StructuredMode(
        "json_schema", _json_schema_request, _content, _unchanged, uses_parse=True
    ),
    "json_object_schema": StructuredMode(
        "json_object_schema", _json_object_schema_request, _content, _unchanged
    ),
    "tools": StructuredMode("tools", _tools_request, _tool_arguments, _unchanged),
    "prompt": StructuredMode("prompt", _no_request, _fenced_or_plain, _prompt_prepare),
}
"""Every structured-output mode by name; ``json_schema`` is the default."""


def get_mode(name: str) -> StructuredMode:
    """Return the mode called ``name``.

    Raises:
        UnknownKeyError: no such mode (the message lists the valid ones).

    Example:
        >>> get_mode("tools").uses_parse
        False
    """
    return lookup(STRUCTURED_MODES, name, "structured-output mode")
