"""LangGraph state machines built from the negotiator library (import as ``negotiator.graphs``)."""

from negotiator.graphs.delegation import (
    DelegationState,
    build_delegation_graph,
    initial_state,
)
from negotiator.graphs.embed import namespaced_node

__all__ = [
    "DelegationState",
    "build_delegation_graph",
    "initial_state",
    "namespaced_node",
]
