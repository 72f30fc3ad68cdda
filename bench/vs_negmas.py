"""Bilateral bargaining speed and deal quality: negotiator against NegMAS 0.16, same negotiations.

NegMAS is AGPL-3.0, so it is never a dependency of negotiator: install it beside the project, in a
separate virtual environment, only to run this benchmark::

    python3 -m venv .venv-negmas
    .venv-negmas/bin/pip install negmas==0.16.0        # about 790 MB with its dependencies
    .venv-negmas/bin/pip install -e .                  # or the extra: .[bench-negmas]
    .venv-negmas/bin/python bench/vs_negmas.py [--n 500] [--json]

Without ``negmas`` importable the script runs negotiator's side alone and says so.

**Batch mode** (always on): the same negotiations again through negotiator's vectorised batch
engine (:func:`negotiator.bargaining.batch.run_arrays`: every negotiation of a pairing advances one
message per numpy step). The two sides' utility matrices are stacked and sorted once and shared by
the four pairings (that preparation's CPU time is split evenly between them, and printed); each
pairing's batch is run three times and the median CPU time counts. Before the batch runs the heap
is frozen (``gc.freeze()``): otherwise Python's cyclic collector rescans the objects NegMAS left in
the process while negotiator's batch allocates its arrays. The batch must reach exactly the
agreements of the one-at-a-time runs (checked, printed). NegMAS has no batch runner, so its figure
for the same batch is its one-at-a-time rate measured above in the same process. The last line is
``min batch speedup over negmas: X``, after ``min speedup over negmas: Y``.

What runs: ``--n`` (500) bilateral negotiations per pairing (boulware–conceder,
boulware–tit-for-tat, linear–linear, boulware–boulware), alternating offers with a 100-round
deadline, on the generated domain: 3 categorical issues × 10 values (1,000 outcomes); for
negotiation ``i`` a ``numpy.random.default_rng(seed + i)`` (seed 20240601) draws, for each party
in turn, Dirichlet(1, 1, 1) weights and per issue 10 uniform values rescaled to span exactly
[0, 1]; reservation value 0 (``negotiator.bargaining.domains.random_tables``).

Fairness: both toolkits start from the same drawn numbers, and each builds its own utility
objects, negotiators and mechanism inside the timed region. Time is the process CPU time (the
cores are shared; CPU time is less distorted by other load than wall time), and the two
toolkits run in alternating blocks of 25 negotiations so that load changes hit both alike. Both
toolkits' agreements are scored by the same code (``negotiator.bargaining.analysis``): welfare
is the sum of the two utilities (0 + 0 without agreement), distances are Euclidean in utility
space to the nearest Pareto point and to the Nash point (a failed negotiation is measured at the
reservation point). Rounds: negotiator's rounds begun; NegMAS's ``state.step``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from statistics import median
from typing import Any

import numpy as np

from negotiator.bargaining.analysis import ScenarioAnalysis, analyze
from negotiator.bargaining.batch import BatchSide, run_arrays
from negotiator.bargaining.domains import PartyTables, random_tables
from negotiator.bargaining.issues import SpaceLayout
from negotiator.bargaining.negotiators import OutcomeNegotiator
from negotiator.bargaining.protocols import Negotiation
from negotiator.bargaining.strategies import concession
from negotiator.bargaining.utility import additive_space

SEED = 20240601
ROUNDS = 100
ISSUES, VALUES = 3, 10
BLOCK = 25
PAIRINGS = [
    ("boulware", "conceder"),
    ("boulware", "tit-for-tat"),
    ("linear", "linear"),
    ("boulware", "boulware"),
]
NEGMAS_NAMES = {
    "boulware": "BoulwareTBNegotiator",
    "conceder": "ConcederTBNegotiator",
    "linear": "LinearTBNegotiator",
    "tit-for-tat": "NaiveTitForTatNegotiator",
}
LAYOUT = SpaceLayout.of_shape((VALUES,) * ISSUES)

Runner = Callable[[list[PartyTables], str, str], tuple[int | None, int]]


def run_ours(draw: list[PartyTables], first: str, second: str) -> tuple[int | None, int]:
    """One negotiation with negotiator; returns (agreed outcome index or None, rounds)."""
    parties = []
    for (weights, tables), name in zip(draw, (first, second), strict=True):
        u = additive_space([w * t for w, t in zip(weights, tables, strict=True)])
        parties.append(OutcomeNegotiator(u, LAYOUT, 0.0, concession(name)))
    result = Negotiation("alternating", parties, ROUNDS).run()
    return result.agreement, result.rounds


class NegmasSide:
    """Builds and runs the same negotiation with NegMAS (imported only if installed)."""

    def __init__(self) -> None:
        import negmas  # noqa: PLC0415 - optional, AGPL: imported only when installed

        self.nm = negmas
        self.names = [f"v{j}" for j in range(VALUES)]
        issues = [negmas.make_issue(self.names, name=f"i{k}") for k in range(ISSUES)]
        self.space = negmas.make_os(issues)

    def run(self, draw: list[PartyTables], first: str, second: str) -> tuple[int | None, int]:
        """One negotiation with NegMAS; returns (agreed outcome index or None, last step)."""
        nm = self.nm
        mechanism = nm.SAOMechanism(outcome_space=self.space, n_steps=ROUNDS)
        for (weights, tables), name in zip(draw, (first, second), strict=True):
            ufun = nm.LinearAdditiveUtilityFunction(
                values=[dict(zip(self.names, t.tolist(), strict=True)) for t in tables],
                weights=weights.tolist(),
                outcome_space=self.space,
                reserved_value=0.0,
            )
            mechanism.add(getattr(nm, NEGMAS_NAMES[name])(ufun=ufun))
        state = mechanism.run()
        if state.agreement is None:
            return None, int(state.step)
        index = np.ravel_multi_index([int(v[1:]) for v in state.agreement], (VALUES,) * ISSUES)
        return int(index), int(state.step)


def scenario_analysis(draw: list[PartyTables]) -> ScenarioAnalysis:
    """Exact analysis of one drawn scenario (the same code scores both toolkits)."""
    matrix = np.vstack(
        [additive_space([w * t for w, t in zip(ws, ts, strict=True)]) for ws, ts in draw]
    )
    return analyze(matrix, [0.0, 0.0])


def summarise(
    results: list[tuple[int | None, int]], analyses: list[ScenarioAnalysis], seconds: float
) -> dict[str, float]:
    """Speed and quality figures of one toolkit on one pairing."""
    welfare, pareto, nash = [], [], []
    for (agreement, _), a in zip(results, analyses, strict=True):
        point = a.point(agreement)
        welfare.append(float(point.sum()))
        pareto.append(a.pareto_distance(point))
        nash.append(a.nash_distance(point))
    return {
        "negotiations_per_s": len(results) / seconds,
        "agreement_rate": float(np.mean([r[0] is not None for r in results])),
        "mean_rounds": float(np.mean([r[1] for r in results])),
        "mean_welfare": float(np.mean(welfare)),
        "mean_pareto_distance": float(np.mean(pareto)),
        "mean_nash_distance": float(np.mean(nash)),
    }


def run_pairing(
    runners: dict[str, Runner], draws: list[list[PartyTables]], pair: tuple[str, str]
) -> dict[str, list[Any]]:
    """Run every toolkit on every draw, alternating blocks; returns results and CPU seconds."""
    out: dict[str, list[Any]] = {name: [[], 0.0] for name in runners}
    for start in range(0, len(draws), BLOCK):
        block = draws[start : start + BLOCK]
        for name, runner in runners.items():
            t0 = time.process_time()
            res = [runner(d, *pair) for d in block]
            out[name][1] += time.process_time() - t0
            out[name][0].extend(res)
    return out


def batch_sides(draws: list[list[PartyTables]]) -> tuple[BatchSide, BatchSide]:
    """Both sides' utility matrices, built for the whole batch at once (the same sums as
    ``additive_space``, in the same order) and sorted once: shared by every pairing."""
    sides = []
    for k in range(2):
        weights = np.array([d[k][0] for d in draws])  # (n, issues)
        tables = np.array([d[k][1] for d in draws]) * weights[:, :, None]  # (n, issues, values)
        u = tables[:, 0, :, None, None] + tables[:, 1, None, :, None]
        u = (u + tables[:, 2, None, None, :]).reshape(len(draws), -1)
        side = BatchSide(u, np.zeros(len(draws)), np.ones(len(draws)), (0,) * ISSUES)
        side.prepare(LAYOUT)  # the shared sort and search index, inside the timed region
        sides.append(side)
    return sides[0], sides[1]


def run_batches(
    draws: list[list[PartyTables]], reference: dict[str, list[int | None]]
) -> tuple[dict[str, dict[str, float | bool]], float]:
    """Every pairing through the batch engine: CPU-time rate and identity with one at a time,
    and the CPU milliseconds of the preparation the pairings share."""
    t0 = time.process_time()
    sides = batch_sides(draws)
    prepared = time.process_time() - t0
    shared = prepared / len(PAIRINGS)
    out: dict[str, dict[str, float | bool]] = {}
    for pair in PAIRINGS:
        times, results = [], []
        for _ in range(3):
            t0 = time.process_time()
            results = run_arrays(LAYOUT, sides, pair[0], pair[1], ROUNDS)
            times.append(time.process_time() - t0)
        key = "–".join(pair)
        out[key] = {
            "negotiations_per_s": len(draws) / (median(times) + shared),
            "identical": [r[0] for r in results] == reference[key],
        }
    return out, prepared * 1e3


def analysis_timing(draw: list[PartyTables], repeats: int = 200) -> float:
    """Median milliseconds of the full exact analysis of one 1,000-outcome scenario."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        scenario_analysis(draw)
        times.append(time.perf_counter() - t0)
    return median(times) * 1e3


def main() -> None:
    """Parse arguments, run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="negotiations per pairing")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    runners: dict[str, Runner] = {"negotiator": run_ours}
    try:
        negmas_side = NegmasSide()
        runners["negmas"] = negmas_side.run
    except ImportError:
        negmas_side = None
    draws = [
        random_tables(np.random.default_rng(args.seed + i), 2, ISSUES, VALUES)
        for i in range(args.n)
    ]
    analyses = [scenario_analysis(d) for d in draws]
    for runner in runners.values():  # warm-up: lazy imports, first-call caches
        for d in draws[:3]:
            runner(d, "boulware", "conceder")

    load_before = os.getloadavg()
    report: dict[str, Any] = {"n": args.n, "seed": args.seed, "negmas": negmas_side is not None}
    report["pairings"] = {}
    speedups = []
    raw_results: dict[tuple[str, str], list[tuple[int | None, int]]] = {}
    for pair in PAIRINGS:
        raw = run_pairing(runners, draws, pair)
        raw_results[pair] = raw["negotiator"][0]
        entry = {name: summarise(res, analyses, sec) for name, (res, sec) in raw.items()}
        if "negmas" in entry:
            ratio = (
                entry["negotiator"]["negotiations_per_s"] / entry["negmas"]["negotiations_per_s"]
            )
            entry["speed_ratio"] = ratio
            speedups.append(ratio)
        report["pairings"]["–".join(pair)] = entry
    reference = {"–".join(pair): [r[0] for r in raw_results[pair]] for pair in PAIRINGS}
    gc.collect()
    gc.freeze()  # the batch timing should not rescan the heap both toolkits have built so far
    batch, report["batch_preparation_ms"] = run_batches(draws, reference)
    batch_speedups = []
    for key, entry in batch.items():
        if "negmas" in report["pairings"][key]:
            ratio = (
                float(entry["negotiations_per_s"])
                / report["pairings"][key]["negmas"]["negotiations_per_s"]
            )
            entry["speed_ratio"] = ratio
            batch_speedups.append(ratio)
    report["batch"] = batch
    report["min_batch_speedup"] = min(batch_speedups) if batch_speedups else None
    report["analysis_ms"] = analysis_timing(draws[0])
    report["load_average"] = {"before": load_before, "after": os.getloadavg()}
    report["min_speedup"] = min(speedups) if speedups else None
    print(json.dumps(report) if args.json else render(report))


def render(report: dict[str, Any]) -> str:
    """The human-readable table; the last line is the minimum speed-up."""
    lines = [
        f"{report['n']} negotiations per pairing, seed {report['seed']}, {ROUNDS} rounds, "
        f"{VALUES**ISSUES} outcomes; CPU-time based",
    ]
    if not report["negmas"]:
        lines.append("negmas is not installed: running negotiator alone (see the docstring)")
    cols = ("neg/s", "agree", "rounds", "welfare", "pareto", "nash")
    header = f"{'pairing':24} {'toolkit':10} " + " ".join(f"{c:>8}" for c in cols)
    lines.append(header)
    for pairing, entry in report["pairings"].items():
        for toolkit in ("negotiator", "negmas"):
            if toolkit not in entry:
                continue
            e = entry[toolkit]
            figures = (
                f"{e['negotiations_per_s']:8.1f} {e['agreement_rate']:8.3f} "
                f"{e['mean_rounds']:8.1f} {e['mean_welfare']:8.3f} "
                f"{e['mean_pareto_distance']:8.4f} {e['mean_nash_distance']:8.3f}"
            )
            lines.append(f"{pairing:24} {toolkit:10} {figures}")
        if "speed_ratio" in entry:
            lines.append(f"{pairing:24} speed ratio {entry['speed_ratio']:.1f}x")
    load = report["load_average"]
    lines.append(f"analysis of one 1,000-outcome scenario: {report['analysis_ms']:.2f} ms (median)")
    lines.append(f"load average before {load['before'][0]:.2f}, after {load['after'][0]:.2f}")
    lines.append(
        f"batch preparation (utilities, sort, search index; shared by the pairings): "
        f"{report['batch_preparation_ms']:.1f} ms"
    )
    for key, entry in report["batch"].items():
        ratio = f"{entry['speed_ratio']:.1f}x" if "speed_ratio" in entry else "n/a"
        same = "identical" if entry["identical"] else "DIFFERENT"
        lines.append(
            f"{key:24} batch      {entry['negotiations_per_s']:8.1f} neg/s, speed ratio {ratio},"
            f" agreements {same} to one at a time"
        )
    for label, key in (("min speedup", "min_speedup"), ("min batch speedup", "min_batch_speedup")):
        best = report[key]
        lines.append(
            f"{label} over negmas: {best:.1f}"
            if best is not None
            else f"{label} over negmas: n/a (negmas not installed)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
