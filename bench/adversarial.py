"""The adversarial suite: a figure per area, all zeros where zero is the goal.

Usage: ``python bench/adversarial.py [--json] [--quick] [--seed S] [--workers N]``

Areas (each module's docstring says exactly what is attacked and counted):

* ``wire`` (:mod:`adversarial_fuzz`) — fuzzed wire objects of every kind through
  ``validate_raw``: tracebacks 0, invalid objects accepted 0;
* ``hostile`` (:mod:`adversarial_hostile`) — hostile models, OpenAI-compatible servers, bidders
  and reports: award or payment changed 0, aborted runs 0;
* ``delegations`` (:mod:`adversarial_runs`) — random delegations with random, often short,
  funding: negative wallets 0, money left in escrow at the end 0, double settlements 0;
* ``kills`` (:mod:`adversarial_kills`) — crashes at random points, then resume: resumes that
  differ from the uninterrupted run 0 (plus a few real ``SIGKILL`` s of ``negotiator demo``);
* ``shared_books`` (:mod:`adversarial_runs`) — concurrent runs on one ledger file, funded for
  about two of them (asyncio tasks, threads, processes): negative wallets 0;
* ``canary`` (:mod:`adversarial_canary`) — a key canary through every file a run writes and
  everything it prints: leaks 0.

The default counts meet the issue's minimums (1,000 objects per wire kind, 1,000 delegations,
50 kills); ``--quick`` runs a small slice (what the test suite runs). Exit status 1 when any
goal figure is not zero.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import adversarial_canary
import adversarial_fuzz
import adversarial_hostile
import adversarial_kills
import adversarial_runs

#: area -> the figures that must be zero.
GOALS: dict[str, tuple[str, ...]] = {
    "wire": ("tracebacks", "invalid_accepted"),
    "hostile": ("award_or_payment_changed", "aborted", "negative_wallets", "left_in_escrow"),
    "delegations": (
        "negative_wallets",
        "left_in_escrow",
        "double_settlements",
        "aborted",
        "unbalanced",
    ),
    "kills": ("resume_differs",),
    "process_kills": ("resume_differs",),
    "shared_books": ("negative_wallets", "left_in_escrow", "aborted", "unbalanced"),
    "canary": ("leaks",),
}

FULL = {"per_kind": 1000, "delegations": 1000, "kills": 50, "process_kills": 3, "threads": 8}
QUICK = {"per_kind": 40, "delegations": 30, "kills": 4, "process_kills": 0, "threads": 4}


def _delegations_chunk(args: tuple[int, int]) -> dict[str, int]:
    count, seed = args
    return adversarial_runs.random_delegations(count, seed=seed)


def delegations(count: int, seed: int, workers: int) -> dict[str, int]:
    """``count`` random delegations split over ``workers`` processes; counts summed."""
    if workers <= 1:
        return adversarial_runs.random_delegations(count, seed=seed)
    shares = [count // workers + (1 if i < count % workers else 0) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_delegations_chunk, [(n, seed * 100 + i) for i, n in enumerate(shares)])
    return {k: sum(p[k] for p in parts) for k in parts[0]}


def run(sizes: dict[str, int], seed: int, workers: int) -> dict[str, Any]:
    """Every area, timed; returns ``{area: figures}``."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        areas: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("wire", lambda: adversarial_fuzz.fuzz_wire(sizes["per_kind"], seed)),
            ("hostile", adversarial_hostile.hostile),
            ("delegations", lambda: delegations(sizes["delegations"], seed, workers)),
            ("kills", lambda: adversarial_kills.kills(sizes["kills"], _dir(tmp, "k"), seed)),
            (
                "process_kills",
                lambda: adversarial_kills.process_kills(
                    sizes["process_kills"], _dir(tmp, "p"), seed
                ),
            ),
            (
                "shared_books",
                lambda: adversarial_runs.shared_books(
                    _dir(tmp, "s"), threads=sizes["threads"], tasks=12, processes=workers + 1
                ),
            ),
            ("canary", lambda: adversarial_canary.canary(_dir(tmp, "c"))),
        ]
        for name, area in areas:
            start = time.perf_counter()
            figures = area()
            out[name] = figures | {"seconds": round(time.perf_counter() - start, 1)}
    return out


def _dir(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.mkdir(exist_ok=True)
    return path


def failures(results: dict[str, Any]) -> list[str]:
    """Every goal figure that is not zero, as ``area.figure = value``."""
    return [
        f"{area}.{name} = {results[area][name]}"
        for area, names in GOALS.items()
        for name in names
        if area in results and results[area].get(name, 0) != 0
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the figures (a table, or one JSON object with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a small slice (seconds)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="processes for the delegations")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    start = time.perf_counter()
    results = run(sizes, args.seed, args.workers)
    report = {
        "sizes": sizes,
        "areas": results,
        "failures": failures(results),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        for area, figures in results.items():
            shown = ", ".join(
                f"{k} {v}" for k, v in figures.items() if not isinstance(v, list | dict)
            )
            print(f"{area:14} {shown}")
        print(f"failures: {report['failures'] or 'none'}; {report['seconds']} s")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
