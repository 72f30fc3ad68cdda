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
from negotiator.errors import FieldError, HostFailure
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport, ReportStatus
from negotiator.wire.signing import sign, signature_errors

__all__ = [
    "AnyExecutor",
    "AsyncExecutor",
    "RunContext",
    "collect_report",
    "failed_report",
    "receive_report",
]

_MAX_NOTES = 2000


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
    *,
    progress: float = 0.0,
) -> ProgressReport | None:
    """Ask ``executor`` for report ``sequence`` (awaiting it when it is an :class:`AsyncExecutor`).

    The contractor's side never aborts the run:

    * an executor that raises (a sub-task found over budget, a bug, a peer gone) has *failed*:
      the result is a ``failed`` report at the last known ``progress`` whose notes carry the
      error, which the default-penalty clause turns into a breach settled by the contract;
    * a report about another contract, or with another sequence number, or anything that is not
      a :class:`ProgressReport`, is not this tick's evidence: it counts as a missed report
      (``None``).

    Raises:
        HostFailure: the host itself failed (e.g. a simulated crash); the run stops there.
    """
    try:
        if isinstance(executor, AsyncExecutor):
            report = await executor.areport(contract, sequence, at, context)
        else:
            report = executor.report(contract, sequence, at)
    except HostFailure:
        raise
    except Exception as exc:
        return failed_report(contract, sequence, at, progress, exc)
    if not isinstance(report, ProgressReport):
        return None
    if (report.contract_id, report.sequence) != (contract.id, sequence):
        return None
    return report


def failed_report(
    contract: Contract, sequence: int, at: datetime, progress: float, error: Exception
) -> ProgressReport:
    """The ``failed`` report standing for an executor that raised ``error``."""
    message = "".join(c if c.isprintable() else " " for c in str(error).strip())
    notes = f"the executor failed: {type(error).__name__}: {message}"
    return ProgressReport(
        contract_id=contract.id,
        sequence=sequence,
        timestamp=at,
        progress=progress,
        status=ReportStatus.FAILED,
        notes=notes[:_MAX_NOTES],
    )


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
