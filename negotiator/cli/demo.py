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
from rich.markup import escape

from negotiator.delegation.demo import SCENARIOS, demo_inputs
from negotiator.delegation.monitoring import SimulatedCrash
from negotiator.errors import RuntimeFailure, UsageError
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.modes import STRUCTURED_MODES
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.llm.protocol import ModelClient
from negotiator.llm.secrets import redact_url, url_secrets
from negotiator.transcript.format import TranscriptEvent

if TYPE_CHECKING:
    from negotiator.graphs.runner import DelegationEnvironment

# The graph layer (LangGraph) is imported inside the functions that run a delegation, so that
# building the CLI parser — and every other sub-command — does not pay for loading it.

__all__ = ["add_parser", "build_client", "execute_run", "next_run_id", "run"]

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_SEED = 7
#: completion token limit per request when a custom ``--base-url`` is given without --max-tokens
DEFAULT_LOCAL_MAX_TOKENS = 400
#: seconds per model request when --timeout is not given
DEFAULT_TIMEOUT_SECONDS = 60.0


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


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model-server options shared by ``demo`` and ``resume``."""
    parser.add_argument("--base-url", help="OpenAI-compatible server URL ending in /v1")
    parser.add_argument("--model", help="model name on that server")
    parser.add_argument(
        "--structured-mode",
        choices=sorted(STRUCTURED_MODES),
        default="json_schema",
        help="how structured output is requested (default json_schema)",
    )
    parser.add_argument(
        "--max-tokens",
        type=_positive(int),
        metavar="N",
        help=f"completion token limit per model request (default {DEFAULT_LOCAL_MAX_TOKENS} "
        "with --base-url, else the server's)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=_positive(int),
        metavar="N",
        help="model requests in flight at most (default: no limit; use 1 for llama.cpp, "
        "which answers one request at a time)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        metavar="SECONDS",
        help=f"seconds per model request (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    parser.add_argument(
        "--offline", action="store_true", help="ignore OPENAI_* variables; no model at all"
    )


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: ``kind`` of the text, which must be > 0."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    parse.__name__ = kind.__name__
    return parse


#: limit options recorded in the run's model settings only when given (defaults apply later)
_LIMITS = ("max_tokens", "max_concurrency", "timeout")


def model_settings(args: argparse.Namespace) -> dict[str, Any] | None:
    """Return the model settings chosen by the options and environment (``None``: offline).

    Raises:
        UsageError: a custom server was given without a model name.
    """
    if args.offline:
        return None
    base_url = args.base_url or os.environ.get("OPENAI_BASE_URL")
    model = args.model or os.environ.get("OPENAI_MODEL")
    if not (base_url or model or os.environ.get("OPENAI_API_KEY")):
        return None
    if model is None and base_url is not None:
        raise UsageError("--model (or OPENAI_MODEL) is required with a custom --base-url")
    settings: dict[str, Any] = {
        "model": model or DEFAULT_MODEL,
        "structured_mode": args.structured_mode,
    }
    settings |= {k: v for k in _LIMITS if (v := getattr(args, k, None)) is not None}
    return settings | ({"base_url": base_url} if base_url else {})


def stored_settings(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The model settings as ``run.json`` keeps them: a base URL's credentials redacted.

    Example:
        >>> stored_settings({"model": "m", "base_url": "http://u:KEY-123@h/v1"})["base_url"]
        'http://[REDACTED]@h/v1'
    """
    if settings is None:
        return None
    url = settings.get("base_url")
    return dict(settings) | ({"base_url": redact_url(url)} if url else {})


def build_client(settings: Mapping[str, Any] | None) -> tuple[ModelClient, list[str]]:
    """Return the model client for ``settings`` and the secrets to keep out of transcripts.

    Limits not in ``settings`` take their defaults here: ``max_tokens``
    :data:`DEFAULT_LOCAL_MAX_TOKENS` when a ``base_url`` is given (else the server's own),
    ``timeout`` :data:`DEFAULT_TIMEOUT_SECONDS`, no ``max_concurrency`` limit.

    Raises:
        UsageError: a limit is out of range (e.g. from a hand-edited ``run.json``).
    """
    if settings is None:
        return DeterministicClient(), []
    key = os.environ.get("OPENAI_API_KEY")
    local_default = DEFAULT_LOCAL_MAX_TOKENS if settings.get("base_url") else None
    max_tokens = settings.get("max_tokens", local_default)
    concurrency = settings.get("max_concurrency")
    if max_tokens is not None and int(max_tokens) < 1:
        raise UsageError("max_tokens must be >= 1")
    client = OpenAICompatibleClient(
        model=settings["model"],
        base_url=settings.get("base_url"),
        api_key=key,
        mode=settings.get("structured_mode", "json_schema"),
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT_SECONDS)),
        max_tokens=None if max_tokens is None else int(max_tokens),
        max_concurrency=None if concurrency is None else int(concurrency),
    )
    return client, sorted({*([key] if key else []), *url_secrets(settings.get("base_url"))})


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
) -> dict[str, Any]:
    """Run (or continue) the delegation described by ``meta`` and return its JSON outcome.

    Raises:
        RuntimeFailure: the run stopped midway (e.g. a simulated crash); resume it.
    """
    from negotiator.flows import arun_flow  # noqa: PLC0415 (lazy: see the module note)
    from negotiator.graphs.runner import (  # noqa: PLC0415 (lazy: LangGraph)
        FLOW_NAME,
        RunPaths,
        delegation_flow_in,
    )

    run_id = str(meta["run_id"])
    paths = RunPaths.for_run(runs_dir, run_id)
    client, secrets = build_client(meta.get("model"))

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
    create_run_folder(paths.root, paths.meta.name, stored)
    return finish(args, meta, runs_dir, previous=())


def create_run_folder(root: Path, meta_name: str, meta: Mapping[str, Any]) -> None:
    """Create the run folder holding its description, atomically.

    The description is written in a hidden sibling folder that is then renamed into place, so a
    process killed at any moment leaves either no run folder or one with its ``run.json`` (a
    run can always be resumed, or started again). A folder without ``run.json`` (left by a
    kill before this rule) is taken over.
    """
    root.parent.mkdir(parents=True, exist_ok=True)
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

    console = None if args.json else Console(highlight=False)
    env = DelegationEnvironment(
        runs_dir=runs_dir,
        on_update=None if console is None else story_printer(console),
        previous_events=previous,
    )
    outcome = execute_run(meta, runs_dir, env=env, console=console)
    if console is None:
        print(json.dumps(outcome, ensure_ascii=False))
    else:
        print_summary(console, outcome)
    return 0


# --- the story (formatters return rich markup; data is escaped) ----------------------------

E = escape


def _announce(u: Mapping[str, Any]) -> list[str]:
    a = u.get("announcement", {})
    lines = [
        f"Announced {E(str(a.get('task_id')))}: {len(a.get('eligible', []))} bidders eligible."
    ]
    lines += [
        f"  [dim]filtered[/dim] {E(i['bidder_id'])}: {E('; '.join(i['reasons']))}"
        for i in a.get("ineligible", [])
    ]
    return lines


def _ask(u: Mapping[str, Any]) -> list[str]:
    if "round" not in u:
        return ["Clarification rounds exhausted."]
    qs, groups = u.get("questions", []), u.get("pending", [])
    lines = [f"Round {u['round']}: {len(qs)} question(s), {len(groups)} after deduplication."]
    lines += [
        f"  [cyan]Q[/cyan] {E(g['text'])}  [dim]({len(g['question_ids'])} asked)[/dim]"
        for g in groups
    ]
    return lines


def _answer(u: Mapping[str, Any]) -> list[str]:
    entries = len(u.get("faq", {}).get("entries", []))
    return [f"  [green]A[/green] {E(a['text'])}" for a in u.get("answers", [])] + [
        f"  FAQ now has {entries} entries, sent to every bidder."
    ]


def _bid_line(b: Mapping[str, Any]) -> str:
    return E(
        f"{b['bidder_id']} {b['price']['amount']} {b['price']['currency']}, "
        f"{b['estimated_duration_seconds']} s, quality {b['claimed_quality']}, "
        f"privacy {b['privacy_guarantee']}, bond {b['reputation_bond']['amount']}"
    )


def _screen(u: Mapping[str, Any]) -> list[str]:
    s = u.get("screened", {})
    lines = [f"Opened all sealed bids at the deadline: {len(s.get('valid', []))} valid."]
    lines += [f"  {_bid_line(b)}" for b in s.get("valid", [])]
    lines += [
        f"  [red]rejected[/red] {E(r['bidder_id'])}: "
        + E("; ".join(f"{x['path']}: {x['message']}" for x in r["reasons"]))
        for r in s.get("rejected", [])
    ]
    return lines


def _award(u: Mapping[str, Any]) -> list[str]:
    if "failure" in u:
        return [f"[red]No award[/red]: {E(u['failure'])}"]
    return [f"[bold]Award[/bold]: {E(u['award']['reason'])}"]


def _contract(u: Mapping[str, Any]) -> list[str]:
    c = u["contract"]
    kinds = ", ".join(cl["kind"] for cl in c["clauses"])
    digest = c["signatures"][0]["terms_sha256"][:12]
    return [f"Contract {E(c['id'])} signed by both parties (sha256 {digest}…): {E(kinds)}."]


def _monitor(u: Mapping[str, Any]) -> list[str]:
    v = u["verdicts"][-1]
    reports = u.get("reports") or []
    ok = sum(status == "ok" for status in v["clause_status"])
    if reports:
        r = reports[-1]
        values = {**r["metrics"], **{k: "yes" if x else "NO" for k, x in r["checks"].items()}}
        seen = f"progress {r['progress']:.0%}, " + ", ".join(f"{k} {x}" for k, x in values.items())
    else:
        seen = "[red]missed[/red]"
    lines = [f"  report {v['tick']}: {seen}; clauses ok {ok}/{len(v['clause_status'])}"]
    if v["kind"] != "continue":
        lines.append(f"[bold]{E(v['kind'])}[/bold]: {E(v['evidence'])}")
    return lines


def _settle(u: Mapping[str, Any]) -> list[str]:
    s = u["settlement"]
    lines = [f"Settled ({E(s['outcome'])}):"]
    lines += [
        "  "
        + E(
            f"{p['from_account']} → {p['to_account']}: {p['amount']['amount']} "
            f"{p['amount']['currency']} ({p['reason']})"
        )
        for p in s["payments"]
    ]
    r = u["reputation"]
    lines.append(f"Reputation of {E(r['agent_id'])}: {r['before']} → {r['after']} (damped).")
    return lines


_STORY: Mapping[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "announce": _announce,
    "ask": _ask,
    "answer": _answer,
    "bid": lambda u: ["Bidding open; bids stay sealed until the deadline."],
    "submit_bid": lambda u: [f"  sealed bid received from {E(u['sealed'][0]['sender_id'])}"],
    "screen": _screen,
    "award": _award,
    "contract": _contract,
    "monitor": _monitor,
    "settle": _settle,
}


def story_printer(console: Console) -> Callable[[str, Mapping[str, Any]], None]:
    """Return the progress callback that tells the story one graph step at a time."""

    def show(node: str, update: Mapping[str, Any]) -> None:
        tell = _STORY.get(node)
        if tell is not None:
            for line in tell(update):
                console.print(line)

    return show


def print_summary(console: Console, outcome: Mapping[str, Any]) -> None:
    """Print the closing lines of the story."""
    console.print(
        f"\n[bold]{outcome['outcome']}[/bold]; ledger balanced: {outcome['ledger_balanced']}; "
        f"conversational steps: {outcome['seam_calls']} (model calls {outcome['model_calls']}, "
        f"fallbacks {outcome['fallbacks']})."
    )
    for sub in outcome.get("subruns", ()):
        o = sub["outcome"]
        paid = ", ".join(
            f"{p['from']} → {p['to']} {p['amount']} ({p['reason']})" for p in o["payments"]
        )
        console.print(
            f"sub-delegation {escape(sub['task_id'])}: [bold]{escape(o['outcome'])}[/bold]"
            + escape(f"; {paid}" if paid else "")
        )
    console.print(f"transcript: {escape(str(outcome['transcript']))}")
