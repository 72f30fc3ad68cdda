"""The graph itself: edges from the transition table, the committed diagram, embedding in a
host graph, a human answer through interrupt/resume, and crash/resume settling once."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from negotiator.delegation.clarify import HumanAnswer, HumanAnswers
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import SimulatedCrash, SimulatedExecutor
from negotiator.delegation.phases import TERMINAL, TRANSITIONS, Phase
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.settlement import fund
from negotiator.errors import UsageError
from negotiator.flows import arun_flow, check_transcript
from negotiator.graphs import DelegationState, build_delegation_graph, initial_state
from negotiator.graphs.delegation import delegation_mermaid
from negotiator.graphs.runner import (
    FLOW_NAME,
    DelegationEnvironment,
    RunPaths,
    delegation_flow_in,
    execute,
    open_stores,
    run_keys,
)
from negotiator.llm.deterministic import DeterministicClient
from negotiator.transcript.format import MODEL_KINDS
from negotiator.transcript.reader import read_transcript

MMD = Path(__file__).resolve().parents[2] / "graphs" / "delegation.mmd"


def test_committed_diagram_is_current() -> None:
    assert MMD.read_text(encoding="utf-8") == delegation_mermaid(), (
        "graphs/delegation.mmd is stale: regenerate it with "
        "python -c 'from negotiator.graphs.delegation import delegation_mermaid as m; "
        'print(m(), end="")\' > graphs/delegation.mmd'
    )


def test_edges_are_the_transition_table() -> None:
    setup = demo_setup()
    with Ledger(":memory:") as ledger:
        graph = build_delegation_graph(
            hub=MarketHub(setup.bidders),
            delegator_client=DeterministicClient(),
            bidder_clients=DeterministicClient(),
            executor=SimulatedExecutor(setup.script, 1),
            ledger=ledger,
            clock=FixedClock(setup.start),
            rng=random.Random(1),
            keys=run_keys(setup, 1),
        )
        edges = {(e.source, e.target) for e in graph.get_graph().edges}
    expected = {("__start__", "announce"), ("bid", "submit_bid"), ("submit_bid", "screen")}
    for phase, nxt in TRANSITIONS.items():
        if phase in TERMINAL or phase is Phase.BID:
            continue
        expected |= {(phase.value, END if n in TERMINAL else n.value) for n in nxt}
    assert edges == expected


def _run(request: DelegationRequest, **kw: Any) -> Any:
    setup = demo_setup()

    async def go() -> Any:
        async with open_stores(kw.pop("paths", None)) as (cp, ledger):
            return await execute(
                request,
                bidders=setup.bidders,
                funding=setup.funding,
                run_id="r",
                delegator_client=DeterministicClient(),
                bidder_clients=DeterministicClient(),
                executor=kw.pop("executor", SimulatedExecutor(setup.script, 7)),
                clock=FixedClock(setup.start),
                rng=random.Random(7),
                checkpointer=kw.pop("cp", cp),
                ledger=ledger,
                **kw,
            )

    return asyncio.run(go())


def test_human_answer_through_interrupt_and_resume(tmp_path: Path) -> None:
    request = demo_setup().request.model_copy(update={"answerer": "human"})
    paths = RunPaths(tmp_path / "r")
    paused = _run(request, paths=paths)
    assert paused.outcome.outcome == "pending" and paused.outcome.a2a_state == "input-required"
    assert [g.topic for g in paused.outcome.pending_questions] == [
        "performance-focus",
        "resource-limits",
    ]
    reply = HumanAnswers(
        answers=(
            HumanAnswer(topic="performance-focus", text="Bundle size: the first load is too slow."),
        )
    )
    second = _run(request, paths=paths, resume=reply.model_dump(mode="json"))
    # the human's answer is published; the unanswered topic got the deterministic answer
    faq = second.state["faq"]["entries"]
    assert faq[0]["answer"] == "Bundle size: the first load is too slow."
    assert faq[1]["answer"] == "No limits on CPU, memory or tokens."
    # "bundle size" raises no table-size question, so clarification ends after round 2
    assert second.outcome.outcome == "completed"
    assert second.outcome.winner is not None


def test_crash_during_monitoring_resumes_and_settles_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    setup = demo_setup("breach")
    paths = RunPaths(tmp_path / "r")
    with pytest.raises(SimulatedCrash):
        _run(setup.request, paths=paths, executor=SimulatedExecutor(setup.script, 7, crash_after=3))
    with Ledger(paths.ledger) as ledger:
        assert [t.reason for t in ledger.transfers()][-1] == "bond_return"  # nothing settled yet
    done = _run(setup.request, paths=paths, executor=SimulatedExecutor(setup.script, 7))
    # resuming a finished run again pays nothing more
    again = _run(setup.request, paths=paths, executor=SimulatedExecutor(setup.script, 7))
    assert done.outcome == again.outcome
    assert done.outcome.outcome == "breached"
    reasons = [p.reason for p in done.outcome.payments]
    assert reasons.count("penalty") == 1 and reasons.count("bond_forfeit") == 1
    assert done.outcome.ledger_balanced
    assert [r["sequence"] for r in done.state["reports"]] == [0, 1, 2, 3, 4]
    # the state is plain JSON: checkpoints deserialise without custom types
    assert "unregistered type" not in caplog.text


class HostState(DelegationState, total=False):
    note: str


def test_compiled_graph_is_a_node_of_a_host_graph() -> None:
    setup = demo_setup("cancel")
    with Ledger(":memory:") as ledger:
        fund(ledger, "host-run", setup.funding)
        sub = build_delegation_graph(
            hub=MarketHub(setup.bidders),
            delegator_client=DeterministicClient(),
            bidder_clients=DeterministicClient(),
            executor=SimulatedExecutor(setup.script, 7),
            ledger=ledger,
            clock=FixedClock(setup.start),
            rng=random.Random(7),
            keys=run_keys(setup, 7),
        )

        def prepare(state: HostState) -> HostState:
            return {**initial_state("host-run", setup.request), "note": "prepared"}

        def report(state: HostState) -> HostState:
            return {"note": f"{state['note']}; delegation ended {state['phase']}"}

        host = StateGraph(HostState)
        host.add_node("prepare", prepare)
        host.add_node("delegation", sub)
        host.add_node("report", report)
        host.add_edge(START, "prepare")
        host.add_edge("prepare", "delegation")
        host.add_edge("delegation", "report")
        host.add_edge("report", END)
        app = host.compile(checkpointer=InMemorySaver())
        out = asyncio.run(app.ainvoke({}, {"configurable": {"thread_id": "h"}}))
        assert out["note"] == "prepared; delegation ended cancelled"
        assert out["settlement"]["payments"][0]["reason"] == "compensation"
        assert ledger.is_balanced()


class CrashingClient:
    """A deterministic client that dies on its ``n``-th call (a crash mid-clarification)."""

    def __init__(self, n: int) -> None:
        self.inner, self.n, self.calls = DeterministicClient(), n, 0

    def _tick(self) -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise SimulatedCrash(f"died on model call {self.calls}")

    async def structured(self, call: Any) -> Any:
        self._tick()
        return await self.inner.structured(call)

    async def text(self, call: Any) -> Any:
        self._tick()
        return await self.inner.text(call)


def test_crash_mid_clarification_resumes_with_each_exchange_recorded_once(
    tmp_path: Path,
) -> None:
    inputs = {"setup": demo_setup("success").model_dump(mode="json")}
    paths = RunPaths.for_run(tmp_path, "c")

    async def attempt(client: Any, previous: tuple[Any, ...]) -> Any:
        env = DelegationEnvironment(runs_dir=tmp_path, previous_events=previous)
        return await arun_flow(
            FLOW_NAME,
            inputs,
            client=client,
            seed=7,
            run_id="c",
            path=paths.transcript,
            flow=delegation_flow_in(env),
        )

    with pytest.raises(SimulatedCrash):
        asyncio.run(attempt(CrashingClient(8), ()))  # round 1 done (6 calls), round 2 dies
    earlier = tuple(e for e in read_transcript(paths.transcript).events if e.kind in MODEL_KINDS)
    assert sum(e.kind == "model_request" for e in earlier) == 7
    record = asyncio.run(attempt(DeterministicClient(), earlier))
    assert record.outcome["outcome"] == "completed" and record.outcome["seam_calls"] == 20
    keys = [e.payload["key"] for e in record.events if e.kind == "model_request"]
    assert len(keys) == 20  # every exchange exactly once, none duplicated by the resume
    check = check_transcript(paths.transcript)
    assert check.ok, check.diff


def _with_task(**changes: Any) -> DelegationRequest:
    request = demo_setup().request
    task = request.task.model_validate(request.task.model_dump() | changes)
    return request.model_copy(update={"task": task})


def test_no_eligible_bidder_fails_at_announce() -> None:
    out = _run(_with_task(min_reputation=0.99)).outcome
    assert (out.outcome, out.phase, out.a2a_state) == ("failed", "failed", "failed")
    assert out.failure == "no eligible bidder among 5"
    assert out.payments == () and out.winner is None


def test_no_valid_bid_fails_at_award_and_moves_no_money() -> None:
    result = _run(_with_task(budget={"amount": "1.00", "currency": "USDC"}))
    out = result.outcome
    assert (out.outcome, out.bids.received, out.bids.rejected) == ("failed", 4, 4)
    assert out.failure is not None and "no valid bid" in out.failure
    assert out.payments == () and out.ledger_balanced
    reasons = result.state["screened"]["rejected"][0]["reasons"]
    assert reasons[0]["path"] == "$.price.amount"


def test_a_bidder_without_a_model_client_is_the_callers_mistake() -> None:
    setup = demo_setup("success")
    with Ledger(":memory:") as ledger, pytest.raises(UsageError, match=r"did:web:fast-coder\.ai"):
        build_delegation_graph(
            hub=MarketHub(setup.bidders),
            delegator_client=DeterministicClient(),
            bidder_clients={"did:web:cloud-agent.io": DeterministicClient()},
            executor=SimulatedExecutor(setup.script, 7),
            ledger=ledger,
            clock=FixedClock(setup.start),
            rng=random.Random(7),
            keys=run_keys(setup, 7),
        )
