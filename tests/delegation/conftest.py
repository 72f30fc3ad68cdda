"""Shared builders for the delegation tests (the demo's task and bidders, bids, contracts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from negotiator.delegation.award import make_award
from negotiator.delegation.contracting import ContractPolicy, draft_contract, sign
from negotiator.delegation.demo import DEMO_POLICY, demo_bidders, demo_task
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.request import DEFAULT_PREFERENCES
from negotiator.money import Money
from negotiator.wire.bid import Bid
from negotiator.wire.contract import Contract
from negotiator.wire.task import TaskSpec

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def make_bid(bidder_id: str = "did:web:a.ai", **changes: Any) -> Bid:
    """A valid bid for the demo task, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "bidder_id": bidder_id,
        "task_id": "task-react-dashboard",
        "price": usdc("5.00"),
        "estimated_duration_seconds": 300,
        "claimed_quality": 0.9,
        "privacy_guarantee": "tee",
        "reputation_bond": usdc("0.50"),
        "expiry": NOW + timedelta(days=1),
        "offered_reporting_interval_seconds": 300,
        "rationale": "Profiles the dashboard first, then fixes what the profile shows.",
    }
    fields.update(changes)
    return Bid.model_validate(fields)


@pytest.fixture
def task() -> TaskSpec:
    return demo_task()


@pytest.fixture
def bidders() -> Any:
    return demo_bidders()


def make_contract(
    price: str = "5.00", bond: str = "0.50", policy: ContractPolicy | None = None
) -> Contract:
    """A signed demo contract awarded to did:web:a.ai (runner-up did:web:b.ai at 6.00)."""
    task = demo_task()
    bids = [
        make_bid("did:web:a.ai", price=usdc(price), reputation_bond=usdc(bond)),
        make_bid("did:web:b.ai", price=usdc("6.00"), claimed_quality=0.5),
    ]
    award = make_award(
        task.id,
        bids,
        {"did:web:a.ai": 0.9, "did:web:b.ai": 0.5},
        DEFAULT_PREFERENCES,
        NOW,
    )
    keys = RunKeys.demo([task.delegator_id, "did:web:a.ai"], 0)
    return sign(draft_contract(task, award, 0.9, policy or DEMO_POLICY, NOW), keys, NOW)
