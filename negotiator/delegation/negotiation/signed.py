"""Signed negotiation messages: every sender signs its offer with the run's keys, and every
receiver checks the signature before the message moves any state.

A refused message is kept as a :class:`Refusal` (the offer as received and each problem at its
JSON path, e.g. ``$.signature: does not verify for did:web:fast-coder.ai``) and ends the
negotiation: the sealed bid then stays the contract's basis.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.keys import RunKeys
from negotiator.wire.offer import Offer
from negotiator.wire.signing import sign, signature_errors

__all__ = ["Refusal", "received", "signed"]


class Refusal(BaseModel):
    """A message its receiver refused, and why (one ``path: reason`` line per problem)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer: Offer = Field(description="The message as received.")
    errors: tuple[str, ...] = Field(min_length=1, description="Each problem at its JSON path.")


def signed(offer: Offer, keys: RunKeys, at: datetime) -> Offer:
    """``offer`` signed at ``at`` by its sender's key from ``keys``.

    Raises:
        UnknownKeyError: this process holds no key for the sender.
    """
    return sign(offer, keys.key(offer.sender), at)


def received(offer: Offer, keys: RunKeys) -> Refusal | None:
    """The receiver's check of ``offer``: ``None`` when its sender's signature verifies
    against the run's registry, else the refusal naming each problem.

    Example:
        >>> from datetime import UTC, datetime
        >>> from negotiator.wire.offer import OfferType
        >>> keys = RunKeys.demo(["buyer", "seller"], seed=1)
        >>> offer = Offer(negotiation_id="n1", round=0, sender="seller", receiver="buyer",
        ...     message_type=OfferType.NEGO_BROKEN)
        >>> received(signed(offer, keys, datetime(2026, 1, 1, tzinfo=UTC)), keys) is None
        True
        >>> received(offer, keys).errors
        ('$.signature: missing: this object must be signed by seller',)
    """
    errors = signature_errors(offer, keys.registry)
    if not errors:
        return None
    return Refusal(offer=offer, errors=tuple(f"{e.path}: {e.message}" for e in errors))
