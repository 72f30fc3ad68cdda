"""Seeded random negotiation markets (for the benchmark and the property tests), and the audit
of an agreement against both sides' reservations and the budget.

A market draws a task (budget 8–40 USDC, deadline 30–120 min, reporting cadence, minimum bond),
three to five bidders with random public profiles and private cost models, takes their
deterministic sealed bids, ranks them with the award (Pareto front, then the default
preferences) and returns the top-k of the front as candidates, winner first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from negotiator.delegation.award import make_award
from negotiator.delegation.bidders import BidderProfile, deterministic_bid
from negotiator.delegation.demo import demo_task
from negotiator.delegation.negotiation.mechanisms import (
    Candidate,
    NegotiationOutcome,
    sealed_terms,
)
from negotiator.delegation.negotiation.utility import BidderCosts, BidderUtility, DelegatorUtility
from negotiator.delegation.request import DEFAULT_PREFERENCES
from negotiator.llm.protocol import ModelClient
from negotiator.money import Money
from negotiator.wire.common import PrivacyLevel
from negotiator.wire.task import TaskSpec

__all__ = ["PENALTY_SHARE", "START", "Market", "agreement_problems", "random_market"]

#: the fixed start instant and standing penalty share of every generated market.
START = datetime(2026, 1, 1, tzinfo=UTC)
PENALTY_SHARE = 0.5


@dataclass(frozen=True)
class Market:
    """One generated market: the task and the candidates (winner first)."""

    task: TaskSpec
    candidates: tuple[Candidate, ...]


def _usdc(x: float) -> Money:
    return Money(amount=Decimal(f"{x:.2f}"), currency="USDC")


def _task(rng: random.Random) -> TaskSpec:
    data = demo_task().model_dump(mode="json")
    budget = rng.uniform(8.0, 40.0)
    data.update(
        budget=_usdc(budget).model_dump(mode="json"),
        deadline_seconds=rng.randint(1800, 7200),
        reporting_interval_seconds=rng.choice((120, 300, 600)),
        min_bond=_usdc(budget * rng.uniform(0.0, 0.05)).model_dump(mode="json"),
    )
    return TaskSpec.model_validate(data)


def _profile(rng: random.Random, task: TaskSpec, i: int) -> BidderProfile:
    cost = float(task.budget.amount) * rng.uniform(0.2, 0.6)
    return BidderProfile(
        bidder_id=f"bidder-{i}",
        name=f"bidder {i}",
        reputation=rng.uniform(0.5, 1.0),
        quality=rng.uniform(0.6, 1.0),
        privacy=rng.choice(list(PrivacyLevel)),
        cost=Decimal(f"{cost:.2f}"),
        margin=Decimal(f"{rng.uniform(0.05, 0.4):.2f}"),
        uncertainty_premium=Decimal(0),
        base_duration_seconds=rng.randint(200, 1500),
        bond_fraction=Decimal(f"{rng.uniform(0.05, 0.2):.2f}"),
        reporting_interval_seconds=rng.choice((60, 120, 300, 600)),
    )


def _costs(rng: random.Random, p: BidderProfile, task: TaskSpec) -> BidderCosts:
    bid = deterministic_bid(p, task, [], [], START)
    sealed = sealed_terms(bid, task, PENALTY_SHARE)
    cost = float(p.cost)
    return BidderCosts(
        cost=cost,
        rush=rng.uniform(0.05, 0.5) * cost / sealed.duration_seconds,
        oversight=rng.uniform(0.0, 0.03)
        * cost
        * bid.estimated_duration_seconds
        / sealed.cadence_seconds**2,
        breach_risk=rng.uniform(0.02, 0.3),
        capital=rng.uniform(0.02, 0.3),
        cancel_risk=rng.uniform(0.02, 0.3),
        min_duration=float(min(bid.estimated_duration_seconds, sealed.duration_seconds)),
        min_cadence=float(min(p.reporting_interval_seconds, sealed.cadence_seconds)),
    )


def random_market(
    seed: int, top_k: int, client: ModelClient, clients: Sequence[ModelClient] = ()
) -> Market:
    """A seeded random market whose top-k candidates talk through ``client``.

    Args:
        clients: per-candidate clients (in candidate order) overriding ``client``.

    Example:
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> m = random_market(1, 2, DeterministicClient())
        >>> 1 <= len(m.candidates) <= 2
        True
    """
    rng = random.Random(seed)
    task = _task(rng)
    profiles = [_profile(rng, task, i) for i in range(rng.randint(3, 5))]
    bids = [deterministic_bid(p, task, [], [], START) for p in profiles]
    bids = [b for b in bids if b.price.amount <= task.budget.amount]
    reputations = {p.bidder_id: p.reputation for p in profiles}
    award = make_award(task.id, bids, reputations, DEFAULT_PREFERENCES, START)
    front = [s.bidder_id for s in award.scores if s.on_pareto_front][:top_k]
    by_id = {p.bidder_id: p for p in profiles}
    bid_of = {b.bidder_id: b for b in bids}
    chosen = [
        Candidate(
            bid_of[b],
            reputations[b],
            _costs(rng, by_id[b], task),
            clients[i] if i < len(clients) else client,
        )
        for i, b in enumerate(front)
    ]
    return Market(task, tuple(chosen))


def agreement_problems(out: NegotiationOutcome, market: Market) -> list[str]:
    """Every way an agreement breaks a reservation or the budget (empty when none does).

    Checked from scratch with the sides' utilities: the delegator's utility of the agreement
    against its utility of the winner's sealed bid, the contractor's against its cost floor.
    """
    if out.agreed is None:
        return []
    task, winner = market.task, market.candidates[0]
    c = next(x for x in market.candidates if x.bidder_id == out.contractor_id)

    def delegator(cand: Candidate) -> DelegatorUtility:
        return DelegatorUtility.for_bidder(
            DEFAULT_PREFERENCES,
            task,
            cand.bid.claimed_quality,
            cand.reputation,
            cand.bid.privacy_guarantee,
        )

    bidder = BidderUtility(c.costs, sealed_terms(c.bid, task, PENALTY_SHARE).vector())
    problems = []
    if delegator(c).of(out.agreed) < delegator(winner).of(out.sealed) - 1e-9:
        problems.append("delegator: below its best sealed bid")
    if bidder.of(out.agreed) < -1e-9:
        problems.append(f"{c.bidder_id}: below its cost floor")
    if out.agreed.price > task.budget.amount:
        problems.append(f"price {out.agreed.price} over the budget {task.budget.amount}")
    return problems
