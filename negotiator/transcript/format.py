"""The transcript format: JSON Lines, one header line, then one event per line.

Line 1 is the header::

    {"type": "header", "schema_version": 1, "run_id": "...", "seed": 7, "flow": "delegation",
     "inputs": {...}}

Every further line is one event::

    {"seq": 1, "step": "bid", "role": "model", "kind": "model_request", "payload": {...}}

``seq`` counts from 1 without gaps; ``prev`` is the hex SHA-256 of the previous line's exact
text (the header line for the first event), so the events form a hash chain.
``kind`` is free for flow events (``announce``, ``bid``,
``award``, ...); the model seam writes three kinds of its own (:data:`MODEL_KINDS`):
``model_request`` (request key, step, output type, messages), ``model_response`` (request key,
value, source, token usage, attempts, fallback reason, client meta) and ``fallback`` (request key
and reason, whenever a step fell back to its deterministic policy). A flow's result is the
``outcome`` event its runner writes last. A signed transcript ends with a ``head`` event
(:data:`HEAD`, written by :meth:`~negotiator.transcript.writer.TranscriptWriter.seal`): the hash
of the event before it and the signer's Ed25519 signature over it
(:mod:`negotiator.transcript.chain`). Everything in a transcript is redacted on the way in
(:mod:`negotiator.transcript.redact`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "FALLBACK",
    "HEAD",
    "HEX64_PATTERN",
    "MODEL_KINDS",
    "MODEL_REQUEST",
    "MODEL_RESPONSE",
    "OUTCOME",
    "SCHEMA_VERSION",
    "TranscriptEvent",
    "TranscriptHeader",
]

SCHEMA_VERSION = 1
"""The transcript format version this code writes and reads."""

MODEL_REQUEST = "model_request"
MODEL_RESPONSE = "model_response"
FALLBACK = "fallback"
OUTCOME = "outcome"
HEAD = "head"
"""The kind of the signed head event that closes a sealed transcript."""
HEX64_PATTERN = r"^[0-9a-f]{64}$"
MODEL_KINDS = frozenset({MODEL_REQUEST, MODEL_RESPONSE, FALLBACK})
"""Event kinds written by the model seam; every other kind is a flow event."""


class TranscriptHeader(BaseModel):
    """The first line of a transcript: what ran, with which inputs and seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["header"] = Field(default="header", description="Always 'header'.")
    schema_version: int = Field(
        default=SCHEMA_VERSION, ge=1, description="Transcript format version."
    )
    run_id: str = Field(min_length=1, description="Identifier of the run.")
    seed: int | None = Field(description="The run's random seed (None: nothing random).")
    flow: str = Field(min_length=1, description="Registered flow name (see transcript.flows).")
    inputs: dict[str, JsonValue] = Field(description="The flow's inputs, enough to re-run it.")


class TranscriptEvent(BaseModel):
    """One event of a run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1, description="Position in the transcript, from 1, without gaps.")
    prev: str = Field(
        pattern=HEX64_PATTERN,
        description="SHA-256 (hex) of the previous line's text (the header line for seq 1).",
    )
    step: str = Field(min_length=1, description="The flow step, e.g. 'bid' or 'clarify'.")
    role: str = Field(min_length=1, description="Who acted: 'delegator', a bidder id, 'model'.")
    kind: str = Field(min_length=1, description="What happened, e.g. 'bid' or 'model_response'.")
    payload: dict[str, JsonValue] = Field(description="The event's data (JSON, redacted).")
