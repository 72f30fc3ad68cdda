"""The market hub at scale: one graph compiled once for every run, many delegations at once,
each durable (a crashed run is continued through the same market)."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import SimulatedCrash, SimulatedExecutor
from negotiator.graphs import delegation as graph_module
from negotiator.graphs.market import DelegationJob, DelegationMarket
from negotiator.llm.deterministic import DeterministicClient


def jobs(n: int, crash: int | None = None) -> list[DelegationJob]:
    s = demo_setup()
    out = []
    for i in range(n):
        task = s.request.task.model_copy(update={"id": f"task-{i}"})
        executor = SimulatedExecutor(s.script, i, crash_after=2 if i == crash else None)
        request = s.request.model_copy(update={"task": task})
        out.append(DelegationJob(f"run-{i}", request, executor, s.funding, seed=i))
    return out


def market(ledger: Ledger) -> DelegationMarket:
    s = demo_setup()
    return DelegationMarket(
        MarketHub(s.bidders), InMemorySaver(), ledger, DeterministicClient(), FixedClock(s.start)
    )


def test_many_delegations_share_one_compiled_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    graph_module._shared.cache_clear()
    compiled = []
    real = graph_module._wire

    def counting(nodes: object) -> object:
        compiled.append(nodes)
        return real(nodes)  # type: ignore[arg-type]

    monkeypatch.setattr(graph_module, "_wire", counting)
    with Ledger(":memory:") as ledger:
        outcomes = asyncio.run(market(ledger).delegate_many(jobs(8), concurrency=4))
        assert [o.outcome.value for o in outcomes] == ["completed"] * 8
        assert [o.run_id for o in outcomes] == [f"run-{i}" for i in range(8)]
        assert ledger.is_balanced()
        # each run paid its own contractor once, from its own escrow
        assert (
            sum(len([p for p in o.payments if p.reason.value == "payment"]) for o in outcomes) == 8
        )
    assert len(compiled) == 1
    graph_module._shared.cache_clear()


def test_a_crashed_run_is_continued_through_the_market_and_pays_once() -> None:
    with Ledger(":memory:") as ledger:
        m = market(ledger)
        crashed, *others = jobs(3, crash=0)
        with pytest.raises(SimulatedCrash):
            asyncio.run(m.delegate(crashed))
        assert [o.outcome.value for o in asyncio.run(m.delegate_many(others))] == ["completed"] * 2
        healthy = jobs(1)[0]  # the same run id, now with a working executor
        outcome = asyncio.run(m.delegate(healthy))
        assert outcome.outcome.value == "completed"
        reasons = [p.reason.value for p in outcome.payments]
        assert reasons.count("escrow") == 1 and reasons.count("payment") == 1
        assert len(outcome.payments) == len(asyncio.run(m.delegate(healthy)).payments)
