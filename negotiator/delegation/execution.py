"""The two kinds of executor the monitor can ask for a report, and what it tells the async kind.

A plain :class:`~negotiator.delegation.monitoring.Executor` answers ``report(contract, sequence,
at)`` synchronously (the simulated contractor, most hosts). An :class:`AsyncExecutor` answers
``await areport(contract, sequence, at, context)`` and also receives the :class:`RunContext` of
the run it works for — the run id, the escrow ledger, the clock and the hub's reputation store —
so that it can do asynchronous work that belongs to the same run, such as posting sub-tasks to
the market (:class:`~negotiator.delegation.subdelegation.SubDelegatingExecutor`) with money and
reputations kept in the same books. :func:`collect_report` asks either kind;
:func:`receive_report` checks the contractor's signature before the monitor reads a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from negotiator.delegation.clock import Clock
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.ledger import Books
from negotiator.delegation.monitoring import Executor
from negotiator.delegation.reputation_store import ReputationStore
from negotiator.errors import FieldError
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport
from negotiator.wire.signing import sign, signature_errors

__all__ = ["AnyExecutor", "AsyncExecutor", "RunContext", "collect_report", "receive_report"]


@dataclass(frozen=True)
class RunContext:
    """What the monitor tells an :class:`AsyncExecutor` about the run it reports to.

    Args:
        run_id: the run (thread) id; ledger keys of the run start with ``<run_id>/``.
        ledger: the run's escrow ledger.
        clock: the run's time source.
        reputation: the hub's reputation store.
    """

    run_id: str
    ledger: Books
    clock: Clock
    reputation: ReputationStore


@runtime_checkable
class AsyncExecutor(Protocol):
    """An executor that reports asynchronously and is told the run's context."""

    async def areport(
        self, contract: Contract, sequence: int, at: datetime, context: RunContext
    ) -> ProgressReport | None:
        """Return progress report ``sequence`` due at ``at``, or ``None`` if none was made."""
        ...


AnyExecutor = Executor | AsyncExecutor
"""Either kind of executor (what the flow accepts)."""


async def collect_report(
    executor: AnyExecutor,
    contract: Contract,
    sequence: int,
    at: datetime,
    context: RunContext,
) -> ProgressReport | None:
    """Ask ``executor`` for report ``sequence`` (awaiting it when it is an :class:`AsyncExecutor`).

    Raises:
        whatever the executor raises (e.g. a sub-delegation's ``InvalidInputError``).
    """
    if isinstance(executor, AsyncExecutor):
        return await executor.areport(contract, sequence, at, context)
    return executor.report(contract, sequence, at)


def receive_report(
    report: ProgressReport | None, contract: Contract, keys: RunKeys, at: datetime
) -> tuple[ProgressReport | None, list[FieldError]]:
    """The report as the delegator accepts it, and why it was refused if it was.

    An unsigned report from a contractor this process acts for is signed with its key first
    (the contractor's own software); then the signature must verify for the contractor. A
    report that fails is refused with its ``$.signature`` errors and counts as not made.
    """
    if report is None:
        return None, []
    contractor = contract.contractor_id
    if report.signature is None and contractor in keys.keys:
        report = sign(report, keys.key(contractor), at)
    errors = signature_errors(report, keys.registry, signer=contractor)
    return (None, errors) if errors else (report, [])
