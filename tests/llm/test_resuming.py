"""The client of a resumed run: a request the earlier attempt recorded is answered from the
recording; any other request goes to the live client."""

from __future__ import annotations

import asyncio
from typing import Any

from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.protocol import ChatMessage, ModelResult, ResultSource, TextCall
from negotiator.llm.recording import RecordingClient
from negotiator.llm.replay import ReplayClient
from negotiator.llm.resuming import ResumingClient
from negotiator.transcript import TranscriptHeader, TranscriptWriter


def ask(text: str) -> TextCall:
    return TextCall("clarify", [ChatMessage("user", text)], lambda: f"fallback for {text}")


class Live:
    """A live model that says which request it answered."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def structured(self, call: Any) -> Any:
        raise AssertionError("not used")

    async def text(self, call: TextCall) -> ModelResult[str]:
        self.asked.append(call.messages[0].content)
        return ModelResult(f"live answer to {call.messages[0].content}", ResultSource.MODEL)


def test_recorded_requests_replay_and_new_ones_go_live() -> None:
    writer = TranscriptWriter(TranscriptHeader(run_id="r", seed=1, flow="test", inputs={}))
    earlier = asyncio.run(RecordingClient(DeterministicClient(), writer).text(ask("first")))
    live = Live()
    client = ResumingClient(ReplayClient.from_events(writer.events), live)
    again = asyncio.run(client.text(ask("first")))
    new = asyncio.run(client.text(ask("second")))
    assert again.value == earlier.value and again.source == earlier.source
    assert new.value == "live answer to second" and live.asked == ["second"]
