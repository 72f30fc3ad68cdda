"""The whole delegation as plain Python: :func:`adelegate` (async) and :func:`delegate` (sync).

No LangGraph knowledge needed: pass the request, the bidders in the market and an executor; get
a :class:`~negotiator.delegation.outcome.DelegationOutcome`. By default the run is durable:
SQLite checkpoints and ledger under ``runs_dir/<run id>/``; calling again with the same
``run_id`` continues a run that stopped (crash) and never pays twice. With
``answerer="human"`` in the request the run pauses at the first question round and returns
``outcome="pending"`` with ``pending_questions``; call again with ``answers`` to continue.

Reputations: pass a ``reputation`` store (e.g. one
:class:`~negotiator.delegation.reputation_store.SqliteReputationStore` file) to every run so
that each delegation sees the reputations the earlier ones left; without one, a run with a run
folder keeps its store in the folder's ``ledger.sqlite`` (a resumed run never updates twice) and
an in-memory run starts from the bidders' profiles. Pass an open ``ledger`` to post to shared
books (a nested delegation posts to its parent's, so money is conserved across levels).

:func:`execute` is the step below: one run of the compiled graph over stores the caller opened.
This is the graph layer (it loads LangGraph); ``import negotiator`` reaches it only when
``negotiator.delegate`` or ``negotiator.adelegate`` is first used.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, StreamMode

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.clarify import HumanAnswers, QuestionGroup
from negotiator.delegation.clock import Clock, SystemClock
from negotiator.delegation.commitments import CommittedBid
from negotiator.delegation.execution import AnyExecutor
from negotiator.delegation.floor import not_delegated, should_delegate
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.ledger import Books
from negotiator.delegation.negotiation.mediated import signing_agents
from negotiator.delegation.outcome import DelegationOutcome
from negotiator.delegation.record import flow_events, outcome_of
from negotiator.delegation.reputation_store import ReputationStore
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.settlement import fund
from negotiator.errors import UsageError
from negotiator.graphs.delegation import (
    delegation_context,
    initial_state,
    shared_delegation_graph,
)
from negotiator.graphs.stores import RunPaths, open_reputation, open_stores
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.protocol import ModelClient
from negotiator.llm.recording import RecordingClient
from negotiator.money import Money
from negotiator.transcript.format import OUTCOME, TranscriptHeader
from negotiator.transcript.writer import TranscriptWriter

__all__ = ["DELEGATE_FLOW", "RunResult", "adelegate", "delegate", "execute"]

Json = dict[str, Any]
#: called with ``(node, partial state)`` after every graph step (progress display).
Update = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class RunResult:
    """A run's final (or paused) state, pending interrupts and outcome."""

    state: Json
    interrupts: tuple[Any, ...]
    outcome: DelegationOutcome


async def execute(
    request: DelegationRequest,
    *,
    bidders: Sequence[BidderProfile],
    funding: Mapping[str, Money],
    run_id: str,
    delegator_client: ModelClient,
    bidder_clients: ModelClient | Mapping[str, ModelClient],
    executor: AnyExecutor,
    clock: Clock,
    rng: random.Random,
    checkpointer: BaseCheckpointSaver[Any],
    ledger: Books,
    resume: Any = None,
    on_update: Update | None = None,
    reputation: ReputationStore | None = None,
    hub: MarketHub | None = None,
    keys: RunKeys | None = None,
    outside_bids: Sequence[CommittedBid] = (),
) -> RunResult:
    """Start, continue (after a crash) or resume (after an interrupt) run ``run_id``.

    A thread with checkpoints is continued from its last one; ``resume`` answers a pending
    interrupt. Funding, every ledger posting and the reputation update are idempotent, so
    calling this again for a finished run changes nothing and returns the same outcome.

    A new run whose task is below the request's complexity floor
    (:func:`~negotiator.delegation.floor.should_delegate`) stops before the market: nothing is
    posted or funded, the state records the advice, the outcome is ``not_delegated``.

    The graph is the one compiled once per process (:func:`shared_delegation_graph`); the
    run's collaborators travel as its LangGraph run context.

    Args:
        reputation: the hub's reputation store (default: a fresh in-memory one).
        hub: a market hub shared by many runs (its bidders, reputation store and trust
            policy); when given, ``bidders`` and ``reputation`` are not used.
        keys: who signs with what and the registry every step checks (default: the demo keys
            of the delegator and every bidder for seed 0).
        outside_bids: the commit/reveal posts of bidders outside this process (open hub).
    """
    floor = request.complexity_floor
    if floor is not None and resume is None:
        advice = should_delegate(request.task, floor)
        if not advice.delegate:
            skipped: Json = {**initial_state(run_id, request), "advice": advice.model_dump()}
            return RunResult(skipped, (), not_delegated(run_id, request.task.id, advice))
    fund(ledger, run_id, funding)
    context = delegation_context(
        hub=hub if hub is not None else MarketHub(bidders, reputation),
        delegator_client=delegator_client,
        bidder_clients=bidder_clients,
        executor=executor,
        ledger=ledger,
        clock=clock,
        rng=rng,
        keys=keys,
        outside_bids=outside_bids,
    )
    graph = shared_delegation_graph(checkpointer)
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    snapshot = await graph.aget_state(config)
    start: Any
    if resume is not None and not snapshot.tasks:
        raise UsageError(
            f"run {run_id!r} is not waiting for answers (no paused question round in its "
            "checkpoints); answers only continue a run that returned outcome 'pending'"
        )
    if resume is not None:
        start = Command(resume=resume)
    elif snapshot.values:
        start = None
    else:
        start = initial_state(run_id, request)
    modes: list[StreamMode] = ["updates", "values"]
    stream = graph.astream(start, config, context=context, stream_mode=modes, durability="sync")
    final, paused = await _stream(stream, on_update)
    interrupts: tuple[Any, ...] = ()
    if paused or final is None:  # read the pending interrupts (or a finished run's state) back
        snapshot = await graph.aget_state(config)
        interrupts = tuple(i.value for task in snapshot.tasks for i in task.interrupts)
        final = snapshot.values
    state: Json = dict(final)
    pending = [QuestionGroup.model_validate(q) for i in interrupts for q in i["questions"]]
    return RunResult(state, interrupts, outcome_of(state, ledger, run_id, pending))


async def _stream(
    chunks: AsyncIterator[Any], on_update: Update | None
) -> tuple[Mapping[str, Any] | None, bool]:
    """Drive a run's stream: pass every node's update to ``on_update``; return the run's last
    state (the very objects the graph holds, so the outcome reads them without a checkpoint
    round trip; ``None`` when no step ran) and whether it paused at an interrupt."""
    final: Mapping[str, Any] | None = None
    paused = False
    async for item in chunks:
        mode, chunk = item  # (stream mode, chunk): several modes were asked for
        if mode == "values":
            final = chunk
            continue
        for node, update in chunk.items():
            paused = paused or node == "__interrupt__"
            if on_update is not None and isinstance(update, Mapping):
                on_update(node, update)
    return final, paused


async def adelegate(
    request: DelegationRequest,
    *,
    bidders: Sequence[BidderProfile],
    executor: AnyExecutor,
    client: ModelClient | None = None,
    bidder_clients: ModelClient | Mapping[str, ModelClient] | None = None,
    clock: Clock | None = None,
    seed: int = 0,
    run_id: str | None = None,
    runs_dir: str | Path | None = "runs",
    funding: Mapping[str, Money] | None = None,
    answers: HumanAnswers | None = None,
    ledger: Books | None = None,
    reputation: ReputationStore | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    transcript: str | Path | None = None,
    keys: RunKeys | None = None,
) -> DelegationOutcome:
    """Delegate ``request.task`` to the best bidder and see the contract through (async).

    Args:
        bidders: the agents in the market hub.
        executor: runs the work and reports progress (the host's).
        client: the delegator's model client (default: deterministic, no model).
        bidder_clients: the bidders' client(s) (default: ``client``).
        clock: time source (default: the system clock).
        seed: seeds the simulated bid latencies.
        run_id: the run (thread) id; reuse it to continue a stopped or paused run.
        runs_dir: where checkpoints and ledger live (SQLite); ``None`` keeps them in memory.
        funding: opening wallet balances posted once per run.
        answers: a human's answers to resume a run paused at a question round.
        ledger: an open ledger to post to instead of the run folder's (the caller closes it).
        reputation: the reputation store the hub reads and settlement updates (see above).
        checkpointer: with ``runs_dir=None``, where the checkpoints live (e.g. one
            ``langgraph.checkpoint.memory.InMemorySaver`` kept by the caller): a run paused for
            a human answer is continued by calling again with the same checkpointer and
            ``answers``. Default: a fresh in-memory one per call.
        transcript: record this call as a transcript (JSON Lines) at this path: header (flow
            ``delegate``, the request, bidders and funding), every model exchange attributed to
            its agent, the run's events and the outcome (whose ``transcript`` names the file).
            ``negotiator replay FILE`` tells it as a story, and
            ``ReplayClient.from_transcript(read_transcript(FILE))`` answers the same calls
            offline, e.g. in your tests.
        keys: the agents' signing keys and the registry every step checks (default: keys
            derived from ``seed`` for the delegator, every bidder and the hub — demo keys).

    Raises:
        UsageError: invalid inputs (e.g. a bidder without a client); a human answerer or
            ``answers`` without a ``runs_dir`` (an in-memory run cannot be continued by a later
            call: run the graph in a host with its own checkpointer instead); ``answers`` for a
            run that is not paused at a question round.

    Example:
        >>> import asyncio
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.clock import FixedClock
        >>> from negotiator.delegation.monitoring import SimulatedExecutor
        >>> s = demo_setup("cancel")
        >>> out = asyncio.run(adelegate(s.request, bidders=s.bidders, runs_dir=None,
        ...     funding=s.funding, executor=SimulatedExecutor(s.script, 7),
        ...     clock=FixedClock(s.start)))
        >>> out.outcome.value, out.payments[-3].reason.value, str(out.payments[-3].amount)
        ('cancelled', 'compensation', '2.00 USDC')
    """
    chosen = client or DeterministicClient()
    ids = [b.bidder_id for b in bidders]
    signing = keys or RunKeys.demo(signing_agents(request, ids), seed)
    rid = run_id or f"{request.task.id}-{uuid.uuid4().hex[:12]}"
    paths = RunPaths.for_run(runs_dir, rid) if runs_dir is not None else None
    keeps_state = paths is not None or checkpointer is not None
    if not keeps_state and (request.answerer == "human" or answers is not None):
        raise UsageError(
            "a run that pauses for a human answer must keep its checkpoints for the call that "
            "answers: give runs_dir, or checkpointer=InMemorySaver() (the same one both times)"
        )
    writer = None
    if transcript is not None:
        writer = _transcript_writer(
            transcript, rid, seed=seed, request=request, bidders=bidders, funding=funding or {}
        )
        chosen = RecordingClient(chosen, writer)
        bidder_clients = _recorded(bidder_clients, writer)
    async with (
        open_stores(paths, ledger, checkpointer) as (saver, books),
        open_reputation(paths, reputation) as store,
    ):
        result = await execute(
            request,
            bidders=bidders,
            funding=funding or {},
            run_id=rid,
            delegator_client=chosen,
            bidder_clients=bidder_clients or chosen,
            executor=executor,
            clock=clock or SystemClock(),
            rng=random.Random(seed),
            checkpointer=saver,
            ledger=books,
            resume=answers.model_dump(mode="json") if answers is not None else None,
            reputation=store,
            keys=signing,
        )
    if writer is None:
        return result.outcome
    outcome = result.outcome.model_copy(update={"transcript": str(transcript)})
    with writer:
        for step, role, kind, payload in flow_events(result.state):
            writer.emit(step, role, kind, payload)
        writer.emit("flow", "runner", OUTCOME, outcome.model_dump(mode="json", by_alias=True))
        writer.seal(signing.hub)  # the hub seals the record: `negotiator verify FILE` checks it
    return outcome


#: the flow name of a transcript recorded by :func:`adelegate` (told by ``negotiator replay``)
DELEGATE_FLOW = "delegate"


def _transcript_writer(
    path: str | Path,
    run_id: str,
    *,
    seed: int,
    request: DelegationRequest,
    bidders: Sequence[BidderProfile],
    funding: Mapping[str, Money],
) -> TranscriptWriter:
    inputs = {
        "request": request.model_dump(mode="json"),
        "bidders": [b.model_dump(mode="json") for b in bidders],
        "funding": {k: v.model_dump(mode="json") for k, v in funding.items()},
    }
    header = TranscriptHeader(run_id=run_id, seed=seed, flow=DELEGATE_FLOW, inputs=inputs)
    return TranscriptWriter.to_file(path, header)


def _recorded(
    clients: ModelClient | Mapping[str, ModelClient] | None, writer: TranscriptWriter
) -> ModelClient | Mapping[str, ModelClient] | None:
    """The bidders' own clients, each recording to ``writer`` (``None``: the delegator's)."""
    if clients is None:
        return None
    if isinstance(clients, Mapping):
        return {bidder: RecordingClient(c, writer) for bidder, c in clients.items()}
    return RecordingClient(clients, writer)


def delegate(
    request: DelegationRequest,
    *,
    bidders: Sequence[BidderProfile],
    executor: AnyExecutor,
    client: ModelClient | None = None,
    bidder_clients: ModelClient | Mapping[str, ModelClient] | None = None,
    clock: Clock | None = None,
    seed: int = 0,
    run_id: str | None = None,
    runs_dir: str | Path | None = "runs",
    funding: Mapping[str, Money] | None = None,
    answers: HumanAnswers | None = None,
    ledger: Books | None = None,
    reputation: ReputationStore | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    transcript: str | Path | None = None,
    keys: RunKeys | None = None,
) -> DelegationOutcome:
    """Blocking :func:`adelegate` (same arguments; not from inside a running event loop).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.clock import FixedClock
        >>> from negotiator.delegation.monitoring import SimulatedExecutor
        >>> s = demo_setup("success")
        >>> out = delegate(s.request, bidders=s.bidders, runs_dir=None, funding=s.funding,
        ...     executor=SimulatedExecutor(s.script, 7), clock=FixedClock(s.start))
        >>> out.outcome.value, out.winner.bidder_id, str(out.winner.price)
        ('completed', 'did:web:fast-coder.ai', '5.00 USDC')
    """
    return asyncio.run(
        adelegate(
            request,
            bidders=bidders,
            executor=executor,
            client=client,
            bidder_clients=bidder_clients,
            clock=clock,
            seed=seed,
            run_id=run_id,
            runs_dir=runs_dir,
            funding=funding,
            answers=answers,
            ledger=ledger,
            reputation=reputation,
            checkpointer=checkpointer,
            transcript=transcript,
            keys=keys,
        )
    )
