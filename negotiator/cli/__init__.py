"""The ``negotiator`` command line: one sub-command per module, chosen from a lookup table.

Each sub-command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``. Expected
errors (:class:`~negotiator.errors.NegotiatorError`) become one clear line on stderr and a
non-zero exit (2 for the caller's mistakes, 1 for run-time failures), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from negotiator.errors import InvalidInputError, NegotiatorError, UsageError

__all__ = ["build_parser", "main"]

# sub-command name -> module under negotiator.cli (imported when the parser is built)
COMMANDS: dict[str, str] = {
    "schemas": "schemas",
    "validate": "validate",
    "replay": "replay",
    "mediate": "mediate",
    "market": "market",
    "demo": "demo",
    "resume": "resume",
    "negotiate": "negotiate",
    "analyze": "analyze",
    "verify": "verify",
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"negotiator.cli.{COMMANDS[name]}")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="negotiator",
        description="LLM-mediated negotiation and contracting between software agents.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        sp = module.add_parser(sub)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
