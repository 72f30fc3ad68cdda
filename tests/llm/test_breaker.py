"""Server trouble is loud (one warning naming the server) and bounded (a circuit breaker)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UsageError
from negotiator.llm.breaker import CircuitBreaker
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.llm.protocol import ChatMessage, ResultSource, TextCall

CALL = TextCall("greet", [ChatMessage("user", "hello")], lambda: "numeric hello")


def ask(client: OpenAICompatibleClient, n: int) -> list[Any]:
    async def go() -> list[Any]:
        return [await client.text(CALL) for _ in range(n)]

    return asyncio.run(go())


def test_a_dead_server_warns_once_then_stops_being_asked(
    api: respx.Router, make_client: Callable[..., OpenAICompatibleClient]
) -> None:
    route = api.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    warnings: list[str] = []
    client = make_client(on_trouble=warnings.append, breaker_threshold=2)
    results = ask(client, 5)
    assert all(r.source is ResultSource.FALLBACK and r.value == "numeric hello" for r in results)
    assert route.call_count == 2 * 4  # two calls of four attempts each, then nothing
    assert len(warnings) == 1
    assert "http://model.test/v1" in warnings[0] and "APIConnectionError" in warnings[0]
    assert [r.fallback_reason.startswith("circuit open") for r in results] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert client.circuit_open is not None and "failed 2 call(s) in a row" in client.circuit_open


@pytest.mark.parametrize("status", [401, 403, 404])
def test_auth_and_unknown_model_open_the_circuit_at_once(
    status: int,
    api: respx.Router,
    make_client: Callable[..., OpenAICompatibleClient],
    http: Any,
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.error(status, "bad key"))
    warnings: list[str] = []
    results = ask(make_client(on_trouble=warnings.append), 3)
    assert route.call_count == 1
    assert len(warnings) == 1 and f"http {status}" in warnings[0]
    assert results[1].fallback_reason is not None
    assert results[1].fallback_reason.startswith("circuit open")


def test_a_success_between_failures_keeps_the_circuit_closed(
    api: respx.Router, make_client: Callable[..., OpenAICompatibleClient], http: Any
) -> None:
    api.post("/chat/completions").mock(
        side_effect=[http.error(400), http.ok("hi"), http.error(400), http.ok("again")]
    )
    warnings: list[str] = []
    client = make_client(on_trouble=warnings.append, breaker_threshold=2)
    sources = [r.source for r in ask(client, 4)]
    assert sources == [ResultSource.FALLBACK, ResultSource.MODEL] * 2
    assert client.circuit_open is None and len(warnings) == 1


def test_bad_content_is_not_server_trouble(
    api: respx.Router, make_client: Callable[..., OpenAICompatibleClient], http: Any
) -> None:
    api.post("/chat/completions").mock(return_value=http.ok("", finish_reason="content_filter"))
    warnings: list[str] = []
    client = make_client(on_trouble=warnings.append, breaker_threshold=1)
    assert all(r.source is ResultSource.FALLBACK for r in ask(client, 3))
    assert warnings == [] and client.circuit_open is None


@given(st.lists(st.booleans(), max_size=30), st.integers(1, 5))
def test_breaker_opens_exactly_after_threshold_failures_in_a_row(
    outcomes: list[bool], threshold: int
) -> None:
    warned: list[str] = []
    breaker = CircuitBreaker("s", threshold=threshold, warn=warned.append)
    run = 0
    opened = False
    for failed in outcomes:
        if breaker.open_reason is not None:
            break
        if failed:
            breaker.failed("x")
            run += 1
        else:
            breaker.succeeded()
            run = 0
        opened = run >= threshold
        assert (breaker.open_reason is not None) == opened
    assert len(warned) == (1 if any(outcomes) else 0)


def test_threshold_must_be_positive() -> None:
    with pytest.raises(UsageError, match="threshold"):
        CircuitBreaker("s", threshold=0)
