"""The delegation graph inside a host LangGraph, with a human answering through ``interrupt()``.

The host has its own state (a support ticket, its own ``phase``); the delegation's state lives
under the host key ``"delegation"`` (:func:`negotiator.graphs.embed.namespaced_node`), so the two
never collide. The delegator's answerer is ``"human"``: when the bidders ask, the host run pauses
with an interrupt holding the questions, and the host resumes it with ``Command(resume=...)``.

Run: ``python examples/host_graph.py``
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from negotiator import (
    FixedClock,
    HumanAnswer,
    HumanAnswers,
    Ledger,
    MarketHub,
    SimulatedExecutor,
    demo_setup,
    fund,
)
from negotiator.graphs import build_delegation_graph, initial_state, namespaced_node
from negotiator.llm import DeterministicClient

RUN_ID = "ticket-4711"


class HostState(TypedDict, total=False):
    """The host's own state: its keys beside the one namespaced delegation key."""

    ticket: str
    phase: str  # the host's phase, unrelated to the delegation's
    delegation: dict[str, Any]
    summary: str


def build_host(ledger: Ledger) -> Any:
    """The host graph: open the ticket, delegate the work, close the ticket."""
    setup = demo_setup("success")
    request = setup.request.model_copy(update={"answerer": "human"})
    fund(ledger, RUN_ID, setup.funding)
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

    def open_ticket(state: HostState) -> HostState:
        return {"phase": "open", "delegation": dict(initial_state(RUN_ID, request))}

    def close_ticket(state: HostState) -> HostState:
        d = state["delegation"]
        return {"phase": "closed", "summary": f"{d['phase']}: {d['award']['reason']}"}

    host = StateGraph(HostState)
    host.add_node("open_ticket", open_ticket)
    host.add_node("delegate", namespaced_node(delegation))
    host.add_node("close_ticket", close_ticket)
    host.add_edge(START, "open_ticket")
    host.add_edge("open_ticket", "delegate")
    host.add_edge("delegate", "close_ticket")
    host.add_edge("close_ticket", END)
    return host.compile(checkpointer=InMemorySaver())


def answer(questions: list[dict[str, Any]]) -> HumanAnswers:
    """What the human types (here: scripted), one answer per question group."""
    return HumanAnswers(
        answers=tuple(
            HumanAnswer(topic=q["topic"], text=f"Yes: {q['text'].rstrip('?').lower()}.")
            for q in questions
        )
    )


async def main() -> HostState:
    """Run the host until the delegation ends, answering each question round as a human."""
    ledger = Ledger(":memory:")
    host = build_host(ledger)
    config: Any = {"configurable": {"thread_id": RUN_ID}}
    step: Any = {"ticket": "Dashboard too slow"}
    while True:
        result = await host.ainvoke(step, config, durability="sync")
        pending = result.get("__interrupt__")
        if not pending:
            break
        questions = pending[0].value["questions"]
        print(f"paused: {len(questions)} question(s), e.g. {questions[0]['text']!r}")
        step = Command(resume=answer(questions).model_dump(mode="json"))
    print(f"host phase {result['phase']}; {result['summary']}")
    print(f"ledger balanced: {ledger.is_balanced()}")
    ledger.close()
    return result


if __name__ == "__main__":
    asyncio.run(main())
