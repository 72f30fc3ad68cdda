"""Recording a run's model calls, then replaying them: any order, strict on drift."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel, ConfigDict

from negotiator.errors import ReplayMismatchError
from negotiator.llm.canonical import request_key
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.protocol import ChatMessage, ModelResult, ResultSource, StructuredCall, TextCall
from negotiator.llm.recording import RecordingClient
from negotiator.llm.replay import RecordedTurn, ReplayClient
from negotiator.transcript import (
    TranscriptError,
    TranscriptHeader,
    TranscriptWriter,
    read_transcript,
)


class Bid(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    bidder: str
    price: int


class BidV2(BaseModel):
    """The same name would collide; a changed schema must not replay the old answers."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    bidder: str
    price: int
    note: str


BIDDERS = ["ann", "bob", "cat", "dan", "eve"]


def bid_call(bidder: str, output: type[BaseModel] = Bid) -> StructuredCall[Any]:
    return StructuredCall(
        "bid",
        [ChatMessage("user", f"You are {bidder}. Bid for task 7.")],
        output,
        lambda: Bid(bidder=bidder, price=999),
    )


def question_call() -> TextCall:
    return TextCall("clarify", [ChatMessage("user", "Ask one question.")], lambda: "None.")


def server(http: Any) -> Callable[[httpx.Request], httpx.Response]:
    """Answers by bidder; 'dan' always gets a 500 (so his step falls back)."""

    def handle(request: httpx.Request) -> httpx.Response:
        text = json.loads(request.content)["messages"][0]["content"]
        if "Ask one question" in text:
            return http.ok("Is the deadline firm?")
        bidder = text.split()[2].rstrip(".")
        if bidder == "dan":
            return http.error(500)
        price = 10 * (BIDDERS.index(bidder) + 1)
        return http.ok(json.dumps({"bidder": bidder, "price": price}), prompt_tokens=price)

    return handle


def new_writer() -> TranscriptWriter:
    return TranscriptWriter(TranscriptHeader(run_id="r1", seed=1, flow="test", inputs={}))


async def record(client: Any, writer: TranscriptWriter) -> list[ModelResult[Any]]:
    rec = RecordingClient(client, writer)
    bids = await asyncio.gather(*(rec.structured(bid_call(b)) for b in BIDDERS))
    question = await rec.text(question_call())
    return [*bids, question]


@pytest.fixture
def recorded(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> tuple[TranscriptWriter, list[ModelResult[Any]]]:
    api.post("/chat/completions").mock(side_effect=server(http))
    writer = new_writer()
    results = asyncio.run(record(make_client(), writer))
    return writer, results


def test_recording_writes_request_response_and_fallback_events(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]],
) -> None:
    writer, results = recorded
    kinds = [e.kind for e in writer.events]
    assert kinds.count("model_request") == 6
    assert kinds.count("model_response") == 6
    fallbacks = [e for e in writer.events if e.kind == "fallback"]
    assert len(fallbacks) == 1
    assert fallbacks[0].payload["reason"] == results[3].fallback_reason
    response = next(e for e in writer.events if e.kind == "model_response")
    assert set(response.payload) == {
        "key",
        "output",
        "value",
        "source",
        "usage",
        "attempts",
        "fallback_reason",
        "meta",
    }
    assert response.payload["key"] == request_key(
        bid_call(str(response.payload["value"]["bidder"]))
    )  # type: ignore[index]


@pytest.mark.parametrize("order_seed", [0, 1, 2, 3])
def test_replay_in_shuffled_order_gives_identical_results(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]], order_seed: int
) -> None:
    writer, results = recorded
    replay = ReplayClient.from_events(writer.events)
    calls: list[Any] = [*(bid_call(b) for b in BIDDERS), question_call()]
    order = list(range(len(calls)))
    random.Random(order_seed).shuffle(order)

    async def replay_all() -> dict[int, ModelResult[Any]]:
        async def one(i: int) -> tuple[int, ModelResult[Any]]:
            call = calls[i]
            if isinstance(call, TextCall):
                return i, await replay.text(call)
            return i, await replay.structured(call)

        return dict(await asyncio.gather(*(one(i) for i in order)))

    replayed = asyncio.run(replay_all())
    assert [replayed[i] for i in range(len(calls))] == results  # value, source, usage, reason
    assert results[3].source is ResultSource.FALLBACK
    replay.close()  # nothing unused


def test_replay_from_a_file(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]], tmp_path: Path
) -> None:
    writer, results = recorded
    path = tmp_path / "t.jsonl"
    with TranscriptWriter.to_file(path, writer.header) as out:
        for e in writer.events:
            out.emit(e.step, e.role, e.kind, e.payload)
    replay = ReplayClient.from_transcript(read_transcript(path))
    assert asyncio.run(replay.structured(bid_call("eve"))) == results[4]


def test_replay_mismatch_fails_loudly(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]],
) -> None:
    replay = ReplayClient.from_events(recorded[0].events)
    changed = StructuredCall(
        "bid",
        [ChatMessage("user", "You are ann. Bid for task 8.")],
        Bid,
        lambda: Bid(bidder="a", price=1),
    )
    with pytest.raises(ReplayMismatchError, match=r"no recorded answer for step 'bid'.*5 unused"):
        asyncio.run(replay.structured(changed))
    with pytest.raises(ReplayMismatchError, match="structured:BidV2"):
        asyncio.run(replay.structured(bid_call("ann", BidV2)))


def test_unused_turns_are_reported(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]],
) -> None:
    replay = ReplayClient.from_events(recorded[0].events)
    asyncio.run(replay.structured(bid_call("bob")))
    asyncio.run(replay.text(question_call()))
    left = replay.unused()
    assert [t.step for t in left] == ["bid"] * 4
    assert [t.value["bidder"] for t in left] == ["ann", "cat", "dan", "eve"]  # type: ignore[index]
    with pytest.raises(ReplayMismatchError, match=r"4 recorded model answer\(s\) were never asked"):
        replay.close()


def test_identical_requests_replay_in_recorded_order() -> None:
    writer = new_writer()
    prices = iter([1, 2, 3])

    class Counting(DeterministicClient):
        async def structured(self, call: Any) -> Any:
            return ModelResult(Bid(bidder="x", price=next(prices)), ResultSource.MODEL, attempts=1)

    rec = RecordingClient(Counting(), writer)
    for _ in range(3):
        asyncio.run(rec.structured(bid_call("x")))
    replay = ReplayClient.from_events(writer.events)
    got = [asyncio.run(replay.structured(bid_call("x"))).value.price for _ in range(3)]
    assert got == [1, 2, 3]
    with pytest.raises(ReplayMismatchError):
        asyncio.run(replay.structured(bid_call("x")))


def test_recorded_value_that_no_longer_validates(
    recorded: tuple[TranscriptWriter, list[ModelResult[Any]]],
) -> None:
    turns = [
        RecordedTurn(
            1,
            request_key(bid_call("ann")),
            "bid",
            "structured:Bid",
            {"price": "x"},
            ResultSource.MODEL,
        )
    ]
    with pytest.raises(ReplayMismatchError, match="no longer validates as Bid"):
        asyncio.run(ReplayClient(turns).structured(bid_call("ann")))


def test_malformed_model_response_is_a_transcript_error() -> None:
    writer = new_writer()
    writer.emit("bid", "model", "model_response", {"key": "k", "value": 1})
    with pytest.raises(TranscriptError, match=r"transcript:2: model_response payload is malformed"):
        ReplayClient.from_events(writer.events)
