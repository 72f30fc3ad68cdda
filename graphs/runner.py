"""The registered ``delegation`` flow (recorded transcripts and ``negotiator replay --check``); the
stores are opened by :mod:`negotiator.graphs.stores` and one run is
:func:`negotiator.graphs.api.execute` (both re-exported here).

Where a run keeps its checkpoints and ledger is an *environment* choice, not an input: the CLI
runs the flow bound to a :class:`DelegationEnvironment` (:func:`delegation_flow_in`: a run folder
under ``--runs-dir``, a progress display); the registered flow, which a replay check re-runs,
has the default environment and so runs entirely in memory, never touching the recorded run's
files.

A run folder ``<runs-dir>/<run id>/`` holds ``transcript.jsonl``, ``checkpoints.sqlite`` (the
LangGraph SQLite checkpointer, written with ``durability="sync"``), ``ledger.sqlite`` (the escrow
ledger, and the reputation store's tables), ``keys.json`` (the agents' public keys, for
``negotiator verify``) and ``run.json`` (flow, inputs, seed and model
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

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.execution import AnyExecutor, RunContext
from negotiator.delegation.keys import RunKeys, hub_key
from negotiator.delegation.monitoring import Executor, SimulatedExecutor
from negotiator.delegation.negotiation.mediated import signing_agents
from negotiator.delegation.record import RunView, flow_events, outcome_of
from negotiator.delegation.request import DelegationSetup
from negotiator.delegation.subdelegation import SubDelegatingExecutor, SubRun
from negotiator.delegation.subtasks import SubTaskSetup, sub_delegating
from negotiator.errors import InvalidInputError
from negotiator.flows import FlowFn, FlowRun, register_flow
from negotiator.graphs.api import RunResult, Update, adelegate, execute
from negotiator.graphs.stores import RunPaths, open_reputation, open_stores
from negotiator.llm.protocol import ModelClient
from negotiator.llm.replay import ReplayClient
from negotiator.llm.resuming import ResumingClient
from negotiator.transcript.format import TranscriptEvent
from negotiator.trust.keys import AgentKey

__all__ = [
    "FLOW_NAME",
    "DelegationEnvironment",
    "RunPaths",
    "RunResult",
    "delegation_flow",
    "delegation_flow_in",
    "execute",
    "flow_events",
    "open_reputation",
    "open_stores",
    "outcome_of",
    "run_keys",
    "seal_key",
    "simulated_contractor",
]

FLOW_NAME = "delegation"
Json = dict[str, Any]


@dataclass(frozen=True)
class DelegationEnvironment:
    """Where and how the ``delegation`` flow runs (chosen by the CLI; defaults: in memory).

    Args:
        runs_dir: the folder of run folders; ``None`` keeps everything in memory.
        on_update: called with ``(node, partial state)`` after every graph step (progress).
        previous_events: model events of an earlier attempt, copied into the new transcript
            when a crashed run is resumed; a call the resumed run makes again is answered from
            them, so every model exchange is recorded exactly once.
    """

    runs_dir: Path | None = None
    on_update: Update | None = None
    previous_events: tuple[TranscriptEvent, ...] = field(default_factory=tuple)


def simulated_contractor(setup: DelegationSetup, seed: int) -> Executor:
    """The flow's contractor: the setup's simulated executor, seeded with the run's seed."""
    return SimulatedExecutor(setup.script, seed)


async def _subruns(
    executor: AnyExecutor, state: Mapping[str, Any], context: RunContext
) -> tuple[SubRun, ...]:
    """The sub-runs of a sub-delegating contractor (found again after a resume), else none."""
    contract = RunView(state).contract
    if not isinstance(executor, SubDelegatingExecutor) or contract is None:
        return ()
    return await executor.subruns(contract, context)


def _subrun_json(run: SubRun) -> Json:
    return {
        "task_id": run.task_id,
        "run_id": run.run_id,
        "required": run.required,
        "outcome": run.outcome.model_dump(mode="json", by_alias=True),
    }


def run_keys(setup: DelegationSetup, seed: int) -> RunKeys:
    """The demo keys of a set-up's delegator, bidders and hub for ``seed`` (and the mediator's,
    when the request negotiates through it)."""
    return RunKeys.demo(signing_agents(setup.request, (b.bidder_id for b in setup.bidders)), seed)


def seal_key(seed: int | None) -> AgentKey:
    """The key that seals a ``delegation`` transcript: the demo hub's for the run's seed."""
    return hub_key(seed or 0)


@register_flow(FLOW_NAME, sealer=seal_key)
async def delegation_flow(run: FlowRun) -> dict[str, object]:
    """The ``delegation`` flow: inputs ``{"setup": DelegationSetup}`` and optionally
    ``"subtasks": [SubTaskSetup, ...]`` (the contractor's sub-delegations); one model client for
    the delegator and every bidder at every level; the simulated executors seeded with the run's
    seed. Runs in memory (see :func:`delegation_flow_in` for a run folder)."""
    return await _delegation(run, DelegationEnvironment())


def delegation_flow_in(env: DelegationEnvironment) -> FlowFn:
    """The ``delegation`` flow run in ``env`` (pass it as ``arun_flow(..., flow=...)``)."""

    async def flow(run: FlowRun) -> dict[str, object]:
        return await _delegation(run, env)

    return flow


async def _delegation(run: FlowRun, env: DelegationEnvironment) -> dict[str, object]:
    setup = DelegationSetup.model_validate(run.inputs["setup"])
    subtasks = [SubTaskSetup.model_validate(s) for s in _as_list(run.inputs.get("subtasks"))]
    for e in env.previous_events:
        run.sink.emit(e.step, e.role, e.kind, e.payload)
    client: ModelClient = run.client
    if env.previous_events:
        client = ResumingClient(ReplayClient.from_events(env.previous_events), run.client)
    seed = run.seed or 0
    paths = RunPaths.for_run(env.runs_dir, run.run_id) if env.runs_dir is not None else None
    executor: AnyExecutor = simulated_contractor(setup, seed)
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
    keys = run_keys(setup, seed)
    if paths is not None:
        paths.root.mkdir(parents=True, exist_ok=True)
        keys.save(paths.keys)
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
            keys=keys,
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
