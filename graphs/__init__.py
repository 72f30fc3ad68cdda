"""LangGraph state machines built from the negotiator library (import as ``negotiator.graphs``)."""

from negotiator.graphs.delegation import (
    DelegationState,
    build_delegation_graph,
    initial_state,
)

__all__ = [
    "DelegationState",
    "build_delegation_graph",
    "initial_state",
]
