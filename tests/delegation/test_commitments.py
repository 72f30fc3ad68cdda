"""Sealed bids by commitment: commit before the deadline, reveal after it; a mismatching, early,
late or missing reveal, a late or unsigned commitment, and a copied commitment are refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from negotiator.delegation.bidders import deterministic_bid
from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.commitments import (
    CommittedBid,
    commit,
    commitment_of,
    open_commitments,
)
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.screening import open_bids
from negotiator.money import Money
from negotiator.trust import KeyRegistry, derive_did_key, derive_key
from negotiator.wire import Bid, sign
from negotiator.wire.signature import make_signature

SETUP = demo_setup("success")
TASK = SETUP.request.task
START = SETUP.start
DEADLINE = START + timedelta(seconds=600)
REVEAL_BY = DEADLINE + timedelta(seconds=300)
FAST = "did:web:fast-coder.ai"
FAST_KEY = derive_key(FAST, 7)
REGISTRY = KeyRegistry.of([FAST_KEY])


def _bid(price: str = "5.00") -> Bid:
    fast = next(b for b in SETUP.bidders if b.bidder_id == FAST)
    bid = deterministic_bid(fast, TASK, [], [], START)
    priced = bid.model_copy(update={"price": Money(amount=Decimal(price), currency="USDC")})
    return sign(Bid.model_validate(priced.model_dump()), FAST_KEY, START)


def _post(committed_after: int = 10, revealed_after: int | None = 700) -> CommittedBid:
    post = commit(_bid(), FAST_KEY, START + timedelta(seconds=committed_after))
    at = None if revealed_after is None else START + timedelta(seconds=revealed_after)
    return post.model_copy(update={"revealed_at": at})


def _open(*posts: CommittedBid) -> tuple[list[SealedBid], list[list[tuple[str, str]]]]:
    opened = open_commitments(posts, TASK.id, DEADLINE, REVEAL_BY, REGISTRY)
    refused = [[(r.path, r.message) for r in rej.reasons] for rej in opened.refused]
    return list(opened.envelopes), refused


def test_a_matching_reveal_after_the_deadline_becomes_an_envelope() -> None:
    post = _post()
    (envelope,), refused = _open(post)
    assert refused == []
    assert envelope.sender_id == FAST and envelope.received_at == post.committed_at
    assert Bid.model_validate(envelope.payload) == _bid()
    assert post.reveal is not None and len(post.reveal.nonce) == 64
    assert commit(_bid(), FAST_KEY, START).reveal != post.reveal  # a fresh nonce each time


def test_the_commitment_hides_the_bid_and_binds_it() -> None:
    post = _post()
    assert post.reveal is not None
    text = post.commitment.model_dump_json()
    assert "5.00" not in text and "price" not in text  # nothing of the bid before the deadline
    nonce = post.reveal.nonce
    assert commitment_of(_bid(), nonce) == post.commitment.commitment
    assert commitment_of(_bid("4.00"), nonce) != post.commitment.commitment


def test_a_reveal_that_does_not_match_is_refused() -> None:
    post = _post()
    assert post.reveal is not None
    other = post.reveal.model_copy(update={"bid": _bid("4.00")})
    _, refused = _open(post.model_copy(update={"reveal": other}))
    assert refused == [[("$.reveal", "bid and nonce do not match the commitment")]]
    wrong_nonce = post.reveal.model_copy(update={"nonce": "0" * 64})
    _, refused = _open(post.model_copy(update={"reveal": wrong_nonce}))
    assert refused == [[("$.reveal", "bid and nonce do not match the commitment")]]


@pytest.mark.parametrize(
    ("revealed_after", "reason"),
    [
        (None, ("$.reveal", "never revealed")),
        (600, ("$.revealed_at", "revealed before the deadline")),
        (901, ("$.revealed_at", f"revealed after {REVEAL_BY.isoformat()}")),
    ],
)
def test_an_early_late_or_missing_reveal_is_refused(
    revealed_after: int | None, reason: tuple[str, str]
) -> None:
    envelopes, refused = _open(_post(revealed_after=revealed_after))
    assert envelopes == [] and refused == [[reason]]


def test_a_late_commitment_is_refused() -> None:
    _, refused = _open(_post(committed_after=601))
    assert refused == [[("$.committed_at", f"committed after the deadline {DEADLINE.isoformat()}")]]


def test_a_commitment_in_another_agents_name_is_refused_and_blocks_nobody() -> None:
    forged = commit(_bid(), derive_key(FAST, 666), START)  # claims fast-coder, another key
    forged = forged.model_copy(update={"revealed_at": START + timedelta(seconds=700)})
    envelopes, refused = _open(forged, _post())
    assert refused == [[("$.commitment.signature", f"does not verify for {FAST}")]]
    assert [e.sender_id for e in envelopes] == [FAST]  # the real bidder still bids


def test_a_copied_commitment_cannot_be_revealed_by_the_copier() -> None:
    copier = derive_did_key("copier", 7)  # an open-hub agent whose id is its key
    original = _post()
    assert original.reveal is not None
    copied = original.commitment.model_copy(update={"bidder_id": copier.agent_id})
    signature = make_signature(copied.content(), copier, START)
    post = original.model_copy(
        update={
            "commitment": copied.model_copy(update={"signature": signature}),
            "reveal": original.reveal,  # even the original reveal, copied after the deadline
        }
    )
    _, refused = _open(post)
    assert refused == [[("$.reveal.bid.bidder_id", "is not the committing bidder")]]


def test_screening_sets_a_forged_envelope_aside_without_touching_the_real_bid() -> None:
    real = SealedBid(sender_id=FAST, received_at=START, payload=_bid().model_dump(mode="json"))
    forged_bid = sign(
        _bid("3.00").model_copy(update={"signature": None}), derive_key(FAST, 9), START
    )
    forged = SealedBid(
        sender_id=FAST, received_at=START, payload=forged_bid.model_dump(mode="json")
    )
    result = open_bids(TASK, [forged, real], DEADLINE, DEADLINE, registry=REGISTRY)
    assert [b.price.amount for b in result.valid] == [_bid().price.amount]
    assert result.rejected == ()
    (set_aside,) = result.forged
    assert [(r.path, r.message) for r in set_aside.reasons] == [
        ("$.signature", f"does not verify for {FAST}")
    ]
    without = open_bids(TASK, [forged, real], DEADLINE, DEADLINE)  # no registry: no check
    assert without.forged == () and len(without.rejected) == 1  # one of two is "a second bid"
