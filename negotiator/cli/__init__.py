"""The ``negotiator`` command line: one sub-command per module, chosen from a lookup table.

Each sub-command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``; only the
module of the command being run is imported (``negotiator --help`` lists the commands from
:data:`COMMANDS` and imports none of them, so it starts in a fraction of a second). One
top-level handler keeps the never-a-traceback promise for every sub-command:

* expected errors (:class:`~negotiator.errors.NegotiatorError`) become one clear line on stderr
  and exit 2 for the caller's mistakes, 1 for run-time failures;
* an operating-system error on a path (a missing folder, a file where a folder is expected, no
  permission) becomes one line naming the path (exit 2 when it names a path, else 1);
* Ctrl-C exits 130, and when the interrupted run can continue the exact ``negotiator resume``
  command is printed (a sub-command announces it by setting ``args.resume_command``);
* a closed output pipe (``negotiator market ... | head -2``) ends the command quietly, exit 1,
  the way Python itself reports a broken pipe;
* running out of memory is one line, exit 1 (the size guards stop known runaways before).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Collection, Sequence
from types import ModuleType

from negotiator.errors import InvalidInputError, NegotiatorError, UsageError

__all__ = ["EXIT_INTERRUPTED", "build_parser", "main", "version"]

#: exit code after Ctrl-C (128 + SIGINT, what shells report)
EXIT_INTERRUPTED = 130

#: sub-command (a module under negotiator.cli) -> its one-line help in ``negotiator --help``
COMMANDS: dict[str, str] = {
    "schemas": "write or check the JSON Schemas of the wire objects",
    "validate": "validate a wire object (JSON file) and name every bad field",
    "replay": "show a recorded run step by step, or re-run it (--check)",
    "mediate": "find a fair proposal with seed 002's GA mediator",
    "market": "run a continuous or periodic double auction experiment (seed 004)",
    "demo": "run seed 000's delegation end to end (offline by default)",
    "resume": "continue a delegation run from its last checkpoint",
    "negotiate": "run a bilateral negotiation between two numeric agents",
    "analyze": "analyse a bargaining scenario (Pareto frontier, Nash, Kalai, max welfare)",
    "verify": "check a run's deal record: hash chain, signatures, ledger (and --replay)",
    "tournament": "run every pairing of a list of agents over many scenarios (batched)",
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"negotiator.cli.{name}")


def version() -> str:
    """The installed distribution's version (``0+unknown`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError  # noqa: PLC0415 (only for --version)
    from importlib.metadata import version as dist_version  # noqa: PLC0415

    try:
        return dist_version("negotiator")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser(commands: Collection[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """Build the argument parser: ``commands`` in full (their modules imported), every other
    sub-command as its one line of help only."""
    parser = argparse.ArgumentParser(
        prog="negotiator",
        description="LLM-mediated negotiation and contracting between software agents.",
    )
    parser.add_argument("--version", action="version", version=f"negotiator {version()}")
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
    """Run the CLI; return the exit code (0 ok, 1 failed, 2 caller's mistake, 130 Ctrl-C)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(arguments))
    args = parser.parse_args(arguments)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 0
    try:
        code = run(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
    except (NegotiatorError, KeyboardInterrupt, OSError, MemoryError) as exc:
        return _report(args, exc)
    return code


def _say(args: argparse.Namespace, text: str) -> None:
    print(f"negotiator {args.command}: {text}", file=sys.stderr)


def _report(
    args: argparse.Namespace, exc: NegotiatorError | KeyboardInterrupt | OSError | MemoryError
) -> int:
    """Print ``exc`` as one line (or the validation errors one per line); return the exit code."""
    if isinstance(exc, InvalidInputError):
        for err in exc.errors:
            _say(args, f"{exc.what}: {err}")
        return 2
    if isinstance(exc, UsageError):
        _say(args, f"error: {exc}")
        return 2
    if isinstance(exc, NegotiatorError):
        _say(args, f"failed: {exc}")
        return 1
    if isinstance(exc, KeyboardInterrupt):
        return _interrupted(args)
    if isinstance(exc, BrokenPipeError):
        _silence_stdout()
        return 1
    if isinstance(exc, OSError):
        return _os_error(args, exc)
    _say(args, "failed: out of memory (lower the size of the run)")
    return 1


def _interrupted(args: argparse.Namespace) -> int:
    hint = getattr(args, "resume_command", None)
    tail = f"; continue it with: {hint}" if hint else ""
    _say(args, f"interrupted{tail}")
    return EXIT_INTERRUPTED


def _os_error(args: argparse.Namespace, exc: OSError) -> int:
    reason = exc.strerror or type(exc).__name__
    if exc.filename is None:
        _say(args, f"failed: {reason}")
        return 1
    _say(args, f"error: {exc.filename}: {reason}")
    return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    # stdout may not be a real file (captured in tests): then there is nothing to silence
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
