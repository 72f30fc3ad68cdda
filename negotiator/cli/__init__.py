"""The ``negotiator`` command line: one sub-command per module, chosen from a lookup table.

Each sub-command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``; only the
module of the command being run is imported (``negotiator --help`` lists the commands from
:data:`COMMANDS` and imports none of them, so it starts in a fraction of a second). Expected
errors (:class:`~negotiator.errors.NegotiatorError`) become one clear line on stderr and a
non-zero exit (2 for the caller's mistakes, 1 for run-time failures), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Collection, Sequence
from types import ModuleType

from negotiator.errors import InvalidInputError, NegotiatorError, UsageError

__all__ = ["build_parser", "main"]

#: sub-command (a module under negotiator.cli) -> its one-line help in ``negotiator --help``
COMMANDS: dict[str, str] = {
    "schemas": "write or check the JSON Schemas of the wire objects",
    "validate": "validate a wire object (JSON file) and name every bad field",
    "replay": "show a recorded run step by step, or re-run it (--check)",
    "mediate": "find a fair proposal with seed 002's GA mediator",
    "market": "run a continuous or periodic double auction experiment (seed 004)",
    "demo": "run seed 000's delegation end to end (offline by default)",
    "resume": "continue a delegation run from its last checkpoint",
    "negotiate": "run a bilateral negotiation between two numeric strategies",
    "analyze": "analyse a bargaining scenario (Pareto frontier, Nash, Kalai, max welfare)",
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"negotiator.cli.{name}")


def build_parser(commands: Collection[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """Build the argument parser: ``commands`` in full (their modules imported), every other
    sub-command as its one line of help only."""
    parser = argparse.ArgumentParser(
        prog="negotiator",
        description="LLM-mediated negotiation and contracting between software agents.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_line in COMMANDS.items():
        if name not in commands:
            sub.add_parser(name, help=help_line)
            continue
        module = _load(name)
        sp = module.add_parser(sub)
        sp.set_defaults(_run=module.run)
    return parser


def _command_in(argv: Sequence[str]) -> list[str]:
    """The sub-command ``argv`` names (its first word that is not an option), if any."""
    words = [a for a in argv if not a.startswith("-")]
    return words[:1] if words and words[0] in COMMANDS else []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(arguments))
    args = parser.parse_args(arguments)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 0
    try:
        return run(args)
    except InvalidInputError as exc:
        for err in exc.errors:
            print(f"negotiator {args.command}: {exc.what}: {err}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"negotiator {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except NegotiatorError as exc:
        print(f"negotiator {args.command}: failed: {exc}", file=sys.stderr)
        return 1
