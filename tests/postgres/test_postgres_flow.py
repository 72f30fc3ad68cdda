"""Delegations on shared PostgreSQL stores (LangGraph's Postgres checkpointer, the Postgres
ledger and reputation store): a run crashed in one worker is finished by another, and worker
processes sharing one market: see ``test_postgres_workers.py``."""

from __future__ import annotations

import asyncio
import random

import pytest

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.monitoring import SimulatedCrash, SimulatedExecutor
from negotiator.graphs.api import RunResult, execute
from negotiator.graphs.stores import open_postgres_stores
from negotiator.llm.deterministic import DeterministicClient

pytest.importorskip("langgraph.checkpoint.postgres", reason="the postgres extra is not installed")


async def run_once(dsn: str, schema: str, run_id: str, crash_after: int | None = None) -> RunResult:
    """One worker: open the shared stores, run (or continue) ``run_id``, close."""
    s, client = demo_setup("success"), DeterministicClient()
    async with open_postgres_stores(dsn, schema=schema, max_size=4) as stores:
        return await execute(
            s.request,
            bidders=s.bidders,
            funding=s.funding,
            run_id=run_id,
            delegator_client=client,
            bidder_clients=client,
            executor=SimulatedExecutor(s.script, 7, crash_after=crash_after),
            clock=FixedClock(s.start),
            rng=random.Random(7),
            checkpointer=stores.checkpointer,
            ledger=stores.ledger,
            reputation=stores.reputation,
        )


def test_a_run_crashed_in_one_worker_is_finished_by_another(pg_dsn: str, pg_schema: str) -> None:
    with pytest.raises(SimulatedCrash):
        asyncio.run(run_once(pg_dsn, pg_schema, "run-1", crash_after=2))
    result = asyncio.run(run_once(pg_dsn, pg_schema, "run-1"))
    out = result.outcome
    assert out.outcome == "completed" and out.ledger_balanced
    reasons = [p.reason for p in out.payments]
    assert reasons.count("payment") == 1 and reasons.count("escrow") == 1
    again = asyncio.run(run_once(pg_dsn, pg_schema, "run-1")).outcome
    assert again == out  # a finished run: nothing moves twice
