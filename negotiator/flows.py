"""Re-runnable flows: record a run to a transcript, then re-run it offline and compare.

A *flow* is a function taking a :class:`FlowRun` — its JSON inputs, seed, run id, a model client
and an event sink — that emits its events with :meth:`FlowRun.emit` and returns its outcome (a
JSON-able mapping). Registered under a name, it can be

* recorded: :func:`run_flow` writes the header (flow name, inputs, seed), every flow event, every
  model exchange (through a :class:`~negotiator.llm.recording.RecordingClient`) and the outcome;
* checked: :func:`check_transcript` re-runs it from the recorded inputs with a
  :class:`~negotiator.llm.replay.ReplayClient` over the recorded answers and compares every flow
  event and the outcome; drift (a request never recorded, recorded answers left unused, a
  different event) is reported as a readable diff. ``negotiator replay FILE --check`` uses it.

A flow may be ``async def`` (awaiting ``run.client``) or a plain function (run in a worker
thread; wrap ``run.client`` in :class:`~negotiator.llm.sync.SyncClient` to call it). A flow must
be deterministic given its inputs, seed and model answers.

Registering: decorate the flow with ``@register_flow("name")``; for ``replay --check`` from a
fresh process, also declare it as an entry point of the group :data:`FLOW_ENTRY_POINTS` in the
package's metadata (``[project.entry-points."negotiator.flows"]`` in ``pyproject.toml``:
``name = "package.module:flow"``). A transcript is data: it names a flow, it never names code to
import; and this module names no flow module either, so the layers above it stay above it.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TypeVar, cast

from pydantic import JsonValue

from negotiator.errors import ReplayMismatchError, UsageError, lookup
from negotiator.llm.protocol import ModelClient
from negotiator.llm.recording import RecordingClient
from negotiator.llm.replay import RecordedTurn, ReplayClient
from negotiator.llm.strict import RequireModel
from negotiator.transcript.format import MODEL_KINDS, OUTCOME, TranscriptEvent, TranscriptHeader
from negotiator.transcript.reader import read_transcript
from negotiator.transcript.writer import EventSink, TranscriptWriter, to_json_payload
from negotiator.trust.keys import AgentKey

__all__ = [
    "FLOW_ENTRY_POINTS",
    "FlowFn",
    "FlowRun",
    "ReplayCheck",
    "RunRecord",
    "Sealer",
    "acheck_transcript",
    "arun_flow",
    "check_transcript",
    "get_flow",
    "register_flow",
    "registered_flows",
    "run_flow",
]

OUTCOME_STEP = "flow"
OUTCOME_ROLE = "runner"

#: the entry-point group naming the flows installed packages provide (loaded on first use).
FLOW_ENTRY_POINTS = "negotiator.flows"


@dataclass(frozen=True)
class FlowRun:
    """What a flow receives.

    Args:
        flow: the flow's registered name.
        inputs: its inputs as JSON (exactly what the transcript header holds, also when
            replaying, so both runs see the same values).
        seed: the run's seed (build seeded generators from it; never use global random state).
        run_id: the run's identifier.
        client: the model client (recording, or replaying when checked).
        sink: where events go; use :meth:`emit`.
    """

    flow: str
    inputs: Mapping[str, JsonValue]
    seed: int | None
    run_id: str
    client: ModelClient
    sink: EventSink

    def emit(
        self, step: str, role: str, kind: str, payload: Mapping[str, object]
    ) -> TranscriptEvent:
        """Record one flow event (pydantic models, ``Decimal`` and enums are fine in payload)."""
        return self.sink.emit(step, role, kind, payload)


FlowFn = Callable[[FlowRun], Awaitable[Mapping[str, object]] | Mapping[str, object]]
"""A flow: async or plain, taking a :class:`FlowRun`, returning its outcome mapping."""

F = TypeVar("F", bound=FlowFn)

Sealer = Callable[[int | None], AgentKey]
"""Given a run's seed, the key that signs the head of its transcript (see ``seal``)."""

_FLOWS: dict[str, FlowFn] = {}
_SEALERS: dict[str, Sealer] = {}


def register_flow(
    name: str, *, replace: bool = False, sealer: Sealer | None = None
) -> Callable[[F], F]:
    """Decorator registering a flow under ``name``.

    Args:
        sealer: gives the key that seals each run's transcript with a signed ``head`` event
            (``None``: the transcript is hash-chained but left unsealed).

    Raises:
        UsageError: ``name`` is taken by another function (pass ``replace=True`` to override).

    Example:
        >>> @register_flow("doc-echo", replace=True)
        ... async def echo(run):
        ...     return {"echo": run.inputs["x"]}
        >>> get_flow("doc-echo") is echo
        True
    """

    def decorate(fn: F) -> F:
        existing = _FLOWS.get(name)
        if existing is not None and existing is not fn and not replace:
            raise UsageError(f"flow {name!r} is already registered ({existing.__qualname__})")
        _FLOWS[name] = fn
        if sealer is not None:
            _SEALERS[name] = sealer
        else:
            _SEALERS.pop(name, None)
        return fn

    return decorate


def _declared_flows() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=FLOW_ENTRY_POINTS)}


def get_flow(name: str) -> FlowFn:
    """Return the flow registered as ``name``, loading its entry point (:data:`FLOW_ENTRY_POINTS`)
    when it is not registered yet.

    Raises:
        UnknownKeyError: no such flow (the message lists the known ones).
    """
    if name not in _FLOWS:
        declared = _declared_flows().get(name)
        if declared is not None:
            register_flow(name)(declared.load())
    return lookup(_FLOWS, name, "flow")


def registered_flows() -> list[str]:
    """Every flow name registered now or declared by an installed package, sorted."""
    return sorted(set(_FLOWS) | set(_declared_flows()))


@dataclass(frozen=True)
class RunRecord:
    """A finished run: its header, every event (model ones included) and its outcome."""

    header: TranscriptHeader
    events: tuple[TranscriptEvent, ...]
    outcome: dict[str, JsonValue]


def default_run_id(flow: str, inputs: Mapping[str, JsonValue], seed: int | None) -> str:
    """A run id derived from what the run is (so two identical runs write identical files)."""
    text = json.dumps([flow, inputs, seed], sort_keys=True, ensure_ascii=False)
    return "run-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def _execute(
    fn: FlowFn,
    header: TranscriptHeader,
    client: ModelClient,
    writer: TranscriptWriter,
    require_model: bool = False,
) -> dict[str, JsonValue]:
    recording: ModelClient = RecordingClient(client, writer)
    run = FlowRun(
        header.flow,
        header.inputs,
        header.seed,
        header.run_id,
        RequireModel(recording) if require_model else recording,
        writer,
    )
    if inspect.iscoroutinefunction(fn):
        outcome = await cast(Callable[[FlowRun], Awaitable[Mapping[str, object]]], fn)(run)
    else:
        outcome = cast(Mapping[str, object], await asyncio.to_thread(fn, run))
    if not isinstance(outcome, Mapping):
        raise UsageError(f"flow {header.flow!r} returned {type(outcome).__name__}, not a mapping")
    return writer.emit(OUTCOME_STEP, OUTCOME_ROLE, OUTCOME, outcome).payload


async def arun_flow(
    name: str,
    inputs: Mapping[str, object],
    *,
    client: ModelClient,
    seed: int | None = None,
    run_id: str | None = None,
    path: str | Path | None = None,
    secrets: Iterable[str] = (),
    require_model: bool = False,
    flow: FlowFn | None = None,
) -> RunRecord:
    """Run flow ``name`` and record it (to ``path`` if given, always in memory).

    Args:
        inputs: the flow's inputs (JSON-able; pydantic models and ``Decimal`` are converted).
        client: the model client to use (wrapped in a recording client).
        secrets: extra exact strings to redact from the transcript (e.g. the API key).
        require_model: any step that falls back stops the run with
            :class:`~negotiator.errors.ModelUnavailableError` (after it was recorded).
        flow: the function to run instead of the registered one — the same flow set up for
            this host (e.g. with a run folder); the transcript names ``name``, and a replay
            check re-runs the registered flow, so both must record the same events.

    Raises:
        UnknownKeyError: no flow called ``name``.
        UsageError: inputs or an event payload have no JSON form.
        ModelUnavailableError: ``require_model`` and a step fell back.
    """
    fn = flow or get_flow(name)
    json_inputs = to_json_payload(inputs, f"inputs of flow {name!r}")
    header = TranscriptHeader(
        run_id=run_id or default_run_id(name, json_inputs, seed),
        seed=seed,
        flow=name,
        inputs=json_inputs,
    )
    if path is None:
        writer = TranscriptWriter(header, secrets=secrets)
    else:
        writer = TranscriptWriter.to_file(path, header, secrets=secrets)
    with writer:
        outcome = await _execute(fn, writer.header, client, writer, require_model)
        sealer = _SEALERS.get(name)
        if sealer is not None:
            writer.seal(sealer(seed))
    return RunRecord(writer.header, writer.events, outcome)


def run_flow(
    name: str,
    inputs: Mapping[str, object],
    *,
    client: ModelClient,
    seed: int | None = None,
    run_id: str | None = None,
    path: str | Path | None = None,
    secrets: Iterable[str] = (),
    require_model: bool = False,
    flow: FlowFn | None = None,
) -> RunRecord:
    """Blocking :func:`arun_flow` (not from inside a running event loop).

    Example:
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> @register_flow("doc-double", replace=True)
        ... def double(run):
        ...     return {"twice": 2 * run.inputs["x"]}
        >>> run_flow("doc-double", {"x": 21}, client=DeterministicClient()).outcome
        {'twice': 42}
    """
    return asyncio.run(
        arun_flow(
            name,
            inputs,
            client=client,
            seed=seed,
            run_id=run_id,
            path=path,
            secrets=secrets,
            require_model=require_model,
            flow=flow,
        )
    )


@dataclass(frozen=True)
class ReplayCheck:
    """The verdict of re-running a recorded flow.

    Attributes:
        ok: the re-run produced identical flow events and outcome, asked exactly the recorded
            model requests and used every recorded answer.
        diff: empty when ``ok``; otherwise a unified diff of the flow events (recorded vs
            replayed) and/or the replay drift.
        outcome: the re-run's outcome (``None`` when it could not finish).
        replayed: the re-run's flow events (up to the drift when it drifted).
    """

    ok: bool
    diff: str
    outcome: dict[str, JsonValue] | None
    replayed: tuple[TranscriptEvent, ...] = ()


def _event_lines(events: Iterable[TranscriptEvent]) -> list[str]:
    lines: list[str] = []
    for i, e in enumerate(events, start=1):
        lines.append(f"[{i}] {e.step} / {e.role} / {e.kind}")
        body = json.dumps(e.payload, indent=2, sort_keys=True, ensure_ascii=False)
        lines.extend("    " + line for line in body.splitlines())
    return lines


def _unused_text(unused: tuple[RecordedTurn, ...]) -> str:
    listing = "\n".join(f"  #{t.seq} {t.step} ({t.output})" for t in unused)
    return f"{len(unused)} recorded model answer(s) were never asked for:\n{listing}"


async def acheck_transcript(path: str | Path) -> ReplayCheck:
    """Re-run the flow recorded in ``path`` offline and compare it with the recording.

    Raises:
        TranscriptError: the file is not a valid transcript.
        UnknownKeyError: its flow is not registered.
    """
    recorded = read_transcript(path)
    fn = get_flow(recorded.header.flow)
    replay = ReplayClient.from_transcript(recorded)
    writer = TranscriptWriter(recorded.header)
    expected = recorded.flow_events()
    try:
        outcome = await _execute(fn, recorded.header, replay, writer)
    except ReplayMismatchError as exc:
        replayed = _flow_events(writer)
        context = _diff(recorded.path, expected[: len(replayed)], replayed)
        shown = f"\nflow events up to the drift:\n{context}" if context else ""
        drift = f"the re-run drifted from the recording: {exc}{shown}"
        return ReplayCheck(False, drift, None, replayed)
    diff = _diff(recorded.path, expected, _flow_events(writer))
    unused = replay.unused()
    problems = [p for p in (diff, _unused_text(unused) if unused else "") if p]
    return ReplayCheck(not problems, "\n".join(problems), outcome, _flow_events(writer))


def _flow_events(writer: TranscriptWriter) -> tuple[TranscriptEvent, ...]:
    return tuple(e for e in writer.events if e.kind not in MODEL_KINDS)


def _diff(
    path: str, recorded: Iterable[TranscriptEvent], replayed: Iterable[TranscriptEvent]
) -> str:
    return "\n".join(
        difflib.unified_diff(
            _event_lines(recorded),
            _event_lines(replayed),
            fromfile=f"{path} (recorded)",
            tofile="re-run (replayed)",
            lineterm="",
        )
    )


def check_transcript(path: str | Path) -> ReplayCheck:
    """Blocking :func:`acheck_transcript`.

    Example:
        >>> check_transcript("missing.jsonl")
        Traceback (most recent call last):
        ...
        negotiator.transcript.reader.TranscriptError: missing.jsonl:0: cannot read: no such file
    """
    return asyncio.run(acheck_transcript(path))
