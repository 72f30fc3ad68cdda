"""``negotiator verify RUN_DIR_OR_FILE [--keys KEYS] [--replay]``: check a deal record offline.

Checks the transcript's hash chain and the hub's signed head, every signature the record holds
(bids, award, contract, reports, settlement, offers), that the ledger's postings are the payments
the record states (when the run folder holds ``ledger.sqlite``), and with ``--replay`` that
re-running the flow from the recorded model answers reproduces every flow event — the award and
the payments among them — byte for byte. Public keys come from ``--keys`` or from the run
folder's ``keys.json``; a ``did:key`` signer (the demo hub) needs none. The record must be
sealed by the hub ``--hub`` names, else by the ``"hub"`` of the keys file when it names one.
Exit 0 when all holds; exit 1 with one line per failure, ``event N (kind): what failed``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from negotiator.delegation.audit import audit_ledger, audit_record, parse_events
from negotiator.delegation.ledger import Ledger
from negotiator.errors import NegotiatorError, UsageError
from negotiator.flows import check_transcript
from negotiator.transcript.chain import RecordFailure
from negotiator.transcript.format import TranscriptEvent, TranscriptHeader
from negotiator.trust.registry import KeyRegistry

__all__ = ["add_parser", "run"]

_MODEL_AND_HEAD = frozenset({"model_request", "model_response", "fallback", "head"})


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``verify`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify",
        help="check a run's deal record: hash chain, signatures, ledger (and --replay)",
        description=(
            "Verify a run folder (or a transcript file): the hash chain and the hub's signed "
            "head, every signature, the ledger's postings against the recorded payments and, "
            "with --replay, that re-running the recorded model answers reproduces the award and "
            "payments byte for byte. Exit 0 when all holds; 1 with one line per failure."
        ),
    )
    parser.add_argument("path", metavar="RUN_DIR_OR_FILE", help="run folder or transcript.jsonl")
    parser.add_argument("--keys", help="key registry JSON file (default: the run's keys.json)")
    parser.add_argument(
        "--hub", help="the hub that must have sealed the record (default: the keys file's)"
    )
    parser.add_argument("--replay", action="store_true", help="also re-run the flow and compare")
    return parser


def _files(path: Path) -> tuple[Path, Path]:
    """The transcript and the folder holding its ledger and keys."""
    if path.is_dir():
        return path / "transcript.jsonl", path
    if path.is_file():
        return path, path.parent
    raise UsageError(f"{path}: no such run folder or transcript file")


def _keys_file(keys: str | None, folder: Path) -> Path | None:
    if keys is not None:
        return Path(keys)
    default = folder / "keys.json"
    return default if default.is_file() else None


def _hub(hub: str | None, keys_file: Path | None) -> str | None:
    """The required sealer: ``--hub``, else the keys file's ``"hub"`` entry, else anyone."""
    if hub is not None or keys_file is None:
        return hub
    try:
        named = json.loads(keys_file.read_text(encoding="utf-8")).get("hub")
    except (OSError, ValueError, AttributeError):
        return None  # KeyRegistry.load reports an unreadable file
    return named if isinstance(named, str) else None


def _lines(transcript: Path) -> list[str]:
    try:
        text = transcript.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{transcript}: cannot read: {exc}") from None
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _ledger_failures(folder: Path, lines: list[str]) -> list[RecordFailure]:
    ledger_file = folder / "ledger.sqlite"
    if not ledger_file.is_file() or not lines:
        return []
    try:
        run_id = TranscriptHeader.model_validate_json(lines[0]).run_id
    except ValueError:
        return []
    with Ledger(ledger_file) as ledger:
        return audit_ledger(parse_events(lines), ledger, run_id)


def _payload_text(event: TranscriptEvent) -> str:
    return json.dumps(event.payload, sort_keys=True, ensure_ascii=False)


def _replay_failures(transcript: Path, lines: list[str]) -> list[RecordFailure]:
    try:
        check = check_transcript(transcript)
    except NegotiatorError as exc:
        return [RecordFailure(0, "replay", f"cannot replay: {exc}")]
    if check.ok:
        return []
    recorded = [e for e in parse_events(lines) if e.kind not in _MODEL_AND_HEAD]
    failures = [
        RecordFailure(r.seq, r.kind, "the replay differs from the recorded event")
        for r, p in zip(recorded, check.replayed, strict=False)
        if r.kind != p.kind or _payload_text(r) != _payload_text(p)
    ]
    if len(check.replayed) != len(recorded):
        failures.append(
            RecordFailure(
                0, "replay", f"{len(recorded)} flow events recorded, {len(check.replayed)} replayed"
            )
        )
    return failures or [RecordFailure(0, "replay", check.diff.splitlines()[0])]


def run(args: argparse.Namespace) -> int:
    """Verify the record; returns 0 when everything holds, 1 otherwise."""
    transcript, folder = _files(Path(args.path))
    lines = _lines(transcript)
    keys_file = _keys_file(args.keys, folder)
    registry = KeyRegistry.load(keys_file) if keys_file is not None else KeyRegistry()
    failures = audit_record(lines, registry, hub=_hub(args.hub, keys_file))
    failures += _ledger_failures(folder, lines)
    if args.replay:
        failures += _replay_failures(transcript, lines)
    for failure in failures:
        print(failure)
    if failures:
        return 1
    checks = "chain, head, signatures, ledger" + (", replay" if args.replay else "")
    print(f"{transcript}: verified {len(lines) - 1} events ({checks})")
    return 0
