"""Per-scenario cost of a batched tournament on small scenarios (≤ 64 outcomes), stage by stage.

Scenarios: ``--n`` item-split preference pairs (:func:`negotiator.bargaining.synthetic_pairs`,
style ``values``: 16–36 outcomes, points) and ``--n`` generated scenarios with 2 issues × 8
values (64 outcomes). Stages, each in CPU microseconds per scenario (median of ``--runs``):

* ``build`` — the :class:`~negotiator.bargaining.Scenario` objects (the item-split pairs are
  drawn once beforehand);
* ``analysis`` — every scenario's exact analysis and normalised utilities, computed together
  by :func:`negotiator.bargaining.analyze_many` as a batched tournament does (same-sized
  scenarios stacked, a handful of numpy calls per group; before, each scenario was analysed on
  its own, about 40 numpy calls each) and cached on each scenario: every later pairing and score
  reuses them;
* ``batch preparation`` — stacking scenarios of one shape and sorting and indexing their
  utilities (:func:`negotiator.bargaining.batch.batch_groups`; once, shared by every pairing);
* ``run`` — one pairing through the batch engine at 20 rounds, per pairing;
* ``scoring`` — each result's figures (:meth:`ScenarioAnalysis.score`, which now reuses each
  analysis's normalised Nash point), per pairing.

    python bench/batch_overhead.py [--n 1000] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from statistics import median
from typing import Any

from negotiator.bargaining import (
    ItemSplitPair,
    Scenario,
    analyze_many,
    generated_scenario,
    run_batch,
    synthetic_pairs,
)
from negotiator.bargaining.batch import Group, batch_groups

ROUNDS = 20
PAIRINGS = (("boulware", "conceder"), ("pareto", "pareto"))


def scenarios(pairs: list[ItemSplitPair], seed: int) -> list[Scenario]:
    """The item splits and as many generated 64-outcome scenarios, fresh (nothing cached)."""
    splits = [p.scenario() for p in pairs]
    return splits + [generated_scenario(seed + i, 2, 8) for i in range(len(pairs))]


def cpu(fn: Callable[[], object]) -> float:
    """CPU seconds of one call."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def one_run(pairs: list[ItemSplitPair], seed: int) -> dict[str, float]:
    """CPU seconds of every stage on fresh scenarios."""
    out: dict[str, float] = {}
    made: list[Scenario] = []
    out["build"] = cpu(lambda: made.extend(scenarios(pairs, seed)))
    out["analysis"] = cpu(lambda: analyze_many(made))
    groups: list[Group] = []
    out["batch preparation"] = cpu(lambda: groups.extend(batch_groups(made)))
    for first, second in PAIRINGS:
        results: list[tuple[int | None, int]] = []
        key = f"{first}–{second}"
        out[f"run {key}"] = cpu(
            lambda: results.extend(run_batch(made, first, second, ROUNDS, groups=groups))  # noqa: B023
        )
        out[f"scoring {key}"] = cpu(
            lambda: [s.analysis.score(a) for s, (a, _) in zip(made, results, strict=True)]  # noqa: B023
        )
    return out


def main() -> None:
    """Parse arguments, run the stages and print microseconds per scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="scenarios of each kind")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    pairs = synthetic_pairs("values", args.n, args.seed)  # drawn once, outside the timings
    runs = [one_run(pairs, args.seed) for _ in range(args.runs)]
    count = 2 * args.n
    report: dict[str, Any] = {
        "scenarios": count,
        "rounds": ROUNDS,
        "us_per_scenario": {k: median(r[k] for r in runs) / count * 1e6 for k in runs[0]},
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"{count} scenarios of ≤ 64 outcomes, {ROUNDS} rounds; CPU µs per scenario (median)")
    for stage, us in report["us_per_scenario"].items():
        print(f"{stage:32} {us:8.1f}")


if __name__ == "__main__":
    main()
