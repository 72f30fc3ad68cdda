"""``negotiator validate KIND FILE``: check a wire object (JSON file) and name every bad field.

Exit 0 and ``valid`` when the file is a valid KIND; exit 2 with one ``path: message`` line per
error otherwise. ``--task TASK_FILE`` adds the task rules (budget, bond, deadline, currency,
privacy); ``--now TIME`` adds the time rules (bid expiry) at an RFC 3339 time, or at the system
clock with ``--now now``. Without ``--now`` the result does not depend on when it is run.
``--keys KEYS`` (a key registry file, ``{"keys": {id: multibase public key}}``) also checks the
signatures of a signed kind (bid, offer, award, contract, report, settlement): a missing or
non-verifying signature is an error at ``$.signature`` (``$.signatures[i]`` for a contract);
``--signer ID`` names who must have signed an award, report or settlement.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from negotiator.errors import InvalidInputError, UsageError
from negotiator.files import read_text
from negotiator.trust.registry import KeyRegistry
from negotiator.wire.kinds import KINDS
from negotiator.wire.signing import SIGNED_KINDS, signature_errors
from negotiator.wire.task import TaskSpec
from negotiator.wire.validation import validate_raw

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``validate`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "validate",
        help="validate a wire object (JSON file) and name every bad field",
        description=(
            "Validate FILE as a wire object of kind KIND against its JSON Schema, its model and "
            "(with --task / --now) the semantic rules. Exit 0 when valid; exit 2 with one line "
            "per error, each naming the field by JSON path."
        ),
    )
    parser.add_argument("kind", choices=sorted(KINDS), metavar="KIND", help=", ".join(KINDS))
    parser.add_argument("file", help="JSON file to check ('-' reads standard input)")
    parser.add_argument("--task", help="task JSON file the object answers (adds task rules)")
    parser.add_argument("--now", help="current time, RFC 3339 or 'now' (adds time rules)")
    parser.add_argument("--keys", help="key registry JSON file: also check the object's signatures")
    parser.add_argument(
        "--signer", help="with --keys: who must have signed an award, report or settlement"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    return read_text(file)


def _now(text: str | None) -> datetime | None:
    if text is None:
        return None
    if text == "now":
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.utcoffset() is None:
        raise UsageError(f"--now {text!r} is not an RFC 3339 time with a time zone, nor 'now'")
    return when


def _task(file: str | None) -> TaskSpec | None:
    if file is None:
        return None
    try:
        task = validate_raw("task", _read(file))
    except InvalidInputError as exc:
        raise InvalidInputError(f"task {file}", exc.errors) from None
    assert isinstance(task, TaskSpec)
    return task


def run(args: argparse.Namespace) -> int:
    """Validate the file; returns 0 when valid, raises (exit 2) or returns 2 with --json."""
    task, now = _task(args.task), _now(args.now)
    registry = KeyRegistry.load(args.keys) if args.keys else None
    try:
        model = validate_raw(args.kind, _read(args.file), task=task, now=now)
        if registry is not None and type(model) in SIGNED_KINDS:
            bad = signature_errors(model, registry, signer=args.signer)
            if bad:
                raise InvalidInputError(args.kind, bad)
    except InvalidInputError as exc:
        if not args.json:
            raise InvalidInputError(f"{args.kind} {args.file}", exc.errors) from None
        errors = [{"path": e.path, "message": e.message} for e in exc.errors]
        print(json.dumps({"kind": args.kind, "file": args.file, "valid": False, "errors": errors}))
        return 2
    if args.json:
        print(json.dumps({"kind": args.kind, "file": args.file, "valid": True, "errors": []}))
    else:
        print("valid")
    return 0
