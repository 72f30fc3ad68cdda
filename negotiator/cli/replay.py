"""``negotiator replay FILE [--check] [--json]``: show a transcript step by step, or re-run it.

Without ``--check`` the transcript is pretty-printed (rich), one event per line, grouped by step.
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
from rich.markup import escape

from negotiator.flows import check_transcript
from negotiator.transcript.format import FALLBACK, MODEL_REQUEST, MODEL_RESPONSE, TranscriptEvent
from negotiator.transcript.reader import Transcript, read_transcript

__all__ = ["add_parser", "run"]

_MAX_VALUE_CHARS = 160


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


def _clip(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def _model_request(e: TranscriptEvent) -> str:
    messages = e.payload.get("messages")
    count = len(messages) if isinstance(messages, list) else 0
    return f"asks for {e.payload.get('output')} with {count} message(s)"


def _model_response(e: TranscriptEvent) -> str:
    p = e.payload
    usage = p.get("usage") if isinstance(p.get("usage"), dict) else {}
    assert isinstance(usage, dict)
    return (
        f"[bold]{p.get('source')}[/bold] after {p.get('attempts')} attempt(s), "
        f"tokens {usage.get('prompt_tokens')}/{usage.get('completion_tokens')}: "
        f"{escape(_clip(p.get('value')))}"
    )


def _fallback(e: TranscriptEvent) -> str:
    return f"[red]fell back[/red]: {escape(_clip(e.payload.get('reason')))}"


_RENDER = {MODEL_REQUEST: _model_request, MODEL_RESPONSE: _model_response, FALLBACK: _fallback}


def _pretty(transcript: Transcript, console: Console) -> None:
    h = transcript.header
    console.print(
        f"[bold]{escape(h.flow)}[/bold] run {escape(h.run_id)} seed {h.seed} "
        f"(schema v{h.schema_version}, {len(transcript.events)} events)"
    )
    console.print(f"inputs: {escape(_clip(h.inputs))}")
    step = None
    for e in transcript.events:
        if e.step != step:
            step = e.step
            console.rule(f"[cyan]{escape(step)}[/cyan]", align="left")
        render = _RENDER.get(e.kind)
        text = render(e) if render else escape(_clip(e.payload))
        console.print(f"{e.seq:>4}  {escape(e.role)} [green]{escape(e.kind)}[/green]  {text}")
    s = transcript.summary()
    console.print(
        f"model calls {s.model_calls} (valid first try {s.valid_first_try}, after re-ask "
        f"{s.valid_after_reask}), fallbacks {s.fallbacks}, tokens {s.prompt_tokens} in / "
        f"{s.completion_tokens} out"
    )


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
        _pretty(transcript, Console())
    elif result.ok:
        print(f"{args.file}: re-run identical to the recording ({transcript.header.flow})")
    else:
        print(f"{args.file}: re-run differs from the recording:\n{result.diff}")
    return 0 if result is None or result.ok else 1
