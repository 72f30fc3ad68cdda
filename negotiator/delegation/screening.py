"""Opening the sealed bids together at the deadline, and screening them.

All envelopes are opened at once, in bidder-id order (never arrival order, so arriving first
gives no advantage). Each bid is rejected, with every reason located by JSON path, when:

* it arrived after the bidding deadline (``$``);
* its sender already sent a bid (``$``), or it claims another bidder's id (``$.bidder_id``);
* it fails the wire schema/model (e.g. ``$.price.amount``);
* it fails a semantic rule against the task and the clock
  (:func:`negotiator.wire.semantics.check_bid`: currency, 0 < price ≤ budget, minimum bond ≤
  bond ≤ price, expiry after ``now`` and within the maximum validity, duration between its floor
  and the deadline, privacy, reporting cadence and its floor, a prose rationale);
* it promises more than the bidder's **registered profile** allows, when the caller gives the
  profiles (:func:`~negotiator.delegation.bidders.check_against_profile`: price below its cost,
  quality above its profile's, a stronger privacy guarantee, a duration below its base, a
  shorter reporting cadence). A bidder's own model is held to these bounds before it bids, but
  a bid may come from any client or remote agent, so the hub checks again here;
* its bond exceeds what the bidder can escrow (``$.reputation_bond.amount``), when the caller
  gives the bidders' funds (:func:`available_funds` reads them from the ledger).

When a key registry is given, a bid whose signature does not verify for the ``bidder_id`` it
names (``$.signature``: forged, impersonating, unsigned or altered) is set aside in
``forged`` *before* anything else: it is recorded but changes nothing — it is not the named
bidder's bid (that bidder's own bid still counts), not in the award's rejections, and no bond
moves for it.

The flow opens the bids with ``now`` = the bidding deadline, which is also the award's time, so
a bid whose offer lapses before the award (``expiry`` ≤ deadline) is rejected here: the award
never rests on an expired offer. Rejected bids never reach the award, and their bonds are never
escrowed, so a bond the bidder cannot fund is a rejection, never a negative balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import BidderProfile, check_against_profile
from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.ledger import Books
from negotiator.delegation.settlement import bond_account, bond_key, escrow_bonds
from negotiator.errors import InsufficientFundsError, InvalidInputError
from negotiator.wire.award import BidRejection, RejectionReason
from negotiator.wire.bid import Bid
from negotiator.wire.semantics import check_bid
from negotiator.wire.signing import signature_errors
from negotiator.wire.task import TaskSpec
from negotiator.wire.validation import validate_raw

if TYPE_CHECKING:
    from negotiator.trust.registry import KeyRegistry

__all__ = ["ScreenResult", "available_funds", "open_bids", "screen_one", "stake_bonds"]


class ScreenResult(BaseModel):
    """The opened bids: the valid ones and the rejected ones with their reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid: tuple[Bid, ...] = Field(description="Bids that passed, sorted by bidder id.")
    rejected: tuple[BidRejection, ...] = Field(description="Bids screened out, sorted by sender.")
    forged: tuple[BidRejection, ...] = Field(
        default=(),
        description="Envelopes whose bid signature does not verify for the bidder it names "
        "(recorded only; they count for nobody).",
    )
    refused: tuple[BidRejection, ...] = Field(
        default=(),
        description="Open-hub commitments and reveals refused (late, early, mismatched, "
        "unsigned); recorded only.",
    )


def _parse(payload: dict[str, object]) -> tuple[Bid | None, list[RejectionReason]]:
    """Schema then model validation (every error with its JSON path); semantics come after."""
    try:
        bid = validate_raw("bid", payload)
    except InvalidInputError as exc:
        return None, [RejectionReason(path=e.path, message=e.message) for e in exc.errors]
    assert isinstance(bid, Bid)
    return bid, []


def available_funds(
    ledger: Books, run_id: str, bidder_ids: Iterable[str], currency: str
) -> dict[str, Decimal]:
    """Return what each bidder can stake as a bond in run ``run_id``, read from ``ledger``.

    That is its wallet balance plus the bond it already staked in this run, if it did (whatever
    became of that bond since — still in escrow, returned or forfeited): opening the
    bids again after a crash (the bond escrow is idempotent) then judges a bid exactly as the
    first time, instead of rejecting it for the bond it has already staked.

    Example:
        >>> from negotiator.delegation.ledger import Ledger
        >>> from negotiator.money import Money
        >>> with Ledger(":memory:") as ledger:
        ...     _ = ledger.transfer("f", "external:funding", "b1", Money(amount=Decimal("5"),
        ...         currency="USDC"), "funding")
        ...     _ = ledger.transfer(bond_key("t1", "b1"), "b1", bond_account("t1", "b1"), Money(
        ...         amount=Decimal("2"), currency="USDC"), "bond_escrow")
        ...     available_funds(ledger, "t1", ["b1", "b2"], "USDC")  # run "t1"
        {'b1': Decimal('5'), 'b2': Decimal('0')}
    """
    return {
        b: ledger.balance(b, currency)
        + (ledger.posted_to(bond_key(run_id, b), bond_account(run_id, b)) or Decimal(0))
        for b in bidder_ids
    }


def funds_at_start(
    ledger: Books, run_id: str, bidder_ids: Iterable[str], currency: str
) -> dict[str, Decimal]:
    """Return each bidder's wallet in ``currency`` as it stood when run ``run_id`` began.

    That is its balance less everything this run's postings (keys ``<run_id>/...``) moved in or
    out of it, the run's own funding of it excepted. Mid-run, before anything but bonds moved,
    this equals :func:`available_funds`; after the run settled it is still the same figure, so
    a finished run run again from scratch negotiates exactly as the first time (and its
    idempotent postings match) instead of seeing the money the run itself paid out.

    Example:
        >>> from negotiator.delegation.ledger import Ledger
        >>> from negotiator.money import Money
        >>> with Ledger(":memory:") as ledger:
        ...     usdc = lambda a: Money(amount=Decimal(a), currency="USDC")
        ...     _ = ledger.transfer("t1/fund/b1", "external:funding", "b1", usdc("5"), "funding")
        ...     _ = ledger.transfer("t1/pay", "external:client", "b1", usdc("3"), "pay")
        ...     funds_at_start(ledger, "t1", ["b1"], "USDC")
        {'b1': Decimal('5')}
    """
    postings = [p for p in ledger.postings(f"{run_id}/") if p.currency == currency]
    return {
        b: ledger.balance(b, currency)
        - sum(
            (
                e.amount
                for p in postings
                if p.key != f"{run_id}/fund/{b}"
                for e in p.entries
                if e.account == b
            ),
            Decimal(0),
        )
        for b in bidder_ids
    }


def _funds_reason(bid: Bid, funds: Decimal | None) -> list[RejectionReason]:
    bond = bid.reputation_bond
    if funds is None or bond.amount <= funds:
        return []
    return [
        RejectionReason(
            path="$.reputation_bond.amount",
            message=f"{bond.amount} exceeds the {funds} {bond.currency} the bidder can escrow",
        )
    ]


def screen_one(
    sealed: SealedBid,
    task: TaskSpec,
    deadline: datetime,
    now: datetime,
    *,
    funds: Decimal | None = None,
    profile: BidderProfile | None = None,
) -> tuple[Bid | None, list[RejectionReason]]:
    """Screen one envelope: return the bid (``None`` if unparseable) and every reason to reject.

    Args:
        funds: what the sender can escrow as its bond (``None``: not checked).
        profile: the sender's registered profile (``None``: not checked).
    """
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
        if profile is not None:
            reasons.extend(
                RejectionReason(path=e.path, message=f"{e.message} (registered profile)")
                for e in check_against_profile(bid, profile)
            )
        reasons.extend(_funds_reason(bid, funds))
    return bid, reasons


def open_bids(
    task: TaskSpec,
    envelopes: Sequence[SealedBid],
    deadline: datetime,
    now: datetime,
    *,
    funds: Mapping[str, Decimal] | None = None,
    profiles: Mapping[str, BidderProfile] | None = None,
    tasks: Mapping[str, TaskSpec] | None = None,
    registry: KeyRegistry | None = None,
) -> ScreenResult:
    """Open every envelope together and screen it (see the module docstring).

    Args:
        deadline: the end of bidding; later envelopes are rejected.
        now: the opening time, against which expiries are checked.
        funds: what each sender can escrow as its bond, in the task's currency (a sender not
            listed has nothing); ``None`` skips the check.
        profiles: each registered bidder's profile; a sender not listed is rejected (it is not
            a registered bidder); ``None`` skips the check.
        tasks: the task as each sender was shown it (its trust-scaled minimum bond, see
            :meth:`~negotiator.delegation.hub.MarketHub.personal_task`); a sender not listed
            is checked against ``task``.
        registry: the bidders' public keys; ``None`` skips the signature check.

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
    forged: list[BidRejection] = []
    seen: set[str] = set()
    for sealed in sorted(envelopes, key=lambda s: (s.sender_id, s.received_at)):
        available = None if funds is None else funds.get(sealed.sender_id, Decimal(0))
        profile = None if profiles is None else profiles.get(sealed.sender_id)
        seen_task = task if tasks is None else tasks.get(sealed.sender_id, task)
        bid, reasons = screen_one(
            sealed, seen_task, deadline, now, funds=available, profile=profile
        )
        bad = signature_errors(bid, registry) if bid is not None and registry is not None else []
        if bad:
            reasons = [RejectionReason(path=e.path, message=e.message) for e in bad]
            forged.append(BidRejection(bidder_id=sealed.sender_id, reasons=tuple(reasons)))
            continue
        if profiles is not None and profile is None:
            reasons.insert(0, RejectionReason(path="$", message="not a registered bidder"))
        if sealed.sender_id in seen:
            reasons.insert(0, RejectionReason(path="$", message="a second bid from this sender"))
        seen.add(sealed.sender_id)
        if reasons or bid is None:
            rejected.append(BidRejection(bidder_id=sealed.sender_id, reasons=tuple(reasons)))
        else:
            valid.append(bid)
    return ScreenResult(valid=tuple(valid), rejected=tuple(rejected), forged=tuple(forged))


def stake_bonds(ledger: Books, run_id: str, result: ScreenResult) -> ScreenResult:
    """Escrow the bond of every valid bid; a bid whose bond the ledger refuses is rejected.

    The funds read before screening can be stale when other runs share the books; the ledger's
    own check (in the posting's transaction) is the one that counts, so a bond it refuses turns
    the bid into a rejection at ``$.reputation_bond.amount`` instead of a negative wallet.
    Idempotent: after a crash, a bond already staked is not staked again.
    """
    valid: list[Bid] = []
    refused: list[BidRejection] = []
    for bid in result.valid:
        try:
            escrow_bonds(ledger, run_id, [bid])
        except InsufficientFundsError as exc:
            reason = RejectionReason(path="$.reputation_bond.amount", message=str(exc))
            refused.append(BidRejection(bidder_id=bid.bidder_id, reasons=(reason,)))
        else:
            valid.append(bid)
    if not refused:
        return result
    rejected = sorted((*result.rejected, *refused), key=lambda r: r.bidder_id)
    return result.model_copy(update={"valid": tuple(valid), "rejected": tuple(rejected)})
