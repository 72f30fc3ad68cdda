"""``negotiator negotiate``: run one bilateral negotiation and score its outcome.

Example:
    negotiator negotiate --first pareto --second boulware --rounds 20 --json
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from negotiator.bargaining.acceptance import ACCEPTANCE_PRESETS, acceptance
from negotiator.bargaining.agents import AGENTS, DEFAULT_AGENT
from negotiator.bargaining.domains import Scenario, bilateral
from negotiator.bargaining.plots import plot_scenario
from negotiator.bargaining.protocols import PROTOCOLS, Negotiation, NegotiationResult
from negotiator.cli.scenario_args import (
    MAX_ROUNDS,
    add_scenario_arguments,
    check_plot_path,
    check_rounds,
    load_scenario,
    print_report,
)
from negotiator.errors import lookup

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``negotiate`` and its arguments."""
    p = sub.add_parser(
        "negotiate",
        help="run a bilateral negotiation between two numeric agents",
        description="Two agents bargain over a scenario (the built-in item split by default); "
        "prints the trace and the outcome with utilities, Pareto status and distances.",
    )
    names = ", ".join(sorted(AGENTS))
    p.add_argument("--first", default=DEFAULT_AGENT, help=f"agent of party 0 ({names})")
    p.add_argument("--second", default=DEFAULT_AGENT, help=f"agent of party 1 ({names})")
    p.add_argument("--protocol", default="alternating", help=", ".join(sorted(PROTOCOLS)))
    p.add_argument("--rounds", type=int, default=None, help="round deadline")
    p.add_argument(
        "--accept",
        default=None,
        help=f"acceptance replacing the agents' own ({', '.join(sorted(ACCEPTANCE_PRESETS))})",
    )
    p.add_argument("--max-rounds", type=int, default=MAX_ROUNDS, help="refuse longer deadlines")
    add_scenario_arguments(p)
    p.add_argument("--plot", metavar="OUT.png", help="draw the offers on the outcome space")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the negotiation and print trace and outcome.

    Raises:
        UnknownKeyError: for an unknown agent, protocol or acceptance name.
        InvalidInputError: for a bad scenario source or a size above the guards.
    """
    rules = lookup(PROTOCOLS, args.protocol, "protocol")
    rounds = rules.default_rounds if args.rounds is None else args.rounds
    check_rounds(rounds, args.max_rounds)
    check_plot_path(args.plot)
    scenario = load_scenario(args)
    accept = None if args.accept is None else acceptance(args.accept)
    parties = bilateral(scenario, args.first, args.second, accept)
    result: NegotiationResult[int] = Negotiation(rules, parties, rounds).run()
    result = scenario.scored(result)
    data = summary(scenario, result)
    if args.plot:
        plot_scenario(scenario, args.plot, result.trace, result.agreement)
    print_report(args, data, render)
    return 0


def _offer(scenario: Scenario, offer: int | None) -> dict[str, Any] | None:
    return None if offer is None else scenario.space.as_dict(offer)


def summary(scenario: Scenario, result: NegotiationResult[int]) -> dict[str, Any]:
    """The negotiation as a JSON-ready dict."""
    s = result.scores
    assert s is not None  # scored above
    return {
        "scenario": scenario.name,
        "protocol": result.protocol,
        "status": str(result.status),
        "rounds": result.rounds,
        "messages": result.messages,
        "agreement": _offer(scenario, result.agreement),
        "utilities": [round(x, 6) for x in s.utilities],
        "normalized": [round(x, 6) for x in s.normalized],
        "welfare": round(s.welfare, 6),
        "pareto_optimal": s.pareto,
        "pareto_distance": round(s.pareto_distance, 6),
        "nash_distance": None if s.nash_distance != s.nash_distance else round(s.nash_distance, 6),
        "trace": [
            {
                "round": e.round_no,
                "party": e.party,
                "message": str(e.message),
                "offer": _offer(scenario, e.offer),
            }
            for e in result.trace
        ],
    }


def render(data: dict[str, Any], console: Console) -> None:
    """The trace and the outcome as rich tables."""
    trace = Table(title=f"{data['protocol']} on {data['scenario']}")
    for col in ("round", "party", "message", "offer"):
        trace.add_column(col)
    for step in data["trace"]:
        offer = step["offer"] or {}
        trace.add_row(
            str(step["round"]),
            str(step["party"]),
            step["message"],
            ", ".join(f"{k}={v}" for k, v in offer.items()),
        )
    console.print(trace)
    out = Table(title="outcome", show_header=False)
    agreement = data["agreement"] or {}
    out.add_row("status", f"{data['status']} after {data['rounds']} round(s)")
    out.add_row("agreement", ", ".join(f"{k}={v}" for k, v in agreement.items()) or "—")
    out.add_row("utilities", ", ".join(f"{x:g}" for x in data["utilities"]))
    out.add_row("normalised", ", ".join(f"{x:.3f}" for x in data["normalized"]))
    out.add_row("Pareto-optimal", "yes" if data["pareto_optimal"] else "no")
    out.add_row("Pareto distance", f"{data['pareto_distance']:.4f}")
    nash = data["nash_distance"]
    out.add_row("Nash distance", "— (no agreement zone)" if nash is None else f"{nash:.4f}")
    console.print(out)
