"""``negotiator tournament``: every pairing of a list of agents over many scenarios, batched.

Scenarios: ``--domain generated`` (seeds ``--seed`` … ``--seed + --scenarios − 1`` of the
generated domain), ``--domain priorities`` or ``values`` (synthetic item-split pairs, see
:mod:`negotiator.bargaining.itemsplit`), ``--pairs FILE`` (a JSON list of item-split pairs:
your own data) or ``--genius DIR`` (repeatable). Prints one row per pairing (rich table) or
``--json``.

Example:
    negotiator tournament --agents pareto,linear,boulware,conceder --domain values --rounds 10
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from rich.console import Console
from rich.table import Table

from negotiator.bargaining.agents import AGENTS, DEFAULT_AGENT
from negotiator.bargaining.domains import Scenario, generated_scenario
from negotiator.bargaining.genius import read_genius_folder
from negotiator.bargaining.itemsplit import PAIR_STYLES, item_split_scenario, synthetic_pairs
from negotiator.bargaining.protocols import PROTOCOLS
from negotiator.bargaining.tournament import PairingReport, tournament
from negotiator.cli.scenario_args import (
    MAX_OUTCOMES,
    MAX_ROUNDS,
    check_rounds,
    check_seed,
    check_space,
    table_console,
)
from negotiator.errors import InvalidInputError
from negotiator.files import read_json

__all__ = ["MAX_SCENARIOS", "add_parser", "run"]

#: Largest number of scenarios unless ``--max-scenarios`` says otherwise.
MAX_SCENARIOS = 100_000
_DOMAINS = ("generated", *sorted(PAIR_STYLES))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``tournament`` and its arguments."""
    p = sub.add_parser(
        "tournament",
        help="run every pairing of a list of agents over many scenarios (batched)",
        description="Every ordered pairing of the agents (self-play included) negotiates every "
        "scenario; per pairing: agreement, utilities, joint utility, Pareto share, Nash "
        "distance, fairness, rounds and negotiations per second.",
    )
    p.add_argument(
        "--agents",
        default=f"{DEFAULT_AGENT},linear,boulware,conceder",
        help=f"comma-separated agents ({', '.join(sorted(AGENTS))})",
    )
    p.add_argument("--domain", default="generated", help=f"scenarios: {', '.join(_DOMAINS)}")
    p.add_argument("--pairs", metavar="FILE", help="JSON list of item-split pairs")
    p.add_argument("--genius", metavar="DIR", action="append", help="Genius folder (repeatable)")
    p.add_argument("--scenarios", type=int, default=100, help="scenarios to draw (100)")
    p.add_argument("--seed", type=int, default=20240601, help="first seed")
    p.add_argument("--issues", type=int, default=3, help="generated domain: issues")
    p.add_argument("--values", type=int, default=10, help="generated domain: values per issue")
    p.add_argument("--rounds", type=int, default=20, help="round limit (20)")
    p.add_argument("--protocol", default="alternating", help=", ".join(sorted(PROTOCOLS)))
    p.add_argument("--max-rounds", type=int, default=MAX_ROUNDS, help="refuse longer deadlines")
    p.add_argument("--max-outcomes", type=int, default=MAX_OUTCOMES, help="per scenario")
    p.add_argument("--max-scenarios", type=int, default=MAX_SCENARIOS, help="refuse more")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _check_counts(args: argparse.Namespace) -> None:
    if not 1 <= args.scenarios <= args.max_scenarios:
        raise InvalidInputError.single(
            "arguments",
            "--scenarios",
            f"{args.scenarios} outside 1..{args.max_scenarios:,} (raise --max-scenarios)",
        )
    check_seed(args.seed)
    if args.domain == "generated":
        if args.issues < 1 or args.values < 2:
            raise InvalidInputError.single(
                "arguments", "--issues/--values", "need at least 1 issue and 2 values"
            )
        check_space(args.issues, args.values, args.max_outcomes)


def _pairs_file(path: str) -> list[Scenario]:
    data = read_json(path)
    if not isinstance(data, list) or not data:
        raise InvalidInputError.single(path, "$", "expected a non-empty JSON list of pairs")
    out = []
    for k, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidInputError.single(path, f"$[{k}]", "expected an object")
        try:
            out.append(item_split_scenario(item, name=f"pair-{k}"))
        except InvalidInputError as exc:
            errors = [f"$[{k}]{e.path[1:]}: {e.message}" for e in exc.errors]
            raise InvalidInputError.single(path, f"$[{k}]", "; ".join(errors)) from None
    return out


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios the arguments name.

    Raises:
        InvalidInputError: for a bad file or folder, an unknown domain or a size above a guard.
    """
    if args.pairs:
        found = _pairs_file(args.pairs)
    elif args.genius:
        found = [read_genius_folder(d) for d in args.genius]
    else:
        _check_counts(args)
        if args.domain == "generated":
            return [
                generated_scenario(args.seed + i, args.issues, args.values)
                for i in range(args.scenarios)
            ]
        if args.domain not in PAIR_STYLES:
            raise InvalidInputError.single(
                "arguments", "--domain", f"{args.domain!r} is not one of {', '.join(_DOMAINS)}"
            )
        return [
            p.scenario(f"{args.domain}-{i}")
            for i, p in enumerate(synthetic_pairs(args.domain, args.scenarios, args.seed))
        ]
    big = [s.name for s in found if s.space.size > args.max_outcomes]
    if big or len(found) > args.max_scenarios:
        raise InvalidInputError.single(
            "arguments", "--max-outcomes/--max-scenarios", f"too large: {big or len(found)}"
        )
    return found


def _row(r: PairingReport) -> list[str]:
    def f(x: float, digits: int = 3) -> str:
        return "—" if math.isnan(x) else f"{x:.{digits}f}"

    return [
        f"{r.first}–{r.second}",
        f(r.agreement),
        f"{f(r.utility_first)} / {f(r.utility_second)}",
        f(r.joint),
        f(r.joint_raw, 2),
        f(r.welfare_share),
        f(r.pareto_share),
        f(r.pareto_distance, 4),
        f(r.nash_distance),
        f(r.fairness),
        f(r.rounds, 1),
        f"{r.per_second:,.0f}",
    ]


def render(reports: list[PairingReport], title: str, console: Console) -> None:
    """One rich table row per pairing."""
    table = Table(title=title)
    for col in (
        "pairing",
        "agree",
        "utility A / B",
        "joint",
        "joint raw",
        "welfare",
        "Pareto",
        "Pareto dist",
        "Nash dist",
        "fairness",
        "rounds",
        "neg/s",
    ):
        table.add_column(col, justify="left" if col == "pairing" else "right")
    for r in reports:
        table.add_row(*_row(r))
    console.print(table)


def run(args: argparse.Namespace) -> int:
    """Run the tournament and print the table (or JSON).

    Raises:
        UnknownKeyError: for an unknown agent or protocol.
        InvalidInputError: for bad scenario sources or sizes above the guards.
    """
    check_rounds(args.rounds, args.max_rounds)
    agents = [a.strip() for a in args.agents.split(",") if a.strip()]
    found = scenarios(args)
    reports = tournament(found, agents, args.rounds, args.protocol, max_rounds=args.max_rounds)
    if args.json:
        data: dict[str, Any] = {
            "scenarios": len(found),
            "rounds": args.rounds,
            "protocol": args.protocol,
            "pairings": [r.as_dict() for r in reports],
        }
        print(json.dumps(data))
        return 0
    title = f"{len(found)} scenarios, {args.rounds} rounds, {args.protocol}"
    render(reports, title, table_console())
    return 0
