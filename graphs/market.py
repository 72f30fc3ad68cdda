"""A market hub running many delegations at once (asyncio), each one durable.

:class:`DelegationMarket` holds what the delegations of one market share: the
:class:`~negotiator.delegation.hub.MarketHub` (bidders, reputations, trust policy), one
checkpointer (each run is a thread of its own, written with ``durability="sync"``, so any run
can be continued after a crash by calling :meth:`DelegationMarket.delegate` again with its run
id), one escrow ledger, the model client and the clock. Every run goes through the delegation
graph compiled once per process (:func:`~negotiator.graphs.delegation.shared_delegation_graph`).
With :func:`~negotiator.graphs.stores.open_postgres_stores` the same market is shared by several
worker processes.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from negotiator.delegation.clock import Clock
from negotiator.delegation.execution import AnyExecutor
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.ledger import Books
from negotiator.delegation.outcome import DelegationOutcome
from negotiator.delegation.request import DelegationRequest
from negotiator.graphs.api import execute
from negotiator.llm.protocol import ModelClient
from negotiator.money import Money

__all__ = ["DelegationJob", "DelegationMarket"]


@dataclass(frozen=True)
class DelegationJob:
    """One delegation to run through the market."""

    run_id: str
    request: DelegationRequest
    executor: AnyExecutor
    funding: Mapping[str, Money]
    seed: int = 0


class DelegationMarket:
    """Many delegations through one market hub, concurrently.

    Args:
        hub: the bidders, their reputations and the trust policy, shared by every run.
        checkpointer: where every run's checkpoints go (one thread per run id).
        ledger: the escrow ledger every run posts to.
        client: the model client of the delegator and of every bidder.
        clock: the time source.

    Example:
        >>> from negotiator.delegation.clock import FixedClock
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.ledger import Ledger
        >>> from negotiator.delegation.monitoring import SimulatedExecutor
        >>> from langgraph.checkpoint.memory import InMemorySaver
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> s = demo_setup()
        >>> market = DelegationMarket(MarketHub(s.bidders), InMemorySaver(), Ledger(":memory:"),
        ...     DeterministicClient(), FixedClock(s.start))
        >>> jobs = [DelegationJob(f"run-{i}", s.request, SimulatedExecutor(s.script, i),
        ...     s.funding) for i in range(3)]
        >>> [o.outcome.value for o in asyncio.run(market.delegate_many(jobs))]
        ['completed', 'completed', 'completed']
    """

    def __init__(
        self,
        hub: MarketHub,
        checkpointer: BaseCheckpointSaver[Any],
        ledger: Books,
        client: ModelClient,
        clock: Clock,
    ) -> None:
        self.hub = hub
        self.checkpointer = checkpointer
        self.ledger = ledger
        self.client = client
        self.clock = clock

    async def delegate(self, job: DelegationJob) -> DelegationOutcome:
        """Run (or continue) one delegation to its end and return its outcome."""
        result = await execute(
            job.request,
            bidders=(),
            funding=job.funding,
            run_id=job.run_id,
            delegator_client=self.client,
            bidder_clients=self.client,
            executor=job.executor,
            clock=self.clock,
            rng=random.Random(job.seed),
            checkpointer=self.checkpointer,
            ledger=self.ledger,
            hub=self.hub,
        )
        return result.outcome

    async def delegate_many(
        self, jobs: Sequence[DelegationJob], *, concurrency: int = 64
    ) -> list[DelegationOutcome]:
        """Run ``jobs`` with at most ``concurrency`` in flight; outcomes in job order."""
        gate = asyncio.Semaphore(concurrency)

        async def one(job: DelegationJob) -> DelegationOutcome:
            async with gate:
                return await self.delegate(job)

        return list(await asyncio.gather(*(one(j) for j in jobs)))
