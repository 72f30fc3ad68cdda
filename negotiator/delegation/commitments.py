"""Sealed bids by commitment in the open hub: commit before the deadline, reveal after it.

An agent outside the process bids in two steps. Before the bidding deadline it posts a
:class:`BidCommitment`: its id, the task, and ``commitment`` = SHA-256 of the RFC 8785 canonical
JSON of ``{"bid": <its signed bid>, "nonce": <64 hex digits>}``, signed with its key. After the
deadline (and no later than the reveal deadline) it posts a :class:`BidReveal`: the signed bid
and the nonce. Until the deadline the hub holds only hashes, so nobody — not the hub — can read
a bid or copy it: a copied commitment cannot be revealed by anyone but the bid's signer, and
every reveal comes after every commitment is closed.

:func:`open_commitments` applies the rules and returns the envelopes that go on to screening,
stamped with the time their commitment arrived, plus every refusal with its reason:

* a commitment after the deadline, for another task, not signed by the bidder it names, or a
  second one from a bidder (``$.commitment`` / ``$.signature``);
* no reveal, a reveal before the deadline or after the reveal deadline (``$.revealed_at``);
* a reveal whose bid and nonce do not hash to the commitment, or whose bid names another bidder
  or task (``$.bid``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from negotiator.delegation.bidding import SealedBid
from negotiator.trust.canonical import sha256_of
from negotiator.wire.award import BidRejection, RejectionReason
from negotiator.wire.bid import Bid
from negotiator.wire.common import AgentId, Identifier, WireModel
from negotiator.wire.signature import Signature, make_signature, signature_problem

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey
    from negotiator.trust.registry import KeyRegistry

__all__ = [
    "REVEAL_WINDOW_SECONDS",
    "BidCommitment",
    "BidReveal",
    "CommittedBid",
    "OpenedCommitments",
    "commit",
    "commitment_of",
    "open_commitments",
]

_HEX64 = r"^[0-9a-f]{64}$"

REVEAL_WINDOW_SECONDS = 300
"""How long after the bidding deadline reveals are accepted (the flow's reveal deadline)."""


class BidCommitment(WireModel):
    """A bidder's commitment to a bid it will reveal after the deadline."""

    bidder_id: AgentId = Field(description="The committing bidder.")
    task_id: Identifier = Field(description="The task bid on.")
    commitment: str = Field(pattern=_HEX64, description="SHA-256 of canonical {bid, nonce}.")
    signature: Signature | None = Field(default=None, description="The bidder's signature.")

    def content(self) -> dict[str, object]:
        """What the bidder signs: everything but the signature."""
        return self.model_dump(mode="json", exclude={"signature"})


class BidReveal(WireModel):
    """The opening of a commitment: the signed bid and the nonce."""

    bid: Bid = Field(description="The bid, signed by its bidder.")
    nonce: str = Field(pattern=_HEX64, description="The secret that was hashed with the bid.")


class CommittedBid(BaseModel):
    """One outside bidder's two posts as the hub received them (the reveal may be missing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commitment: BidCommitment = Field(description="The commitment.")
    committed_at: AwareDatetime = Field(description="When the hub received the commitment.")
    reveal: BidReveal | None = Field(default=None, description="The reveal, if one came.")
    revealed_at: AwareDatetime | None = Field(default=None, description="When it came.")


class OpenedCommitments(BaseModel):
    """The envelopes that go on to screening and the posts the hub refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    envelopes: tuple[SealedBid, ...] = Field(description="Matched reveals, as sealed envelopes.")
    refused: tuple[BidRejection, ...] = Field(description="Refused posts, with every reason.")


def commitment_of(bid: Bid, nonce: str) -> str:
    """SHA-256 (hex) of the canonical JSON of ``{"bid": bid, "nonce": nonce}``."""
    return sha256_of({"bid": bid.model_dump(mode="json"), "nonce": nonce})


def commit(bid: Bid, key: AgentKey, at: datetime, nonce: str | None = None) -> CommittedBid:
    """A bidder's side: commit to ``bid`` (already signed) with a fresh random nonce.

    Returns the commitment and the reveal to post after the deadline (the caller stamps the
    reveal's arrival time: ``result.model_copy(update={"revealed_at": ...})``).
    """
    chosen = nonce or secrets.token_hex(32)
    unsigned = BidCommitment(
        bidder_id=key.agent_id, task_id=bid.task_id, commitment=commitment_of(bid, chosen)
    )
    signed = unsigned.model_copy(update={"signature": make_signature(unsigned.content(), key, at)})
    return CommittedBid(commitment=signed, committed_at=at, reveal=BidReveal(bid=bid, nonce=chosen))


def _commit_reasons(
    post: CommittedBid, task_id: str, deadline: datetime, registry: KeyRegistry
) -> list[RejectionReason]:
    c = post.commitment
    reasons = []
    if post.committed_at > deadline:
        reasons.append(
            _reason("$.committed_at", f"committed after the deadline {deadline.isoformat()}")
        )
    if c.task_id != task_id:
        reasons.append(
            _reason("$.commitment.task_id", f"{c.task_id!r} is not the task {task_id!r}")
        )
    if c.signature is None or c.signature.party_id != c.bidder_id:
        reasons.append(_reason("$.commitment.signature", f"must be signed by {c.bidder_id}"))
    else:
        problem = signature_problem(c.signature, c.content(), registry)
        if problem is not None:
            reasons.append(_reason("$.commitment.signature", problem))
    return reasons


def _reveal_reasons(
    post: CommittedBid, deadline: datetime, reveal_by: datetime
) -> list[RejectionReason]:
    reveal, at = post.reveal, post.revealed_at
    if reveal is None or at is None:
        return [_reason("$.reveal", "never revealed")]
    reasons = []
    if at <= deadline:
        reasons.append(_reason("$.revealed_at", "revealed before the deadline"))
    if at > reveal_by:
        reasons.append(_reason("$.revealed_at", f"revealed after {reveal_by.isoformat()}"))
    if commitment_of(reveal.bid, reveal.nonce) != post.commitment.commitment:
        reasons.append(_reason("$.reveal", "bid and nonce do not match the commitment"))
    if reveal.bid.bidder_id != post.commitment.bidder_id:
        reasons.append(_reason("$.reveal.bid.bidder_id", "is not the committing bidder"))
    return reasons


def _reason(path: str, message: str) -> RejectionReason:
    return RejectionReason(path=path, message=message)


def open_commitments(
    posts: Sequence[CommittedBid],
    task_id: str,
    deadline: datetime,
    reveal_by: datetime,
    registry: KeyRegistry,
) -> OpenedCommitments:
    """Apply the commit/reveal rules (module docstring) to every outside bidder's posts.

    A bid that passes becomes a :class:`~negotiator.delegation.bidding.SealedBid` received when
    its commitment arrived; its own signature is checked later, at screening.
    """
    envelopes: list[SealedBid] = []
    refused: list[BidRejection] = []
    seen: set[str] = set()
    for post in sorted(posts, key=lambda p: (p.commitment.bidder_id, p.committed_at)):
        bidder = post.commitment.bidder_id
        reasons = _commit_reasons(post, task_id, deadline, registry)
        if bidder in seen:
            reasons.insert(0, _reason("$.commitment", "a second commitment from this bidder"))
        reasons += [] if reasons else _reveal_reasons(post, deadline, reveal_by)
        if reasons:
            refused.append(BidRejection(bidder_id=bidder, reasons=tuple(reasons)))
            continue
        seen.add(bidder)
        assert post.reveal is not None
        payload = post.reveal.bid.model_dump(mode="json")
        envelopes.append(
            SealedBid(sender_id=bidder, received_at=post.committed_at, payload=payload)
        )
    return OpenedCommitments(envelopes=tuple(envelopes), refused=tuple(refused))
