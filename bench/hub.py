"""The market hub at scale: delegations through the graph compiled once, against LangGraph's floor.

Usage: ``python bench/hub.py [--json] [--backend memory|sqlite|postgres] [--dsn DSN]
[--delegations N] [--bidders B] [--concurrency C] [--serial-runs K] [--profile PATH]``

Every delegation is the demo's (``negotiator.delegation.demo``: three clarification rounds,
sealed bids, award, contract, five monitoring reports, settlement) with the deterministic model
client, the bidders being copies of the demo's five under new ids (``bidder-NN``), run through
one :class:`negotiator.graphs.market.DelegationMarket` whose stores are in memory
(``InMemorySaver`` and an in-memory SQLite ledger), in SQLite files or in PostgreSQL
(``--dsn``). Figures, all from one run:

* ``overhead_ms_per_delegation_10_bidders`` — the median time of one delegation with 10 bidders,
  run one at a time (``--serial-runs`` of them, after two warm-up runs), each followed by one
  floor run and one replay run (below), so that all three see the same machine load;
* ``langgraph_floor_ms`` — the median time of the same graph (same nodes, same conditional
  edges, the same ``Send`` fan-out to 10 ``submit_bid`` branches, the same phase path, the
  market's own checkpointer and ``durability="sync"``) whose nodes do nothing but step to the
  next phase, timed in the same run; ``overhead_ratio`` is the first over the second,
  ``overhead_target_met`` whether it is at most ``overhead_target_ratio`` (1.5),
  ``overhead_missed_by_ms`` how far the delegation is above 1.5 × the floor (0 when met);
* ``langgraph_with_state_ms`` — where the rest goes: the same graph again, whose nodes return,
  without computing anything, the very updates a real delegation's nodes returned (recorded
  once), so LangGraph checkpoints and routes the real state; ``state_ms`` is its excess over the
  floor (carrying the state), ``library_ms`` the delegation's excess over it (the library's own
  work in the nodes and around the run: validation, signing, ledger postings, the outcome);
* ``delegations_per_second``, ``p50_ms``, ``p99_ms`` — ``--delegations`` (1,000) delegations of
  ``--bidders`` (20) bidders each through the one market, ``--concurrency`` (64) in flight.

``--profile PATH`` writes a cProfile of the serial runs (``python -m pstats PATH``).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import json
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Send

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import SimulatedExecutor
from negotiator.delegation.request import DelegationSetup
from negotiator.graphs.api import execute
from negotiator.graphs.delegation import delegation_builder, shared_delegation_graph
from negotiator.graphs.market import DelegationJob, DelegationMarket
from negotiator.graphs.state import initial_state
from negotiator.llm.deterministic import DeterministicClient

TARGET_RATIO = 1.5
"""The overhead target: a delegation at most this many times LangGraph's own floor."""


def bidders(n: int) -> tuple[BidderProfile, ...]:
    """``n`` bidders: the demo's five, cycled, under new ids."""
    base = demo_setup().bidders
    return tuple(
        base[i % len(base)].model_copy(update={"bidder_id": f"did:web:bidder-{i:02d}.example"})
        for i in range(n)
    )


def job(setup: DelegationSetup, crowd: Sequence[BidderProfile], i: int) -> DelegationJob:
    task = setup.request.task.model_copy(update={"id": f"task-{i:05d}"})
    request = setup.request.model_copy(update={"task": task})
    funding = dict(setup.funding) | {
        b.bidder_id: setup.funding[setup.bidders[0].bidder_id] for b in crowd
    }
    return DelegationJob(
        f"run-{i:05d}", request, SimulatedExecutor(setup.script, i), funding, seed=i
    )


@asynccontextmanager
async def market(
    backend: str, crowd: Sequence[BidderProfile], dsn: str | None
) -> AsyncIterator[DelegationMarket]:
    setup, client = demo_setup(), DeterministicClient()
    clock = FixedClock(setup.start)
    if backend == "memory":
        with Ledger(":memory:") as ledger:
            yield DelegationMarket(MarketHub(crowd), InMemorySaver(), ledger, client, clock)
    elif backend == "sqlite":
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            async with AsyncSqliteSaver.from_conn_string(f"{tmp}/checkpoints.sqlite") as saver:
                with Ledger(f"{tmp}/ledger.sqlite") as ledger:
                    yield DelegationMarket(MarketHub(crowd), saver, ledger, client, clock)
    else:
        from negotiator.graphs.stores import open_postgres_stores  # noqa: PLC0415

        if dsn is None:
            raise SystemExit("--backend postgres needs --dsn")
        schema = f"hub_{time.time_ns()}"
        async with open_postgres_stores(dsn, schema=schema, max_size=16) as stores:
            hub = MarketHub(crowd, stores.reputation)
            yield DelegationMarket(hub, stores.checkpointer, stores.ledger, client, clock)


class FloorNodes:
    """Do-nothing nodes with the delegation graph's methods: each steps to the next phase of
    a recorded phase path (``state["round"]`` counts the steps)."""

    def __init__(self, path: Sequence[str], fan: int) -> None:
        self.path = list(path)
        self.fan = fan

    def _next(self, state: dict[str, Any]) -> dict[str, Any]:
        step = state.get("round", 0) + 1
        return {"phase": self.path[step], "round": step}

    async def announce(self, state: dict[str, Any]) -> dict[str, Any]:
        return self._next(state)

    ask = answer = open_bidding = screen = award = negotiate = contract = monitor = settle = (
        announce
    )

    async def fan_out(self, state: dict[str, Any]) -> list[Send]:
        return [
            Send("submit_bid", {"bidder_id": str(b), "request": {}, "faq": {}, "opened_at": ""})
            for b in range(self.fan)
        ]

    async def submit_bid(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"calls": []}


class ReplayNodes:
    """Nodes with the delegation graph's methods that compute nothing: each returns the update
    the same node returned in a recorded real delegation (the ``n``-th call of a node returns
    its ``n``-th update; ``submit_bid`` the recorded bidder's), so LangGraph carries, routes and
    checkpoints the real state."""

    def __init__(self, updates: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self.recorded = [(node, dict(update)) for node, update in updates]
        self.reset()

    def reset(self) -> None:
        """Start a new run: fresh copies of every recorded update, first calls first."""
        updates = copy.deepcopy(self.recorded)
        self.queue: dict[str, list[dict[str, Any]]] = {}
        self.bids = {u["sealed"][0]["sender_id"]: u for n, u in updates if n == "submit_bid"}
        for node, update in updates:
            if node != "submit_bid":
                self.queue.setdefault(node, []).append(update)

    def _replay(self, node: str) -> Any:
        async def replay(state: dict[str, Any]) -> dict[str, Any]:
            return self.queue[node].pop(0)

        return replay

    def __getattr__(self, name: str) -> Any:
        phases = {"open_bidding": "bid"}
        return self._replay(phases.get(name, name))

    async def fan_out(self, state: dict[str, Any]) -> list[Send]:
        return [
            Send(
                "submit_bid",
                {
                    "bidder_id": b,
                    "request": state["request"],
                    "faq": state["faq"],
                    "opened_at": state["opened_at"],
                },
            )
            for b in self.bids
        ]

    async def submit_bid(self, state: dict[str, Any]) -> dict[str, Any]:
        return self.bids[state["bidder_id"]]


async def recorded_updates(
    market_: DelegationMarket, j: DelegationJob
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Every node's update in one real delegation through the market's hub and ledger, and the
    run's final state."""
    updates: list[tuple[str, dict[str, Any]]] = []
    result = await execute(
        j.request,
        bidders=(),
        funding=j.funding,
        run_id=j.run_id,
        delegator_client=market_.client,
        bidder_clients=market_.client,
        executor=j.executor,
        clock=market_.clock,
        rng=random.Random(j.seed),
        checkpointer=InMemorySaver(),
        ledger=market_.ledger,
        hub=market_.hub,
        on_update=lambda node, update: updates.append((node, dict(update))),
    )
    return updates, result.state


async def replay_run(graph: Any, nodes: ReplayNodes, j: DelegationJob, i: int) -> float:
    nodes.reset()
    config = {"configurable": {"thread_id": f"replay-{i}"}}
    start = time.perf_counter()
    final = await graph.ainvoke(initial_state(j.run_id, j.request), config, durability="sync")
    elapsed = (time.perf_counter() - start) * 1e3
    assert final["phase"] == "completed", final["phase"]
    return elapsed


async def timed_runs(market_: DelegationMarket, jobs: Sequence[DelegationJob]) -> list[float]:
    out = []
    for j in jobs:
        start = time.perf_counter()
        outcome = await market_.delegate(j)
        out.append((time.perf_counter() - start) * 1e3)
        assert outcome.outcome.value == "completed", outcome.failure
    return out


async def path_of(market_: DelegationMarket, run_id: str) -> list[str]:
    """The phases a finished run stepped through, read back from its checkpoints: the node run
    at each step (``submit_bid`` branches left out), then the final phase."""
    graph = shared_delegation_graph(market_.checkpointer)
    config: Any = {"configurable": {"thread_id": run_id}}
    history = [s async for s in graph.aget_state_history(config)][::-1]
    nodes = [n for s in history for n in s.next if n != "submit_bid" and not n.startswith("__")]
    return [*nodes, history[-1].values["phase"]]


def floor_graph(path: Sequence[str], fan: int, checkpointer: BaseCheckpointSaver[Any]) -> Any:
    """The delegation graph's shape with do-nothing nodes, on ``checkpointer`` (the market's
    own: the floor pays for the same checkpoint writes as the delegations)."""
    return delegation_builder(FloorNodes(path, fan)).compile(checkpointer=checkpointer)  # type: ignore[arg-type]


async def floor_run(graph: Any, path: Sequence[str], i: int) -> float:
    config = {"configurable": {"thread_id": f"floor-{i}"}}
    start = time.perf_counter()
    final = await graph.ainvoke({"phase": path[0], "round": 0}, config, durability="sync")
    elapsed = (time.perf_counter() - start) * 1e3
    assert final["phase"] == path[-1], (final, path)
    return elapsed


async def serial(args: argparse.Namespace) -> dict[str, Any]:
    """Delegations, floor runs and replay runs one at a time, interleaved (all three see the
    same machine load)."""
    setup, crowd = demo_setup(), bidders(10)
    delegation: list[float] = []
    floor: list[float] = []
    replay: list[float] = []
    async with market(args.backend, crowd, args.dsn) as m:
        warm = [job(setup, crowd, 90_000 + i) for i in range(2)]
        await timed_runs(m, warm)
        path = await path_of(m, warm[0].run_id)
        graph = floor_graph(path, 10, m.checkpointer)
        recorded = job(setup, crowd, 89_999)
        nodes = ReplayNodes((await recorded_updates(m, recorded))[0])
        replayed = delegation_builder(nodes).compile(checkpointer=m.checkpointer)  # type: ignore[arg-type]
        for i in range(2):
            await floor_run(graph, path, 90_000 + i)
            await replay_run(replayed, nodes, recorded, 90_000 + i)
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.serial_runs):
            if profiler:
                profiler.enable()
            delegation += await timed_runs(m, [job(setup, crowd, 91_000 + i)])
            if profiler:
                profiler.disable()
            floor.append(await floor_run(graph, path, i))
            replay.append(await replay_run(replayed, nodes, recorded, i))
        if profiler:
            profiler.dump_stats(args.profile)
    return verdict(
        statistics.median(delegation), statistics.median(floor), statistics.median(replay)
    ) | {"graph_steps": len(path) - 1}


def verdict(delegation: float, floor: float, replay: float) -> dict[str, Any]:
    """The overhead figures, the ratio to the floor and whether the target is met."""
    ratio = delegation / floor
    return {
        "overhead_ms_per_delegation_10_bidders": round(delegation, 2),
        "langgraph_floor_ms": round(floor, 2),
        "overhead_ratio": round(ratio, 2),
        "overhead_target_ratio": TARGET_RATIO,
        "overhead_target_met": ratio <= TARGET_RATIO,
        "overhead_missed_by_ms": round(max(0.0, delegation - TARGET_RATIO * floor), 2),
        "langgraph_with_state_ms": round(replay, 2),
        "state_ms": round(replay - floor, 2),
        "library_ms": round(delegation - replay, 2),
    }


async def at_scale(args: argparse.Namespace) -> dict[str, Any]:
    setup, crowd = demo_setup(), bidders(args.bidders)
    latencies: list[float] = []
    async with market(args.backend, crowd, args.dsn) as m:
        gate = asyncio.Semaphore(args.concurrency)

        async def one(j: DelegationJob) -> None:
            async with gate:
                start = time.perf_counter()
                outcome = await m.delegate(j)
                latencies.append((time.perf_counter() - start) * 1e3)
                assert outcome.outcome.value == "completed", outcome.failure

        jobs = [job(setup, crowd, i) for i in range(args.delegations)]
        start = time.perf_counter()
        await asyncio.gather(*(one(j) for j in jobs))
        elapsed = time.perf_counter() - start
        balanced = m.ledger.is_balanced()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "delegations_per_second": round(args.delegations / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(cuts[98], 1),
        "delegations": args.delegations,
        "bidders": args.bidders,
        "concurrency": args.concurrency,
        "ledger_balanced": balanced,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--backend", choices=("memory", "sqlite", "postgres"), default="memory")
    ap.add_argument("--dsn", help="PostgreSQL DSN (with --backend postgres)")
    ap.add_argument("--delegations", type=int, default=1000)
    ap.add_argument("--bidders", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--serial-runs", type=int, default=30)
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args()
    out = asyncio.run(serial(args)) | asyncio.run(at_scale(args)) | {"backend": args.backend}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:40} {v}")
        print(summary(out))


def summary(out: dict[str, Any]) -> str:
    """One sentence: the overhead target met, or missed by how much and where the time goes."""
    ratio, floor = out["overhead_ratio"], out["langgraph_floor_ms"]
    head = f"overhead {ratio}x LangGraph's floor ({floor} ms), target {TARGET_RATIO}x"
    if out["overhead_target_met"]:
        return f"{head}: met"
    return (
        f"{head}: missed by {out['overhead_missed_by_ms']} ms; of the delegation's "
        f"{out['overhead_ms_per_delegation_10_bidders']} ms, {floor} ms is the floor, "
        f"{out['state_ms']} ms LangGraph carrying the real state, {out['library_ms']} ms "
        "the library's own work"
    )


if __name__ == "__main__":
    main()
