"""The transcript's hash chain and its signed head, and the check of both.

Each event's ``prev`` is the SHA-256 of the RFC 8785 canonical JSON of the line before it (the
header for the first event). A sealed transcript ends with one ``head`` event whose payload names
the run, the number of events before it and the hash of the last of them, signed by the sealing
key (the hub's): changing, deleting, inserting or reordering any event breaks the chain at that
event, and rewriting the whole chain needs the sealing key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from negotiator.transcript.format import HEAD, TranscriptEvent, TranscriptHeader
from negotiator.trust.canonical import canonical_bytes, sha256_of
from negotiator.trust.signing import verify_bytes

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey
    from negotiator.trust.registry import KeyRegistry

__all__ = ["HEAD_ROLE", "HEAD_STEP", "ChainFailure", "chain_failures", "head_payload", "line_hash"]

HEAD_STEP = "seal"
HEAD_ROLE = "recorder"
_SIGNED_FIELDS = ("run_id", "events", "head_sha256", "signer")


def line_hash(line: BaseModel) -> str:
    """SHA-256 (hex) of the canonical JSON of a header or an event, as the next ``prev``."""
    return sha256_of(line.model_dump(mode="json"))


def head_payload(run_id: str, events: int, last_hash: str, key: AgentKey) -> dict[str, object]:
    """The payload of the ``head`` event: what is sealed, and ``key``'s signature over it."""
    signed = {"run_id": run_id, "events": events, "head_sha256": last_hash, "signer": key.agent_id}
    return signed | {"signature": key.sign(canonical_bytes(signed))}


@dataclass(frozen=True)
class ChainFailure:
    """One broken link or bad head: the event (``seq``, 0 for the file) and what failed."""

    seq: int
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq} ({self.kind}): {self.reason}"


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


def chain_failures(
    header: TranscriptHeader,
    events: Sequence[TranscriptEvent],
    registry: KeyRegistry,
    *,
    sealers: frozenset[str] | None = None,
) -> list[ChainFailure]:
    """Every broken link of the chain and every problem of its head (empty when intact).

    Args:
        registry: public keys; a ``did:key`` sealer needs none.
        sealers: who may seal (``None``: anyone whose key is known).
    """
    failures: list[ChainFailure] = []
    expected = line_hash(header)
    for event in events:
        if event.prev != expected:
            failures.append(
                ChainFailure(event.seq, event.kind, "prev does not match the line before it")
            )
        expected = line_hash(event)
    heads = [e for e in events if e.kind == HEAD]
    if not heads:
        return [*failures, ChainFailure(len(events), "end", "no signed head: the record is open")]
    last = heads[-1]
    if last is not events[-1]:
        failures.append(ChainFailure(last.seq, HEAD, "events follow the signed head"))
    failures += [ChainFailure(e.seq, HEAD, "more than one head") for e in heads[:-1]]
    failures += [
        ChainFailure(last.seq, HEAD, r) for r in _head_failures(last, header.run_id, registry)
    ]
    signer = last.payload.get("signer")
    if sealers is not None and signer not in sealers:
        failures.append(ChainFailure(last.seq, HEAD, f"{signer!r} may not seal this record"))
    return failures
