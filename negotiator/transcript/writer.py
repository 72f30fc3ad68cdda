"""Writing transcripts: one header line, then one redacted event per line, flushed as written."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from pydantic import BaseModel, JsonValue
from pydantic_core import PydanticSerializationError, to_jsonable_python

from negotiator.errors import UsageError
from negotiator.transcript.chain import HEAD_ROLE, HEAD_STEP, head_payload, line_hash
from negotiator.transcript.format import HEAD, TranscriptEvent, TranscriptHeader
from negotiator.transcript.redact import Redactor

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey

__all__ = ["EventSink", "TranscriptWriter", "dump_line", "to_json_payload"]


@runtime_checkable
class EventSink(Protocol):
    """Anything that takes events: the transcript writer, or a flow's own collector."""

    def emit(
        self, step: str, role: str, kind: str, payload: Mapping[str, object]
    ) -> TranscriptEvent:
        """Record one event and return it as stored (numbered, JSON, redacted)."""
        ...


def to_json_payload(payload: Mapping[str, object], what: str) -> dict[str, JsonValue]:
    """Convert ``payload`` (pydantic models, ``Decimal``, enums, dates allowed) to plain JSON.

    Raises:
        UsageError: something in it has no JSON form (the message names ``what``).
    """
    try:
        value = to_jsonable_python(dict(payload))
        # a JSON round trip gives exactly what a reader will see (tuples become lists, ...)
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (PydanticSerializationError, ValueError) as exc:
        raise UsageError(f"{what}: payload is not JSON-serialisable: {exc}") from None
    loaded: dict[str, JsonValue] = json.loads(text)
    return loaded


def dump_line(model: BaseModel) -> str:
    """One compact JSON line for a header or event (key order as declared)."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


class TranscriptWriter:
    """Writes one run's transcript; thread-safe; keeps the written events in memory too.

    Every event carries the hash of the line before it (a hash chain); :meth:`seal` closes the
    chain with a ``head`` event signed by the given key.

    Args:
        header: the run's header (redacted before it is written).
        stream: where to write JSON Lines (``None``: keep in memory only).
        secrets: extra exact strings to redact (e.g. the API key in use).

    Example:
        >>> from negotiator.transcript.format import TranscriptHeader
        >>> w = TranscriptWriter(TranscriptHeader(run_id="r", seed=1, flow="f", inputs={}))
        >>> w.emit("ask", "user", "note", {"api_key": "sk-x"}).payload
        {'api_key': '[REDACTED]'}
    """

    def __init__(
        self,
        header: TranscriptHeader,
        stream: TextIO | None = None,
        *,
        secrets: Iterable[str] = (),
    ) -> None:
        self._redactor = Redactor(secrets)
        self._lock = threading.Lock()
        self._stream = stream
        self._owns_stream = False
        self._events: list[TranscriptEvent] = []
        data = self._redactor.redact(header.model_dump(mode="json"))
        self._header = TranscriptHeader.model_validate(data)
        line = dump_line(self._header)
        self._last_hash = line_hash(line)
        self._write(line)

    @classmethod
    def to_file(
        cls, path: str | Path, header: TranscriptHeader, *, secrets: Iterable[str] = ()
    ) -> TranscriptWriter:
        """Create (or overwrite) the transcript file at ``path``; close it with :meth:`close`."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        stream = target.open("w", encoding="utf-8", newline="\n")
        writer = cls(header, stream, secrets=secrets)
        writer._owns_stream = True
        return writer

    @property
    def header(self) -> TranscriptHeader:
        """The header as written."""
        return self._header

    @property
    def events(self) -> tuple[TranscriptEvent, ...]:
        """Every event written so far."""
        with self._lock:
            return tuple(self._events)

    def emit(
        self, step: str, role: str, kind: str, payload: Mapping[str, object]
    ) -> TranscriptEvent:
        """Number, redact, write and return one event.

        Raises:
            UsageError: the payload has no JSON form, or step/role/kind is empty.
        """
        clean = self._redactor.redact(to_json_payload(payload, f"event {step}/{kind}"))
        with self._lock:
            try:
                event = TranscriptEvent(
                    seq=len(self._events) + 1,
                    prev=self._last_hash,
                    step=step,
                    role=role,
                    kind=kind,
                    payload=clean,
                )
            except ValueError as exc:
                raise UsageError(f"event {step!r}/{kind!r}: {exc}") from None
            self._events.append(event)
            line = dump_line(event)
            self._last_hash = line_hash(line)
            self._write(line)
        return event

    def seal(self, key: AgentKey) -> TranscriptEvent:
        """Close the chain: write the ``head`` event, signed by ``key`` (e.g. the hub's).

        Nothing should be emitted after it; a verifier reports any event after the head.
        """
        with self._lock:
            payload = head_payload(self._header.run_id, len(self._events), self._last_hash, key)
        return self.emit(HEAD_STEP, HEAD_ROLE, HEAD, payload)

    def _write(self, line: str) -> None:
        if self._stream is not None:
            self._stream.write(line + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Close the file if this writer opened it."""
        if self._owns_stream and self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self) -> TranscriptWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
