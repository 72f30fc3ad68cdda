"""Synchronous (SBBMP) matching of 10^6 agents in one transaction phase.

Usage: ``python bench/sync_matching.py [--json] [--agents N] [--seed S]``

One transaction phase of the synchronous broker over a market of N agents (half buyers, half
sellers, 10 products) drawn with the seed 003 price ranges and policies, all alive at the
reference time (created at 0, deadlines uniform in [600, 1200] s, reference time 300 s, so most
pairs of a product cross). Timed: every agent computes its wished price at the reference time,
then ``synchronous_match`` sorts both sides per product and pairs highest buyer with lowest
seller. The population is built before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from negotiator.markets.agents import BUYER, POLICY_NAMES, SELLER, Population
from negotiator.markets.sync_market import synchronous_match


def build(agents: int, seed: int) -> Population:
    """N agents alive at t = 300 s, with the seed 003 price ranges."""
    rng = np.random.default_rng(seed)
    nb = agents // 2
    side = np.r_[np.full(nb, BUYER, np.int8), np.full(agents - nb, SELLER, np.int8)]
    low, high = rng.uniform(20000, 40000, agents), rng.uniform(50000, 100000, agents)
    buyer = side == BUYER
    return Population(
        side=side,
        product=rng.integers(0, 10, agents),
        created=np.zeros(agents, np.int64),
        deadline=rng.integers(600, 1201, agents),
        start_price=np.where(buyer, low, high),
        final_price=np.where(buyer, high, low),
        policy=rng.integers(0, len(POLICY_NAMES), agents).astype(np.int8),
    )


def measure(agents: int, seed: int) -> dict[str, float]:
    """Time one SBBMP transaction phase over ``agents`` agents; return the figures."""
    pop = build(agents, seed)
    everyone = np.arange(agents)
    buyers, sellers = everyone[pop.side == BUYER], everyone[pop.side == SELLER]
    start = time.perf_counter()
    prices = pop.price_at(everyone, 300.0)
    priced = time.perf_counter()
    b, s = synchronous_match(
        pop.product[buyers], prices[buyers], pop.product[sellers], prices[sellers]
    )
    end = time.perf_counter()
    bi, si = buyers[b], sellers[s]
    assert np.all(pop.product[bi] == pop.product[si]) and np.all(prices[bi] >= prices[si])
    return {
        "agents": agents,
        "seconds": round(end - start, 4),
        "pricing_seconds": round(priced - start, 4),
        "matching_seconds": round(end - priced, 4),
        "pairs": int(b.size),
        "mean_spread": round(float(np.mean(prices[bi] - prices[si])), 2) if b.size else 0.0,
    }


def main() -> None:
    """Print the phase time (target: under 1 s for 10^6 agents)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--agents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = measure(args.agents, args.seed)
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"{out['agents']:,} agents: one synchronous transaction phase in {out['seconds']} s "
        f"(pricing {out['pricing_seconds']} s, sort and match {out['matching_seconds']} s), "
        f"{out['pairs']:,} pairs, mean spread {out['mean_spread']}"
    )


if __name__ == "__main__":
    main()
