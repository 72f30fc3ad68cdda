"""``negotiator negotiate``: run one bilateral negotiation and score its outcome.

Example:
    negotiator negotiate --first boulware --second conceder --protocol alternating --json
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from negotiator.bargaining.acceptance import ACCEPTANCE_PRESETS, acceptance
from negotiator.bargaining.domains import bilateral
from negotiator.bargaining.protocols import PROTOCOLS, Negotiation, NegotiationResult
from negotiator.bargaining.strategies import CONCESSIONS
from negotiator.cli.analyze import add_scenario_arguments, load_scenario

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``negotiate`` and its arguments."""
    p = sub.add_parser(
        "negotiate",
        help="run a bilateral negotiation between two numeric strategies",
        description="Two strategies bargain over a generated domain or a Genius folder; "
        "prints the trace and the outcome with its Pareto and Nash distances.",
    )
    names = ", ".join(sorted(CONCESSIONS))
    p.add_argument("--first", default="boulware", help=f"strategy of party 0 ({names})")
    p.add_argument("--second", default="conceder", help=f"strategy of party 1 ({names})")
    p.add_argument("--protocol", default="alternating", help=", ".join(sorted(PROTOCOLS)))
    p.add_argument("--rounds", type=int, default=None, help="round deadline")
    p.add_argument(
        "--accept", default="next", help=f"acceptance ({', '.join(sorted(ACCEPTANCE_PRESETS))})"
    )
    add_scenario_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the negotiation and print trace and outcome.

    Raises:
        UnknownKeyError: for an unknown strategy, protocol or acceptance name.
        InvalidInputError: for a bad Genius folder.
    """
    scenario = load_scenario(args)
    parties = bilateral(scenario, args.first, args.second, acceptance(args.accept))
    result: NegotiationResult[int] = Negotiation(args.protocol, parties, args.rounds).run()
    data = _summary(scenario, result)
    if args.json:
        print(json.dumps(data))
        return 0
    for step in data["trace"]:
        offer = "" if step["offer"] is None else f" {step['offer']}"
        print(f"round {step['round']:>3} party {step['party']} {step['message']}{offer}")
    for key in ("status", "rounds", "agreement", "utilities", "pareto_distance", "nash_distance"):
        print(f"{key:16} {data[key]}")
    return 0


def _summary(scenario: Any, result: NegotiationResult[int]) -> dict[str, Any]:
    a = scenario.analysis
    pareto, nash = a.distances(result.agreement)
    space = scenario.space
    return {
        "scenario": scenario.name,
        "protocol": result.protocol,
        "status": str(result.status),
        "rounds": result.rounds,
        "messages": result.messages,
        "agreement": None if result.agreement is None else space.as_dict(result.agreement),
        "utilities": [round(float(x), 6) for x in a.point(result.agreement)],
        "pareto_distance": round(pareto, 6),
        "nash_distance": round(nash, 6),
        "trace": [
            {
                "round": e.round_no,
                "party": e.party,
                "message": str(e.message),
                "offer": None if e.offer is None else space.as_dict(e.offer),
            }
            for e in result.trace
        ],
    }
