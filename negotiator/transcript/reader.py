"""Reading transcripts back, with every format problem reported as ``file:line: reason``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from negotiator.errors import InvalidInputError, UsageError
from negotiator.files import parse_json_text, read_text
from negotiator.transcript.counts import AnswerCounts, count_answers
from negotiator.transcript.format import (
    HEAD,
    MODEL_KINDS,
    MODEL_RESPONSE,
    SCHEMA_VERSION,
    TranscriptEvent,
    TranscriptHeader,
)

__all__ = ["Transcript", "TranscriptError", "TranscriptSummary", "read_transcript"]


class TranscriptError(UsageError):
    """A transcript file that cannot be read; the message is ``file:line: reason``."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        super().__init__(f"{file}:{line}: {reason}")


@dataclass(frozen=True)
class TranscriptSummary:
    """Figures of one transcript's model use (counted as :func:`count_answers` does).

    Attributes:
        steps: calls through the model seam.
        model_calls: answered by a model (the outcome's ``model_calls``).
        valid_first_try: model answers valid at the first attempt.
        valid_after_reask: model answers valid after a re-ask.
        fallbacks: a model was asked and failed (the outcome's ``fallbacks``).
        numeric: no model was asked.
    """

    steps: int
    model_calls: int
    valid_first_try: int
    valid_after_reask: int
    fallbacks: int
    numeric: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def counts(self) -> AnswerCounts:
        """The step counts alone (see :func:`~negotiator.transcript.counts.answers_line`)."""
        return AnswerCounts(self.steps, self.model_calls, self.fallbacks, self.numeric)


@dataclass(frozen=True)
class Transcript:
    """A transcript read from a file: its header and its events in order."""

    path: str
    header: TranscriptHeader
    events: tuple[TranscriptEvent, ...]

    def flow_events(self) -> tuple[TranscriptEvent, ...]:
        """Every event that is neither the model seam's own nor the signed head (what
        ``replay --check`` compares)."""
        return tuple(e for e in self.events if e.kind not in MODEL_KINDS and e.kind != HEAD)

    def model_responses(self) -> tuple[TranscriptEvent, ...]:
        """Every ``model_response`` event, in order."""
        return tuple(e for e in self.events if e.kind == MODEL_RESPONSE)

    def summary(self) -> TranscriptSummary:
        """Count model calls, first-try/re-asked/fallen-back answers and tokens."""
        responses = self.model_responses()
        first = reasked = 0
        prompt = completion = 0
        for r in responses:
            usage = r.payload.get("usage")
            if isinstance(usage, dict):
                prompt += _int(usage.get("prompt_tokens"))
                completion += _int(usage.get("completion_tokens"))
            if r.payload.get("source") == "model":
                first += r.payload.get("attempts") == 1
                reasked += _int(r.payload.get("attempts")) > 1
        counts = count_answers(
            (str(r.payload.get("source")), _str(r.payload.get("fallback_reason")))
            for r in responses
        )
        return TranscriptSummary(
            counts.steps,
            counts.model,
            first,
            reasked,
            counts.fallbacks,
            counts.numeric,
            prompt,
            completion,
        )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(line)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"


def _parse_line(file: str, number: int, text: str, model: type[BaseModel]) -> BaseModel:
    if not text.strip():
        raise TranscriptError(file, number, "blank line (every line must be one JSON object)")
    try:
        data = parse_json_text(text, file)
    except InvalidInputError as exc:
        raise TranscriptError(file, number, exc.errors[0].message) from None
    if not isinstance(data, dict):
        raise TranscriptError(file, number, "expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise TranscriptError(file, number, _first_error(exc)) from None


def _header(file: str, first: str) -> TranscriptHeader:
    try:
        data = json.loads(first)
    except (ValueError, RecursionError):  # reported with its reason by _parse_line below
        data = None
    if isinstance(data, dict):
        version = data.get("schema_version")
        if data.get("type") != "header":
            raise TranscriptError(file, 1, "the first line must be the header ('type': 'header')")
        if isinstance(version, int) and version != SCHEMA_VERSION:
            raise TranscriptError(
                file, 1, f"schema_version {version} is not supported (this reads {SCHEMA_VERSION})"
            )
    header = _parse_line(file, 1, first, TranscriptHeader)
    assert isinstance(header, TranscriptHeader)
    return header


def _events(file: str, lines: list[str]) -> Iterator[TranscriptEvent]:
    for number, text in enumerate(lines[1:], start=2):
        event = _parse_line(file, number, text, TranscriptEvent)
        assert isinstance(event, TranscriptEvent)
        if event.seq != number - 1:
            raise TranscriptError(
                file, number, f"seq {event.seq} out of order (expected {number - 1})"
            )
        yield event


def read_transcript(path: str | Path) -> Transcript:
    """Read and validate a transcript file.

    Raises:
        TranscriptError: the file is missing, empty, not JSON Lines, has no valid header, an
            unsupported schema version, an invalid event or a gap in ``seq`` (``file:line: why``).

    Example:
        >>> read_transcript("missing.jsonl")
        Traceback (most recent call last):
        ...
        negotiator.transcript.reader.TranscriptError: missing.jsonl:0: cannot read: no such file
    """
    file = str(path)
    try:
        text = read_text(path)
    except InvalidInputError as exc:
        raise TranscriptError(file, 0, exc.errors[0].message) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise TranscriptError(file, 1, "empty transcript (no header line)")
    header = _header(file, lines[0])
    return Transcript(file, header, tuple(_events(file, lines)))
