"""Negotiating after the award against keeping the sealed bid, over random markets.

Each market (:func:`negotiator.delegation.negotiation.generate.random_market`) draws a task,
three to five bidders with random public profiles and private cost models, takes their
deterministic sealed bids, ranks them with the award (Pareto front, then the default
preferences) and negotiates with the top-k of the front by each mechanism (bilateral
alternating offers, the GA mediator). No model is involved (the deterministic client): the
figures are the numeric policies'.

Per mechanism it prints the agreement rate, the mean rounds of the chosen session, the mean
utility gains over the sealed-bid contract (delegator, contractor, joint welfare), the count of
agreements that break a reservation or the budget (must be 0), and negotiated delegations per
second (one process; the machine may be shared, so it is a rough figure).

Usage: ``python bench/negotiation_gain.py [--json] [--markets N] [--top-k K] [--seed S] [--check]``
(``--check`` exits 1 when an agreement broke a reservation or the budget, or when fewer than
95 % of the markets agreed.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

from negotiator.delegation.negotiation import NegotiationOutcome, NegotiationSettings
from negotiator.delegation.negotiation.generate import (
    PENALTY_SHARE,
    START,
    agreement_problems,
    random_market,
)
from negotiator.delegation.negotiation.mechanisms import negotiate_terms
from negotiator.delegation.request import DEFAULT_PREFERENCES
from negotiator.llm.deterministic import DeterministicClient

CLIENT = DeterministicClient()
MIN_AGREEMENT = 0.95


async def _run(mechanism: str, markets: int, top_k: int, seed: int) -> dict[str, Any]:
    settings = NegotiationSettings.model_validate(
        {"mechanism": mechanism, "top_k": top_k, "seed": seed}
    )
    outs: list[NegotiationOutcome] = []
    bad = 0
    began = time.perf_counter()
    for i in range(markets):
        market = random_market(seed + i, top_k, CLIENT)
        out = await negotiate_terms(
            market.task,
            DEFAULT_PREFERENCES,
            PENALTY_SHARE,
            market.candidates,
            delegator_client=CLIENT,
            settings=settings,
            start=START,
        )
        bad += bool(agreement_problems(out, market))
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--markets", type=int, default=1000, help="random markets per mechanism")
    parser.add_argument("--top-k", type=int, default=2, help="bidders negotiated with")
    parser.add_argument("--seed", type=int, default=20261206, help="first market's seed")
    parser.add_argument("--check", action="store_true", help="exit 1 on a broken guarantee")
    args = parser.parse_args()
    report = {
        m: asyncio.run(_run(m, args.markets, args.top_k, args.seed))
        for m in ("bilateral", "mediated")
    }
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        for mechanism, row in report.items():
            print(mechanism, " ".join(f"{k}={v}" for k, v in row.items()))
    broken = [
        m
        for m, r in report.items()
        if r["reservation_violations"] or r["agreement_rate"] < MIN_AGREEMENT
    ]
    if args.check and broken:
        sys.exit(f"negotiation_gain: guarantees broken for {', '.join(broken)}")


if __name__ == "__main__":
    main()
