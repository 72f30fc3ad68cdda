"""The transcript's hash chain and its signed head, and the check of both.

Each event's ``prev`` is the SHA-256 of the exact text of the line before it (UTF-8, without the
newline; the header line for the first event). A sealed transcript ends with one ``head`` event
whose payload names the run, the number of events before it and the hash of the last of them,
signed by the sealing key (the hub's) over their RFC 8785 canonical JSON: changing any byte of
an event, deleting, inserting or reordering events breaks the chain at that event, and
rewriting the whole chain needs the sealing key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from negotiator.transcript.format import HEAD, TranscriptEvent, TranscriptHeader
from negotiator.trust.canonical import canonical_bytes
from negotiator.trust.signing import verify_bytes

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey
    from negotiator.trust.registry import KeyRegistry

__all__ = ["HEAD_ROLE", "HEAD_STEP", "RecordFailure", "chain_failures", "head_payload", "line_hash"]

HEAD_STEP = "seal"
HEAD_ROLE = "recorder"
_SIGNED_FIELDS = ("run_id", "events", "head_sha256", "signer")


def line_hash(line: str) -> str:
    """SHA-256 (hex) of one transcript line's text (without its newline): the next ``prev``."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def head_payload(run_id: str, events: int, last_hash: str, key: AgentKey) -> dict[str, object]:
    """The payload of the ``head`` event: what is sealed, and ``key``'s signature over it."""
    signed = {"run_id": run_id, "events": events, "head_sha256": last_hash, "signer": key.agent_id}
    return signed | {"signature": key.sign(canonical_bytes(signed))}


@dataclass(frozen=True)
class RecordFailure:
    """One broken link or bad head: the event index (``seq``; 0 is the header) and what failed."""

    seq: int
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq} ({self.kind}): {self.reason}"


def _parse_event(index: int, line: str) -> tuple[TranscriptEvent | None, RecordFailure | None]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, RecordFailure(index, "?", f"not valid JSON: {exc.msg}")
    kind = str(data.get("kind", "?")) if isinstance(data, dict) else "?"
    try:
        return TranscriptEvent.model_validate(data), None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(line)"
        return None, RecordFailure(index, kind, f"not a valid event: {where}: {err['msg']}")


def _head_failures(event: TranscriptEvent, run_id: str, registry: KeyRegistry) -> list[str]:
    payload = event.payload
    signer, signature = payload.get("signer"), payload.get("signature")
    if set(payload) != {*_SIGNED_FIELDS, "signature"}:
        return [f"head payload must hold exactly {', '.join((*_SIGNED_FIELDS, 'signature'))}"]
    problems = []
    if payload["run_id"] != run_id:
        problems.append(f"head names run {payload['run_id']!r}, not {run_id!r}")
    if payload["events"] != event.seq - 1 or payload["head_sha256"] != event.prev:
        problems.append("head does not seal the events before it")
    key = registry.public_key(signer) if isinstance(signer, str) else None
    if key is None:
        problems.append(f"no public key is known for the head's signer {signer!r}")
    else:
        signed = {k: payload[k] for k in _SIGNED_FIELDS}
        if not isinstance(signature, str) or not verify_bytes(
            key, canonical_bytes(signed), signature
        ):
            problems.append(f"$.signature: does not verify for {signer}")
    return problems


def _links(lines: Sequence[str]) -> tuple[list[TranscriptEvent], list[RecordFailure]]:
    events: list[TranscriptEvent] = []
    failures: list[RecordFailure] = []
    before = "header"
    for index in range(1, len(lines)):
        event, failure = _parse_event(index, lines[index])
        if failure is not None:
            failures.append(failure)
            before = failure.kind
            continue
        assert event is not None
        if event.seq != index:
            failures.append(RecordFailure(index, event.kind, f"seq {event.seq} is out of place"))
        if event.prev != line_hash(lines[index - 1]):
            failures.append(
                RecordFailure(
                    index - 1,
                    before,
                    f"its hash is not the prev of the next line (event {index}, {event.kind}): "
                    "this event or that link was altered, or an event was removed or moved",
                )
            )
        events.append(event)
        before = event.kind
    return events, failures


def chain_failures(
    lines: Sequence[str], registry: KeyRegistry, *, sealers: frozenset[str] | None = None
) -> list[RecordFailure]:
    """Every broken link of a transcript's chain and every problem of its head (empty: intact).

    Args:
        lines: the transcript's lines (header first), without newlines.
        registry: public keys; a ``did:key`` sealer needs none.
        sealers: who may seal (``None``: anyone whose key is known).
    """
    try:
        header = TranscriptHeader.model_validate_json(lines[0]) if lines else None
    except ValidationError:
        header = None
    if header is None:
        return [RecordFailure(0, "header", "no valid transcript header")]
    events, failures = _links(lines)
    heads = [e for e in events if e.kind == HEAD]
    if not heads:
        return [
            *failures,
            RecordFailure(len(lines) - 1, "end", "no signed head: the record is open"),
        ]
    last = heads[-1]
    if last is not events[-1]:
        failures.append(RecordFailure(last.seq, HEAD, "events follow the signed head"))
    failures += [RecordFailure(e.seq, HEAD, "more than one head") for e in heads[:-1]]
    failures += [
        RecordFailure(last.seq, HEAD, r) for r in _head_failures(last, header.run_id, registry)
    ]
    signer = last.payload.get("signer")
    if sealers is not None and signer not in sealers:
        failures.append(RecordFailure(last.seq, HEAD, f"{signer!r} may not seal this record"))
    return failures
