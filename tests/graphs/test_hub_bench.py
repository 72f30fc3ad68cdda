"""The hub benchmark's LangGraph floor has the delegation graph's shape (every phase's node)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from negotiator.delegation.phases import Phase
from negotiator.graphs.delegation import delegation_builder, shared_delegation_graph
from negotiator.graphs.nodes import DelegationNodes

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_floor_graph_has_a_node_for_every_phase_of_the_delegation_graph() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))
    graph = hub.floor_graph([p.value for p in Phase], 3, InMemorySaver())
    assert Phase.NEGOTIATE.value in graph.get_graph().nodes


def test_the_floor_graph_is_wired_like_the_delegation_graph() -> None:
    """Same nodes, same edges, and routing functions that run the same way (on the event loop,
    never in a worker thread), so the floor times LangGraph on the very shape of the real run."""
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))
    floor = hub.floor_graph([p.value for p in Phase], 10, InMemorySaver()).get_graph()
    real = shared_delegation_graph().get_graph()
    assert set(floor.nodes) == set(real.nodes)
    edges = {(e.source, e.target, e.conditional) for e in real.edges}
    assert len(edges) >= 19
    assert {(e.source, e.target, e.conditional) for e in floor.edges} == edges
    assert inspect.iscoroutinefunction(hub.FloorNodes.fan_out)
    assert inspect.iscoroutinefunction(DelegationNodes.fan_out)


def test_the_replay_graph_carries_exactly_the_state_of_a_real_delegation() -> None:
    """The replayed nodes compute nothing, yet the run ends in the real run's very state."""
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))

    async def both() -> tuple[dict[str, object], dict[str, object]]:
        setup, crowd = hub.demo_setup(), hub.bidders(4)
        async with hub.market("memory", crowd, None) as m:
            j = hub.job(setup, crowd, 1)
            updates, real = await hub.recorded_updates(m, j)
        nodes = hub.ReplayNodes(updates)
        graph = delegation_builder(nodes).compile(checkpointer=InMemorySaver())
        await hub.replay_run(graph, nodes, j, 0)
        replayed = await graph.aget_state({"configurable": {"thread_id": "replay-0"}})
        return real, dict(replayed.values)

    real, replayed = asyncio.run(both())
    assert real["phase"] == "completed" and real["sealed"] and real["verdicts"]
    assert replayed == real
