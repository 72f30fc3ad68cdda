"""The replay client: answers from a recorded transcript, strictly.

Each recorded answer is keyed by the hash of its canonical request
(:func:`negotiator.llm.canonical.request_key`), so calls made in parallel are matched to their
own answers whatever order they arrive in; identical requests get their answers in recorded
order. A request with no recorded answer raises :class:`~negotiator.errors.ReplayMismatchError`
at once (the run drifted from the recording), and :meth:`ReplayClient.close` raises when
recorded answers were left unused.

A replayed result is the recorded one — value, source, token usage, attempts, fallback reason
and meta — so a re-run whose outcome mentions how answers were obtained (model calls, fallbacks)
is identical to the recorded run.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue, ValidationError

from negotiator.errors import ReplayMismatchError
from negotiator.llm.canonical import output_label, request_key
from negotiator.llm.protocol import ModelResult, ResultSource, StructuredCall, TextCall, TokenUsage
from negotiator.transcript.format import MODEL_REQUEST, MODEL_RESPONSE, TranscriptEvent
from negotiator.transcript.reader import Transcript, TranscriptError

__all__ = ["RecordedTurn", "ReplayClient"]

_MAX_DIFF_LINES = 40

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class RecordedTurn:
    """One recorded answer (from a ``model_response`` event).

    Args:
        seq: the event's position in the transcript.
        key: the request key it answers.
        step: the step that asked.
        output: ``"structured:<Type>"`` or ``"text"``.
        value: the answer as JSON.
    """

    seq: int
    key: str
    step: str
    output: str
    value: JsonValue
    source: ResultSource
    usage: TokenUsage = field(default_factory=TokenUsage)
    attempts: int = 0
    fallback_reason: str | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: TranscriptEvent, file: str = "transcript") -> RecordedTurn:
        """Read one ``model_response`` event.

        Raises:
            TranscriptError: the payload lacks a field or has a wrong type (``file:line``).
        """
        p = event.payload
        try:
            usage = p["usage"]
            meta = p.get("meta") or {}
            assert isinstance(usage, dict) and isinstance(meta, dict)
            reason = p.get("fallback_reason")
            return cls(
                seq=event.seq,
                key=str(p["key"]),
                step=event.step,
                output=str(p["output"]),
                value=p["value"],
                source=ResultSource(str(p["source"])),
                usage=TokenUsage(
                    int(str(usage["prompt_tokens"])), int(str(usage["completion_tokens"]))
                ),
                attempts=int(str(p["attempts"])),
                fallback_reason=None if reason is None else str(reason),
                meta={str(k): str(v) for k, v in meta.items()},
            )
        except (KeyError, ValueError, AssertionError) as exc:
            raise TranscriptError(
                file, event.seq + 1, f"model_response payload is malformed ({exc!r})"
            ) from None


class ReplayClient:
    """A :class:`~negotiator.llm.protocol.ModelClient` answering from recorded turns.

    Args:
        turns: the recorded answers, in transcript order.

    Raises:
        ReplayMismatchError: (from the calls) a request that was never recorded.

    Example:
        >>> client = ReplayClient([])
        >>> client.unused()
        ()
    """

    def __init__(
        self, turns: Iterable[RecordedTurn], requests: Mapping[str, str] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[RecordedTurn]] = {}
        self._requests: Mapping[str, str] = requests or {}
        for turn in turns:
            self._queues.setdefault(turn.key, deque()).append(turn)

    @classmethod
    def from_transcript(cls, transcript: Transcript) -> ReplayClient:
        """Build a client from every ``model_response`` event of ``transcript``."""
        return cls(
            (
                RecordedTurn.from_event(e, transcript.path)
                for e in transcript.events
                if e.kind == MODEL_RESPONSE
            ),
            _requests(transcript.events),
        )

    @classmethod
    def from_events(cls, events: Iterable[TranscriptEvent]) -> ReplayClient:
        """Build a client from the ``model_response`` events among ``events``."""
        events = tuple(events)
        return cls(
            (RecordedTurn.from_event(e) for e in events if e.kind == MODEL_RESPONSE),
            _requests(events),
        )

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Return the recorded answer to ``call``.

        A recorded model answer is held to the same rules as a live one: its type and the call's
        ``check`` (a transcript edited to slip in, say, a bid beyond its bidder's profile is
        refused here, not replayed).

        Raises:
            ReplayMismatchError: nothing recorded for this request, or the recorded value no
                longer validates as ``call.output_type`` or fails the call's check.
        """
        turn = self._take(call)
        try:
            value = call.output_type.model_validate_json(json.dumps(turn.value))
        except (ValidationError, ValueError, RecursionError) as exc:
            why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else type(exc).__name__
            raise ReplayMismatchError(
                f"recorded answer #{turn.seq} for step {call.step!r} no longer validates as "
                f"{call.output_type.__name__}: {why}"
            ) from None
        problems = list(call.check(value)) if turn.source is ResultSource.MODEL else []
        if problems:
            raise ReplayMismatchError(
                f"recorded answer #{turn.seq} for step {call.step!r} fails the step's check: "
                f"{problems[0]}"
            )
        return _result(turn, value)

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Return the recorded answer to ``call``.

        Raises:
            ReplayMismatchError: nothing recorded for this request.
        """
        turn = self._take(call)
        if not isinstance(turn.value, str):
            raise ReplayMismatchError(f"recorded answer #{turn.seq} for {call.step!r} is not text")
        return _result(turn, turn.value)

    def _take(self, call: StructuredCall[Any] | TextCall) -> RecordedTurn:
        key = request_key(call)
        with self._lock:
            queue = self._queues.get(key)
            if queue:
                return queue.popleft()
            left = Counter(t.step for t in self._remaining())
        same_step = left.get(call.step, 0)
        listing = ", ".join(f"{s} x{n}" for s, n in sorted(left.items())) or "none"
        raise ReplayMismatchError(
            f"no recorded answer for step {call.step!r} ({output_label(call)}, request key "
            f"{key[:12]}); {same_step} unused answer(s) for this step differ in prompt or "
            f"output schema; unused answers left: {listing}{self._request_diff(call)}"
        )

    def _request_diff(self, call: StructuredCall[Any] | TextCall) -> str:
        """How the new request differs from the first unused recorded one of its step."""
        nearest = next((t for t in self._remaining() if t.step == call.step), None)
        recorded = None if nearest is None else self._requests.get(nearest.key)
        if recorded is None:
            return ""
        lines = difflib.unified_diff(
            recorded.splitlines(),
            _request_text(call.messages).splitlines(),
            fromfile=f"recorded request #{nearest.seq - 1 if nearest else 0}",
            tofile="re-run request",
            lineterm="",
            n=1,
        )
        shown = list(lines)[:_MAX_DIFF_LINES]
        if not shown:
            return "\n(the messages match the recorded request: the output schema differs)"
        return "\n" + "\n".join(shown)

    def _remaining(self) -> list[RecordedTurn]:
        return sorted((t for q in self._queues.values() for t in q), key=lambda t: t.seq)

    def unused(self) -> tuple[RecordedTurn, ...]:
        """Every recorded answer not yet replayed, in transcript order."""
        with self._lock:
            return tuple(self._remaining())

    def close(self) -> None:
        """Check that every recorded answer was used.

        Raises:
            ReplayMismatchError: some recorded answers were never asked for (listed by seq/step).
        """
        left = self.unused()
        if left:
            listing = ", ".join(f"#{t.seq} {t.step} ({t.output})" for t in left[:10])
            raise ReplayMismatchError(
                f"{len(left)} recorded model answer(s) were never asked for: {listing}"
            )


def _request_text(messages: Iterable[Any]) -> str:
    return "\n".join(
        f"[{m['role']}] {m['content']}" if isinstance(m, dict) else f"[{m.role}] {m.content}"
        for m in messages
    )


def _requests(events: Iterable[TranscriptEvent]) -> dict[str, str]:
    """The recorded requests' messages as text, by request key (the first of each key)."""
    out: dict[str, str] = {}
    for e in events:
        messages = e.payload.get("messages") if e.kind == MODEL_REQUEST else None
        if isinstance(messages, list):
            out.setdefault(str(e.payload.get("key")), _request_text(messages))
    return out


def _result(turn: RecordedTurn, value: Any) -> ModelResult[Any]:
    return ModelResult(
        value, turn.source, turn.usage, turn.attempts, turn.fallback_reason, dict(turn.meta)
    )
