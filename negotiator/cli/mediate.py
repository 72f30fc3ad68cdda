"""``negotiator mediate SCENARIO [--json]``: seed 002's GA mediator over a scenario.

``SCENARIO`` is a scenario file (``.json``/``.toml``) or the name of a scenario shipped with the
package (``seed002``). Runs the GA mediator (seeded from the scenario), then, when the space is
small enough to enumerate, the exact optimum at the same deal zone, the GA's gap to it and the
Nash point; and words the chosen proposal (template; the numbers always come from the
mediator). The ranked proposals print as a table; ``--json`` prints one JSON object.

Before anything runs, the GA's planned utility evaluations (population x generations x
counterparts) are checked against ``--max-evaluations`` (default
:data:`DEFAULT_MAX_EVALUATIONS`, roughly twenty seconds of work) and the population against
:data:`MAX_POPULATION`, so a mistyped generation count is an error, not a runaway. On a
terminal a progress bar follows the generations.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from negotiator.cli.console import make_console
from negotiator.cli.progress import progress
from negotiator.errors import InvalidInputError, UsageError
from negotiator.llm.deterministic import DeterministicClient
from negotiator.mediation.exact import exact_best, gap, nash_point
from negotiator.mediation.explain import explain_mediation
from negotiator.mediation.mediator import MediationResult
from negotiator.mediation.report import chosen_line
from negotiator.mediation.scenario import MediationScenario, bundled_scenario, load_scenario

__all__ = ["DEFAULT_MAX_EVALUATIONS", "MAX_POPULATION", "add_parser", "resolve_scenario", "run"]

#: Spaces up to this many outcomes are also solved exactly (a fraction of a second).
EXACT_LIMIT = 1 << 22
#: The GA's planned evaluations allowed without --max-evaluations (about 20 s on one core).
DEFAULT_MAX_EVALUATIONS = 100_000_000
#: The largest GA population (the genome is population x bits bytes).
MAX_POPULATION = 100_000


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
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="scenario file (.json/.toml) or a shipped scenario's name (seed002)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--max-evaluations",
        type=int,
        default=DEFAULT_MAX_EVALUATIONS,
        metavar="N",
        help="refuse a GA planning more utility evaluations than this "
        f"(population x generations x counterparts; default {DEFAULT_MAX_EVALUATIONS:,})",
    )
    return parser


def resolve_scenario(text: str) -> Path:
    """The scenario file named by ``text``: a path, or a shipped scenario's name.

    Raises:
        UnknownKeyError: ``text`` is neither an existing file nor a shipped name (both listed).
    """
    path = Path(text)
    if path.suffix or path.exists() or len(path.parts) > 1:
        return path
    return bundled_scenario(text)


def _guard(scenario: MediationScenario, limit: int) -> None:
    ga = scenario.spec.ga
    if ga.population > MAX_POPULATION:
        raise InvalidInputError.single(
            "scenario", "$.ga.population", f"{ga.population} is above {MAX_POPULATION:,}"
        )
    if scenario.evaluations > limit:
        raise UsageError(
            f"the GA plans {scenario.evaluations:,} utility evaluations (population "
            f"{ga.population} x {ga.generations + 1} generations x "
            f"{len(scenario.spec.counterparts)} counterparts), above --max-evaluations "
            f"{limit:,}; lower $.ga.generations or raise --max-evaluations"
        )


def run(args: argparse.Namespace) -> int:
    """Mediate the scenario in ``args.scenario``; 0 on success (also when nothing fits D).

    Raises:
        InvalidInputError: the scenario file is unreadable or invalid (with JSON paths).
        UnknownKeyError: no such file and no shipped scenario of that name.
        UsageError: the GA would exceed ``--max-evaluations``.
    """
    scenario = load_scenario(resolve_scenario(args.scenario))
    _guard(scenario, args.max_evaluations)
    with progress("GA generations") as tick:
        result = scenario.run(on_generation=tick)
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
    console = make_console()
    print(f"scenario: {scenario.spec.name or args.scenario}")
    for skip in result.skipped:
        print(f"skipped {skip.counterpart} ({skip.attribute}): {skip.reason}")
    console.print(proposal_table(result))
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


def proposal_table(result: MediationResult) -> Table | str:
    """The ranked proposals as a table (``*`` marks the choice; it is added when below)."""
    if not result.proposals or result.chosen is None:
        return "(no proposal within the deal zone)"
    names = list(result.proposals[0].values)
    table = Table(title=f"proposals within D = {result.deal_zone:g}, by difference")
    for head in ("", "rank", "difference", "counterpart", f"U_{result.anchor}", "U_B", "sum"):
        table.add_column(head, justify="right", no_wrap=True)
    for name in names:
        table.add_column(name, justify="right", no_wrap=True)
    rows = list(enumerate(result.proposals, start=1))
    if result.chosen_rank is not None and result.chosen_rank > len(result.proposals):
        rows.append((result.chosen_rank, result.chosen))
    for rank, p in rows:
        table.add_row(
            "*" if rank == result.chosen_rank else "",
            str(rank),
            f"{p.difference:.3f}",
            p.counterpart,
            f"{p.anchor_utility:.2f}",
            f"{p.counterpart_utility:.2f}",
            f"{p.total:.2f}",
            *(f"{p.values[n]:g}" for n in names),
        )
    return table
