"""The OpenAI-compatible model client: any ``base_url``, strict structured outputs, two retry kinds.

Transport failures (rate limit, connection, timeout, 5xx) are retried by one ``tenacity`` layer
with jittered exponential backoff, bounded in attempts and total time; the SDK's own retries are
off (``max_retries=0``) so the two never multiply. Content that fails validation (not JSON, the
wrong shape, a pydantic error, a semantic ``call.check`` problem) or is cut off at the token limit
is asked for again, a bounded number of times, with the path-precise problems fed back to the
model. A refusal, a content-filter stop, a non-retryable HTTP error, exhausted retries or exhausted
re-asks make the call fall back to ``call.fallback()`` with the reason recorded. So
:meth:`OpenAICompatibleClient.structured` and :meth:`~OpenAICompatibleClient.text` never raise for
anything a model or its server does.

Server trouble is loud and bounded (:mod:`negotiator.llm.breaker`): the first call that gives up
because of the server (transport, HTTP error, unreadable answer) is announced once, naming the
server, and after a few such calls in a row (at once for 401/403/404) the circuit opens and every
further call falls back without a request, with ``circuit open: ...`` as its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import httpx2
from openai import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AsyncOpenAI,
    ContentFilterFinishReasonError,
    InternalServerError,
    LengthFinishReasonError,
    RateLimitError,
)
from openai.types.chat import ChatCompletion, ChatCompletionMessage
from pydantic import BaseModel

from negotiator.errors import RetryableModelOutput, UsageError
from negotiator.llm.breaker import FATAL_STATUS, CircuitBreaker, log_warning
from negotiator.llm.guard import text_problem
from negotiator.llm.modes import OutputSpec, StructuredMode, get_mode
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import (
    ChatMessage,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
)
from negotiator.llm.retry import RetryPolicy
from negotiator.llm.schema import strict_wire_schema, validate_answer
from negotiator.llm.secrets import redact_url, url_secrets
from negotiator.transcript.redact import REDACTED

__all__ = [
    "DEFAULT_BASE_URL",
    "DUMMY_API_KEY",
    "TRANSIENT_ERRORS",
    "TRUNCATED_FEEDBACK",
    "OpenAICompatibleClient",
    "RetryPolicy",
]

T = TypeVar("T", bound=BaseModel)
V = TypeVar("V")

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    RateLimitError,
    APIConnectionError,  # includes APITimeoutError
    InternalServerError,  # every 5xx
)
"""Transport failures worth retrying; everything else is answered at once."""

DUMMY_API_KEY = "not-needed"
"""Sent when no API key is given: local servers (llama.cpp, vLLM, Ollama) need none."""

DEFAULT_BASE_URL = "https://api.openai.com/v1"
"""The server used when no ``base_url`` is given (the SDK's default)."""

_MAX_ECHO_CHARS = 2000
_MIN_SECRET_CHARS = 4

TRUNCATED_FEEDBACK = (
    "$: the answer was cut off at the token limit (finish_reason=length); "
    "answer again, shorter (keep free-text fields brief)"
)
"""The re-ask feedback for an answer cut off at the token limit."""


class _GiveUp(Exception):
    """Internal: stop asking and fall back, with this reason.

    ``server`` marks trouble with the server itself (counted by the circuit breaker), ``fatal``
    trouble no retry can mend (opens the breaker at once).
    """

    def __init__(self, reason: str, *, server: bool = False, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.server = server
        self.fatal = fatal


@dataclass(frozen=True)
class _Connection:
    loop: asyncio.AbstractEventLoop
    sdk: AsyncOpenAI
    gate: asyncio.Semaphore | None


@dataclass
class _Tally:
    usage: TokenUsage = field(default_factory=TokenUsage)
    completions: int = 0
    http_requests: int = 0


class OpenAICompatibleClient:
    """A :class:`~negotiator.llm.protocol.ModelClient` for any OpenAI-compatible server.

    Args:
        model: the model name (or the server's alias for it).
        base_url: the server, ending in ``/v1`` (default: OpenAI's).
        api_key: only for servers that need one; a dummy key is sent otherwise. Never recorded:
            the key and any credentials in ``base_url`` are replaced by ``[REDACTED]`` in every
            answer, fallback reason and feedback the client returns, so a server that echoes
            them cannot get them into a run's state, checkpoints, transcript or output.
        mode: the structured-output mode, a key of
            :data:`~negotiator.llm.modes.STRUCTURED_MODES` (default ``json_schema``).
        timeout: seconds per HTTP request.
        max_reasks: how many times invalid or truncated content is asked for again.
        retry: transport retry bounds and backoff.
        max_tokens: completion token limit per request (``None``: the server's default).
        temperature: sampling temperature (``None``: the server's default).
        seed: sampling seed passed to servers that honour it.
        http_client: the ``httpx2.AsyncClient`` to send through (tests inject a mock transport).
        max_concurrency: requests in flight at most (``None``: no limit). Servers that answer one
            request at a time (llama.cpp) need it, or queued requests run into ``timeout``;
            the wait for a free slot does not count against the timeout.
        breaker_threshold: calls in a row that gave up because of the server before no more
            requests are sent (the circuit opens at once on 401, 403 and 404).
        on_trouble: called once with one line naming the server and the error at the first
            such call (default: a warning on the ``negotiator.llm`` logger).

    Raises:
        UnknownKeyError: ``mode`` is not a known structured-output mode.
        UsageError: a bound is not positive.

    Example:
        >>> client = OpenAICompatibleClient(model="m", base_url="http://127.0.0.1:8080/v1")
        >>> client.mode
        'json_schema'
    """

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: str = "json_schema",
        timeout: float = 60.0,
        max_reasks: int = 2,
        retry: RetryPolicy | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        http_client: httpx2.AsyncClient | None = None,
        max_concurrency: int | None = None,
        breaker_threshold: int = 2,
        on_trouble: Callable[[str], None] = log_warning,
    ) -> None:
        if timeout <= 0 or max_reasks < 0 or (max_concurrency is not None and max_concurrency < 1):
            raise UsageError("timeout must be > 0, max_reasks >= 0 and max_concurrency >= 1")
        self._mode: StructuredMode = get_mode(mode)
        self._model = model
        self._timeout = timeout
        self._max_reasks = max_reasks
        self._retry = retry or RetryPolicy()
        if self._retry.max_attempts < 1 or self._retry.max_total_seconds <= 0:
            raise UsageError("retry.max_attempts must be >= 1 and retry.max_total_seconds > 0")
        self._sampling = {
            k: v
            for k, v in (("max_tokens", max_tokens), ("temperature", temperature), ("seed", seed))
            if v is not None
        }
        self._connect = functools.partial(
            AsyncOpenAI,
            api_key=api_key or DUMMY_API_KEY,
            base_url=base_url,
            max_retries=0,
            timeout=timeout,
            http_client=http_client,
        )
        self._max_concurrency = max_concurrency
        self._conn: _Connection | None = None
        known = {*([api_key] if api_key else []), *url_secrets(base_url)}
        self._secrets = sorted((s for s in known if len(s) >= _MIN_SECRET_CHARS), key=len)[::-1]
        # the breaker names the server in its warnings: without credentials, and scrubbed
        self._breaker = CircuitBreaker(
            redact_url(base_url or DEFAULT_BASE_URL),
            threshold=breaker_threshold,
            warn=lambda message: on_trouble(self._scrub(message)),
        )

    @property
    def mode(self) -> str:
        """The structured-output mode in use."""
        return self._mode.name

    @property
    def circuit_open(self) -> str | None:
        """Why this client sends no more requests (``None``: it still does)."""
        return self._breaker.open_reason

    def _connection(self) -> _Connection:
        """The SDK client (and concurrency gate) of the running event loop.

        Pooled async connections and semaphores belong to the loop that made them, so a client
        used from a new loop (each ``asyncio.run``, e.g. one per recorded run) gets fresh ones.
        """
        loop = asyncio.get_running_loop()
        if self._conn is None or self._conn.loop is not loop:
            limit = self._max_concurrency
            gate = asyncio.Semaphore(limit) if limit else None
            self._conn = _Connection(loop, self._connect(), gate)
        return self._conn

    async def close(self) -> None:
        """Close the HTTP connections of the running loop's SDK client."""
        if self._conn is not None and self._conn.loop is asyncio.get_running_loop():
            await self._conn.sdk.close()
        self._conn = None

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Ask for one validated ``call.output_type``; fall back when the model cannot give one.

        Example::

            client = OpenAICompatibleClient(model="gpt-4o-mini", api_key=key)
            call = StructuredCall("bid", messages, Bid, fallback=lambda: numeric_bid(task),
                                  check=lambda b: over_budget(b, task))
            result = await client.structured(call)   # result.value is a valid Bid, always
            if result.source is ResultSource.FALLBACK:
                log(result.fallback_reason)
        """
        spec = OutputSpec(
            call.output_type.__name__,
            strict_wire_schema(call.output_type),
            f"Return the {call.output_type.__name__} object.",
        )
        messages = self._mode.prepare(call.messages, spec)
        extra = self._mode.request(spec)

        def judge(message: ChatCompletionMessage) -> T:
            return validate_answer(
                self._mode.extract(message, spec), call.output_type, spec.schema, call.check
            )

        return await self._ask(
            messages,
            extra=extra,
            uses_parse=self._mode.uses_parse,
            judge=judge,
            fallback=call.fallback,
            reask_template="repair",
        )

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Ask for free text; fall back when the model cannot give any."""

        def judge(message: ChatCompletionMessage) -> str:
            problem = text_problem(message.content or "")
            if problem is not None:
                raise RetryableModelOutput(f"{problem}; reply with plain text")
            return message.content or ""

        return await self._ask(
            list(call.messages),
            extra={},
            uses_parse=False,
            judge=judge,
            fallback=call.fallback,
            reask_template="repair_text",
        )

    async def _ask(
        self,
        messages: list[ChatMessage],
        *,
        extra: dict[str, Any],
        uses_parse: bool,
        judge: Callable[[ChatCompletionMessage], V],
        fallback: Callable[[], V],
        reask_template: str,
    ) -> ModelResult[V]:
        tally = _Tally()
        feedback = ""
        if (circuit := self._breaker.open_reason) is not None:
            return self._result(fallback(), ResultSource.FALLBACK, tally, circuit, feedback)
        try:
            for _ in range(self._max_reasks + 1):
                completion = await self._complete(messages, extra, uses_parse, tally)
                message, truncated = _answer_message(completion)
                try:
                    if truncated:
                        raise RetryableModelOutput(TRUNCATED_FEEDBACK)
                    value = _judged(judge, message)
                except RetryableModelOutput as exc:
                    feedback = exc.feedback
                    messages = [*messages, *_reask(reask_template, message, feedback)]
                    continue
                return self._result(value, ResultSource.MODEL, tally, None, feedback)
            reason = f"invalid output after {tally.completions} attempt(s): {feedback}"
        except _GiveUp as exc:
            reason = exc.reason
            if exc.server:
                self._breaker.failed(reason, fatal=exc.fatal)
        return self._result(fallback(), ResultSource.FALLBACK, tally, reason, feedback)

    def _result(
        self, value: V, source: ResultSource, tally: _Tally, reason: str | None, feedback: str
    ) -> ModelResult[V]:
        meta = {
            "model": self._model,
            "mode": self._mode.name,
            "http_requests": str(tally.http_requests),
            "reasks": str(max(tally.completions - 1, 0)),
        }
        if feedback:
            meta["last_feedback"] = self._scrub(feedback)
        clean = None if reason is None else self._scrub(reason)
        return ModelResult(value, source, tally.usage, tally.completions, clean, meta)

    def _scrub(self, text: str) -> str:
        """``text`` without this client's secrets (a server may echo its key back)."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _scrubbed(self, completion: ChatCompletion) -> ChatCompletion:
        """The completion with this client's secrets replaced wherever they occur in it."""
        if not self._secrets:
            return completion
        raw = completion.model_dump_json(warnings=False)
        if not any(secret in raw for secret in self._secrets):
            return completion
        return ChatCompletion.model_validate_json(self._scrub(raw))

    async def _complete(
        self, messages: Sequence[ChatMessage], extra: dict[str, Any], uses_parse: bool, t: _Tally
    ) -> ChatCompletion:
        """One completion, with transport retries; counts usage; raises _GiveUp."""
        payload = [{"role": m.role, "content": m.content} for m in messages]
        retrying = self._retry.retrying(TRANSIENT_ERRORS)
        try:
            async for attempt in retrying:
                with attempt:
                    t.http_requests += 1
                    completion = await self._send(payload, extra, uses_parse)
        except TRANSIENT_ERRORS as exc:
            raise _GiveUp(
                f"transport: {type(exc).__name__} after {t.http_requests} request(s): "
                f"{_first_line(str(exc))}",
                server=True,
            ) from None
        except APIStatusError as exc:
            raise _GiveUp(
                f"http {exc.status_code}: {type(exc).__name__}: {_first_line(str(exc))}",
                server=True,
                fatal=exc.status_code in FATAL_STATUS,
            ) from None
        except (APIError, ValueError, RecursionError) as exc:  # e.g. a 200 whose body is not JSON
            raise _GiveUp(
                f"unreadable response: {type(exc).__name__}: {_first_line(str(exc))}",
                server=True,
            ) from None
        self._breaker.succeeded()
        t.completions += 1
        completion = self._scrubbed(completion)
        if completion.usage is not None:
            t.usage += TokenUsage(
                completion.usage.prompt_tokens, completion.usage.completion_tokens
            )
        return completion

    async def _send(
        self, payload: list[dict[str, str]], extra: dict[str, Any], uses_parse: bool
    ) -> ChatCompletion:
        kwargs: dict[str, Any] = {
            "model": self._model,
            "messages": payload,
            "timeout": self._timeout,
            **self._sampling,
            **extra,
        }
        conn = self._connection()
        # the SDK's overloads cannot type a request assembled from a mode table
        completions = cast(Any, conn.sdk.chat.completions)
        async with conn.gate or contextlib.nullcontext():
            if not uses_parse:
                return cast(ChatCompletion, await completions.create(**kwargs))
            try:
                # our own strict schema (equal to the SDK's, tested) so that we keep the raw
                # answer and its token usage, and validate it with path-precise errors ourselves
                return cast(ChatCompletion, await completions.parse(**kwargs))
            except (LengthFinishReasonError, ContentFilterFinishReasonError) as exc:
                if exc.completion is None:
                    raise _GiveUp("content_filter: the server filtered the answer") from None
                return exc.completion


def _judged(judge: Callable[[ChatCompletionMessage], V], message: ChatCompletionMessage) -> V:
    """Judge the answer; anything the judging raises about it becomes a re-ask, never an error.

    The judges read hostile text (deep nesting, huge numbers, odd types): whatever they raise
    other than their own re-ask signal is still a problem with the answer, not with the caller.
    """
    try:
        return judge(message)
    except RetryableModelOutput:
        raise
    except Exception as exc:
        raise RetryableModelOutput(
            f"$: the answer could not be read ({type(exc).__name__}: {_first_line(str(exc))})"
        ) from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "(no message)"


def _answer_message(completion: ChatCompletion) -> tuple[ChatCompletionMessage, bool]:
    """The reply's message and whether it was cut off at the token limit; raises _GiveUp."""
    if not completion.choices:
        raise _GiveUp("the server returned no choices")
    choice = completion.choices[0]
    if choice.finish_reason == "content_filter":
        raise _GiveUp("content_filter: the server filtered the answer")
    if choice.message.refusal:
        raise _GiveUp(f"refusal: {_first_line(choice.message.refusal)}")
    return choice.message, choice.finish_reason == "length"


def _raw_answer(message: ChatCompletionMessage) -> str:
    if message.content:
        return message.content
    for call in message.tool_calls or ():
        if call.type == "function":
            return call.function.arguments
    return ""


def _reask(template: str, message: ChatCompletionMessage, feedback: str) -> list[ChatMessage]:
    """The assistant's (clipped) answer, then the rendered repair prompt with the problems."""
    raw = _raw_answer(message)[:_MAX_ECHO_CHARS]
    echoed = [ChatMessage("assistant", raw)] if raw else []
    return [*echoed, *render_prompt(template, {"problems": feedback})]
