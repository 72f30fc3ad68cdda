"""Fixtures for the model-client tests: the HTTP layer is mocked, the real openai SDK runs.

openai 3.x talks through httpx2, so respx must patch httpcore2 (``using="httpcore2"``, made
available by importing pytest_httpx2); responses are built with plain ``httpx``, which respx
speaks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_httpx2  # noqa: F401 — registers respx's "httpcore2" mocker
import respx

from negotiator.llm.openai_client import OpenAICompatibleClient, RetryPolicy

BASE_URL = "http://model.test/v1"
API_KEY = "sk-test-0123456789abcdefSECRET"


def completion_body(
    content: str | None = None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
) -> dict[str, Any]:
    """A chat.completion response body as an OpenAI-compatible server sends it."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def ok(content: str | None = None, **kw: Any) -> httpx.Response:
    """A 200 response with one completion."""
    return httpx.Response(200, json=completion_body(content, **kw))


def error(status: int, message: str = "boom") -> httpx.Response:
    """An error response shaped like OpenAI's."""
    return httpx.Response(status, json={"error": {"message": message, "type": "test"}})


def body(call: Any) -> dict[str, Any]:
    """The JSON body of a recorded respx call."""
    loaded: dict[str, Any] = json.loads(call.request.content)
    return loaded


class SleepRecorder:
    """An injectable ``sleep`` that records the waits and never sleeps."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def api() -> Iterator[respx.Router]:
    """A respx router in front of the fake server at BASE_URL."""
    with respx.mock(base_url=BASE_URL, using="httpcore2", assert_all_called=False) as router:
        yield router


@pytest.fixture
def sleeps() -> SleepRecorder:
    """The recorded (never slept) retry waits."""
    return SleepRecorder()


@pytest.fixture
def make_client(sleeps: SleepRecorder) -> Callable[..., OpenAICompatibleClient]:
    """Build a client against the mocked server; retry waits go to ``sleeps``."""

    def build(**kw: Any) -> OpenAICompatibleClient:
        retry = kw.pop("retry", None) or RetryPolicy(sleep=sleeps)
        kw.setdefault("api_key", API_KEY)
        return OpenAICompatibleClient(model="test-model", base_url=BASE_URL, retry=retry, **kw)

    return build


class Http:
    """The response builders, handed to tests as the ``http`` fixture (conftest is no module)."""

    API_KEY = API_KEY
    BASE_URL = BASE_URL
    ok = staticmethod(ok)
    error = staticmethod(error)
    body = staticmethod(body)
    completion_body = staticmethod(completion_body)


@pytest.fixture
def http() -> type[Http]:
    """Response builders and request-body reader."""
    return Http
