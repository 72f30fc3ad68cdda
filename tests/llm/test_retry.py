"""The transport retry policy: doubling caps, seeded full jitter, bounded attempts and time."""

from __future__ import annotations

import asyncio
import random
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest
from openai import BadRequestError, RateLimitError

from negotiator.llm.openai_client import TRANSIENT_ERRORS
from negotiator.llm.retry import RetryPolicy


def state(attempt: int) -> Any:
    return SimpleNamespace(attempt_number=attempt)


def test_caps_double_up_to_max_wait() -> None:
    class Full(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    policy = RetryPolicy(initial_wait=0.5, max_wait=3.0, rng=Full())
    assert [policy.wait(state(n)) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_is_seeded_and_within_the_cap() -> None:
    assert RetryPolicy(rng=random.Random(5)).wait(state(3)) == RetryPolicy(
        rng=random.Random(5)
    ).wait(state(3))
    waits = [RetryPolicy(rng=random.Random(i)).wait(state(2)) for i in range(50)]
    assert all(0 <= w <= 1.0 for w in waits)
    assert len(set(waits)) > 40


REQUEST = httpx2.Request("POST", "http://x/v1/chat/completions")


def test_only_transport_errors_are_retried() -> None:
    calls: list[str] = []
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    async def attempt(exc: Exception) -> None:
        async for a in RetryPolicy(max_attempts=3, sleep=sleep).retrying(TRANSIENT_ERRORS):
            with a:
                calls.append(type(exc).__name__)
                raise exc

    with pytest.raises(RateLimitError):
        asyncio.run(
            attempt(
                RateLimitError("slow", response=httpx2.Response(429, request=REQUEST), body=None)
            )
        )
    assert calls == ["RateLimitError"] * 3 and len(slept) == 2
    calls.clear()
    bad = BadRequestError("bad", response=httpx2.Response(400, request=REQUEST), body=None)
    with pytest.raises(BadRequestError):
        asyncio.run(attempt(bad))
    assert calls == ["BadRequestError"]
