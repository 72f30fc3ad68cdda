"""``negotiator demo``: seed 000's delegation end to end — announce, clarify, bid, award,
contract, monitor, settle — offline and deterministic by default.

With ``--base-url``/``--model`` (or ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, ``OPENAI_MODEL``)
the conversational steps go to an OpenAI-compatible model; the numbers still decide. For a local
server, ``--max-tokens`` bounds each answer (default 400 with ``--base-url``: a small model
otherwise writes until its context is full), ``--max-concurrency 1`` queues the bidders' parallel
requests for servers that answer one at a time (llama.cpp) so the queue does not eat the
timeout, and ``--timeout`` sets the seconds per request (default 60). Without
``--json`` it tells the story as it happens; with ``--json`` it prints one JSON object. Files go
under ``--runs-dir/<run id>/`` (transcript, checkpoints, ledger, run.json); a run that stopped
midway continues with ``negotiator resume RUN_ID``.

This module handles the arguments and runs the flow; the model options and client are
:mod:`negotiator.cli.models`, the story told while it runs is :mod:`negotiator.cli.story`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from negotiator.cli.console import make_console
from negotiator.cli.models import (
    add_model_arguments,
    build_client,
    model_settings,
    stored_settings,
    warn_on_stderr,
)
from negotiator.cli.story import print_summary, story_printer
from negotiator.delegation.demo import SCENARIOS, demo_inputs
from negotiator.delegation.monitoring import SimulatedCrash
from negotiator.errors import ModelUnavailableError, RuntimeFailure, UsageError
from negotiator.llm.breaker import log_warning
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.transcript.format import TranscriptEvent

if TYPE_CHECKING:
    from negotiator.graphs.runner import DelegationEnvironment

# The graph layer (LangGraph) is imported inside the functions that run a delegation, so that
# building the CLI parser — and every other sub-command — does not pay for loading it.

__all__ = ["add_parser", "execute_run", "finish", "next_run_id", "run"]

DEFAULT_SEED = 7


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``demo`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="run seed 000's delegation end to end (offline by default)",
        description=(
            "Delegate seed 000's task (optimise a React dashboard) to a market of five bidders: "
            "announce, clarify, bid, award, contract, monitor and settle, with an escrow ledger. "
            "Offline and deterministic unless a model server is given."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), default="success", help="scripted outcome"
    )
    parser.add_argument("--runs-dir", default="runs", help="folder for run files (default: runs)")
    parser.add_argument("--run-id", help="run id (default: <scenario>-NNN, the next free one)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    add_model_arguments(parser)
    return parser


def next_run_id(runs_dir: Path, scenario: str) -> str:
    """Return ``<scenario>-NNN``, the first number not yet used under ``runs_dir``."""
    n = 1
    while (runs_dir / f"{scenario}-{n:03d}").exists():
        n += 1
    return f"{scenario}-{n:03d}"


def execute_run(
    meta: Mapping[str, Any],
    runs_dir: Path,
    *,
    env: DelegationEnvironment,
    console: Console | None,
    on_trouble: Callable[[str], None] = log_warning,
) -> dict[str, Any]:
    """Run (or continue) the delegation described by ``meta`` and return its JSON outcome.

    Raises:
        RuntimeFailure: the run stopped midway (e.g. a simulated crash); resume it.
        ModelUnavailableError: the settings require a model and a step fell back.
    """
    from negotiator.flows import arun_flow  # noqa: PLC0415 (lazy: see the module note)
    from negotiator.graphs.runner import (  # noqa: PLC0415 (lazy: LangGraph)
        FLOW_NAME,
        RunPaths,
        delegation_flow_in,
    )

    run_id = str(meta["run_id"])
    paths = RunPaths.for_run(runs_dir, run_id)
    settings = meta.get("model")
    client, secrets = build_client(settings, on_trouble)

    async def go() -> dict[str, Any]:
        try:
            record = await arun_flow(
                FLOW_NAME,
                meta["inputs"],
                client=client,
                seed=int(meta["seed"]),
                run_id=run_id,
                path=paths.transcript,
                secrets=secrets,
                flow=delegation_flow_in(env),
                require_model=bool(settings and settings.get("require_model")),
            )
        finally:
            if isinstance(client, OpenAICompatibleClient):
                await client.close()
        return dict(record.outcome)

    try:
        if console is not None:
            with console.status("delegating…"):
                outcome = asyncio.run(go())
        else:
            outcome = asyncio.run(go())
    except SimulatedCrash as exc:
        raise RuntimeFailure(
            f"{exc}; the run stopped during monitoring. Continue it with: "
            f"negotiator resume {run_id} --runs-dir {runs_dir}"
        ) from None
    except ModelUnavailableError as exc:
        raise ModelUnavailableError(
            f"{exc}; the run stopped there (transcript {paths.transcript})"
        ) from None
    return outcome | {"transcript": str(paths.transcript), "run_dir": str(paths.root)}


def run(args: argparse.Namespace) -> int:
    """Run the demo; print the story (or ``--json``); return the exit code."""
    from negotiator.graphs.runner import FLOW_NAME, RunPaths  # noqa: PLC0415 (lazy)

    runs_dir = Path(args.runs_dir)
    run_id = args.run_id or next_run_id(runs_dir, args.scenario)
    meta = {
        "flow": FLOW_NAME,
        "run_id": run_id,
        "seed": args.seed,
        "scenario": args.scenario,
        "inputs": demo_inputs(args.scenario),
        "model": model_settings(args),
    }
    stored = meta | {"model": stored_settings(meta["model"])}
    paths = RunPaths.for_run(runs_dir, run_id)
    if paths.meta.exists():
        raise UsageError(
            f"run {run_id!r} already exists in {runs_dir}; continue it with "
            f"'negotiator resume {run_id} --runs-dir {runs_dir}' or choose another --run-id"
        )
    args.resume_command = f"negotiator resume {run_id} --runs-dir {runs_dir}"
    create_run_folder(paths.root, paths.meta.name, stored)
    return finish(args, meta, runs_dir, previous=())


def create_run_folder(root: Path, meta_name: str, meta: Mapping[str, Any]) -> None:
    """Create the run folder holding its description, atomically.

    The description is written in a hidden sibling folder that is then renamed into place, so a
    process killed at any moment leaves either no run folder or one with its ``run.json`` (a
    run can always be resumed, or started again). A folder without ``run.json`` (left by a
    kill before this rule) is taken over.
    """
    if not root.parent.exists():
        root.parent.mkdir(parents=True)
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    if root.exists():
        partial = root / f".{meta_name}.{os.getpid()}"
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, root / meta_name)
        return
    staging = root.parent / f".{root.name}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    (staging / meta_name).write_text(text, encoding="utf-8")
    os.replace(staging, root)


def finish(
    args: argparse.Namespace,
    meta: Mapping[str, Any],
    runs_dir: Path,
    previous: tuple[TranscriptEvent, ...],
) -> int:
    """Execute the run, then print the story's end or the JSON object (shared with resume)."""
    from negotiator.graphs.runner import DelegationEnvironment  # noqa: PLC0415 (lazy)

    console = None if args.json else make_console()
    env = DelegationEnvironment(
        runs_dir=runs_dir,
        on_update=None if console is None else story_printer(console),
        previous_events=previous,
    )
    warn = warn_on_stderr(args.command)
    outcome = execute_run(meta, runs_dir, env=env, console=console, on_trouble=warn)
    if console is None:
        print(json.dumps(outcome, ensure_ascii=False))
    else:
        print_summary(console, outcome)
    return 0
