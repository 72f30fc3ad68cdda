"""``negotiator analyze``: exact Pareto / Nash / Kalai / welfare analysis of a scenario.

Example:
    negotiator analyze --genius tests/bargaining/data/party --json
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from negotiator.bargaining.analysis import analyze
from negotiator.bargaining.domains import Scenario
from negotiator.bargaining.plots import plot_scenario
from negotiator.cli.scenario_args import (
    add_scenario_arguments,
    check_plot_path,
    load_scenario,
    print_report,
)

__all__ = ["add_parser", "report", "run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``analyze`` and its arguments."""
    p = sub.add_parser(
        "analyze",
        help="analyse a bargaining scenario (Pareto frontier, Nash, Kalai, max welfare)",
        description="Exact analysis of a Genius folder, an item-split pair, a generated domain "
        "or the built-in item split (default).",
    )
    add_scenario_arguments(p)
    p.add_argument("--plot", metavar="OUT.png", help="draw outcomes, frontier, Nash and KS points")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _point(scenario: Scenario, outcome: int | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    a = scenario.analysis
    return {
        "outcome": scenario.space.as_dict(outcome),
        "utilities": [round(float(x), 6) for x in a.point(outcome)],
        "normalized": [round(float(x), 6) for x in a.normalized_point(outcome)],
    }


def report(scenario: Scenario) -> dict[str, Any]:
    """The analysis as a JSON-ready dict (raw utilities; normalised beside them)."""
    a = scenario.analysis
    times = []
    for _ in range(5):  # the first call paid numpy's one-off setup; time warm calls
        t0 = time.perf_counter()
        analyze(a.utilities, a.reservation, scale=a.scale)
        times.append(time.perf_counter() - t0)
    return {
        "scenario": scenario.name,
        "outcomes": scenario.space.size,
        "parties": len(scenario.utilities),
        "exact": a.utilities.dtype.kind == "i",
        "pareto_outcomes": len(a.pareto),
        "pareto_size": len(a.frontier),
        "nash": _point(scenario, a.nash),
        "kalai": _point(scenario, a.kalai),
        "max_welfare": _point(scenario, a.max_welfare),
        "max_welfare_sum": round(float(a.point(a.max_welfare).sum()), 6),
        "agreement_zone_empty": a.zone_empty,
        "reservation": [round(float(r), 6) for r in a.point(None)],
        "analysis_ms": round(sorted(times)[2] * 1e3, 3),  # median of five warm runs
    }


def render(data: dict[str, Any], console: Console) -> None:
    """The analysis as two rich tables."""
    head = Table(title=f"scenario {data['scenario']}", show_header=False)
    for key in ("outcomes", "exact", "pareto_outcomes", "pareto_size", "agreement_zone_empty"):
        head.add_row(key.replace("_", " "), str(data[key]))
    head.add_row("reservation", ", ".join(f"{r:g}" for r in data["reservation"]))
    head.add_row("analysis", f"{data['analysis_ms']} ms")
    console.print(head)
    points = Table(title="solution points")
    for col in ("point", "outcome", "utilities", "normalised"):
        points.add_column(col)
    for name in ("nash", "kalai", "max_welfare"):
        p = data[name]
        if p is None:
            points.add_row(name, "— (no agreement zone)", "", "")
            continue
        outcome = ", ".join(f"{k}={v}" for k, v in p["outcome"].items())
        points.add_row(
            name.replace("_", " "),
            outcome,
            ", ".join(f"{x:g}" for x in p["utilities"]),
            ", ".join(f"{x:.3f}" for x in p["normalized"]),
        )
    console.print(points)


def run(args: argparse.Namespace) -> int:
    """Print the analysis (and draw it with ``--plot``)."""
    check_plot_path(args.plot)
    scenario = load_scenario(args)
    data = report(scenario)
    if args.plot:
        plot_scenario(scenario, args.plot)
    print_report(args, data, render)
    return 0
