"""Each structured-output mode: the exact request body sent, and the reply shapes it parses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import respx
from pydantic import BaseModel, ConfigDict, Field

from negotiator.llm.dialects import llama_cpp_schema
from negotiator.llm.modes import STRUCTURED_MODES, get_mode
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ChatMessage, ResultSource, StructuredCall
from negotiator.llm.schema import strict_wire_schema
from negotiator.money import Money


class Answer(BaseModel):
    """An answer to a bidder's question (with a Money, whose pattern needs the llama dialect)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    text: str = Field(max_length=200, description="The answer.")
    confident: bool
    fee: Money


SCHEMA = strict_wire_schema(Answer)
USER = {"role": "user", "content": "Is the deadline firm?"}
SYSTEM = {"role": "system", "content": "You answer questions."}
GOOD = {"text": "Yes.", "confident": True, "fee": {"amount": "1.50", "currency": "USD"}}
CALL = StructuredCall(
    "clarify.answer",
    [ChatMessage("system", "You answer questions."), ChatMessage("user", "Is the deadline firm?")],
    Answer,
    lambda: Answer(text="See the task.", confident=False, fee=Money(amount=0, currency="USD")),
)


def ask(make_client: Callable[..., OpenAICompatibleClient], mode: str) -> Any:
    return asyncio.run(make_client(mode=mode).structured(CALL))


def tool_call(name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def test_mode_table_lists_the_four_modes() -> None:
    assert sorted(STRUCTURED_MODES) == ["json_object_schema", "json_schema", "prompt", "tools"]
    assert get_mode("json_schema").uses_parse is True


def test_json_schema_mode_body(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(json.dumps(GOOD)))
    result = ask(make_client, "json_schema")
    assert result.value == Answer(**GOOD)
    assert http.body(route.calls.last) == {
        "model": "test-model",
        "messages": [SYSTEM, USER],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"schema": SCHEMA, "name": "Answer", "strict": True},
        },
        "stream": False,
    }
    assert route.calls.last.request.headers["x-stainless-helper-method"] == (
        "chat.completions.parse"
    )


def test_json_object_schema_mode_body(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(json.dumps(GOOD)))
    result = ask(make_client, "json_object_schema")
    assert result.value == Answer(**GOOD)
    assert http.body(route.calls.last) == {
        "model": "test-model",
        "messages": [SYSTEM, USER],
        "response_format": {"type": "json_object", "schema": llama_cpp_schema(SCHEMA)},
    }


def test_tools_mode_body_and_tool_call_reply(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    reply = http.ok(None, tool_calls=[tool_call("Answer", json.dumps(GOOD))])
    route = api.post("/chat/completions").mock(return_value=reply)
    result = ask(make_client, "tools")
    assert result.value == Answer(**GOOD)
    assert result.source is ResultSource.MODEL
    assert http.body(route.calls.last) == {
        "model": "test-model",
        "messages": [SYSTEM, USER],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "Answer",
                    "description": "Return the Answer object.",
                    "parameters": llama_cpp_schema(SCHEMA),
                    "strict": True,
                },
            }
        ],
        "tool_choice": {"type": "function", "function": {"name": "Answer"}},
    }


def test_tools_mode_without_a_tool_call_is_reasked(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[
            http.ok("The deadline is firm."),
            http.ok(None, tool_calls=[tool_call("Other", "{}")]),
            http.ok(None, tool_calls=[tool_call("Answer", json.dumps(GOOD))]),
        ]
    )
    result = ask(make_client, "tools")
    assert result.attempts == 3
    assert (
        "no call of the function 'Answer'" in http.body(route.calls[1])["messages"][-1]["content"]
    )
    # the bad arguments are echoed back as the assistant's turn
    assert http.body(route.calls[2])["messages"][-2] == {"role": "assistant", "content": "{}"}


def test_tools_mode_invalid_arguments_are_reasked_with_path(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    bad = json.dumps({**GOOD, "confident": "very"})
    route = api.post("/chat/completions").mock(
        side_effect=[
            http.ok(None, tool_calls=[tool_call("Answer", bad)]),
            http.ok(None, tool_calls=[tool_call("Answer", json.dumps(GOOD))]),
        ]
    )
    assert ask(make_client, "tools").value == Answer(**GOOD)
    feedback = http.body(route.calls[1])["messages"][-1]["content"]
    assert "$.confident: 'very' is not of type 'boolean'" in feedback


def test_prompt_mode_body_puts_the_schema_in_the_system_prompt(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(json.dumps(GOOD)))
    assert ask(make_client, "prompt").value == Answer(**GOOD)
    schema_text = json.dumps(SCHEMA, ensure_ascii=False, sort_keys=True)
    instruction = render_prompt("structured_output", {"name": "Answer", "schema": schema_text})
    assert http.body(route.calls.last) == {
        "model": "test-model",
        "messages": [
            {"role": "system", "content": f"You answer questions.\n\n{instruction[0].content}"},
            USER,
        ],
    }
    assert schema_text in instruction[0].content


def test_prompt_mode_without_system_message_adds_one(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(json.dumps(GOOD)))
    call = StructuredCall("s", [ChatMessage("user", "Q?")], Answer, CALL.fallback)
    asyncio.run(make_client(mode="prompt").structured(call))
    messages = http.body(route.calls.last)["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"].startswith("Reply with exactly one JSON object of type Answer")


def test_prompt_mode_parses_fenced_and_plain_replies(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    api.post("/chat/completions").mock(side_effect=[http.ok(fenced), http.ok(json.dumps(GOOD))])
    client = make_client(mode="prompt")
    assert asyncio.run(client.structured(CALL)).attempts == 1
    assert asyncio.run(client.structured(CALL)).attempts == 1


def test_prompt_mode_prose_is_reasked_then_falls_back(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok("Sure! The deadline is firm."))
    result = asyncio.run(make_client(mode="prompt", max_reasks=1).structured(CALL))
    assert route.call_count == 2
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason is not None
    assert "not valid JSON" in result.fallback_reason


def test_json_object_schema_mode_length_reply(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    """llama.cpp-style truncation: a cut-off answer is re-asked (create() does not raise)."""
    api.post("/chat/completions").mock(
        side_effect=[http.ok('{"text": "Yes', finish_reason="length"), http.ok(json.dumps(GOOD))]
    )
    result = ask(make_client, "json_object_schema")
    assert (result.source, result.attempts) == (ResultSource.MODEL, 2)


def test_tools_mode_accepts_arguments_sent_as_an_object(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    reply = http.completion_body(None, tool_calls=[tool_call("Answer", "{}")])
    reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = GOOD
    api.post("/chat/completions").mock(return_value=httpx.Response(200, json=reply))
    assert ask(make_client, "tools").value == Answer(**GOOD)


def test_grammar_modes_send_the_llama_dialect_and_json_schema_does_not(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    """llama-cpp-python dies on '\\d' in a grammar pattern; json_schema stays SDK-exact."""
    route = api.post("/chat/completions").mock(return_value=http.ok(json.dumps(GOOD)))
    sent: dict[str, str] = {}
    for mode in ("json_schema", "json_object_schema"):
        ask(make_client, mode)
        fmt = http.body(route.calls.last)["response_format"]
        schema = fmt["json_schema"]["schema"] if mode == "json_schema" else fmt["schema"]
        sent[mode] = schema["$defs"]["Money"]["properties"]["amount"]["anyOf"][1]["pattern"]
    assert sent == {
        "json_schema": r"^[0-9]{1,12}(\.[0-9]{1,6})?$",
        "json_object_schema": r"^[0-9]{1,12}([\x2E][0-9]{1,6})?$",
    }
