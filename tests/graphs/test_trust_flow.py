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
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.commitments import CommittedBid, commit
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.monitoring import SimulatedExecutor
from negotiator.graphs.api import execute
from negotiator.graphs.runner import run_keys
from negotiator.graphs.stores import open_stores
from negotiator.llm.deterministic import DeterministicClient
from negotiator.money import Money
from negotiator.trust import AgentKey, derive_did_key, derive_key
from negotiator.wire import Bid, Contract, ProgressReport, sign

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


def _cheaper_fast_bid() -> Bid:
    """fast-coder's bid, cheaper (it would win): the bid an impersonator would like to place.

    4.20 is above fast-coder's registered cost (4.10), so the hub's profile check accepts it."""
    setup = demo_setup("success")
    fast = next(b for b in setup.bidders if b.bidder_id == FAST)
    bid = deterministic_bid(fast, setup.request.task, [], [], setup.start)
    return bid.model_copy(update={"price": Money(amount=Decimal("4.20"), currency="USDC")})


def _posts(committer: AgentKey, signer: AgentKey) -> CommittedBid:
    """An open-hub post: ``signer`` signs the bid under fast-coder's id; ``committer`` commits."""
    start = demo_setup("success").start
    bid = sign(_cheaper_fast_bid(), signer, start)
    post = commit(bid, committer, start + timedelta(seconds=1), nonce="ab" * 32)
    return post.model_copy(update={"revealed_at": start + timedelta(seconds=700)})


MALLORY_KEY = derive_did_key("mallory", 7)  # an open-hub agent whose id is its key
POSING_KEY = derive_key(FAST, 666)  # a key that says it is fast-coder's, and is not


@pytest.mark.parametrize(
    ("committer", "path", "message"),
    [
        (MALLORY_KEY, "$.reveal.bid.bidder_id", "is not the committing bidder"),
        (POSING_KEY, "$.commitment.signature", f"does not verify for {FAST}"),
    ],
)
def test_an_impersonating_bid_is_refused_and_changes_nothing(
    committer: AgentKey, path: str, message: str
) -> None:
    baseline, base_money = _run()
    attacked, money = _run(outside_bids=[_posts(committer, POSING_KEY)])
    (refused,) = attacked.state["screened"]["refused"]
    assert refused["bidder_id"] == committer.agent_id
    assert {"path": path, "message": message} in refused["reasons"]
    assert len(attacked.state["committed"]) == 1  # recorded
    assert attacked.state["award"] == baseline.state["award"]  # same winner, scores, signature
    assert attacked.state["settlement"] == baseline.state["settlement"]
    assert money == base_money
    assert attacked.outcome.payments == baseline.outcome.payments


def test_an_honest_outside_bidder_wins_through_commit_and_reveal() -> None:
    fast_key = run_keys(demo_setup("success"), 7).key(FAST)
    # fast-coder's own key, posting from outside: its registered key verifies everything
    won, _ = _run(outside_bids=[_posts(fast_key, fast_key)])
    assert won.state["screened"]["refused"] == []
    assert won.state["award"]["winning_bid"]["price"]["amount"] == "4.20"
    (second,) = [r for r in won.state["screened"]["rejected"] if r["bidder_id"] == FAST]
    assert second["reasons"][0]["message"] == "a second bid from this sender"  # in-process, later


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
