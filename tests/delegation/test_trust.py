"""Trust-scaled stakes and permissions, and idle reputation decay (seed 000)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup, demo_task
from negotiator.delegation.hub import MarketHub, ReputationDecay
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import SimulatedExecutor
from negotiator.delegation.reputation import decay_toward_prior
from negotiator.delegation.screening import open_bids
from negotiator.delegation.settlement import fund
from negotiator.delegation.trust import (
    TrustPolicy,
    autonomy,
    permissions,
    personal_task,
    report_interval,
    required_bond,
)
from negotiator.errors import InvalidInputError
from negotiator.graphs.delegation import build_delegation_graph, initial_state
from negotiator.llm.deterministic import DeterministicClient
from negotiator.wire.clauses import Autonomy
from negotiator.wire.common import Level

from .conftest import make_bid, usdc

POLICY = TrustPolicy()
reputations = st.floats(min_value=0, max_value=1, allow_nan=False)
levels = st.sampled_from(list(Level))


@settings(max_examples=60)
@given(a=reputations, b=reputations, level=levels)
def test_a_less_trusted_bidder_never_stakes_less(a: float, b: float, level: Level) -> None:
    task = demo_task().model_copy(update={"criticality": level})
    low, high = sorted((a, b))
    assert required_bond(task, low, POLICY).amount >= required_bond(task, high, POLICY).amount
    assert required_bond(task, high, POLICY).amount >= task.min_bond.amount


@settings(max_examples=60)
@given(r=reputations)
def test_the_bond_grows_with_criticality(r: float) -> None:
    bonds = [
        required_bond(demo_task().model_copy(update={"criticality": c}), r, POLICY).amount
        for c in (Level.LOW, Level.MEDIUM, Level.HIGH)
    ]
    assert bonds == sorted(bonds)


def test_a_fresh_identity_stakes_more_than_a_proven_one() -> None:
    task = demo_task().model_copy(update={"criticality": Level.HIGH})  # min bond 0.50
    assert required_bond(task, 0.0, POLICY).amount == Decimal("1.50")
    assert required_bond(task, 0.95, POLICY).amount == Decimal("0.55")


@settings(max_examples=60)
@given(a=reputations, b=reputations, offered=st.integers(min_value=1, max_value=3600))
def test_reports_come_more_often_with_less_trust_within_the_task(
    a: float, b: float, offered: int
) -> None:
    task = demo_task()
    low, high = sorted((a, b))
    slow, fast = (report_interval(task, offered, r, POLICY) for r in (high, low))
    assert fast <= slow <= min(offered, task.reporting_interval_seconds)
    assert fast >= min(POLICY.min_interval_seconds, offered, task.reporting_interval_seconds)


def test_autonomy_follows_trust_and_is_capped_by_criticality() -> None:
    task = demo_task()
    assert autonomy(task, 0.2) is Autonomy.SUPERVISED
    assert autonomy(task, 0.95) is Autonomy.FULL
    critical = task.model_copy(update={"criticality": Level.HIGH})
    assert autonomy(critical, 0.95) is Autonomy.METHOD_DELEGATED
    assert autonomy(critical, 0.2) is Autonomy.SUPERVISED


def test_a_reputation_outside_the_unit_interval_is_named() -> None:
    with pytest.raises(InvalidInputError, match=r"\$\.reputation: 1.5 is outside"):
        permissions(demo_task(), 300, 1.5, POLICY)


@settings(max_examples=60)
@given(
    score=st.decimals(min_value=0, max_value=1, places=4),
    prior=st.decimals(min_value=0, max_value=1, places=4),
    idle=st.floats(min_value=0, max_value=1000),
)
def test_decay_moves_toward_the_prior_and_never_past_it(
    score: Decimal, prior: Decimal, idle: float
) -> None:
    after = decay_toward_prior(score, prior, idle, half_life=20)
    assert abs(after - prior) <= abs(score - prior)
    assert min(score, prior) <= after <= max(score, prior)


def test_decay_rejects_a_bad_half_life() -> None:
    with pytest.raises(InvalidInputError, match=r"\$\.half_life"):
        decay_toward_prior(Decimal("0.9"), Decimal("0.5"), 1, 0)


def test_the_hub_decays_idle_bidders_and_updates_from_the_decayed_score() -> None:
    s = demo_setup()
    hub = MarketHub(s.bidders, decay=ReputationDecay(prior=Decimal("0.5"), half_life=2))
    fast = s.bidders[0].bidder_id  # profile reputation 0.92
    for _ in range(2):
        hub.announce(s.request.task)
    assert hub.reputation(fast) == pytest.approx(0.71)  # half the gap to 0.5 gone
    update = hub.record_outcome("k1", fast, "completed")
    assert update.before == Decimal("0.7100")
    assert hub.reputation(fast) == pytest.approx(float(update.after))  # active again


def _run(hub: MarketHub, scenario: str = "success") -> dict[str, object]:
    s, client = demo_setup(scenario), DeterministicClient()
    ledger = Ledger(":memory:")
    fund(ledger, "r", s.funding)
    graph = build_delegation_graph(
        hub=hub,
        delegator_client=client,
        bidder_clients=client,
        executor=SimulatedExecutor(s.script, 7),
        ledger=ledger,
        clock=FixedClock(s.start),
        rng=random.Random(7),
    )
    return asyncio.run(graph.ainvoke(initial_state("r", s.request)))


def test_in_the_flow_each_bidder_stakes_its_trust_scaled_bond() -> None:
    s = demo_setup()
    before = {b.bidder_id: b.reputation for b in s.bidders}  # settlement moves the winner's
    final = _run(MarketHub(s.bidders, trust=POLICY))
    valid = final["screened"]["valid"]  # type: ignore[index]
    assert valid
    for bid in valid:
        need = required_bond(s.request.task, before[bid["bidder_id"]], POLICY)
        assert Decimal(bid["reputation_bond"]["amount"]) >= need.amount
    contract = final["contract"]  # type: ignore[index]
    winner = contract["contractor_id"]
    monitoring = next(c for c in contract["clauses"] if c["kind"] == "monitoring")
    offered = next(b for b in valid if b["bidder_id"] == winner)[
        "offered_reporting_interval_seconds"
    ]
    expected, level = permissions(s.request.task, offered, before[winner], POLICY)
    assert expected < offered  # 0.92 is trusted, but not fully: more frequent reports
    assert monitoring["report_interval_seconds"] == expected
    granted = next(c for c in contract["clauses"] if c["kind"] == "autonomy")
    assert granted["level"] == level.value


def test_screening_checks_each_bid_against_the_task_its_bidder_was_shown() -> None:
    s = demo_setup()
    task, deadline = s.request.task, s.start + timedelta(seconds=600)
    bid = make_bid("did:web:a.ai", reputation_bond=usdc("0.50"))
    sealed = SealedBid(
        sender_id="did:web:a.ai", payload=bid.model_dump(mode="json"), received_at=s.start
    )
    assert open_bids(task, [sealed], deadline, s.start).valid
    fresh = personal_task(task, 0.0, POLICY)  # a fresh identity must stake 1.00
    result = open_bids(task, [sealed], deadline, s.start, tasks={"did:web:a.ai": fresh})
    assert not result.valid
    (reason,) = result.rejected[0].reasons
    assert reason.path == "$.reputation_bond.amount"
    assert "below the task's minimum bond 1.00 USDC" in reason.message
