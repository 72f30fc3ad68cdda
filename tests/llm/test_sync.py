"""The blocking wrapper: one async core, usable from plain threads."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import BaseModel

from negotiator.errors import UsageError
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.protocol import ModelResult, ResultSource, StructuredCall, TextCall
from negotiator.llm.sync import SyncClient


class Point(BaseModel):
    x: int


class SlowClient:
    """Answers after a short await; records which threads ran the coroutines."""

    def __init__(self) -> None:
        self.threads: set[str] = set()
        self.active = 0
        self.peak = 0

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        self.threads.add(threading.current_thread().name)
        self.active += 1
        self.peak = max(self.peak, self.active)
        await asyncio.sleep(0.05)
        self.active -= 1
        return ModelResult(call.fallback(), ResultSource.MODEL, attempts=1)

    async def text(self, call: TextCall) -> ModelResult[str]:
        return ModelResult(call.fallback(), ResultSource.MODEL, attempts=1)


def test_blocking_calls_from_many_threads_overlap_on_one_loop() -> None:
    inner = SlowClient()
    with SyncClient(inner) as client:
        call = StructuredCall("s", [], Point, lambda: Point(x=1))
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: client.structured(call), range(8)))
    assert [r.value.x for r in results] == [1] * 8
    assert inner.threads == {"negotiator-model-loop"}
    assert inner.peak > 1  # calls from different threads ran concurrently


def test_text_and_close() -> None:
    client = SyncClient(DeterministicClient())
    assert client.text(TextCall("s", [], lambda: "hi")).value == "hi"
    client.close()
    client.close()  # idempotent
    with pytest.raises(UsageError, match="closed"):
        client.text(TextCall("s", [], lambda: "hi"))


def test_calling_from_its_own_loop_is_refused() -> None:
    with SyncClient(DeterministicClient()) as client:

        async def nested() -> str:
            return client.text(TextCall("s", [], lambda: "hi")).value

        with pytest.raises(UsageError, match="own event loop"):
            client.run(nested())
