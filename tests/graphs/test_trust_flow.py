"""Verification at every receiving step of the delegation flow: an impersonating bidder and a
report signed by someone else are refused, recorded, and change nothing else."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from negotiator.delegation.bidders import deterministic_bid
from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.monitoring import SimulatedExecutor
from negotiator.graphs.api import execute
from negotiator.graphs.runner import run_keys
from negotiator.graphs.stores import open_stores
from negotiator.llm.deterministic import DeterministicClient
from negotiator.money import Money
from negotiator.trust import derive_key
from negotiator.wire import Contract, ProgressReport, sign

FAST = "did:web:fast-coder.ai"
MALLORY = "did:web:mallory.example"


def _run(**kw: Any) -> Any:
    setup = demo_setup("success")

    async def go() -> Any:
        async with open_stores(None) as (cp, ledger):
            result = await execute(
                setup.request,
                bidders=setup.bidders,
                funding=setup.funding,
                run_id="r",
                delegator_client=DeterministicClient(),
                bidder_clients=DeterministicClient(),
                executor=kw.pop("executor", SimulatedExecutor(setup.script, 7)),
                clock=FixedClock(setup.start),
                rng=random.Random(7),
                checkpointer=cp,
                ledger=ledger,
                keys=run_keys(setup, 7),
                **kw,
            )
            return result, ledger.transfers()

    return asyncio.run(go())


def _impersonation(sender: str) -> SealedBid:
    """A cheaper bid under fast-coder's id, signed with a key that is not fast-coder's."""
    setup = demo_setup("success")
    fast = next(b for b in setup.bidders if b.bidder_id == FAST)
    bid = deterministic_bid(fast, setup.request.task, [], [], setup.start)
    cheaper = bid.model_copy(update={"price": Money(amount=Decimal("3.00"), currency="USDC")})
    at = setup.start + timedelta(seconds=1)
    forged = sign(cheaper, derive_key(FAST, seed=666), at)  # mallory's key, fast-coder's name
    return SealedBid(sender_id=sender, received_at=at, payload=forged.model_dump(mode="json"))


@pytest.mark.parametrize("sender", [FAST, MALLORY])
def test_an_impersonating_bid_is_set_aside_and_changes_nothing(sender: str) -> None:
    baseline, base_money = _run()
    attacked, money = _run(outside_bids=[_impersonation(sender)])
    (forged,) = attacked.state["screened"]["forged"]
    assert forged["bidder_id"] == sender
    assert forged["reasons"] == [{"path": "$.signature", "message": f"does not verify for {FAST}"}]
    assert len(attacked.state["sealed"]) == len(baseline.state["sealed"]) + 1  # recorded
    assert attacked.state["award"] == baseline.state["award"]  # same winner, scores, signature
    assert attacked.state["settlement"] == baseline.state["settlement"]
    assert money == base_money
    assert attacked.outcome.payments == baseline.outcome.payments


class _ForgingExecutor:
    """The simulated contractor, except that report ``forged_at`` arrives signed by mallory."""

    def __init__(self, inner: SimulatedExecutor, forged_at: int, blank: bool = False) -> None:
        self.inner, self.forged_at, self.blank = inner, forged_at, blank

    def report(self, contract: Contract, sequence: int, at: datetime) -> ProgressReport | None:
        report = self.inner.report(contract, sequence, at)
        if sequence != self.forged_at or report is None:
            return report
        return None if self.blank else sign(report, derive_key(MALLORY, 0), at)


def test_a_report_not_signed_by_the_contractor_counts_as_not_made() -> None:
    setup = demo_setup("success")
    forged, _ = _run(executor=_ForgingExecutor(SimulatedExecutor(setup.script, 7), 1))
    missing, _ = _run(executor=_ForgingExecutor(SimulatedExecutor(setup.script, 7), 1, blank=True))
    (refusal,) = forged.state["refused_reports"]
    assert refusal["tick"] == 1 and refusal["report"]["signature"]["party_id"] == MALLORY
    assert refusal["reasons"] == [
        {"path": "$.signature.party_id", "message": f"'{MALLORY}' is not '{FAST}'"}
    ]
    assert forged.state["verdicts"] == missing.state["verdicts"]
    assert forged.state["settlement"] == missing.state["settlement"]
    assert forged.outcome.payments == missing.outcome.payments
    assert all(r["signature"]["party_id"] == FAST for r in forged.state["reports"])
