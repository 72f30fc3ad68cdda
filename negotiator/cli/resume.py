"""``negotiator resume RUN_ID [--runs-dir DIR]``: continue a delegation that stopped midway.

The run's ``run.json`` says what ran (flow inputs, seed, model settings); its SQLite
checkpoints say how far it got. The graph continues from the last checkpoint, and the escrow
ledger's idempotency keys make sure nothing is paid twice — a run killed during monitoring
settles exactly once. Model answers recorded before the stop are carried into the new
transcript, so it can still be checked with ``negotiator replay --check``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from negotiator.cli.demo import finish
from negotiator.cli.models import add_model_arguments, model_settings
from negotiator.errors import InvalidInputError, UsageError
from negotiator.files import read_json
from negotiator.transcript.format import MODEL_KINDS, TranscriptEvent
from negotiator.transcript.reader import TranscriptError, read_transcript
from negotiator.transcript.redact import REDACTED

if TYPE_CHECKING:
    from negotiator.graphs.runner import RunPaths

__all__ = ["add_parser", "load_meta", "previous_model_events", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``resume`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "resume",
        help="continue a delegation run from its last checkpoint",
        description=(
            "Continue the delegation run RUN_ID (e.g. after a crash) from its SQLite "
            "checkpoint; settlement happens exactly once."
        ),
    )
    parser.add_argument("run_id", metavar="RUN_ID", help="the run to continue")
    parser.add_argument("--runs-dir", default="runs", help="folder of run files (default: runs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_arguments(parser)
    return parser


def load_meta(paths: RunPaths) -> dict[str, Any]:
    """Read a run's ``run.json``.

    Raises:
        UsageError: the run folder or its ``run.json`` does not exist.
        InvalidInputError: ``run.json`` is unreadable, not UTF-8, not JSON or not a delegation
            run description.
    """
    if not paths.meta.is_file():
        raise UsageError(f"no run at {paths.root} (missing {paths.meta.name})")
    meta = read_json(paths.meta)
    for key in ("flow", "run_id", "seed", "inputs"):
        if not isinstance(meta, dict) or key not in meta:
            raise InvalidInputError.single(str(paths.meta), f"$.{key}", "missing")
    assert isinstance(meta, dict)
    from negotiator.graphs.runner import FLOW_NAME  # noqa: PLC0415 (lazy: LangGraph)

    if meta["flow"] != FLOW_NAME:
        raise InvalidInputError.single(
            str(paths.meta), "$.flow", f"{meta['flow']!r} is not {FLOW_NAME!r}"
        )
    return meta


def previous_model_events(paths: RunPaths) -> tuple[TranscriptEvent, ...]:
    """The model events of the earlier attempt's transcript (none if it is unreadable)."""
    if not paths.transcript.is_file():
        return ()
    try:
        transcript = read_transcript(paths.transcript)
    except TranscriptError:
        return ()
    return tuple(e for e in transcript.events if e.kind in MODEL_KINDS)


def run(args: argparse.Namespace) -> int:
    """Continue the run; print like ``negotiator demo``; return the exit code."""
    from negotiator.graphs.runner import RunPaths  # noqa: PLC0415 (lazy: LangGraph)

    runs_dir = Path(args.runs_dir)
    paths = RunPaths.for_run(runs_dir, args.run_id)
    meta = load_meta(paths)
    args.resume_command = f"negotiator resume {args.run_id} --runs-dir {runs_dir}"
    explicit = args.offline or args.base_url or args.model
    if explicit:
        meta["model"] = model_settings(args)
    elif REDACTED in str((meta.get("model") or {}).get("base_url", "")):
        raise UsageError(
            f"run {args.run_id!r} used a server address with credentials, which run.json keeps "
            "redacted; pass --base-url (and --model) again, or --offline"
        )
    elif args.require_model:  # the recorded server, now with every fallback a failure
        if not meta.get("model"):
            raise UsageError("--require-model: this run was made without a model; give --base-url")
        meta["model"] = dict(meta["model"]) | {"require_model": True}
    return finish(args, meta, runs_dir, previous=previous_model_events(paths))
