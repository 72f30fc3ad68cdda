"""A graph factory for LangGraph's own tooling (``langgraph dev``, LangGraph Studio).

``langgraph.json`` at the project root names :func:`make_graph`. The server calls it with the
run's config and gets a compiled graph without a checkpointer (the server brings its own). The
demo scenario is chosen in the run's configuration (``{"scenario": "success" | "breach" |
"cancel"}``, default ``success``); the graph's input is ``{}`` or ``{"answerer": "human"}``,
which pauses at each question round for an answer given in Studio as ``{"answers": [{"topic":
..., "text": ...}]}``. Its first node funds the wallets and writes the delegation's input under
the namespaced key ``"delegation"``, then the delegation graph runs there — offline, with the
numeric policies — and the last node sums it up.

Run: ``langgraph dev`` from the project root (with ``pip install "langgraph-cli[inmem]"``).
"""

from __future__ import annotations

import random
from typing import Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph

from negotiator import (
    FixedClock,
    Ledger,
    MarketHub,
    SimulatedExecutor,
    build_delegation_graph,
    demo_setup,
    fund,
    initial_state,
    namespaced_node,
)
from negotiator.llm import DeterministicClient


class StudioState(TypedDict, total=False):
    """What Studio shows: who answers questions, the delegation's state, a summary."""

    answerer: Literal["model", "human"]
    delegation: dict[str, Any]
    summary: str


def make_graph(config: RunnableConfig | None = None) -> Any:
    """Build the graph for one run (``config["configurable"]["thread_id"]`` names the run)."""
    configurable = (config or {}).get("configurable", {})
    run_id = str(configurable.get("thread_id", "studio-run"))
    scenario = str(configurable.get("scenario", "success"))
    setup = demo_setup(scenario)
    ledger = Ledger(":memory:")
    client = DeterministicClient()
    delegation = build_delegation_graph(
        hub=MarketHub(setup.bidders),
        delegator_client=client,
        bidder_clients=client,
        executor=SimulatedExecutor(setup.script, 7),
        ledger=ledger,
        clock=FixedClock(setup.start),
        rng=random.Random(7),
    )

    # async nodes: they run on the event loop's thread, where the SQLite ledger was opened
    async def prepare(state: StudioState) -> StudioState:
        fund(ledger, run_id, setup.funding)
        request = setup.request.model_copy(update={"answerer": state.get("answerer", "model")})
        return {"delegation": dict(initial_state(run_id, request))}

    async def summarise(state: StudioState) -> StudioState:
        d = state["delegation"]
        award = d.get("award", {}).get("reason", d.get("failure", ""))
        return {"summary": f"{d['phase']}; ledger balanced {ledger.is_balanced()}; {award}"}

    graph = StateGraph(StudioState)
    graph.add_node("prepare", prepare)
    graph.add_node("delegate", namespaced_node(delegation))
    graph.add_node("summarise", summarise)
    graph.add_edge(START, "prepare")
    graph.add_edge("prepare", "delegate")
    graph.add_edge("delegate", "summarise")
    graph.add_edge("summarise", END)
    return graph.compile(name="negotiator-delegation")
