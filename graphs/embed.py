"""Embedding the delegation graph in a host graph, its state under one namespaced key.

The delegation graph's own state keys (``phase``, ``round``, ``answers``, ``calls``, ...) are
plain names; a host graph has its own and must not see them collide. :func:`namespaced_node`
turns the compiled delegation graph into one node of the host graph whose whole state lives under
a single host key (``"delegation"`` by default): the node reads the delegation's state from
``state[key]`` (its input: :func:`~negotiator.graphs.state.initial_state`), runs the graph as a
subgraph — sharing the host's checkpointer, so a human answer requested with ``interrupt()``
pauses the *host* run, and ``Command(resume=HumanAnswers(...).model_dump(mode="json"))`` on the
host continues it — and writes the final delegation state back under ``state[key]``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

from negotiator.errors import UsageError
from negotiator.graphs.delegation import DelegationState, Graph

__all__ = ["DEFAULT_KEY", "namespaced_node"]

DEFAULT_KEY = "delegation"
"""The host state key the delegation's state lives under by default."""

Node = Callable[[Mapping[str, Any], RunnableConfig], Awaitable[dict[str, Any]]]


def namespaced_node(graph: Graph, *, key: str = DEFAULT_KEY) -> Node:
    """Return a host-graph node that runs ``graph`` on ``state[key]`` and stores the result there.

    Args:
        graph: a compiled delegation graph (from
            :func:`~negotiator.graphs.delegation.build_delegation_graph`, no checkpointer of its
            own so that it uses the host's).
        key: the host state key holding the delegation's state.

    Raises:
        UsageError: (when the node runs) the host state has no delegation input under ``key``.

    Example::

        host = StateGraph(HostState)
        host.add_node("delegate", namespaced_node(graph))
        # HostState: {"ticket": str, "phase": str, "delegation": dict}; before "delegate" runs,
        # state["delegation"] = initial_state(run_id, request)
    """

    async def node(state: Mapping[str, Any], config: RunnableConfig) -> dict[str, Any]:
        inner = state.get(key)
        if not isinstance(inner, Mapping) or "request" not in inner:
            raise UsageError(
                f"host state key {key!r} must hold the delegation's input "
                "(negotiator.graphs.state.initial_state(run_id, request))"
            )
        start = cast(DelegationState, dict(inner))
        final = await graph.ainvoke(start, config)
        return {key: dict(final)}

    return node
