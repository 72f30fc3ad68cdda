"""Escrow at bid opening: a bond the bidder cannot fund is a rejection with a reason, never a
negative balance and never a crash; an offer that lapses before the award never reaches it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.demo import demo_task
from negotiator.delegation.ledger import FUNDING_ACCOUNT, Ledger
from negotiator.delegation.screening import available_funds, open_bids
from negotiator.delegation.settlement import bond_account, escrow_bonds, fund
from negotiator.wire.task import TaskSpec

from .conftest import NOW, make_bid, usdc

DEADLINE = NOW + timedelta(seconds=600)
TASK = "task-react-dashboard"


def env(sender: str, **changes: Any) -> SealedBid:
    payload = make_bid(sender, **changes).model_dump(mode="json")
    return SealedBid(sender_id=sender, received_at=NOW + timedelta(seconds=5), payload=payload)


def reasons(result: Any) -> dict[str, list[str]]:
    return {r.bidder_id: [f"{x.path}: {x.message}" for x in r.reasons] for r in result.rejected}


def test_a_bond_beyond_the_funds_is_rejected_at_opening(task: TaskSpec) -> None:
    envelopes = [
        env("did:web:rich.ai", reputation_bond=usdc("4.00")),
        env("did:web:poor.ai", reputation_bond=usdc("4.00")),
        env("did:web:exact.ai", reputation_bond=usdc("3.00")),
        env("did:web:stranger.ai"),
    ]
    funds = {
        "did:web:rich.ai": Decimal("5.00"),
        "did:web:poor.ai": Decimal("3.00"),
        "did:web:exact.ai": Decimal("3.00"),
    }
    result = open_bids(task, envelopes, DEADLINE, DEADLINE, funds=funds)
    assert [b.bidder_id for b in result.valid] == ["did:web:exact.ai", "did:web:rich.ai"]
    assert reasons(result) == {
        "did:web:poor.ai": [
            "$.reputation_bond.amount: 4.00 exceeds the 3.00 USDC the bidder can escrow"
        ],
        "did:web:stranger.ai": [  # not in the ledger: nothing to stake
            "$.reputation_bond.amount: 0.50 exceeds the 0 USDC the bidder can escrow"
        ],
    }
    # without funds (a caller that does not know them) the check is skipped
    assert len(open_bids(task, envelopes, DEADLINE, DEADLINE).valid) == 4


def test_escrow_after_screening_never_overdraws_a_wallet(task: TaskSpec) -> None:
    with Ledger(":memory:") as ledger:
        fund(ledger, "r1", {"did:web:a.ai": usdc("5.00"), "did:web:b.ai": usdc("1.00")})
        envelopes = [
            env("did:web:a.ai", reputation_bond=usdc("2.00")),
            env("did:web:b.ai", reputation_bond=usdc("2.00")),  # the model's bond, too big
        ]
        ids = [e.sender_id for e in envelopes]
        funds = available_funds(ledger, "r1", ids, "USDC")
        result = open_bids(task, envelopes, DEADLINE, DEADLINE, funds=funds)
        escrow_bonds(ledger, "r1", result.valid)
        assert [r.bidder_id for r in result.rejected] == ["did:web:b.ai"]
        balances = ledger.balances("USDC")
        assert balances["did:web:a.ai"] == Decimal("3.00")
        assert balances["did:web:b.ai"] == Decimal("1.00")
        assert all(v >= 0 for k, v in balances.items() if k != FUNDING_ACCOUNT)
        assert ledger.is_balanced()
        # opening again after a crash (the escrow already happened) gives the same verdicts
        again = open_bids(
            task, envelopes, DEADLINE, DEADLINE, funds=available_funds(ledger, "r1", ids, "USDC")
        )
        assert again == result
        escrow_bonds(ledger, "r1", again.valid)  # idempotent: nothing moves twice
        assert ledger.balance(bond_account("r1", "did:web:a.ai"), "USDC") == Decimal("2.00")


@given(
    wallet=st.decimals(min_value=0, max_value=20, places=2),
    bond=st.decimals(min_value="0.50", max_value=12, places=2),
)
def test_no_bond_and_wallet_make_a_negative_balance(wallet: Decimal, bond: Decimal) -> None:
    task = demo_task()
    with Ledger(":memory:") as ledger:
        fund(ledger, "r", {"did:web:a.ai": usdc(str(wallet))})
        envelope = env("did:web:a.ai", price=usdc("12.00"), reputation_bond=usdc(str(bond)))
        funds = available_funds(ledger, "r1", ["did:web:a.ai"], "USDC")
        result = open_bids(task, [envelope], DEADLINE, DEADLINE, funds=funds)
        escrow_bonds(ledger, "r", result.valid)
        assert (len(result.valid) == 1) == (bond <= wallet)
        assert ledger.balance("did:web:a.ai", "USDC") >= 0


# row 4 of the model's nonsense: an offer that lapses 0.231 s after bidding opened
def test_an_offer_lapsing_before_the_award_is_rejected_at_opening(task: TaskSpec) -> None:
    early = env("did:web:e.ai", expiry=NOW + timedelta(milliseconds=231))
    result = open_bids(task, [early, env("did:web:f.ai")], DEADLINE, DEADLINE)
    assert [b.bidder_id for b in result.valid] == ["did:web:f.ai"]
    assert reasons(result)["did:web:e.ai"] == [
        "$.expiry: 2026-10-01T09:00:00.231000+00:00 is not after the current time "
        "2026-10-01T09:10:00+00:00"
    ]


def test_the_models_other_nonsense_is_screened_out_with_paths(task: TaskSpec) -> None:
    nonsense = env(
        "did:web:n.ai",
        price=usdc("0"),
        reputation_bond=usdc("19.3"),
        estimated_duration_seconds=2,
        offered_reporting_interval_seconds=2,
        rationale="<div class='alert' id=",
    )
    far = env("did:web:m.ai", expiry=NOW.replace(year=7984))
    result = open_bids(task, [nonsense, far], DEADLINE, DEADLINE)
    assert result.valid == ()
    got = {k: [line.split(":", 1)[0] for line in v] for k, v in reasons(result).items()}
    assert got == {
        "did:web:m.ai": ["$.expiry"],
        "did:web:n.ai": [
            "$.price.amount",
            "$.reputation_bond.amount",
            "$.estimated_duration_seconds",
            "$.offered_reporting_interval_seconds",
            "$.rationale",
        ],
    }
