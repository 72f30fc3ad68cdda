"""The OpenAI-compatible client against a mocked server: the real openai SDK code runs."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import UnknownKeyError, UsageError
from negotiator.llm.openai_client import TRUNCATED_FEEDBACK, OpenAICompatibleClient, RetryPolicy
from negotiator.llm.protocol import ChatMessage, ResultSource, StructuredCall, TextCall, TokenUsage
from negotiator.llm.schema import strict_wire_schema


class Quote(BaseModel):
    """A small stand-in for a bid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: int = Field(description="Price in whole units.")
    currency: str = Field(description="Currency code.")


FALLBACK = Quote(price=100, currency="USD")
MESSAGES = [ChatMessage("system", "You quote prices."), ChatMessage("user", "Quote for task 7.")]


def no_negative_price(q: Quote) -> Sequence[str]:
    return [f"$.price: {q.price} is negative; a price must be >= 0"] if q.price < 0 else []


def quote_call(check: Callable[[Quote], Sequence[str]] = lambda q: ()) -> StructuredCall[Quote]:
    return StructuredCall("bid", MESSAGES, Quote, lambda: FALLBACK, check)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


GOOD = json.dumps({"price": 42, "currency": "USD"})


def test_valid_structured_completion(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(GOOD))
    result = run(make_client().structured(quote_call()))
    assert result.value == Quote(price=42, currency="USD")
    assert result.source is ResultSource.MODEL
    assert result.usage == TokenUsage(10, 5)
    assert result.attempts == 1
    assert result.fallback_reason is None
    sent = http.body(route.calls.last)
    assert sent["model"] == "test-model"
    assert sent["messages"] == [
        {"role": "system", "content": "You quote prices."},
        {"role": "user", "content": "Quote for task 7."},
    ]
    assert sent["response_format"]["json_schema"]["schema"] == strict_wire_schema(Quote)
    headers = route.calls.last.request.headers
    assert headers["x-stainless-retry-count"] == "0"
    assert headers["authorization"] == f"Bearer {http.API_KEY}"


def test_invalid_json_then_valid_reasks_with_the_error(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[http.ok('{"price": 42,'), http.ok(GOOD)]
    )
    result = run(make_client().structured(quote_call()))
    assert result.value.price == 42
    assert result.source is ResultSource.MODEL
    assert result.attempts == 2
    assert result.usage == TokenUsage(20, 10)  # the failed attempt's tokens count too
    second = http.body(route.calls[1])["messages"]
    assert second[:2] == http.body(route.calls[0])["messages"]
    assert second[2] == {"role": "assistant", "content": '{"price": 42,'}
    assert second[3]["role"] == "user"
    assert "not valid JSON" in second[3]["content"]
    assert result.meta["reasks"] == "1"


def test_schema_error_feedback_names_the_path(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    bad = json.dumps({"price": "cheap", "currency": "USD", "extra": 1})
    route = api.post("/chat/completions").mock(side_effect=[http.ok(bad), http.ok(GOOD)])
    run(make_client().structured(quote_call()))
    feedback = http.body(route.calls[1])["messages"][-1]["content"]
    assert "$.price: 'cheap' is not of type 'integer'" in feedback
    assert "$.extra: unexpected field (not allowed here)" in feedback


def test_rate_limited_twice_then_success_without_sleeping(
    http: Any, api: respx.Router, make_client: Callable[..., Any], sleeps: Any
) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[http.error(429, "slow down"), http.error(429, "slow down"), http.ok(GOOD)]
    )
    started = time.monotonic()
    result = run(make_client().structured(quote_call()))
    assert time.monotonic() - started < 2.0
    assert result.source is ResultSource.MODEL
    assert route.call_count == 3
    assert result.meta["http_requests"] == "3"
    assert result.attempts == 1  # one completion, obtained on the third HTTP request
    assert len(sleeps.waits) == 2
    # full jitter under the doubling caps 0.5 s and 1.0 s
    assert 0 <= sleeps.waits[0] <= 0.5
    assert 0 <= sleeps.waits[1] <= 1.0


def test_persistent_500_falls_back_after_bounded_attempts(
    http: Any, api: respx.Router, make_client: Callable[..., Any], sleeps: Any
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.error(500, "down"))
    result = run(make_client().structured(quote_call()))
    assert result.value == FALLBACK
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason is not None
    assert result.fallback_reason.startswith("transport: InternalServerError after 4 request(s)")
    assert route.call_count == 4  # SDK retries off: one tenacity layer only
    assert len(sleeps.waits) == 3


def test_sdk_retries_are_really_off(http: Any, api: respx.Router, sleeps: Any) -> None:
    route = api.post("/chat/completions").mock(return_value=http.error(503))
    client = OpenAICompatibleClient(
        model="m", base_url="http://model.test/v1", retry=RetryPolicy(max_attempts=1, sleep=sleeps)
    )
    result = run(client.structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert route.call_count == 1
    assert sleeps.waits == []


def test_timeout_falls_back(http: Any, api: respx.Router, make_client: Callable[..., Any]) -> None:
    route = api.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("timed out"))
    result = run(make_client(timeout=3.0).structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason is not None
    assert result.fallback_reason.startswith("transport: APITimeoutError after 4 request(s)")
    assert route.call_count == 4
    assert route.calls.last.request.headers["x-stainless-read-timeout"] == "3.0"


def test_total_retry_time_is_bounded(api: respx.Router) -> None:
    """A fake clock advanced by the fake sleep: 7 s of budget, waits capped at 2 s."""
    route = api.post("/chat/completions").mock(return_value=httpx.Response(429, json={}))
    now = [100.0]

    async def advance(seconds: float) -> None:
        now[0] += seconds

    policy = RetryPolicy(
        max_attempts=1000,
        max_total_seconds=7.0,
        initial_wait=2.0,
        max_wait=2.0,
        sleep=advance,
        rng=FullWait(),
        clock=lambda: now[0],
    )
    client = OpenAICompatibleClient(model="m", base_url="http://model.test/v1", retry=policy)
    result = run(client.structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert route.call_count == 5  # requests at t=0, 2, 4, 6, 8; no retry after 7 s
    assert now[0] == 108.0


class FullWait(random.Random):
    """A 'jitter' that always waits the full cap (makes the schedule exact)."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_refusal_falls_back_at_once(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(
        return_value=http.ok(None, refusal="I can't help with that.")
    )
    result = run(make_client().structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason == "refusal: I can't help with that."
    assert route.call_count == 1
    assert result.usage == TokenUsage(10, 5)


def test_length_reasks_then_falls_back(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(
        return_value=http.ok('{"price": 4', finish_reason="length")
    )
    result = run(make_client(max_reasks=2).structured(quote_call()))
    assert route.call_count == 3
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason == f"invalid output after 3 attempt(s): {TRUNCATED_FEEDBACK}"
    assert result.usage == TokenUsage(30, 15)
    assert "finish_reason=length" in http.body(route.calls[1])["messages"][-1]["content"]


def test_length_then_valid(http: Any, api: respx.Router, make_client: Callable[..., Any]) -> None:
    api.post("/chat/completions").mock(
        side_effect=[http.ok('{"price": 4', finish_reason="length"), http.ok(GOOD)]
    )
    result = run(make_client().structured(quote_call()))
    assert result.source is ResultSource.MODEL
    assert result.attempts == 2


def test_semantic_check_failure_reasks_with_path(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    negative = json.dumps({"price": -5, "currency": "USD"})
    route = api.post("/chat/completions").mock(side_effect=[http.ok(negative), http.ok(GOOD)])
    result = run(make_client().structured(quote_call(no_negative_price)))
    assert result.value.price == 42
    feedback = http.body(route.calls[1])["messages"][-1]["content"]
    assert "$.price: -5 is negative; a price must be >= 0" in feedback
    assert result.meta["last_feedback"].startswith("$.price")


def test_persistent_semantic_failure_falls_back_with_path(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    negative = json.dumps({"price": -5, "currency": "USD"})
    route = api.post("/chat/completions").mock(return_value=http.ok(negative))
    result = run(make_client(max_reasks=1).structured(quote_call(no_negative_price)))
    assert route.call_count == 2
    assert result.value == FALLBACK
    assert result.fallback_reason == (
        "invalid output after 2 attempt(s): $.price: -5 is negative; a price must be >= 0"
    )


def test_lax_coercion_is_refused(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    """A number sent as a string is a schema error fed back, never silently coerced."""
    route = api.post("/chat/completions").mock(
        side_effect=[http.ok('{"price": "42", "currency": "USD"}'), http.ok(GOOD)]
    )
    result = run(make_client().structured(quote_call()))
    assert result.attempts == 2
    assert (
        "$.price: '42' is not of type 'integer'"
        in http.body(route.calls[1])["messages"][-1]["content"]
    )


def test_client_error_falls_back_without_retry(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.error(400, "bad response_format"))
    result = run(make_client().structured(quote_call()))
    assert route.call_count == 1
    assert result.fallback_reason is not None
    assert result.fallback_reason.startswith("http 400: BadRequestError")


def test_content_filter_falls_back(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    api.post("/chat/completions").mock(return_value=http.ok(None, finish_reason="content_filter"))
    result = run(make_client().structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason == "content_filter: the server filtered the answer"


def test_no_api_key_sends_a_dummy(http: Any, api: respx.Router, sleeps: Any) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(GOOD))
    client = OpenAICompatibleClient(
        model="m", base_url="http://model.test/v1", retry=RetryPolicy(sleep=sleeps)
    )
    run(client.structured(quote_call()))
    assert route.calls.last.request.headers["authorization"] == "Bearer not-needed"


def test_usage_summed_over_reasks_and_calls(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    api.post("/chat/completions").mock(
        side_effect=[
            http.ok("nope", prompt_tokens=7, completion_tokens=2),
            http.ok(GOOD, prompt_tokens=11, completion_tokens=3),
            http.ok(GOOD, prompt_tokens=5, completion_tokens=1),
        ]
    )
    client = make_client()
    first = run(client.structured(quote_call()))
    second = run(client.structured(quote_call()))
    assert first.usage == TokenUsage(18, 5)
    assert second.usage == TokenUsage(5, 1)
    assert first.usage + second.usage == TokenUsage(23, 6)


def test_text_call(http: Any, api: respx.Router, make_client: Callable[..., Any]) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[http.ok("   "), http.ok("Deadline is Friday.")]
    )
    call = TextCall("clarify.answer", [ChatMessage("user", "When?")], lambda: "See the spec.")
    result = run(make_client().text(call))
    assert result.value == "Deadline is Friday."
    assert result.attempts == 2
    assert "response_format" not in http.body(route.calls[0])
    assert "empty" in http.body(route.calls[1])["messages"][-1]["content"]


def test_text_refusal_falls_back(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    api.post("/chat/completions").mock(return_value=http.ok(None, refusal="No."))
    call = TextCall("clarify.answer", [ChatMessage("user", "When?")], lambda: "See the spec.")
    result = run(make_client().text(call))
    assert (result.value, result.fallback_reason) == ("See the spec.", "refusal: No.")


def test_sampling_options_are_sent(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    route = api.post("/chat/completions").mock(return_value=http.ok(GOOD))
    run(make_client(max_tokens=256, temperature=0.0, seed=7).structured(quote_call()))
    sent = http.body(route.calls.last)
    assert (sent["max_tokens"], sent["temperature"], sent["seed"]) == (256, 0.0, 7)


def test_bad_configuration_is_a_usage_error() -> None:
    with pytest.raises(UnknownKeyError, match="json_object_schema, json_schema, prompt, tools"):
        OpenAICompatibleClient(model="m", mode="grammar")
    with pytest.raises(UsageError, match="timeout"):
        OpenAICompatibleClient(model="m", timeout=0)
    with pytest.raises(UsageError, match="max_concurrency >= 1"):
        OpenAICompatibleClient(model="m", max_concurrency=0)
    with pytest.raises(UsageError, match="max_attempts"):
        OpenAICompatibleClient(model="m", retry=RetryPolicy(max_attempts=0))


def test_unreadable_response_body_falls_back(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    api.post("/chat/completions").mock(
        return_value=httpx.Response(
            200, text="<html>gateway</html>", headers={"content-type": "application/json"}
        )
    )
    result = run(make_client().structured(quote_call()))
    assert result.source is ResultSource.FALLBACK
    assert result.fallback_reason is not None
    assert result.fallback_reason.startswith("unreadable response: JSONDecodeError")


def test_each_event_loop_gets_its_own_sdk_client(
    api: respx.Router, http: Any, make_client: Callable[..., Any]
) -> None:
    """Pooled connections belong to a loop: a new asyncio.run must not reuse them."""
    api.post("/chat/completions").mock(return_value=http.ok(GOOD))
    client = make_client()

    async def two_calls() -> tuple[Any, Any]:
        await client.structured(quote_call())
        first = client._connection().sdk
        await client.structured(quote_call())
        return first, client._connection().sdk

    a1, a2 = run(two_calls())
    b1, _ = run(two_calls())
    assert a1 is a2
    assert b1 is not a1

    async def close() -> None:
        await client.close()

    run(close())
    assert client._conn is None


class Offer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    price: int
    expires_at: datetime


NOW = datetime(2026, 11, 22, tzinfo=UTC)


def not_expired(o: Offer) -> Sequence[str]:
    if o.expires_at <= NOW:
        return [f"$.expires_at: {o.expires_at.isoformat()} is in the past (now {NOW.isoformat()})"]
    return []


def test_schema_valid_offer_with_past_expiry_is_rejected_with_path(
    http: Any, api: respx.Router, make_client: Callable[..., Any]
) -> None:
    past = json.dumps({"price": 5, "expires_at": "2020-01-01T00:00:00Z"})
    route = api.post("/chat/completions").mock(return_value=http.ok(past))
    call = StructuredCall(
        "offer",
        MESSAGES,
        Offer,
        lambda: Offer(price=9, expires_at=NOW + timedelta(days=1)),
        not_expired,
    )
    result = run(make_client(max_reasks=1).structured(call))
    assert result.source is ResultSource.FALLBACK
    assert result.value.price == 9
    feedback = http.body(route.calls[1])["messages"][-1]["content"]
    assert "$.expires_at: 2020-01-01T00:00:00+00:00 is in the past" in feedback
    assert result.fallback_reason is not None and "$.expires_at" in result.fallback_reason


@pytest.mark.parametrize(("limit", "expected_peak"), [(1, 1), (2, 2), (None, 4)])
def test_max_concurrency_limits_requests_in_flight(
    http: Any, api: respx.Router, make_client: Callable[..., Any], limit: Any, expected_peak: int
) -> None:
    """A one-request-at-a-time server (llama.cpp) needs queueing on our side, not timeouts."""
    state = {"now": 0, "peak": 0}

    async def slow_server(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.02)
        state["now"] -= 1
        return http.ok(GOOD)

    api.post("/chat/completions").mock(side_effect=slow_server)
    client = make_client(max_concurrency=limit)

    async def four() -> list[Any]:
        return list(await asyncio.gather(*(client.structured(quote_call()) for _ in range(4))))

    results = run(four())
    assert all(r.source is ResultSource.MODEL for r in results)
    assert state["peak"] == expected_peak
