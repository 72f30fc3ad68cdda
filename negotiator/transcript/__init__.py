"""Transcripts: JSON Lines records of runs (header, events, model exchanges), redacted."""

from negotiator.transcript.chain import RecordFailure, chain_failures, line_hash
from negotiator.transcript.format import (
    FALLBACK,
    HEAD,
    MODEL_KINDS,
    MODEL_REQUEST,
    MODEL_RESPONSE,
    OUTCOME,
    SCHEMA_VERSION,
    TranscriptEvent,
    TranscriptHeader,
)
from negotiator.transcript.reader import (
    Transcript,
    TranscriptError,
    TranscriptSummary,
    read_transcript,
)
from negotiator.transcript.redact import REDACTED, Redactor
from negotiator.transcript.writer import EventSink, TranscriptWriter, to_json_payload

__all__ = [
    "FALLBACK",
    "HEAD",
    "MODEL_KINDS",
    "MODEL_REQUEST",
    "MODEL_RESPONSE",
    "OUTCOME",
    "REDACTED",
    "SCHEMA_VERSION",
    "EventSink",
    "RecordFailure",
    "Redactor",
    "Transcript",
    "TranscriptError",
    "TranscriptEvent",
    "TranscriptHeader",
    "TranscriptSummary",
    "TranscriptWriter",
    "chain_failures",
    "line_hash",
    "read_transcript",
    "to_json_payload",
]
