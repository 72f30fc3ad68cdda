"""Running the delegation graph: funding, crash resume, transcript events, the outcome, and the
registered ``delegation`` flow (recorded transcripts and ``negotiator replay --check``); the
stores are opened by :mod:`negotiator.graphs.stores` and one run is
:func:`negotiator.graphs.api.execute` (both re-exported here).

Where a run keeps its checkpoints and ledger is an *environment* choice, not an input: the CLI
sets :data:`ENVIRONMENT` (a run folder under ``--runs-dir``); a replay check leaves it unset and
so re-runs entirely in memory, never touching the recorded run's files.

A run folder ``<runs-dir>/<run id>/`` holds ``transcript.jsonl``, ``checkpoints.sqlite`` (the
LangGraph SQLite checkpointer, written with ``durability="sync"``), ``ledger.sqlite`` (the escrow
ledger, and the reputation store's tables) and ``run.json`` (flow, inputs, seed and model
settings — never a key — for ``negotiator resume``). Flow events are written to the transcript
from the final state, so a run resumed after a crash still records the whole delegation in order.

Recursive delegation: the flow's optional ``subtasks`` input (a list of
:class:`~negotiator.delegation.subtasks.SubTaskSetup`) makes the contractor post sub-tasks when
its work starts. The nested runs are recorded as **nested events of the parent's transcript**:
their model exchanges in call order (so ``replay --check`` of the parent re-runs them too), then
one ``subdelegate / <contractor> / subrun`` event per sub-run after the parent's events (its run
id and full outcome: winner, payments, breach, reputation), and the parent's outcome gains a
``subruns`` list (only when there are sub-tasks). A sub-run's own run folder (checkpoints only;
money goes to the parent's ledger) is ``<runs-dir>/<run id>.<sub-task id>/``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.execution import AnyExecutor, RunContext
from negotiator.delegation.monitoring import Executor, SimulatedExecutor
from negotiator.delegation.request import DelegationSetup
from negotiator.delegation.subdelegation import SubDelegatingExecutor, SubRun
from negotiator.delegation.subtasks import SubTaskSetup, sub_delegating
from negotiator.errors import InvalidInputError, ReplayMismatchError
from negotiator.flows import FlowRun, register_flow
from negotiator.graphs.api import RunResult, Update, adelegate, execute, outcome_of
from negotiator.graphs.stores import RunPaths, open_reputation, open_stores
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall, TextCall
from negotiator.llm.replay import ReplayClient
from negotiator.transcript.format import TranscriptEvent
from negotiator.wire.contract import Contract

__all__ = [
    "ENVIRONMENT",
    "FLOW_NAME",
    "DelegationEnvironment",
    "RunPaths",
    "RunResult",
    "delegation_flow",
    "execute",
    "flow_events",
    "open_reputation",
    "open_stores",
    "outcome_of",
]

FLOW_NAME = "delegation"
T = TypeVar("T", bound=BaseModel)
Json = dict[str, Any]


class _KillingExecutor:
    """Test tooling: ends the process abruptly (``os._exit``) before report ``after``."""

    def __init__(self, inner: Executor, after: int) -> None:
        self.inner = inner
        self.after = after

    def report(self, contract: Contract, sequence: int, at: datetime) -> Any:
        if sequence >= self.after:
            os._exit(70)
        return self.inner.report(contract, sequence, at)


@dataclass(frozen=True)
class DelegationEnvironment:
    """Where and how the ``delegation`` flow runs (set by the CLI; defaults: in memory).

    Args:
        runs_dir: the folder of run folders; ``None`` keeps everything in memory.
        crash_after: test tooling — the simulated contractor fails before this report.
        hard_crash: with ``crash_after``, kill the process instead of raising.
        on_update: called with ``(node, partial state)`` after every graph step (progress).
        previous_events: model events of an earlier attempt, copied into the new transcript
            when a crashed run is resumed; a call the resumed run makes again is answered from
            them, so every model exchange is recorded exactly once.
    """

    runs_dir: Path | None = None
    crash_after: int | None = None
    hard_crash: bool = False
    on_update: Update | None = None
    previous_events: tuple[TranscriptEvent, ...] = field(default_factory=tuple)


ENVIRONMENT: ContextVar[DelegationEnvironment | None] = ContextVar(
    "negotiator_delegation_environment", default=None
)


Event = tuple[str, str, str, Json]


def _clarify_events(state: Mapping[str, Any], delegator: str) -> list[Event]:
    events: list[Event] = [
        ("clarify", q["bidder_id"], "question", q) for q in state.get("questions", [])
    ]
    events += [("clarify", delegator, "answer", a) for a in state.get("answers", [])]
    if "faq" in state:
        events.append(("clarify", delegator, "faq", state["faq"]))
    return events


def _monitor_events(state: Mapping[str, Any], delegator: str) -> list[Event]:
    reports = {r["sequence"]: r for r in state.get("reports", [])}
    contractor = state["contract"]["contractor_id"] if "contract" in state else delegator
    events: list[Event] = []
    for verdict in state.get("verdicts", []):
        report = reports.get(verdict["tick"])
        if report is not None:
            events.append(("monitor", contractor, "report", report))
        events.append(("monitor", delegator, "verdict", verdict))
    return events


def flow_events(state: Mapping[str, Any]) -> list[Event]:
    """The run's flow events in flow order (announce, clarify, bid, screen, award, contract,
    monitor, settle), built from its state."""
    delegator = state["request"]["task"]["delegator_id"]
    events: list[Event] = []
    if "announcement" in state:
        events.append(("announce", delegator, "announcement", state["announcement"]))
    events += _clarify_events(state, delegator)
    sealed = sorted(state.get("sealed", []), key=lambda s: str(s["sender_id"]))
    events += [("bid", s["sender_id"], "sealed_bid", s) for s in sealed]
    singles = (
        ("screen", "screened", "screening"),
        ("award", "award", "award"),
        ("contract", "contract", "contract"),
    )
    events += [(step, delegator, kind, state[key]) for step, key, kind in singles if key in state]
    events += _monitor_events(state, delegator)
    if "settlement" in state:
        events.append(("settle", delegator, "settlement", state["settlement"]))
    if "reputation" in state:
        events.append(("settle", delegator, "reputation", state["reputation"]))
    if "failure" in state:
        events.append(("award", delegator, "failure", {"reason": state["failure"]}))
    return events


class _ResumingClient:
    """After a crash, a call the resumed run makes again is answered from the earlier attempt's
    recording (already in the new transcript, so not recorded twice); any other call goes to
    the live client."""

    def __init__(self, earlier: ReplayClient, live: ModelClient) -> None:
        self.earlier = earlier
        self.live = live

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        try:
            return await self.earlier.structured(call)
        except ReplayMismatchError:
            return await self.live.structured(call)

    async def text(self, call: TextCall) -> ModelResult[str]:
        try:
            return await self.earlier.text(call)
        except ReplayMismatchError:
            return await self.live.text(call)


def _executor(setup: DelegationSetup, seed: int, env: DelegationEnvironment) -> Executor:
    if env.crash_after is not None and env.hard_crash:
        return _KillingExecutor(SimulatedExecutor(setup.script, seed), env.crash_after)
    return SimulatedExecutor(setup.script, seed, crash_after=env.crash_after)


async def _subruns(
    executor: AnyExecutor, state: Mapping[str, Any], context: RunContext
) -> tuple[SubRun, ...]:
    """The sub-runs of a sub-delegating contractor (found again after a resume), else none."""
    if not isinstance(executor, SubDelegatingExecutor) or "contract" not in state:
        return ()
    return await executor.subruns(Contract.model_validate(state["contract"]), context)


def _subrun_json(run: SubRun) -> Json:
    return {
        "task_id": run.task_id,
        "run_id": run.run_id,
        "required": run.required,
        "outcome": run.outcome.model_dump(mode="json", by_alias=True),
    }


@register_flow(FLOW_NAME)
async def delegation_flow(run: FlowRun) -> dict[str, object]:
    """The ``delegation`` flow: inputs ``{"setup": DelegationSetup}`` and optionally
    ``"subtasks": [SubTaskSetup, ...]`` (the contractor's sub-delegations); one model client for
    the delegator and every bidder at every level; the simulated executors seeded with the run's
    seed."""
    setup = DelegationSetup.model_validate(run.inputs["setup"])
    subtasks = [SubTaskSetup.model_validate(s) for s in _as_list(run.inputs.get("subtasks"))]
    env = ENVIRONMENT.get() or DelegationEnvironment()
    for e in env.previous_events:
        run.sink.emit(e.step, e.role, e.kind, e.payload)
    client: ModelClient = run.client
    if env.previous_events:
        client = _ResumingClient(ReplayClient.from_events(env.previous_events), run.client)
    seed = run.seed or 0
    paths = RunPaths.for_run(env.runs_dir, run.run_id) if env.runs_dir is not None else None
    executor: AnyExecutor = _executor(setup, seed, env)
    if subtasks:
        executor = sub_delegating(
            executor,
            subtasks,
            setup.bidders,
            seed,
            delegate=adelegate,
            client=client,
            runs_dir=env.runs_dir,
        )
    clock = FixedClock(setup.start)
    async with open_stores(paths) as (checkpointer, ledger), open_reputation(paths) as store:
        result = await execute(
            setup.request,
            bidders=setup.bidders,
            funding=setup.funding,
            run_id=run.run_id,
            delegator_client=client,
            bidder_clients=client,
            executor=executor,
            clock=clock,
            rng=random.Random(seed),
            checkpointer=checkpointer,
            ledger=ledger,
            on_update=env.on_update,
            reputation=store,
        )
        context = RunContext(run_id=run.run_id, ledger=ledger, clock=clock, reputation=store)
        subruns = [_subrun_json(r) for r in await _subruns(executor, result.state, context)]
    for step, role, kind, payload in flow_events(result.state):
        run.emit(step, role, kind, payload)
    contractor = result.state.get("contract", {}).get("contractor_id", "")
    for sub in subruns:
        run.emit("subdelegate", contractor, "subrun", sub)
    outcome: dict[str, object] = result.outcome.model_dump(mode="json", by_alias=True)
    return outcome | ({"subruns": subruns} if subtasks else {})


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInputError.single("delegation flow", "$.subtasks", "must be a list")
    return value
