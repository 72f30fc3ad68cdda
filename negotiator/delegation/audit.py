"""Checking a delegation's deal record offline: its chain, every signature in it, the ledger.

:func:`audit_record` reads a sealed transcript's lines and reports every failure as a
:class:`~negotiator.transcript.chain.RecordFailure` naming the event (index and kind):

* the hash chain and the hub's signed head (:func:`~negotiator.transcript.chain.chain_failures`);
* every signed object an event carries (:data:`SIGNED_EVENTS`): each bid the screening accepted
  verifies for its bidder, and exactly as many envelopes fail as the screening set aside; the
  award (and its winning bid) for the delegator; the contract for both parties; each accepted
  report for the contractor; the settlement for the hub that sealed the record; each offer for
  its sender.

:func:`audit_ledger` checks that the ledger's postings for the run are the payments the record
states: the settlement's payments and the outcome's payment list.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from negotiator.delegation.ledger import Ledger
from negotiator.delegation.reoptimise import contract_run
from negotiator.delegation.settlement import run_payments
from negotiator.transcript.chain import RecordFailure, chain_failures
from negotiator.transcript.format import HEAD, OUTCOME, TranscriptEvent
from negotiator.trust.registry import KeyRegistry
from negotiator.wire.award import Award
from negotiator.wire.bid import Bid
from negotiator.wire.common import WireModel
from negotiator.wire.contract import Contract
from negotiator.wire.offer import Offer
from negotiator.wire.report import ProgressReport
from negotiator.wire.settlement import Payment, Settlement
from negotiator.wire.signing import signature_errors

__all__ = ["SIGNED_EVENTS", "RecordContext", "audit_ledger", "audit_record", "parse_events"]

Json = dict[str, Any]


@dataclass(frozen=True)
class RecordContext:
    """What the checks of one record know: the parties, the sealer and the keys."""

    registry: KeyRegistry
    delegator: str | None
    contractor: str | None
    hub: str | None
    contractors: Mapping[str, str] = field(default_factory=dict)
    """Contract id -> its contractor, for every contract of the record (a run that switched
    contractor holds several); a report must be signed by its own contract's contractor."""

    def reporter(self, payload: Json) -> str | None:
        """Who must have signed the report ``payload``: its contract's contractor."""
        return self.contractors.get(str(payload.get("contract_id")), self.contractor)


def parse_events(lines: Sequence[str]) -> list[TranscriptEvent]:
    """The events of the lines that parse (broken ones are reported by the chain check)."""
    events = []
    for line in lines[1:]:
        try:
            events.append(TranscriptEvent.model_validate_json(line))
        except ValidationError:
            continue
    return events


def _errors(model: WireModel, ctx: RecordContext, signer: str | None) -> list[str]:
    return [str(e) for e in signature_errors(model, ctx.registry, signer=signer)]


def _parsed(model: type[WireModel], payload: object) -> WireModel | str:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        return f"not a valid {model.__name__}: {'.'.join(map(str, err['loc']))}: {err['msg']}"


def _check(model: type[WireModel], signer: Callable[[RecordContext], str | None]) -> Checker:
    def check(payload: Json, ctx: RecordContext) -> list[str]:
        parsed = _parsed(model, payload)
        return [parsed] if isinstance(parsed, str) else _errors(parsed, ctx, signer(ctx))

    return check


def _screening(payload: Json, ctx: RecordContext) -> list[str]:
    problems = []
    for i, raw in enumerate(payload.get("valid", [])):
        bid = _parsed(Bid, raw)
        found = [bid] if isinstance(bid, str) else _errors(bid, ctx, None)
        problems += [f"valid[{i}]: {p}" for p in found]
    return problems


def _offer_of(payload: Json) -> Json:
    """An ``offer`` event's offer: the payload itself, or its ``offer`` (a negotiation message
    that carries the offer beside its narration)."""
    inner = payload.get("offer")
    return inner if isinstance(inner, dict) else payload


Checker = Callable[[Json, RecordContext], list[str]]

SIGNED_EVENTS: Mapping[str, Checker] = {
    "screening": _screening,
    "award": _check(Award, lambda ctx: ctx.delegator),
    "contract": _check(Contract, lambda ctx: None),
    "report": lambda payload, ctx: _check(ProgressReport, lambda c: c.reporter(payload))(
        payload, ctx
    ),
    "settlement": _check(Settlement, lambda ctx: ctx.hub),
    "offer": lambda payload, ctx: _check(Offer, lambda c: None)(_offer_of(payload), ctx),
}
"""Event kind -> the check of the signed object it carries (path-precise problems)."""


def _context(events: Sequence[TranscriptEvent], registry: KeyRegistry) -> RecordContext:
    def first(kind: str, key: str) -> str | None:
        value = next((e.payload.get(key) for e in events if e.kind == kind), None)
        return value if isinstance(value, str) else None

    contractors = {
        str(e.payload.get("id")): str(e.payload.get("contractor_id"))
        for e in events
        if e.kind == "contract"
    }
    return RecordContext(
        registry,
        first("contract", "delegator_id"),
        first("contract", "contractor_id"),
        first(HEAD, "signer"),
        contractors,
    )


def _carried_bid(event: TranscriptEvent) -> object:
    """The bid a ``sealed_bid`` envelope or an open-hub ``committed_bid`` reveal carries."""
    if event.kind == "sealed_bid":
        return event.payload.get("payload")
    reveal = event.payload.get("reveal") if event.kind == "committed_bid" else None
    return reveal.get("bid") if isinstance(reveal, dict) else None


def _bidder(event: TranscriptEvent) -> str:
    commitment = event.payload.get("commitment")
    if isinstance(commitment, dict):
        return str(commitment.get("bidder_id"))
    return str(event.payload.get("sender_id"))


def _set_aside(screening: TranscriptEvent | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key in ("forged", "refused"):
        listed = screening.payload.get(key, []) if screening is not None else []
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict):
                counts[str(entry.get("bidder_id"))] += 1
    return counts


def _bid_failures(events: Sequence[TranscriptEvent], ctx: RecordContext) -> list[RecordFailure]:
    """Bids that do not verify must be ones the screening set aside or refused, bidder by
    bidder; an extra one is reported at its own event."""
    bad: dict[str, list[tuple[TranscriptEvent, str]]] = {}
    for e in events:
        raw = _carried_bid(e)
        bid = _parsed(Bid, raw) if raw is not None else None
        problems = _errors(bid, ctx, None) if isinstance(bid, Bid) else []
        if problems:
            bad.setdefault(_bidder(e), []).append((e, problems[0]))
    screening = next((e for e in events if e.kind == "screening"), None)
    set_aside = _set_aside(screening)
    return [
        RecordFailure(e.seq, e.kind, f"{problem}; the screening did not set it aside")
        for bidder, found in bad.items()
        for e, problem in found[set_aside[bidder] :]
    ]


def audit_record(
    lines: Sequence[str], registry: KeyRegistry, *, hub: str | None = None
) -> list[RecordFailure]:
    """Every failure of the record in ``lines`` (empty when the chain, its head and every
    signature hold).

    Args:
        hub: the hub that must have sealed the record (``None``: anyone whose key is known).
    """
    failures = chain_failures(lines, registry, sealers=frozenset({hub}) if hub else None)
    events = parse_events(lines)
    ctx = _context(events, registry)
    for event in events:
        check = SIGNED_EVENTS.get(event.kind)
        if check is not None:
            failures += [RecordFailure(event.seq, event.kind, p) for p in check(event.payload, ctx)]
    failures += _bid_failures(events, ctx)
    return sorted(failures, key=lambda f: f.seq)


def _rows(payments: Sequence[Payment]) -> list[tuple[str, str, str, str, str]]:
    return [
        (p.from_account, p.to_account, str(p.amount.amount), p.amount.currency, p.reason.value)
        for p in payments
    ]


def _outcome_rows(payload: Json) -> list[tuple[str, str, str, str, str]]:
    return [
        (p["from"], p["to"], p["amount"], p["currency"], p["reason"])
        for p in payload.get("payments", [])
        if isinstance(p, dict)
    ]


def audit_ledger(
    events: Sequence[TranscriptEvent], ledger: Ledger, run_id: str
) -> list[RecordFailure]:
    """Failures where the ledger's postings for ``run_id`` differ from the recorded payments.

    Each recorded settlement's payments must be its contract's settlement postings (the
    ``k``-th settlement is contract ``k``'s: a run that switched contractor settles each dropped
    contract in its own scope, :func:`~negotiator.delegation.reoptimise.contract_run`), and the
    outcome's payment list must be every posting of the run (opening balances excluded).
    """
    failures = []
    posted = run_payments(ledger, run_id)
    settlements = 0
    for e in events:
        if e.kind == "settlement":
            prefix = f"{contract_run(run_id, settlements)}/settle/"
            settlements += 1
            parsed = _parsed(Settlement, e.payload)
            recorded = _rows(parsed.payments) if isinstance(parsed, Settlement) else []
            actual = [
                (t.source, t.target, str(t.amount.amount), t.amount.currency, t.reason)
                for t in ledger.transfers(prefix)
            ]
            if recorded != actual:
                failures.append(RecordFailure(e.seq, e.kind, _mismatch(recorded, actual)))
        if e.kind == OUTCOME and _outcome_rows(e.payload) != _rows(posted):
            failures.append(
                RecordFailure(e.seq, e.kind, _mismatch(_outcome_rows(e.payload), _rows(posted)))
            )
    return failures


def _mismatch(recorded: Sequence[object], posted: Sequence[object]) -> str:
    extra = [p for p in posted if p not in recorded]
    missing = [p for p in recorded if p not in posted]
    detail = json.dumps({"not posted": missing[:3], "posted, not recorded": extra[:3]})
    return (
        f"payments differ from the ledger's postings ({len(recorded)} recorded, "
        f"{len(posted)} posted): {detail}"
    )
