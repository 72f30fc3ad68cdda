"""Opening the sealed bids together at the deadline, and screening them.

All envelopes are opened at once, in bidder-id order (never arrival order, so arriving first
gives no advantage). Each bid is rejected, with every reason located by JSON path, when:

* it arrived after the bidding deadline (``$``);
* its sender already sent a bid (``$``), or it claims another bidder's id (``$.bidder_id``);
* it fails the wire schema/model (e.g. ``$.price.amount``);
* it fails a semantic rule against the task and the clock
  (:func:`negotiator.wire.semantics.check_bid`: currency, price ≤ budget, expiry after now,
  bond ≥ minimum, duration ≤ deadline, privacy, reporting cadence).

Rejected bids never reach the award.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.bidding import SealedBid
from negotiator.errors import InvalidInputError
from negotiator.validation import validate_raw
from negotiator.wire.award import BidRejection, RejectionReason
from negotiator.wire.bid import Bid
from negotiator.wire.semantics import check_bid
from negotiator.wire.task import TaskSpec

__all__ = ["ScreenResult", "open_bids", "screen_one"]


class ScreenResult(BaseModel):
    """The opened bids: the valid ones and the rejected ones with their reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid: tuple[Bid, ...] = Field(description="Bids that passed, sorted by bidder id.")
    rejected: tuple[BidRejection, ...] = Field(description="Bids screened out, sorted by sender.")


def _parse(payload: dict[str, object]) -> tuple[Bid | None, list[RejectionReason]]:
    """Schema then model validation (every error with its JSON path); semantics come after."""
    try:
        bid = validate_raw("bid", payload)
    except InvalidInputError as exc:
        return None, [RejectionReason(path=e.path, message=e.message) for e in exc.errors]
    assert isinstance(bid, Bid)
    return bid, []


def screen_one(
    sealed: SealedBid, task: TaskSpec, deadline: datetime, now: datetime
) -> tuple[Bid | None, list[RejectionReason]]:
    """Screen one envelope: return the bid (``None`` if unparseable) and every reason to reject."""
    reasons: list[RejectionReason] = []
    if sealed.received_at > deadline:
        reasons.append(
            RejectionReason(
                path="$",
                message=f"received at {sealed.received_at.isoformat()}, after the bidding "
                f"deadline {deadline.isoformat()}",
            )
        )
    bid, problems = _parse(sealed.payload)
    reasons.extend(problems)
    if bid is not None:
        if bid.bidder_id != sealed.sender_id:
            reasons.append(
                RejectionReason(
                    path="$.bidder_id",
                    message=f"{bid.bidder_id!r} is not the sender {sealed.sender_id!r}",
                )
            )
        reasons.extend(
            RejectionReason(path=e.path, message=e.message) for e in check_bid(bid, task, now)
        )
    return bid, reasons


def open_bids(
    task: TaskSpec, envelopes: Sequence[SealedBid], deadline: datetime, now: datetime
) -> ScreenResult:
    """Open every envelope together and screen it (see the module docstring).

    Args:
        deadline: the end of bidding; later envelopes are rejected.
        now: the opening time, against which expiries are checked.

    Example:
        >>> from datetime import timedelta
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> from negotiator.delegation.demo import demo_setup
        >>> s = demo_setup()
        >>> task, deadline = s.request.task, s.start + timedelta(seconds=600)
        >>> def seal(b, after):
        ...     bid = deterministic_bid(b, task, [], [], s.start).model_dump(mode="json")
        ...     return SealedBid(sender_id=b.bidder_id, payload=bid,
        ...                      received_at=s.start + timedelta(seconds=after))
        >>> fast, premium = s.bidders[0], s.bidders[2]
        >>> result = open_bids(task, [seal(premium, 5), seal(fast, 90)], deadline, deadline)
        >>> [b.bidder_id for b in result.valid]
        ['did:web:fast-coder.ai']
        >>> result.rejected[0].reasons[0].path
        '$.price.amount'
    """
    valid: list[Bid] = []
    rejected: list[BidRejection] = []
    seen: set[str] = set()
    for sealed in sorted(envelopes, key=lambda s: (s.sender_id, s.received_at)):
        bid, reasons = screen_one(sealed, task, deadline, now)
        if sealed.sender_id in seen:
            reasons.insert(0, RejectionReason(path="$", message="a second bid from this sender"))
        seen.add(sealed.sender_id)
        if reasons or bid is None:
            rejected.append(BidRejection(bidder_id=sealed.sender_id, reasons=tuple(reasons)))
        else:
            valid.append(bid)
    return ScreenResult(valid=tuple(valid), rejected=tuple(rejected))
