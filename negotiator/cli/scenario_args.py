"""The bargaining scenario a command works on, and the size guards checked before building it.

Sources, in order of precedence: ``--genius DIR`` (a Genius folder), ``--split FILE`` (an
item-split pair as JSON: counts, points per unit, walk-away points), the generated domain when
``--seed``, ``--issues`` or ``--values`` is given, otherwise the built-in item split
:data:`DEFAULT_SPLIT` — three items of three units with opposed priorities, so the sides really
conflict (each side's best split leaves the other with nothing) yet can trade.

Guards, checked before anything is allocated: at most ``--max-outcomes`` outcomes (default
:data:`MAX_OUTCOMES`) and ``--max-rounds`` rounds (default :data:`MAX_ROUNDS`); raise either
deliberately for bigger runs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from negotiator.bargaining.domains import Scenario, generated_scenario
from negotiator.bargaining.genius import read_genius_folder
from negotiator.bargaining.itemsplit import ItemSplitPair, item_split_scenario
from negotiator.errors import InvalidInputError, UsageError
from negotiator.files import read_json

__all__ = [
    "DEFAULT_SPLIT",
    "MAX_OUTCOMES",
    "MAX_ROUNDS",
    "add_scenario_arguments",
    "check_plot_path",
    "check_rounds",
    "check_seed",
    "check_space",
    "load_scenario",
    "print_report",
    "table_console",
]

#: Largest outcome space a command enumerates unless ``--max-outcomes`` says otherwise.
MAX_OUTCOMES = 1_000_000
#: Largest round limit unless ``--max-rounds`` says otherwise.
MAX_ROUNDS = 100_000
#: The built-in scenario: opposed priorities over three items (real conflict, room to trade).
DEFAULT_SPLIT = ItemSplitPair(
    counts=(3, 3, 3),
    points_a=(5, 4, 3),
    points_b=(3, 4, 5),
    walk_away_a=5,
    walk_away_b=5,
    names=("food", "water", "firewood"),
)


def add_scenario_arguments(p: argparse.ArgumentParser, genius: bool = True) -> None:
    """The scenario source and size guards shared by ``analyze``, ``negotiate``, ``tournament``."""
    if genius:
        p.add_argument("--genius", metavar="DIR", help="Genius folder: one domain + profiles")
        p.add_argument("--split", metavar="FILE", help="item-split pair as JSON")
    p.add_argument("--seed", type=int, default=None, help="generated domain: seed")
    p.add_argument("--issues", type=int, default=None, help="generated domain: issues (3)")
    p.add_argument("--values", type=int, default=None, help="generated domain: values (10)")
    p.add_argument("--levels", type=int, default=11, help="sample points of a real issue")
    p.add_argument(
        "--max-outcomes",
        type=int,
        default=MAX_OUTCOMES,
        help=f"refuse larger outcome spaces (default {MAX_OUTCOMES:,})",
    )


def _generated_shape(args: argparse.Namespace) -> tuple[int, int]:
    issues = 3 if args.issues is None else args.issues
    values = 10 if args.values is None else args.values
    if issues < 1:
        raise InvalidInputError.single("arguments", "--issues", f"{issues} is below 1")
    if values < 2:
        raise InvalidInputError.single("arguments", "--values", f"{values} is below 2")
    check_space(issues, values, args.max_outcomes)
    return issues, values


def check_space(issues: int, values: int, limit: int) -> None:
    """Refuse ``values^issues`` outcomes above ``limit`` (compared by logarithms first, so a
    huge exponent costs nothing).

    Raises:
        InvalidInputError: naming ``--issues/--values``.
    """
    if issues * math.log10(values) > math.log10(max(limit, 1)) + 1e-9 or values**issues > limit:
        raise InvalidInputError.single(
            "arguments",
            "--issues/--values",
            f"{values}^{issues} outcomes exceed --max-outcomes {limit:,}",
        )


def check_seed(seed: int) -> int:
    """A generator seed must be ≥ 0.

    Raises:
        InvalidInputError: naming ``--seed``.
    """
    if seed < 0:
        raise InvalidInputError.single("arguments", "--seed", f"{seed} is below 0")
    return seed


def generated(args: argparse.Namespace) -> bool:
    """True when the generated domain was asked for."""
    return any(getattr(args, k) is not None for k in ("seed", "issues", "values"))


def load_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario the arguments name (module docstring), size-checked.

    Raises:
        InvalidInputError: for a bad folder or file, or a space above ``--max-outcomes``.
    """
    if args.levels < 2:
        raise InvalidInputError.single("arguments", "--levels", f"{args.levels} is below 2")
    if getattr(args, "genius", None):
        scenario = read_genius_folder(args.genius, levels=args.levels)
    elif getattr(args, "split", None):
        scenario = item_split_scenario(_read_json(args.split), name=Path(args.split).stem)
    elif generated(args):
        issues, values = _generated_shape(args)
        seed = check_seed(20240601 if args.seed is None else args.seed)
        return generated_scenario(seed, issues, values)
    else:
        return DEFAULT_SPLIT.scenario("default-split")
    if scenario.space.size > args.max_outcomes:
        raise InvalidInputError.single(
            "arguments",
            "--max-outcomes",
            f"{scenario.name} has {scenario.space.size:,} outcomes, above {args.max_outcomes:,}",
        )
    return scenario


def _read_json(path: str) -> dict[str, object]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InvalidInputError.single(path, "$", "expected a JSON object")
    return data


def table_console() -> Console:
    """A rich console for tables: the terminal's width, or 160 columns when piped."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def print_report(
    args: argparse.Namespace,
    data: dict[str, Any],
    render: Callable[[dict[str, Any], Console], None],
) -> None:
    """Print ``data`` as one JSON object (``--json``) or as tables drawn by ``render``; the
    tables end with where the ``--plot`` was written, if one was asked for."""
    if args.json:
        print(json.dumps(data))
        return
    render(data, table_console())
    if args.plot:
        print(f"plot written to {args.plot}")


def check_rounds(rounds: int, limit: int) -> None:
    """Refuse a round limit below 1 or above ``limit``.

    Raises:
        InvalidInputError: naming ``--rounds``.
    """
    if not 1 <= rounds <= limit:
        raise InvalidInputError.single(
            "arguments", "--rounds", f"{rounds} outside 1..{limit:,} (raise --max-rounds)"
        )


def check_plot_path(path: str | None) -> None:
    """Refuse a plot path that cannot be written, before any work is done.

    Raises:
        UsageError: the folder is missing or the path is a folder.
    """
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--plot {path}: is a folder; give a file name such as out.png")
    if not target.parent.is_dir():
        raise UsageError(f"--plot {path}: folder {target.parent} does not exist")
