"""Recursive delegation (seed 000, point 5): a contractor posts sub-tasks to the market itself.

:class:`SubDelegatingExecutor` wraps the contractor's own executor. When the contractor's work
starts (the first report the parent's monitor asks for), it posts each :class:`SubTask` to its
own market through the same delegation flow — a nested delegation with its own budget, run by
the :class:`Delegate` it was given (the graph layer's ``adelegate``; this module never imports
the graph) — and then reports on the parent contract with the sub-runs folded in.

Rules (the numbers decide):

* **Who pays.** The contractor is the sub-task's delegator: its ``delegator_id`` is set to the
  parent contract's contractor, and the sub-run escrows the sub-price from the contractor's own
  wallet. Every level posts to the parent run's ledger (:class:`RunContext`), so money is
  conserved across levels and the parent's ``ledger_balanced`` covers them all. Reputations go
  to the parent hub's store.
* **Budget.** Each sub-task's budget is in the contract's currency and at most the contract
  price (``$.subtasks[i].request.task.budget.amount``), and all budgets together are at most
  :func:`spending_limit` — the price less the contractor's margin, ``price / (1 + margin)``
  rounded down to the cent (its cost, under the bidders' pricing rule
  ``price = cost * (1 + margin) * ...``): the contractor never sub-contracts away its margin.
* **Time.** A sub-task's bidding window plus its deadline fits in the parent contract's
  deadline (both are counted from the parent contract's start).
* **Depth.** At most :data:`MAX_DEPTH` levels of sub-delegation below the root delegation;
  nesting deeper is refused when the outermost executor is built.
* **Folding.** Every report the contractor makes carries the check
  :data:`SUBCONTRACTS_CHECK` (true when every sub-run completed) and, in its notes, each
  sub-run's outcome with its breach evidence. A failed, breached or cancelled *required*
  sub-task means the contractor cannot deliver: its reports say ``failed``, and the parent's
  default-penalty clause decides. An optional one is only evidence: a parent clause over the
  check (e.g. a penalty trigger ``subcontracts_ok == false``) decides.
* **Exactly once.** A sub-run's id is ``<parent run id>.<sub-task id>``; its ledger postings and
  reputation update are idempotent, and with a ``runs_dir`` its checkpoints live in its own run
  folder, so a parent resumed after a crash finds the finished sub-runs instead of paying twice.

Sub-tasks run one after another, in the given order (deterministic; one ledger connection).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Protocol

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.clock import Clock
from negotiator.delegation.execution import AnyExecutor, RunContext, collect_report
from negotiator.delegation.ledger import Books
from negotiator.delegation.outcome import DelegationOutcome, RunOutcome
from negotiator.delegation.reputation_store import ReputationStore
from negotiator.delegation.request import DelegationRequest
from negotiator.errors import FieldError, InvalidInputError, lookup
from negotiator.llm.protocol import ModelClient
from negotiator.llm.scoped import ScopedClient
from negotiator.money import Money
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport, ReportStatus

__all__ = [
    "MAX_DEPTH",
    "SUBCONTRACTS_CHECK",
    "Delegate",
    "SubDelegatingExecutor",
    "SubRun",
    "SubTask",
    "check_subtasks",
    "fold_report",
    "spending_limit",
]

#: most levels of sub-delegation below the root delegation.
MAX_DEPTH = 3
#: the check every folded report carries: true when every sub-run completed.
SUBCONTRACTS_CHECK = "subcontracts_ok"
_CENT = Decimal("0.01")
_NOTES_LIMIT = 2000


class Delegate(Protocol):
    """Runs one whole delegation to its outcome: ``negotiator.adelegate`` fits (the graph layer
    passes it in, so this module never reaches up to the graph)."""

    async def __call__(
        self,
        request: DelegationRequest,
        *,
        bidders: Sequence[BidderProfile],
        executor: AnyExecutor,
        client: ModelClient | None,
        bidder_clients: ModelClient | Mapping[str, ModelClient] | None,
        clock: Clock | None,
        seed: int,
        run_id: str | None,
        runs_dir: str | Path | None,
        funding: Mapping[str, Money] | None,
        ledger: Books | None,
        reputation: ReputationStore | None,
    ) -> DelegationOutcome:
        """Delegate ``request`` and return the outcome (see ``negotiator.adelegate``)."""
        ...


@dataclass(frozen=True)
class SubTask:
    """One sub-task the contractor posts to its own market.

    Args:
        request: the sub-delegation (its ``task.delegator_id`` is replaced by the contractor).
        bidders: the agents in the sub-market.
        executor: runs the sub-contracted work (may itself be a :class:`SubDelegatingExecutor`).
        funding: opening wallet balances of the sub-market's parties, posted once per sub-run.
        required: whether the contractor cannot deliver without it (see the module docstring).
    """

    request: DelegationRequest
    bidders: tuple[BidderProfile, ...]
    executor: AnyExecutor
    funding: Mapping[str, Money] = field(default_factory=dict)
    required: bool = True


@dataclass(frozen=True)
class SubRun:
    """A finished sub-delegation: which sub-task, its run id and its outcome."""

    task_id: str
    run_id: str
    required: bool
    outcome: DelegationOutcome

    @property
    def delivered(self) -> bool:
        """Whether the sub-contract completed."""
        return self.outcome.outcome is RunOutcome.COMPLETED

    def summary(self) -> str:
        """One line for the parent's report notes (outcome, contractor, evidence)."""
        o = self.outcome
        by = f" by {o.winner.bidder_id} at {o.winner.price}" if o.winner else ""
        why = o.breach or o.failure or ""
        return f"sub-task {self.task_id}: {o.outcome}{by}" + (f" ({why})" if why else "")


def spending_limit(price: Money, margin: Decimal) -> Money:
    """The most a contractor paid ``price`` may spend on sub-tasks: ``price / (1 + margin)``,
    rounded down to the cent.

    Example:
        >>> spending_limit(Money(amount=Decimal("5.00"), currency="USDC"), Decimal("0.22"))
        Money(amount=Decimal('4.09'), currency='USDC')
    """
    amount = (price.amount / (1 + margin)).quantize(_CENT, rounding=ROUND_DOWN)
    return Money(amount=amount, currency=price.currency)


def _subtask_errors(i: int, sub: SubTask, contract: Contract) -> list[FieldError]:
    base, task, price = f"$.subtasks[{i}].request", sub.request.task, contract.price
    errors: list[FieldError] = []
    if task.id == contract.task_id:
        errors.append(FieldError(f"{base}.task.id", f"{task.id!r} is the parent task's own id"))
    if task.budget.currency != price.currency:
        errors.append(
            FieldError(
                f"{base}.task.budget.currency",
                f"{task.budget.currency} differs from the contract's {price.currency}",
            )
        )
    elif task.budget.amount > price.amount:
        errors.append(
            FieldError(
                f"{base}.task.budget.amount",
                f"{task.budget.amount} exceeds the {price} the contractor is paid",
            )
        )
    span = sub.request.bid_window_seconds + task.deadline_seconds
    if span > contract.deadline_seconds:
        errors.append(
            FieldError(
                f"{base}.task.deadline_seconds",
                f"bidding ({sub.request.bid_window_seconds} s) plus the deadline "
                f"({task.deadline_seconds} s) is {span} s, past the parent contract's "
                f"deadline of {contract.deadline_seconds} s",
            )
        )
    return errors


def check_subtasks(contract: Contract, subtasks: Sequence[SubTask], margin: Decimal) -> None:
    """Check that ``subtasks`` fit the parent ``contract`` (see the module docstring).

    Raises:
        InvalidInputError: every problem, each at its path (``$.subtasks[i]...``).
    """
    errors = [e for i, sub in enumerate(subtasks) for e in _subtask_errors(i, sub, contract)]
    limit = spending_limit(contract.price, margin)
    total = sum(
        (
            s.request.task.budget.amount
            for s in subtasks
            if s.request.task.budget.currency == limit.currency
        ),
        Decimal(0),
    )
    if total > limit.amount:
        errors.append(
            FieldError(
                "$.subtasks",
                f"sub-task budgets total {total} {limit.currency}, more than the {limit} the "
                f"contractor may spend (its price {contract.price} less its margin {margin})",
            )
        )
    if errors:
        raise InvalidInputError(f"sub-delegation of {contract.id!r}", errors)


def fold_report(report: ProgressReport | None, runs: Sequence[SubRun]) -> ProgressReport | None:
    """Fold the sub-runs into the contractor's ``report`` (``None`` stays missed).

    Adds :data:`SUBCONTRACTS_CHECK` and each sub-run's summary to the notes; a required
    sub-task that was not delivered turns the report's status into ``failed``.
    """
    if report is None or not runs:
        return report
    failed_required = any(r.required and not r.delivered for r in runs)
    parts = [report.notes] if report.notes else []
    notes = "; ".join([*parts, *(r.summary() for r in runs)])
    body = report.model_dump()
    body["checks"] = {**report.checks, SUBCONTRACTS_CHECK: all(r.delivered for r in runs)}
    body["notes"] = notes[:_NOTES_LIMIT]
    if failed_required:
        body["status"] = ReportStatus.FAILED
    return ProgressReport.model_validate(body)


def _deepest(executor: AnyExecutor) -> tuple[int, str]:
    """Levels of sub-delegation under ``executor`` and the path to the deepest one."""
    if not isinstance(executor, SubDelegatingExecutor):
        return 0, ""
    depth, path = 0, ""
    for i, sub in enumerate(executor.subtasks):
        d, p = _deepest(sub.executor)
        if d > depth:
            depth, path = d, f".subtasks[{i}].executor{p}"
    return depth + 1, path


def _static_errors(subtasks: Sequence[SubTask]) -> list[FieldError]:
    errors: list[FieldError] = []
    if not subtasks:
        errors.append(FieldError("$.subtasks", "at least one sub-task is needed"))
    seen: set[str] = set()
    for i, sub in enumerate(subtasks):
        task_id = sub.request.task.id
        if task_id in seen:
            errors.append(FieldError(f"$.subtasks[{i}].request.task.id", f"duplicate {task_id!r}"))
        seen.add(task_id)
        if sub.request.answerer == "human":
            errors.append(
                FieldError(
                    f"$.subtasks[{i}].request.answerer",
                    "a sub-delegation cannot pause for a human inside a progress report",
                )
            )
    return errors


class SubDelegatingExecutor:
    """An :class:`~negotiator.delegation.execution.AsyncExecutor` for a contractor that
    sub-delegates: posts ``subtasks`` when its work starts, then reports with them folded in.

    Args:
        inner: the contractor's own work (its reports are the base of the folded ones).
        subtasks: what it posts, in order.
        margins: contractor id -> its margin (as in ``BidderProfile.margin``), which sets the
            :func:`spending_limit`; the parent's winner must be in it.
        delegate: runs each nested delegation (``negotiator.adelegate``).
        client: the contractor's model client as a delegator (default: deterministic).
        bidder_clients: the sub-bidders' client(s) (default: ``client``).
        runs_dir: where the sub-runs keep their checkpoints (``None``: in memory).
        seed: seeds each sub-run's simulated bid latencies.

    Raises:
        InvalidInputError: no sub-task, a duplicate sub-task id, a human answerer, or nesting
            deeper than :data:`MAX_DEPTH` (each at its path).

    Example:
        >>> import asyncio
        >>> from negotiator.delegation.clock import FixedClock
        >>> from negotiator.delegation.demo import demo_setup, demo_subtasks
        >>> from negotiator.delegation.monitoring import SimulatedExecutor
        >>> from negotiator import adelegate
        >>> s = demo_setup("subdelegate")
        >>> ex = SubDelegatingExecutor(SimulatedExecutor(s.script, 7),
        ...     [t.to_subtask(seed=7, delegate=adelegate) for t in demo_subtasks()],
        ...     margins={b.bidder_id: b.margin for b in s.bidders}, delegate=adelegate)
        >>> out = asyncio.run(adelegate(s.request, bidders=s.bidders, funding=s.funding,
        ...     executor=ex, clock=FixedClock(s.start), runs_dir=None, run_id="doc"))
        >>> out.outcome.value, [(r.task_id, r.outcome.outcome.value) for r in ex.finished("doc")]
        ('completed', [('task-virtual-table', 'completed')])
    """

    def __init__(
        self,
        inner: AnyExecutor,
        subtasks: Sequence[SubTask],
        *,
        margins: Mapping[str, Decimal],
        delegate: Delegate,
        client: ModelClient | None = None,
        bidder_clients: ModelClient | Mapping[str, ModelClient] | None = None,
        runs_dir: str | Path | None = None,
        seed: int = 0,
    ) -> None:
        self.inner = inner
        self.subtasks = tuple(subtasks)
        self.margins = dict(margins)
        self.delegate = delegate
        self.client = client
        self.bidder_clients = bidder_clients
        self.runs_dir = runs_dir
        self.seed = seed
        errors = _static_errors(self.subtasks)
        depth, path = _deepest(self)
        if depth > MAX_DEPTH:
            errors.append(
                FieldError(
                    f"${path}.subtasks",
                    f"sub-delegation nested {depth} levels deep; at most {MAX_DEPTH} allowed",
                )
            )
        if errors:
            raise InvalidInputError("sub-delegating executor", errors)
        self.depth = depth
        self._runs: dict[tuple[str, str], tuple[SubRun, ...]] = {}

    def finished(self, run_id: str) -> tuple[SubRun, ...]:
        """The sub-runs made for parent run ``run_id`` so far in this process (all contracts)."""
        return tuple(
            r for (rid, _), runs in sorted(self._runs.items()) if rid == run_id for r in runs
        )

    async def subruns(self, contract: Contract, context: RunContext) -> tuple[SubRun, ...]:
        """Run (or find, when already run) every sub-delegation of ``contract``.

        Idempotent: a sub-run is continued by its run id and moves no money twice.

        Raises:
            InvalidInputError: a sub-task does not fit the contract (:func:`check_subtasks`).
            UnknownKeyError: the contractor has no entry in ``margins``.
        """
        key = (context.run_id, contract.id)
        if key in self._runs:
            return self._runs[key]
        margin = lookup(self.margins, contract.contractor_id, "contractor margin")
        check_subtasks(contract, self.subtasks, margin)
        runs = []
        for sub in self.subtasks:
            runs.append(await self._delegate(sub, contract, context))
        self._runs[key] = tuple(runs)
        return self._runs[key]

    async def _delegate(self, sub: SubTask, contract: Contract, context: RunContext) -> SubRun:
        task = sub.request.task.model_copy(update={"delegator_id": contract.contractor_id})
        run_id = f"{context.run_id}.{task.id}"
        outcome = await self.delegate(
            sub.request.model_copy(update={"task": task}),
            bidders=sub.bidders,
            executor=sub.executor,
            client=None if self.client is None else ScopedClient(self.client, task.id),
            bidder_clients=_scoped(self.bidder_clients, task.id),
            clock=context.clock,
            seed=self.seed,
            run_id=run_id,
            runs_dir=self.runs_dir,
            funding=sub.funding,
            ledger=context.ledger,
            reputation=context.reputation,
        )
        return SubRun(task_id=task.id, run_id=run_id, required=sub.required, outcome=outcome)

    async def areport(
        self, contract: Contract, sequence: int, at: datetime, context: RunContext
    ) -> ProgressReport | None:
        """Run the sub-delegations (first call), then return the inner report folded."""
        runs = await self.subruns(contract, context)
        report = await collect_report(self.inner, contract, sequence, at, context)
        return fold_report(report, runs)


def _scoped(
    clients: ModelClient | Mapping[str, ModelClient] | None, scope: str
) -> ModelClient | Mapping[str, ModelClient] | None:
    """The sub-run's client(s), each call attributed to the sub-task (see ScopedClient)."""
    if clients is None:
        return None
    if isinstance(clients, Mapping):
        return {bidder: ScopedClient(c, scope) for bidder, c in clients.items()}
    return ScopedClient(clients, scope)
