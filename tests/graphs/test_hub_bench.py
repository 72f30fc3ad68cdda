"""The hub benchmark's LangGraph floor has the delegation graph's shape (every phase's node)."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from negotiator.delegation.phases import Phase
from negotiator.graphs.delegation import shared_delegation_graph
from negotiator.graphs.nodes import DelegationNodes

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_floor_graph_has_a_node_for_every_phase_of_the_delegation_graph() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))
    graph = hub.floor_graph([p.value for p in Phase], 3)
    assert Phase.NEGOTIATE.value in graph.get_graph().nodes


def test_the_floor_graph_is_wired_like_the_delegation_graph() -> None:
    """Same nodes, same edges, and routing functions that run the same way (on the event loop,
    never in a worker thread), so the floor times LangGraph on the very shape of the real run."""
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))
    floor = hub.floor_graph([p.value for p in Phase], 10).get_graph()
    real = shared_delegation_graph().get_graph()
    assert set(floor.nodes) == set(real.nodes)
    edges = {(e.source, e.target, e.conditional) for e in real.edges}
    assert len(edges) >= 19
    assert {(e.source, e.target, e.conditional) for e in floor.edges} == edges
    assert inspect.iscoroutinefunction(hub.FloorNodes.fan_out)
    assert inspect.iscoroutinefunction(DelegationNodes.fan_out)
