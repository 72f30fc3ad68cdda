"""``negotiator mediate SCENARIO_FILE [--json]``: seed 002's GA mediator over a scenario file.

Runs the GA mediator (seeded from the scenario), then, when the space is small enough to
enumerate, the exact optimum at the same deal zone, the GA's gap to it and the Nash point; and
words the chosen proposal (template; the numbers always come from the mediator). ``--json``
prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from negotiator.llm.deterministic import DeterministicClient
from negotiator.mediation.exact import exact_best, gap, nash_point
from negotiator.mediation.explain import explain_mediation
from negotiator.mediation.report import chosen_line, table_lines
from negotiator.mediation.scenario import load_scenario

__all__ = ["add_parser", "run"]

#: Spaces up to this many outcomes are also solved exactly (a fraction of a second).
EXACT_LIMIT = 1 << 22


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``mediate`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "mediate",
        help="find a fair proposal with seed 002's GA mediator",
        description=(
            "Read a mediation scenario (JSON or TOML: attributes, an anchor agent, its "
            "counterparts with strategy curves and weights, the deal zone, GA settings), run "
            "the GA mediator and print the ranked proposals, the chosen one with its delta, "
            "the exact optimum and the Nash point for comparison, and an explanation."
        ),
    )
    parser.add_argument("scenario", metavar="SCENARIO_FILE", help="scenario file (.json/.toml)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def run(args: argparse.Namespace) -> int:
    """Mediate the scenario in ``args.scenario``; 0 on success (also when nothing fits D).

    Raises:
        InvalidInputError: the scenario file is unreadable or invalid (with JSON paths).
    """
    scenario = load_scenario(args.scenario)
    result = scenario.run()
    space = scenario.space
    exact = nash = None
    if 0 < space.size <= EXACT_LIMIT:
        exact = exact_best(space, scenario.spec.deal_zone)
        nash = nash_point(space)
    words = asyncio.run(explain_mediation(result, DeterministicClient()))
    ga_sum = None if result.chosen is None else result.chosen.total
    exact_sum = None if exact is None or exact.best is None else exact.best.total
    relative_gap = None if ga_sum is None or exact_sum is None else gap(ga_sum, exact_sum)
    if args.json:
        out = {
            "scenario": scenario.spec.name,
            **result.model_dump(mode="json"),
            "ga_best_sum": ga_sum,
            "exact_best_sum": exact_sum,
            "exact": None if exact is None else exact.model_dump(mode="json"),
            "gap": relative_gap,
            "nash": None if nash is None else nash.model_dump(mode="json"),
            "explanation": {"text": words.text, "source": words.source.value},
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"scenario: {scenario.spec.name or args.scenario}")
    for skip in result.skipped:
        print(f"skipped {skip.counterpart} ({skip.attribute}): {skip.reason}")
    print("\n".join(table_lines(result)))
    print(chosen_line(result))
    if exact_sum is not None and relative_gap is not None:
        print(f"exact best sum within D: {exact_sum:.4f}; GA gap {relative_gap:.2%}")
    if nash is not None and nash.proposal is not None:
        p = nash.proposal
        print(
            f"Nash point: {p.counterpart} {p.values} (U_A {p.anchor_utility:.3f}, "
            f"U_B {p.counterpart_utility:.3f}, difference {p.difference:.3f})"
        )
    print(words.text)
    return 0
