"""Signing wire objects and checking their signatures against a key registry.

Who signs what (:data:`SIGNER_FIELD`): a bid by its ``bidder_id``, an offer by its ``sender``,
a contract by both parties; an award (the delegator), a progress report (the contractor) and a
settlement (the escrow-holding hub) carry no author field, so the receiver names the expected
signer. An award's embedded winning bid is checked too. Every problem is a
:class:`~negotiator.errors.FieldError` at the signature's JSON path, e.g.
``$.signature: does not verify for did:web:fast-coder.ai``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from negotiator.errors import FieldError, UsageError
from negotiator.wire.award import Award
from negotiator.wire.bid import Bid
from negotiator.wire.common import WireModel
from negotiator.wire.contract import Contract
from negotiator.wire.offer import Offer
from negotiator.wire.report import ProgressReport
from negotiator.wire.settlement import Settlement
from negotiator.wire.signature import Signature, make_signature, signature_problem

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey
    from negotiator.trust.registry import KeyRegistry

__all__ = ["SIGNED_KINDS", "SIGNER_FIELD", "sign", "signature_errors"]

M = TypeVar("M", bound=WireModel)

SIGNER_FIELD: Mapping[type[WireModel], str | None] = {
    Bid: "bidder_id",
    Offer: "sender",
    Award: None,
    ProgressReport: None,
    Settlement: None,
}
"""Singly-signed model -> the field naming its signer (``None``: the receiver names it)."""

SIGNED_KINDS: tuple[type[WireModel], ...] = (*SIGNER_FIELD, Contract)
"""Every wire model that carries signatures."""


def _content(model: WireModel) -> dict[str, object]:
    return model.model_dump(mode="json", exclude={"signature"})


def sign(model: M, key: AgentKey, at: datetime) -> M:
    """Return ``model`` signed by ``key``'s agent at ``at`` (a contract gains one more signature).

    Raises:
        UsageError: ``model`` is not a signed kind, or ``key`` is not the author it names.

    Example:
        >>> from negotiator.trust import KeyRegistry, derive_key
        >>> from negotiator.wire.offer import Offer, OfferType
        >>> from datetime import datetime, timezone
        >>> key = derive_key("seller", 7)
        >>> offer = Offer(negotiation_id="n1", round=0, sender="seller", receiver="buyer",
        ...     message_type=OfferType.NEGO_BROKEN)
        >>> signed = sign(offer, key, datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> signature_errors(signed, KeyRegistry.of([key]))
        []
    """
    if isinstance(model, Contract):
        return model.signed_by(key, at)  # type: ignore[return-value]
    if type(model) not in SIGNER_FIELD:
        raise UsageError(f"a {type(model).__name__} is not a signed wire kind")
    author = SIGNER_FIELD[type(model)]
    if author is not None and getattr(model, author) != key.agent_id:
        raise UsageError(
            f"{key.agent_id!r} cannot sign a {type(model).__name__} whose {author} is "
            f"{getattr(model, author)!r}"
        )
    # the content is already valid and the signature is a validated model: no re-validation
    return model.model_copy(update={"signature": make_signature(_content(model), key, at)})


def _check(
    signature: Signature | None,
    content: Mapping[str, object],
    registry: KeyRegistry,
    path: str,
    expected: str | None,
) -> list[FieldError]:
    if signature is None:
        who = f" by {expected}" if expected else ""
        return [FieldError(path, f"missing: this object must be signed{who}")]
    if expected is not None and signature.party_id != expected:
        return [FieldError(f"{path}.party_id", f"{signature.party_id!r} is not {expected!r}")]
    problem = signature_problem(signature, content, registry)
    return [] if problem is None else [FieldError(path, problem)]


def _contract_errors(contract: Contract, registry: KeyRegistry) -> list[FieldError]:
    errors: list[FieldError] = []
    by_party = {s.party_id: i for i, s in enumerate(contract.signatures)}
    for party in (contract.delegator_id, contract.contractor_id):
        if party not in by_party:
            errors.append(FieldError("$.signatures", f"missing the signature of {party}"))
            continue
        i = by_party[party]
        problem = signature_problem(contract.signatures[i], contract.terms(), registry)
        if problem is not None:
            errors.append(FieldError(f"$.signatures[{i}]", problem))
    return errors


def signature_errors(
    model: WireModel, registry: KeyRegistry, *, signer: str | None = None
) -> list[FieldError]:
    """Every signature problem of ``model`` (empty when all verify).

    Args:
        registry: the public keys of the agents (a ``did:key`` signer needs none).
        signer: who must have signed an award, report or settlement (``None``: anyone whose
            key is known); ignored for kinds that name their author.

    Raises:
        UsageError: ``model`` is not a signed kind.
    """
    if isinstance(model, Contract):
        return _contract_errors(model, registry)
    if type(model) not in SIGNER_FIELD:
        raise UsageError(f"a {type(model).__name__} is not a signed wire kind")
    author = SIGNER_FIELD[type(model)]
    expected = getattr(model, author) if author is not None else signer
    signature: Signature | None = getattr(model, "signature", None)
    errors = _check(signature, _content(model), registry, "$.signature", expected)
    if isinstance(model, Award):
        bid = model.winning_bid
        errors += [
            FieldError(f"$.winning_bid{e.path[1:]}", e.message)
            for e in _check(bid.signature, _content(bid), registry, "$.signature", bid.bidder_id)
        ]
    return errors
