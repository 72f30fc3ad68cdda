"""The hub benchmark's LangGraph floor has the delegation graph's shape (every phase's node)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from negotiator.delegation.phases import Phase

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_floor_graph_has_a_node_for_every_phase_of_the_delegation_graph() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        hub = importlib.import_module("hub")
    finally:
        sys.path.remove(str(BENCH))
    graph = hub.floor_graph([p.value for p in Phase], 3)
    assert Phase.NEGOTIATE.value in graph.get_graph().nodes
