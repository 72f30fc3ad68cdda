"""The recording wrapper: any client, with every call written to a transcript."""

from __future__ import annotations

import contextlib
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from negotiator.llm.canonical import output_label, request_key
from negotiator.llm.protocol import (
    ModelClient,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
)
from negotiator.transcript.format import FALLBACK, MODEL_REQUEST, MODEL_RESPONSE
from negotiator.transcript.writer import EventSink

__all__ = ["MODEL_ROLE", "RecordingClient"]

T = TypeVar("T", bound=BaseModel)

MODEL_ROLE = "model"
"""The ``role`` of the events of a call that names no ``agent``."""


class RecordingClient:
    """A :class:`~negotiator.llm.protocol.ModelClient` that records each call of ``inner``.

    Each event's ``role`` is the call's ``agent`` (the bidder or delegator the model speaks
    for), or ``model`` when the call names none. After each call returns, it writes a
    ``model_request`` event (request key, output, messages),
    a ``model_response`` event (key, value, source, token usage, attempts, fallback reason and the
    client's meta) and, when the step fell back, a ``fallback`` event with the reason. A
    :class:`~negotiator.llm.replay.ReplayClient` built from those events answers the same calls.
    Secrets never reach the file: the transcript writer redacts every event.

    Args:
        inner: the client that really answers.
        sink: where events go (a :class:`~negotiator.transcript.writer.TranscriptWriter`).

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> from negotiator.llm.protocol import TextCall
        >>> from negotiator.transcript import TranscriptHeader, TranscriptWriter
        >>> w = TranscriptWriter(TranscriptHeader(run_id="r", seed=None, flow="f", inputs={}))
        >>> rec = RecordingClient(DeterministicClient(), w)
        >>> asyncio.run(rec.text(TextCall("greet", [], lambda: "hi"))).value
        'hi'
        >>> [e.kind for e in w.events]
        ['model_request', 'model_response', 'fallback']
    """

    def __init__(self, inner: ModelClient, sink: EventSink) -> None:
        self._inner = inner
        self._sink = sink

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Ask ``inner`` and record the exchange."""
        result = await self._inner.structured(call)
        self._record(call, result, _as_json(result.value))
        return result

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Ask ``inner`` and record the exchange."""
        result = await self._inner.text(call)
        self._record(
            call, result, result.value if isinstance(result.value, str) else repr(result.value)
        )
        return result

    def _record(
        self, call: StructuredCall[Any] | TextCall, result: ModelResult[Any], value: object
    ) -> None:
        key = request_key(call)
        role = call.agent or MODEL_ROLE
        self._sink.emit(
            call.step,
            role,
            MODEL_REQUEST,
            {
                "key": key,
                "output": output_label(call),
                "messages": [{"role": m.role, "content": m.content} for m in call.messages],
            },
        )
        self._sink.emit(
            call.step,
            role,
            MODEL_RESPONSE,
            {
                "key": key,
                "output": output_label(call),
                "value": value,
                "source": result.source.value,
                "usage": {
                    "prompt_tokens": result.usage.prompt_tokens,
                    "completion_tokens": result.usage.completion_tokens,
                },
                "attempts": result.attempts,
                "fallback_reason": result.fallback_reason,
                "meta": dict(result.meta),
            },
        )
        if result.source is ResultSource.FALLBACK:
            self._sink.emit(
                call.step, role, FALLBACK, {"key": key, "reason": result.fallback_reason}
            )


def _as_json(value: object) -> object:
    """A structured answer as JSON; whatever a hostile client returned, as its ``repr``."""
    if isinstance(value, BaseModel):
        with contextlib.suppress(PydanticSerializationError, ValueError, TypeError):
            return value.model_dump(mode="json", warnings=False)
    return repr(value)
