"""The delegation flow as a LangGraph state machine: announce → clarify → bid → award →
[negotiate] → contract → monitor → settle (seed 000).

The graph's shape comes from the one transition table
(:data:`negotiator.delegation.phases.TRANSITIONS`): every node sets the next ``phase`` through the
guard :func:`~negotiator.delegation.phases.advance`, and the conditional edges map each allowed
next phase to its node (terminal phases to ``END``). Bidding fans out with ``Send``: one
``submit_bid`` branch per eligible bidder, gathered before ``screen`` opens them together.

Nodes are thin: each calls the library (:mod:`negotiator.delegation`) and returns only the keys
it changes. The state holds plain JSON (wire objects dumped in JSON mode) so checkpoints
serialise without custom types. With a human answerer, ``answer`` calls ``interrupt()`` first
thing (no side effect before it, since the node re-runs on resume) and expects a
:class:`HumanAnswers` resume value. Ledger postings carry idempotency keys, so a node re-run after
a crash moves no money twice.

Example (see :func:`build_delegation_graph`; ``negotiator.graphs.runner.execute`` adds funding,
crash resume and the outcome)::

    graph = build_delegation_graph(hub=MarketHub(profiles), delegator_client=client,
        bidder_clients=client, executor=executor, ledger=Ledger("ledger.sqlite"),
        clock=SystemClock(), rng=random.Random(7), checkpointer=saver)
    await graph.ainvoke(initial_state(run_id, request), config, durability="sync")
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from negotiator.delegation.clock import Clock
from negotiator.delegation.commitments import CommittedBid
from negotiator.delegation.execution import AnyExecutor
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.ledger import Books, Ledger
from negotiator.delegation.phases import TERMINAL, TRANSITIONS, Phase
from negotiator.errors import UsageError
from negotiator.graphs.nodes import DelegationContext, DelegationNodes
from negotiator.graphs.state import BID_LATENCY_RANGE, BidTask, DelegationState, initial_state
from negotiator.llm.protocol import ModelClient

__all__ = [
    "BID_LATENCY_RANGE",
    "DelegationState",
    "build_delegation_graph",
    "delegation_builder",
    "delegation_context",
    "delegation_mermaid",
    "initial_state",
    "shared_delegation_graph",
]

Graph = CompiledStateGraph[DelegationState, DelegationContext, DelegationState, DelegationState]


async def _route(state: DelegationState) -> str:
    """The next node: the phase the step just set (async, so LangGraph routes on the event
    loop instead of handing each routing decision to a worker thread)."""
    return state["phase"]


def _targets(phase: Phase) -> dict[Hashable, str]:
    return {p.value: (END if p in TERMINAL else p.value) for p in sorted(TRANSITIONS[phase])}


def _clients(
    hub: MarketHub,
    delegator: ModelClient,
    bidder_clients: ModelClient | Mapping[str, ModelClient],
) -> tuple[ModelClient, Mapping[str, ModelClient]]:
    if not isinstance(bidder_clients, Mapping):
        return bidder_clients, {}
    missing = [b for b in hub.bidder_ids() if b not in bidder_clients]
    if missing:
        raise UsageError(
            f"bidder_clients: no model client for bidder(s) {', '.join(missing)}; "
            "give one per bidder id, or one client for all"
        )
    return delegator, bidder_clients


def _wire(
    nodes: DelegationNodes,
) -> StateGraph[DelegationState, DelegationContext, DelegationState, DelegationState]:
    builder: StateGraph[DelegationState, DelegationContext, DelegationState, DelegationState] = (
        StateGraph(DelegationState, context_schema=DelegationContext)
    )
    handlers = {
        Phase.ANNOUNCE: nodes.announce,
        Phase.ASK: nodes.ask,
        Phase.ANSWER: nodes.answer,
        Phase.BID: nodes.open_bidding,
        Phase.SCREEN: nodes.screen,
        Phase.AWARD: nodes.award,
        Phase.NEGOTIATE: nodes.negotiate,
        Phase.CONTRACT: nodes.contract,
        Phase.MONITOR: nodes.monitor,
        Phase.SETTLE: nodes.settle,
    }
    for phase, handler in handlers.items():
        builder.add_node(phase.value, handler)
    builder.add_node("submit_bid", nodes.submit_bid, input_schema=BidTask)
    builder.add_edge(START, Phase.ANNOUNCE.value)
    for phase in handlers:
        if phase is Phase.BID:
            # BID -> SCREEN passes through one submit_bid branch per eligible bidder.
            assert TRANSITIONS[Phase.BID] == {Phase.SCREEN}
            builder.add_conditional_edges(phase.value, nodes.fan_out, ["submit_bid"])
            builder.add_edge("submit_bid", Phase.SCREEN.value)
        else:
            builder.add_conditional_edges(phase.value, _route, _targets(phase))
    return builder


def delegation_builder(
    nodes: DelegationNodes,
) -> StateGraph[DelegationState, DelegationContext, DelegationState, DelegationState]:
    """The delegation graph's builder, uncompiled: its nodes, edges and ``Send`` fan-out taken
    from ``nodes`` (any object with the node methods of :class:`DelegationNodes`; the hub
    benchmark wires do-nothing nodes this way to time LangGraph's own floor)."""
    return _wire(nodes)


def build_delegation_graph(
    *,
    hub: MarketHub,
    delegator_client: ModelClient,
    bidder_clients: ModelClient | Mapping[str, ModelClient],
    executor: AnyExecutor,
    ledger: Books,
    clock: Clock,
    rng: random.Random,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    name: str = "delegation",
    keys: RunKeys | None = None,
    outside_bids: Sequence[CommittedBid] = (),
) -> Graph:
    """Build and compile the delegation graph from its collaborators.

    Args:
        hub: the market hub holding the bidder agents (and their reputation store).
        delegator_client: the model client of the delegator (answers, contract wording).
        bidder_clients: one client for every bidder, or a client per bidder id (covering
            every bidder in the hub).
        executor: runs the contracted work and reports (the host's, or a simulated one);
            an :class:`~negotiator.delegation.execution.AsyncExecutor` is awaited and told the
            run's context (e.g. to sub-delegate).
        ledger: the escrow ledger.
        clock: the time source (bidding opens at ``clock.now()``).
        rng: seeded generator; draws each bidder's envelope latency once, in bidder-id order.
        checkpointer: where checkpoints go; ``None`` inherits the parent graph's when embedded.
            Run with ``durability="sync"`` so a hard crash loses no finished step.
        name: the compiled graph's name.
        keys: the signing keys held in this process and the registry every step checks
            (default: the demo keys of the delegator and every bidder for seed 0).
        outside_bids: the commit/reveal posts of bidders outside this process (the open hub,
            :mod:`negotiator.delegation.commitments`); matched reveals are screened with the
            in-process bids (a forged one is set aside, see ``open_bids``).

    Raises:
        UsageError: ``bidder_clients`` is a mapping without a client for some bidder.

    Example:
        >>> from negotiator.delegation.clock import FixedClock
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.monitoring import SimulatedExecutor
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> import asyncio
        >>> s, client = demo_setup("success"), DeterministicClient()
        >>> from negotiator.delegation.settlement import fund
        >>> ledger = Ledger(":memory:")
        >>> fund(ledger, "run-1", s.funding)  # wallets: bonds are escrowed from them
        >>> graph = build_delegation_graph(hub=MarketHub(s.bidders), delegator_client=client,
        ...     bidder_clients=client, executor=SimulatedExecutor(s.script, 7), ledger=ledger,
        ...     clock=FixedClock(s.start), rng=random.Random(7))
        >>> final = asyncio.run(graph.ainvoke(initial_state("run-1", s.request)))
        >>> final["phase"], final["award"]["winner_id"]
        ('completed', 'did:web:fast-coder.ai')
    """
    context = delegation_context(
        hub=hub,
        delegator_client=delegator_client,
        bidder_clients=bidder_clients,
        executor=executor,
        ledger=ledger,
        clock=clock,
        rng=rng,
        keys=keys,
        outside_bids=outside_bids,
    )
    return _wire(DelegationNodes(context)).compile(checkpointer=checkpointer, name=name)


def delegation_context(
    *,
    hub: MarketHub,
    delegator_client: ModelClient,
    bidder_clients: ModelClient | Mapping[str, ModelClient],
    executor: AnyExecutor,
    ledger: Books,
    clock: Clock,
    rng: random.Random,
    keys: RunKeys | None = None,
    outside_bids: Sequence[CommittedBid] = (),
) -> DelegationContext:
    """Gather one run's collaborators for :func:`shared_delegation_graph` (arguments as in
    :func:`build_delegation_graph`).

    Raises:
        UsageError: ``bidder_clients`` is a mapping without a client for some bidder.
    """
    default, per_bidder = _clients(hub, delegator_client, bidder_clients)
    latencies = {b: rng.randint(*BID_LATENCY_RANGE) for b in hub.bidder_ids()}
    return DelegationContext(
        hub,
        delegator_client,
        per_bidder,
        default,
        executor,
        ledger,
        clock,
        latencies,
        keys,
        tuple(outside_bids),
    )


@cache
def _shared() -> Graph:
    return _wire(DelegationNodes()).compile(name="delegation")


def shared_delegation_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> Graph:
    """The delegation graph, built and compiled once per process and shared by every run.

    Each run passes its collaborators as the LangGraph run context
    (``graph.astream(state, config, context=delegation_context(...))``); the graph itself holds
    none. Attaching a ``checkpointer`` makes a shallow copy of the compiled graph, not a new
    compilation.

    Example:
        >>> shared_delegation_graph() is shared_delegation_graph()
        True
    """
    graph = _shared()
    return graph if checkpointer is None else graph.copy(update={"checkpointer": checkpointer})


def delegation_mermaid() -> str:
    """Return the Mermaid diagram of the compiled graph (committed as ``graphs/delegation.mmd``).

    The shape does not depend on the collaborators, so real throw-away ones are used.
    """
    from negotiator.delegation.clock import FixedClock  # noqa: PLC0415 (only for the drawing)
    from negotiator.delegation.monitoring import SCRIPTS, SimulatedExecutor  # noqa: PLC0415
    from negotiator.llm.deterministic import DeterministicClient  # noqa: PLC0415

    client = DeterministicClient()
    with Ledger(":memory:") as ledger:
        graph = build_delegation_graph(
            hub=MarketHub([]),
            delegator_client=client,
            bidder_clients=client,
            executor=SimulatedExecutor(SCRIPTS["success"], seed=0),
            ledger=ledger,
            clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)),
            rng=random.Random(0),
        )
        return graph.get_graph().draw_mermaid()
