"""Per-delegation overhead: one whole delegation, in memory, with the deterministic model.

Usage: ``python bench/delegation_overhead.py [--json] [--runs N] [--scenario NAME]``

Times ``negotiator.delegate`` end to end on a demo scenario (five bidders, clarification, sealed
bids, award, contract, monitoring, settlement) with no model and no disk: what the library and
the graph runtime cost per delegation. The first run (imports, caches) is reported apart; the
figure is the median of the following runs. Only the public API is used, so an older checkout's
interpreter can run this file too and the two figures compare (same machine, same load).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from negotiator import DelegationRequest, SimulatedExecutor, delegate, demo_setup
from negotiator.delegation.clock import FixedClock


def one_delegation(scenario: str, request: DelegationRequest | None = None) -> float:
    """Seconds for one in-memory delegation of ``scenario`` (its request, or ``request``)."""
    setup = demo_setup(scenario)
    start = time.perf_counter()
    outcome = delegate(
        request or setup.request,
        bidders=setup.bidders,
        executor=SimulatedExecutor(setup.script, 7),
        clock=FixedClock(setup.start),
        funding=setup.funding,
        runs_dir=None,
        run_id="bench",
    )
    seconds = time.perf_counter() - start
    assert outcome.ledger_balanced
    return seconds


def measure(scenario: str, runs: int) -> dict[str, object]:
    """First-run and median per-delegation seconds."""
    first = one_delegation(scenario)
    times = [one_delegation(scenario) for _ in range(runs)]
    return {
        "scenario": scenario,
        "runs": runs,
        "first_run_seconds": round(first, 4),
        "median_seconds": round(statistics.median(times), 4),
        "min_seconds": round(min(times), 4),
    }


def main() -> None:
    """Print the figures (a line, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=20, help="timed delegations (median)")
    parser.add_argument("--scenario", default="success", help="demo scenario")
    args = parser.parse_args()
    figures = measure(args.scenario, args.runs)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{args.scenario}: median {figures['median_seconds']} s per delegation over "
            f"{args.runs} runs (first run {figures['first_run_seconds']} s)"
        )


if __name__ == "__main__":
    main()
