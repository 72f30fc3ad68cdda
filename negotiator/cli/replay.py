"""``negotiator replay FILE [--check] [--json]``: show a transcript step by step, or re-run it.

Without ``--check`` the transcript is told as a story (:mod:`negotiator.cli.narrate`): phase by
phase, each model call under its phase and attributed to the agent it spoke for, then the
phase's events in words, and the same step counts as the demo's summary.
With ``--check`` the recorded flow is re-run offline from its recorded inputs and model answers;
the exit code is 0 when the outcome and every flow event are identical, 1 with a readable diff
otherwise. ``--json`` prints one JSON object instead.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from rich.console import Console

from negotiator.cli.console import make_console
from negotiator.cli.narrate import story_lines
from negotiator.flows import check_transcript
from negotiator.transcript.reader import Transcript, read_transcript

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``replay`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "replay",
        help="show a recorded run step by step, or re-run it (--check)",
        description=(
            "Pretty-print a transcript (JSON Lines) step by step. With --check, re-run the "
            "recorded flow offline from its recorded inputs and model answers: exit 0 when the "
            "outcome is identical, 1 with a diff otherwise."
        ),
    )
    parser.add_argument("file", help="transcript file (.jsonl)")
    parser.add_argument("--check", action="store_true", help="re-run the flow and compare")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _pretty(transcript: Transcript, console: Console) -> None:
    for line in story_lines(transcript):
        console.print(line)


def run(args: argparse.Namespace) -> int:
    """Show or check the transcript; returns the exit code."""
    transcript = read_transcript(args.file)
    result = check_transcript(args.file) if args.check else None
    if args.json:
        out: dict[str, Any] = {
            "file": args.file,
            "header": transcript.header.model_dump(mode="json"),
            "summary": asdict(transcript.summary()),
            "events": [e.model_dump(mode="json") for e in transcript.events],
            "check": None
            if result is None
            else {"ok": result.ok, "diff": result.diff, "outcome": result.outcome},
        }
        print(json.dumps(out, ensure_ascii=False))
    elif result is None:
        _pretty(transcript, make_console())
    elif result.ok:
        print(f"{args.file}: re-run identical to the recording ({transcript.header.flow})")
    else:
        print(f"{args.file}: re-run differs from the recording:\n{result.diff}")
    return 0 if result is None or result.ok else 1
