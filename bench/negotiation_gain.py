"""Negotiating after the award against keeping the sealed bid, over random markets.

Each market draws a task (budget, deadline, reporting cadence, minimum bond), three to five
bidders with random public profiles and private cost models (cost, margin, base duration,
cadence, quality; the cost model's rush, oversight, breach, capital and cancellation figures),
takes their deterministic sealed bids, ranks them with the award (Pareto front, then the
default preferences) and negotiates with the top-k of the front by each mechanism (bilateral
alternating offers, the GA mediator). No model is involved (the deterministic client): the
figures are the numeric policies'.

Per mechanism it prints the agreement rate, the mean rounds of the chosen session, the mean
utility gains over the sealed-bid contract (delegator, contractor, joint welfare), the count of
agreements that break a reservation or the budget (must be 0), and negotiated delegations per
second (one process; the machine may be shared, so it is a rough figure).

Usage: ``python bench/negotiation_gain.py [--json] [--markets N] [--top-k K] [--seed S]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from negotiator.delegation.award import make_award
from negotiator.delegation.bidders import BidderProfile, deterministic_bid
from negotiator.delegation.demo import demo_task
from negotiator.delegation.negotiation import (
    BidderCosts,
    BidderUtility,
    Candidate,
    DelegatorUtility,
    NegotiationOutcome,
    NegotiationSettings,
    negotiate_terms,
    sealed_terms,
)
from negotiator.delegation.request import DEFAULT_PREFERENCES
from negotiator.llm.deterministic import DeterministicClient
from negotiator.money import Money
from negotiator.wire.common import PrivacyLevel
from negotiator.wire.task import TaskSpec

START = datetime(2026, 1, 1, tzinfo=UTC)
PENALTY = 0.5
CLIENT = DeterministicClient()


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
        criticality="low",
        min_reputation=0.0,
        required_certifications=[],
        privacy_requirement="none",
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
    sealed = sealed_terms(bid, task, PENALTY)
    cost = float(p.cost)
    return BidderCosts(
        cost=cost,
        rush=rng.uniform(0.1, 1.0) * cost / p.base_duration_seconds,
        oversight=rng.uniform(0.0, 0.03)
        * cost
        * sealed.duration_seconds
        / sealed.cadence_seconds**2,
        breach_risk=rng.uniform(0.02, 0.3),
        capital=rng.uniform(0.02, 0.3),
        cancel_risk=rng.uniform(0.02, 0.3),
        min_duration=float(min(p.base_duration_seconds, sealed.duration_seconds)),
        min_cadence=float(min(p.reporting_interval_seconds, sealed.cadence_seconds)),
    )


def _market(seed: int, top_k: int) -> tuple[TaskSpec, list[Candidate]]:
    rng = random.Random(seed)
    task = _task(rng)
    profiles = [_profile(rng, task, i) for i in range(rng.randint(3, 5))]
    bids = [deterministic_bid(p, task, [], [], START) for p in profiles]
    bids = [b for b in bids if b.price.amount <= task.budget.amount]
    reps = {p.bidder_id: p.reputation for p in profiles}
    award = make_award(task.id, bids, reps, DEFAULT_PREFERENCES, START)
    front = [s.bidder_id for s in award.scores if s.on_pareto_front][:top_k]
    by_id = {p.bidder_id: p for p in profiles}
    return task, [
        Candidate(
            next(b for b in bids if b.bidder_id == bid_id),
            reps[bid_id],
            _costs(rng, by_id[bid_id], task),
            CLIENT,
        )
        for bid_id in front
    ]


def _violations(out: NegotiationOutcome, task: TaskSpec, cands: list[Candidate]) -> int:
    """1 when an agreement breaks the delegator's or the contractor's reservation or budget."""
    if out.agreed is None:
        return 0
    c = next(x for x in cands if x.bidder_id == out.contractor_id)
    winner = cands[0]
    ud = DelegatorUtility.for_bidder(
        DEFAULT_PREFERENCES, task, c.bid.claimed_quality, c.reputation, c.bid.privacy_guarantee
    )
    uw = DelegatorUtility.for_bidder(
        DEFAULT_PREFERENCES,
        task,
        winner.bid.claimed_quality,
        winner.reputation,
        winner.bid.privacy_guarantee,
    )
    ub = BidderUtility(c.costs, sealed_terms(c.bid, task, PENALTY).vector())
    bad = (
        ud.of(out.agreed) < uw.of(out.sealed) - 1e-9
        or ub.of(out.agreed) < -1e-9
        or out.agreed.price > task.budget.amount
    )
    return int(bad)


async def _run(mechanism: str, markets: int, top_k: int, seed: int) -> dict[str, Any]:
    settings = NegotiationSettings(mechanism=mechanism, top_k=top_k, seed=seed)  # type: ignore[arg-type]
    outs: list[NegotiationOutcome] = []
    bad = 0
    began = time.perf_counter()
    for i in range(markets):
        task, cands = _market(seed + i, top_k)
        out = await negotiate_terms(
            task,
            DEFAULT_PREFERENCES,
            PENALTY,
            cands,
            delegator_client=CLIENT,
            settings=settings,
            start=START,
        )
        bad += _violations(out, task, cands)
        outs.append(out)
    elapsed = time.perf_counter() - began
    agreed = [o for o in outs if o.agreed is not None]
    return {
        "markets": markets,
        "agreement_rate": round(len(agreed) / markets, 4),
        "mean_rounds": round(statistics.fmean(o.rounds for o in outs), 3),
        "delegator_gain": round(statistics.fmean(o.delegator_gain for o in outs), 5),
        "contractor_gain": round(statistics.fmean(o.contractor_gain for o in outs), 5),
        "welfare_gain": round(statistics.fmean(o.welfare_gain for o in outs), 5),
        "reservation_violations": bad,
        "delegations_per_second": round(markets / elapsed, 1),
    }


def main() -> None:
    """Parse the options, run both mechanisms, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--markets", type=int, default=1000)
    parser.add_argument("--top-k", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    report = {
        m: asyncio.run(_run(m, args.markets, args.top_k, args.seed))
        for m in ("bilateral", "mediated")
    }
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return
    for mechanism, row in report.items():
        print(mechanism, " ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
