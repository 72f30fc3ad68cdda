"""Request keys: what decides an answer is in the key; replay is order-independent."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from negotiator.llm.canonical import canonical_request, request_key
from negotiator.llm.protocol import (
    ChatMessage,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
)
from negotiator.llm.recording import RecordingClient
from negotiator.llm.replay import ReplayClient
from negotiator.transcript import TranscriptHeader, TranscriptWriter


class A(BaseModel):
    x: int


class B(BaseModel):
    x: int
    y: int = 0


def call(step: str = "s", text: str = "hi", output: type[BaseModel] = A) -> StructuredCall[Any]:
    return StructuredCall(step, [ChatMessage("user", text)], output, lambda: output(x=0))


def test_key_depends_on_step_messages_and_schema_only() -> None:
    base = request_key(call())
    assert request_key(call()) == base
    assert request_key(call(step="t")) != base
    assert request_key(call(text="hi!")) != base
    assert request_key(call(output=B)) != base
    assert request_key(TextCall("s", [ChatMessage("user", "hi")], lambda: "")) != base
    # the fallback and the check are code, not part of the request
    other = StructuredCall("s", [ChatMessage("user", "hi")], A, lambda: A(x=5), lambda a: ["no"])
    assert request_key(other) == base


def test_canonical_form() -> None:
    form = canonical_request(TextCall("s", [ChatMessage("system", "be brief")], lambda: ""))
    assert form == {
        "step": "s",
        "messages": [{"role": "system", "content": "be brief"}],
        "output": "text",
    }


class Echo:
    """Answers every text call with its prompt reversed."""

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        raise AssertionError("not used")

    async def text(self, call: TextCall) -> ModelResult[str]:
        return ModelResult(call.messages[0].content[::-1], ResultSource.MODEL, TokenUsage(1, 1), 1)


@given(st.permutations(range(8)))
def test_property_replay_answers_every_call_whatever_the_order(order: list[int]) -> None:
    calls = [TextCall(f"step{i % 3}", [ChatMessage("user", f"q{i}")], lambda: "") for i in range(8)]
    writer = TranscriptWriter(TranscriptHeader(run_id="r", seed=None, flow="f", inputs={}))
    recorder = RecordingClient(Echo(), writer)

    async def scenario() -> tuple[list[ModelResult[str]], dict[int, ModelResult[str]]]:
        recorded = [await recorder.text(c) for c in calls]
        replay = ReplayClient.from_events(writer.events)

        async def one(i: int) -> tuple[int, ModelResult[str]]:
            return i, await replay.text(calls[i])

        replayed = dict(await asyncio.gather(*(one(i) for i in order)))
        replay.close()
        return recorded, replayed

    recorded, replayed = asyncio.run(scenario())
    assert [replayed[i] for i in range(8)] == recorded
