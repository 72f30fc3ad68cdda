"""``negotiator analyze``: exact Pareto / Nash / Kalai / welfare analysis of a scenario.

Example:
    negotiator analyze --genius tests/bargaining/data/party --json
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from negotiator.bargaining.analysis import analyze
from negotiator.bargaining.domains import Scenario, generated_scenario
from negotiator.bargaining.genius import read_genius_folder

__all__ = ["add_parser", "load_scenario", "report", "run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``analyze`` and its arguments."""
    p = sub.add_parser(
        "analyze",
        help="analyse a bargaining scenario (Pareto frontier, Nash, Kalai, max welfare)",
        description="Exact analysis of a Genius scenario folder or a generated domain.",
    )
    add_scenario_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def add_scenario_arguments(p: argparse.ArgumentParser) -> None:
    """The scenario source shared by ``analyze`` and ``negotiate``."""
    p.add_argument("--genius", metavar="DIR", help="Genius folder: one domain + profiles")
    p.add_argument("--seed", type=int, default=20240601, help="seed of the generated domain")
    p.add_argument("--issues", type=int, default=3, help="generated domain: issues")
    p.add_argument("--values", type=int, default=10, help="generated domain: values per issue")
    p.add_argument("--levels", type=int, default=11, help="sample points of a real issue")


def load_scenario(args: argparse.Namespace) -> Scenario:
    """The Genius folder if given, else the generated domain.

    Raises:
        InvalidInputError: for a bad folder or file (file, element, reason).
    """
    if args.genius:
        return read_genius_folder(args.genius, levels=args.levels)
    return generated_scenario(args.seed, args.issues, args.values)


def report(scenario: Scenario) -> dict[str, Any]:
    """The analysis as a JSON-ready dict (utilities rounded to 6 places)."""
    a = scenario.analysis
    times = []
    for _ in range(5):  # the first call above paid numpy's one-off setup; time warm calls
        t0 = time.perf_counter()
        analyze(a.utilities, a.reservation)
        times.append(time.perf_counter() - t0)
    ms = sorted(times)[2] * 1e3

    def point(i: int | None) -> list[float] | None:
        return None if i is None else [round(float(x), 6) for x in a.utilities[:, i]]

    return {
        "scenario": scenario.name,
        "outcomes": scenario.space.size,
        "parties": len(scenario.utilities),
        "pareto_size": len(a.frontier),
        "nash": point(a.nash),
        "nash_outcome": None if a.nash is None else scenario.space.as_dict(a.nash),
        "kalai": point(a.kalai),
        "max_welfare": point(a.max_welfare),
        "max_welfare_sum": round(float(a.utilities[:, a.max_welfare].sum()), 6),
        "agreement_zone_empty": a.zone_empty,
        "reservation": [round(float(r), 6) for r in a.reservation],
        "analysis_ms": round(ms, 3),  # median of five warm runs
    }


def run(args: argparse.Namespace) -> int:
    """Print the analysis."""
    data = report(load_scenario(args))
    if args.json:
        print(json.dumps(data))
        return 0
    for key, value in data.items():
        print(f"{key:22} {value}")
    return 0
