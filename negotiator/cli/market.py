"""``negotiator market cda|pda --schedule FILE --traders NAME[,NAME...] ...``: seed 004 markets.

Runs a continuous (``cda``) or periodic (``pda``) double auction over a supply/demand schedule
file ``{"buyers": [limit prices], "sellers": [costs]}`` with the named bidding agents (mixed
round-robin), and prints allocative efficiency, Smith's alpha, trades and mean price per period
beside the competitive equilibrium. ``--plot out.png`` draws supply/demand and the transaction
prices (needs the ``plot`` extra); ``--json`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from negotiator.errors import InvalidInputError, lookup
from negotiator.markets.experiments import (
    MECHANISMS,
    ExperimentConfig,
    ExperimentResult,
    load_schedule,
    run_experiment,
)
from negotiator.markets.plots import plot_experiment
from negotiator.markets.traders import TRADERS, TraderParams

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``market`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "market",
        help="run a continuous or periodic double auction experiment (seed 004)",
        description=(
            "Run a double auction over a supply/demand schedule with CoDABot and benchmark "
            f"bidding agents ({', '.join(TRADERS)}); report efficiency, Smith's alpha, trades "
            "and mean price per period, and the competitive equilibrium."
        ),
    )
    parser.add_argument("mechanism", metavar="cda|pda", help="continuous or periodic auction")
    parser.add_argument(
        "--schedule",
        required=True,
        metavar="FILE",
        help='JSON file {"buyers": [values], "sellers": [costs]}',
    )
    parser.add_argument(
        "--traders",
        required=True,
        metavar="NAME[,NAME...]",
        help="trader kinds, assigned round-robin on each side",
    )
    parser.add_argument("--periods", type=int, default=10, help="trading periods (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--steps", type=int, default=None, help="CDA shouts per period (default 10 per trader)"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="PDA sealed-bid rounds per period (default 10)"
    )
    parser.add_argument("--pricing", default="mth", help="PDA clearing rule: mth or m+1")
    parser.add_argument(
        "--alpha", type=float, default=20.0, help="CoDABot agents' step, percent (default 20)"
    )
    parser.add_argument("--plot", metavar="OUT.png", default=None, help="write a PNG plot")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _config(args: argparse.Namespace) -> ExperimentConfig:
    lookup(MECHANISMS, args.mechanism, "market mechanism")
    names = tuple(n.strip() for n in args.traders.split(",") if n.strip())
    if not names:
        raise InvalidInputError.single("--traders", "$", "give at least one trader name")
    for name in names:
        lookup(TRADERS, name, "trader")
    fields = {"--periods": args.periods, "--steps": args.steps, "--rounds": args.rounds}
    for flag, value in fields.items():
        if value is not None and value < 1:
            raise InvalidInputError.single(flag, "$", f"{value} is below 1")
    if args.seed < 0:
        raise InvalidInputError.single("--seed", "$", f"{args.seed} is below 0")
    if args.pricing not in ("mth", "m+1"):
        raise InvalidInputError.single("--pricing", "$", f"{args.pricing!r} is not mth or m+1")
    if not 0 < args.alpha <= 100:
        raise InvalidInputError.single("--alpha", "$", f"{args.alpha} is not in (0, 100]")
    return ExperimentConfig(
        mechanism=args.mechanism,
        traders=names,
        periods=args.periods,
        seed=args.seed,
        steps=args.steps,
        rounds=args.rounds,
        pricing=args.pricing,
        params=TraderParams(alpha=args.alpha),
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_table(result: ExperimentResult) -> None:
    print(
        f"{result.mechanism.upper()} with {', '.join(result.traders)}: "
        f"P* = {result.equilibrium_price:g}, q* = {result.equilibrium_quantity}, "
        f"efficiency {result.efficiency:.3f}, {result.trades} trades"
    )
    print(f"{'period':>6}{'trades':>8}{'mean price':>12}{'alpha %':>10}{'efficiency':>12}")
    rows = zip(
        result.trades_per_period,
        result.mean_price,
        result.alpha,
        result.efficiency_per_period,
        strict=True,
    )
    for period, (n, price, alpha, eff) in enumerate(rows):
        print(f"{period:>6}{n:>8}{_fmt(price):>12}{_fmt(alpha):>10}{eff:>12.3f}")


def run(args: argparse.Namespace) -> int:
    """Run the experiment described by ``args``; 0 on success.

    Raises:
        InvalidInputError: the schedule file or a flag is invalid (file and JSON path named).
        UnknownKeyError: an unknown mechanism or trader name (the valid ones are listed).
        UsageError: ``--plot`` without matplotlib installed.
    """
    config = _config(args)
    schedule = load_schedule(args.schedule)
    result = run_experiment(schedule, config)
    if args.plot:
        plot_experiment(schedule, result, args.plot)
    if args.json:
        print(json.dumps(result.model_dump(mode="json")))
    else:
        _print_table(result)
        if args.plot:
            print(f"plot written to {args.plot}")
    return 0
