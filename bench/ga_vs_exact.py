"""GA mediator against exhaustive enumeration: quality gap and the time crossover.

For growing spaces (4 attributes, 1 counterpart, 2^8 .. 2^20 ≈ 10^6 outcomes; ``--max-bits``
goes further) several seeded random spaces are mediated by the GA (fixed budget: population
100, 100 generations, restart after 20 without improvement, random crossover point, penalty 2,
final local search from the 30 best) and solved exactly by blockwise vectorised enumeration, at
two deal zones D. Per size it prints the median wall time of each, the GA's relative gap to the
exact best utility sum within D (mean, max, share within 1 %) and to the exact best within the
GA's own δ, the same for the pure GA of the seed (no restarts, no final local search), and the
first size at which the GA is faster than enumeration.

Usage: ``python bench/ga_vs_exact.py [--json] [--spaces N] [--seeds N] [--max-bits B]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from typing import Any

import numpy as np

from negotiator.mediation.exact import exact_best, gap
from negotiator.mediation.ga import GAConfig
from negotiator.mediation.generate import random_space
from negotiator.mediation.mediator import mediate

CONFIG = GAConfig(population=100, generations=100, restart_after=20, penalty=2.0, polish=30)
#: The seed's GA alone: no restarts, no final local search (same budget otherwise).
PURE = dataclasses.replace(CONFIG, restart_after=None, polish=0)
DEAL_ZONES = (0.1, 1.0)
ATTRIBUTES = 4


def _bits(total: int) -> list[int]:
    base, extra = divmod(total, ATTRIBUTES)
    return [base + (1 if i < extra else 0) for i in range(ATTRIBUTES)]


def _row(total_bits: int, spaces: int, seeds: int) -> dict[str, Any]:
    ga_times: list[float] = []
    exact_times: list[float] = []
    gaps: list[float] = []
    delta_gaps: list[float] = []
    pure_gaps: list[float] = []
    evaluations: list[int] = []
    for k in range(spaces):
        space = random_space(np.random.default_rng(1000 + k), _bits(total_bits))
        for zone in DEAL_ZONES:
            start = time.perf_counter()
            exact = exact_best(space, zone)
            exact_times.append(time.perf_counter() - start)
            if exact.best is None:
                continue
            for seed in range(seeds):
                start = time.perf_counter()
                found = mediate(space, zone, CONFIG, np.random.default_rng(seed), list_size=1)
                ga_times.append(time.perf_counter() - start)
                evaluations.append(found.evaluations)
                total = found.chosen.total if found.chosen is not None else 0.0
                gaps.append(gap(total, exact.best.total))
                if found.delta is not None:
                    at_delta = exact_best(space, found.delta).best
                    assert at_delta is not None
                    delta_gaps.append(gap(total, at_delta.total))
                plain = mediate(space, zone, PURE, np.random.default_rng(seed), list_size=1)
                plain_total = plain.chosen.total if plain.chosen is not None else 0.0
                pure_gaps.append(gap(plain_total, exact.best.total))
    return {
        "outcomes": 1 << total_bits,
        "bits": total_bits,
        "exact_seconds": statistics.median(exact_times),
        "ga_seconds": statistics.median(ga_times),
        "ga_evaluations": int(statistics.median(evaluations)),
        "gap_mean": float(np.mean(gaps)),
        "gap_max": float(np.max(gaps)),
        "within_1_percent": float(np.mean(np.array(gaps) <= 0.01)),
        "gap_at_delta_max": float(np.max(delta_gaps)),
        "pure_ga_gap_max": float(np.max(pure_gaps)),
        "pure_ga_within_1_percent": float(np.mean(np.array(pure_gaps) <= 0.01)),
        "runs": len(gaps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--spaces", type=int, default=3, help="random spaces per size")
    parser.add_argument("--seeds", type=int, default=3, help="GA seeds per space and zone")
    parser.add_argument("--min-bits", type=int, default=8, help="smallest space is 2^B")
    parser.add_argument("--max-bits", type=int, default=20, help="largest space is 2^B")
    args = parser.parse_args()
    rows = [_row(b, args.spaces, args.seeds) for b in range(args.min_bits, args.max_bits + 1)]
    crossover = next((r["outcomes"] for r in rows if r["ga_seconds"] < r["exact_seconds"]), None)
    up_to_1e6 = [r for r in rows if int(r["outcomes"]) <= 1 << 20]
    summary = {
        "config": {
            "population": CONFIG.population,
            "generations": CONFIG.generations,
            "stall_generations": CONFIG.stall_generations,
            "penalty": CONFIG.penalty,
        },
        "deal_zones": list(DEAL_ZONES),
        "rows": rows,
        "crossover_outcomes": crossover,
        "max_gap_up_to_1e6": max(float(r["gap_max"]) for r in up_to_1e6),
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(
        f"{'outcomes':>10} {'exact ms':>9} {'GA ms':>8} {'GA evals':>9} {'gap mean':>9} "
        f"{'gap max':>8} {'<=1%':>5} {'max@δ':>7} {'pure max':>9} {'pure<=1%':>8}"
    )
    for r in rows:
        print(
            f"{r['outcomes']:>10} {r['exact_seconds'] * 1e3:>9.2f} "
            f"{r['ga_seconds'] * 1e3:>8.2f} {r['ga_evaluations']:>9} "
            f"{r['gap_mean']:>9.3%} {r['gap_max']:>8.3%} {r['within_1_percent']:>5.0%} "
            f"{r['gap_at_delta_max']:>7.3%} {r['pure_ga_gap_max']:>9.3%} "
            f"{r['pure_ga_within_1_percent']:>8.0%}"
        )
    print(f"GA faster than enumeration from: {crossover or 'not reached'} outcomes")
    print(f"largest GA gap up to 10^6 outcomes: {summary['max_gap_up_to_1e6']:.3%}")


if __name__ == "__main__":
    main()
