"""The offline audit of a record: signed offer messages (as a negotiation records them)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from negotiator.delegation.audit import audit_record
from negotiator.transcript import TranscriptHeader, TranscriptWriter
from negotiator.trust import KeyRegistry, derive_did_key, derive_key
from negotiator.wire import Offer, OfferType, Terms, sign

SELLER = derive_key("did:web:seller.example", 0)
HUB = derive_did_key("hub", 0)
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _record(*payloads: dict[str, object]) -> list[str]:
    stream = io.StringIO()
    writer = TranscriptWriter(TranscriptHeader(run_id="r", seed=0, flow="f", inputs={}), stream)
    for payload in payloads:
        writer.emit("negotiate", "did:web:seller.example", "offer", payload)
    writer.seal(HUB)
    return stream.getvalue().splitlines()


def _offer() -> Offer:
    return Offer(
        negotiation_id="n1",
        round=0,
        sender=SELLER.agent_id,
        receiver="did:web:buyer.example",
        message_type=OfferType.MAKE_OFFER,
        terms=Terms(claimed_quality=0.9),
    )


def test_signed_offers_verify_bare_or_inside_a_message() -> None:
    signed = sign(_offer(), SELLER, AT).model_dump(mode="json")
    lines = _record(signed, {"offer": signed, "note": "Our best price."})
    assert audit_record(lines, KeyRegistry.of([SELLER])) == []


def test_an_unsigned_or_forged_offer_is_named() -> None:
    forged = sign(_offer(), derive_key(SELLER.agent_id, 9), AT).model_dump(mode="json")
    lines = _record({"offer": _offer().model_dump(mode="json")}, forged)
    failures = [str(f) for f in audit_record(lines, KeyRegistry.of([SELLER]))]
    assert failures == [
        "event 1 (offer): $.signature: missing: this object must be signed by "
        "did:web:seller.example",
        "event 2 (offer): $.signature: does not verify for did:web:seller.example",
    ]
