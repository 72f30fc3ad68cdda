"""``negotiator market cda|pda --schedule FILE --traders NAME[,NAME...] ...``: seed 004 markets.

Runs a continuous (``cda``) or periodic (``pda``) double auction over a supply/demand schedule
file ``{"buyers": [limit prices], "sellers": [costs]}`` with the named bidding agents (mixed
round-robin), and prints allocative efficiency, Smith's alpha, trades and mean price per period
beside the competitive equilibrium. ``--plot out.png`` draws supply/demand and the transaction
prices (needs the ``plot`` extra; the path is checked before the run); ``--json`` prints one
JSON object, otherwise the periods print as a table.

Before it runs, the experiment's size — the quotes it will price, periods x shouts per period
(CDA) or periods x rounds x traders (PDA) — is checked against ``--max-shouts`` (default
:data:`DEFAULT_MAX_SHOUTS`, about a minute of work), and every value and cost against
:data:`~negotiator.markets.experiments.MAX_PRICE`. On a terminal a progress bar follows the
periods.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from negotiator.cli.console import make_console
from negotiator.cli.progress import progress
from negotiator.errors import InvalidInputError, UsageError, lookup
from negotiator.markets.experiments import (
    MECHANISMS,
    ExperimentConfig,
    ExperimentResult,
    load_schedule,
    planned_shouts,
    run_experiment,
)
from negotiator.markets.plots import plot_experiment
from negotiator.markets.traders import TRADERS, TraderParams

__all__ = ["DEFAULT_MAX_SHOUTS", "add_parser", "check_output_path", "run"]

#: quotes an experiment may price without --max-shouts (about a minute on one core)
DEFAULT_MAX_SHOUTS = 500_000


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
    parser.add_argument(
        "--max-shouts",
        type=int,
        default=DEFAULT_MAX_SHOUTS,
        metavar="N",
        help=f"refuse an experiment pricing more quotes than this (default {DEFAULT_MAX_SHOUTS:,})",
    )
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
    console = make_console()
    console.print(
        f"{result.mechanism.upper()} with {', '.join(result.traders)}: "
        f"P* = {result.equilibrium_price:g}, q* = {result.equilibrium_quantity}, "
        f"efficiency {result.efficiency:.3f}, {result.trades} trades"
    )
    table = Table()
    for head in ("period", "trades", "mean price", "alpha %", "efficiency"):
        table.add_column(head, justify="right", no_wrap=True)
    rows = zip(
        result.trades_per_period,
        result.mean_price,
        result.alpha,
        result.efficiency_per_period,
        strict=True,
    )
    for period, (n, price, alpha, eff) in enumerate(rows):
        table.add_row(str(period), str(n), _fmt(price), _fmt(alpha), f"{eff:.3f}")
    console.print(table)


def check_output_path(text: str, flag: str) -> Path:
    """Return ``text`` as a file path that can be written, checked before any work.

    Raises:
        UsageError: its folder does not exist or is not a folder, or the path is a folder.
    """
    path = Path(text)
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{flag} {text}: is a folder; give a file name such as {path / 'x.png'}")
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise UsageError(f"{flag} {text}: the folder {folder} {what}")
    return path


def _guard(schedule_shouts: int, limit: int) -> None:
    if schedule_shouts > limit:
        raise UsageError(
            f"the experiment would price {schedule_shouts:,} quotes, above --max-shouts "
            f"{limit:,}; lower --periods/--steps/--rounds or raise --max-shouts"
        )


def run(args: argparse.Namespace) -> int:
    """Run the experiment described by ``args``; 0 on success.

    Raises:
        InvalidInputError: the schedule file or a flag is invalid (file and JSON path named).
        UnknownKeyError: an unknown mechanism or trader name (the valid ones are listed).
        UsageError: ``--plot`` without matplotlib installed or into a missing folder, or an
            experiment above ``--max-shouts``.
    """
    config = _config(args)
    if args.plot:
        check_output_path(args.plot, "--plot")
    schedule = load_schedule(args.schedule)
    _guard(planned_shouts(schedule, config), args.max_shouts)
    with progress("market periods") as tick:
        result = run_experiment(schedule, config, on_period=tick)
    if args.plot:
        plot_experiment(schedule, result, args.plot)
    if args.json:
        print(json.dumps(result.model_dump(mode="json")))
    else:
        _print_table(result)
        if args.plot:
            print(f"plot written to {args.plot}")
    return 0
