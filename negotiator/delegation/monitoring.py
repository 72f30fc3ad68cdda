"""Monitoring: the contractor reports at the agreed cadence; every clause is checked every time.

The monitor ticks once per agreed reporting interval. At tick ``k`` (time
``created_at + (k + 1) * interval``) it asks the :class:`Executor` for report ``k``; ``None``
means the report was missed. Each clause kind has a check (its entry in
:data:`~negotiator.delegation.clauses.CLAUSE_KINDS`) that looks
at the report (and the run of missed reports) and says ``ok``, ``pending`` or ``violated`` with
its evidence. The :class:`Verdict` is then, in this order:

1. ``breached`` — the first violated clause in contract order (penalty trigger — or a report
   that omits the trigger's subject: missing evidence is never better for the contractor than
   bad evidence —, missed reports,
   an unmet performance requirement on the final report, a report with status ``failed``, or
   the deadline passed without completion — the last two under the default-penalty clause);
2. ``completed`` — the report says completed and every performance requirement holds;
3. ``cancelled`` — the delegator's :class:`CancelPolicy` fires on this report;
4. ``continue`` otherwise.

A breach is data (a verdict with the clause and the evidence), never an exception.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from negotiator.delegation.clauses import ClauseStatus, clause_kind
from negotiator.errors import HostFailure, RuntimeFailure
from negotiator.wire.clauses import DefaultPenalty, MonitoringAgreement
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport, ReportStatus

__all__ = [
    "SCRIPTS",
    "CancelPolicy",
    "ClauseStatus",
    "Executor",
    "ExecutorScript",
    "MonitorState",
    "SimulatedCrash",
    "SimulatedExecutor",
    "Verdict",
    "VerdictKind",
    "evaluate",
    "monitoring_clause",
    "tick_time",
]


class Executor(Protocol):
    """What the host supplies to run the contracted work and report on it."""

    def report(self, contract: Contract, sequence: int, at: datetime) -> ProgressReport | None:
        """Return progress report ``sequence`` due at ``at``, or ``None`` if none was made."""
        ...


class SimulatedCrash(HostFailure):
    """Raised by :class:`SimulatedExecutor` to simulate the process dying mid-monitoring."""


class ExecutorScript(BaseModel):
    """A scripted execution for the simulated executor (data, see :data:`SCRIPTS`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: int = Field(gt=0, description="Reports until completion.")
    final_metric: str = Field(description="Metric reported, e.g. lighthouse_performance_delta.")
    final_low: float = Field(description="Lowest final metric value (seeded draw).")
    final_high: float = Field(description="Highest final metric value (seeded draw).")
    tests_fail_from: int | None = Field(default=None, description="Report from which tests fail.")
    silent_from: int | None = Field(default=None, description="Report from which it goes quiet.")
    slacker: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="A contractor that slacks while it holds the contract: a quarter of the "
        "scripted pace and half the measured metric (the other contractors follow the script).",
    )


#: a slacker's share of the scripted pace and of the scripted metric.
SLACK_PACE, SLACK_METRIC = 0.25, 0.5


_METRIC = "lighthouse_performance_delta"

#: scenario -> script. ``cancel`` runs like ``success``; the delegator's policy cancels it;
#: ``subdelegate`` too (the contractor's sub-tasks are added by the demo).
SCRIPTS: Mapping[str, ExecutorScript] = MappingProxyType(
    {
        "success": ExecutorScript(steps=5, final_metric=_METRIC, final_low=22.0, final_high=31.0),
        "breach": ExecutorScript(
            steps=5, final_metric=_METRIC, final_low=22.0, final_high=31.0, tests_fail_from=4
        ),
        "cancel": ExecutorScript(steps=5, final_metric=_METRIC, final_low=22.0, final_high=31.0),
        "silent": ExecutorScript(
            steps=5, final_metric=_METRIC, final_low=22.0, final_high=31.0, silent_from=2
        ),
        "subdelegate": ExecutorScript(
            steps=5, final_metric=_METRIC, final_low=22.0, final_high=31.0
        ),
    }
)


class SimulatedExecutor:
    """A seeded, stateless simulated contractor: report ``k`` of a contract depends only on
    (seed, the contract, k).

    Stateless so that a resumed run gets exactly the reports the first attempt would have.

    Args:
        script: what happens (see :data:`SCRIPTS`).
        seed: seeds the metric values.
        crash_after: raise :class:`SimulatedCrash` when asked for this report number (so that
            ``crash_after`` reports were made), to test crash and resume.

    Example:
        >>> ex = SimulatedExecutor(SCRIPTS["success"], seed=7)
    """

    def __init__(self, script: ExecutorScript, seed: int, crash_after: int | None = None) -> None:
        self.script = script
        self.seed = seed
        self.crash_after = crash_after

    def report(self, contract: Contract, sequence: int, at: datetime) -> ProgressReport | None:
        """Return report ``sequence`` (see the class docstring)."""
        s = self.script
        if self.crash_after is not None and sequence >= self.crash_after:
            raise SimulatedCrash(f"simulated crash before report {sequence}")
        if s.silent_from is not None and sequence >= s.silent_from:
            return None
        rng = random.Random(f"{self.seed}:{contract.id}:{sequence}")
        slack = contract.contractor_id == s.slacker
        pace = SLACK_PACE if slack else 1.0
        progress = min(1.0, (sequence + 1) * pace / s.steps)
        done = progress >= 1.0
        value = s.final_low + (s.final_high - s.final_low) * rng.random()
        value *= SLACK_METRIC if slack else 1.0
        tests_ok = s.tests_fail_from is None or sequence < s.tests_fail_from
        return ProgressReport(
            contract_id=contract.id,
            sequence=sequence,
            timestamp=at,
            progress=progress,
            status=ReportStatus.COMPLETED if done else ReportStatus.WORKING,
            metrics={s.final_metric: round(value * progress, 1)},
            checks={"existing_tests_pass": tests_ok},
            notes="delivered" if done else f"step {sequence + 1} of {s.steps}",
        )


class CancelPolicy(BaseModel):
    """When the delegator cancels: at the first report whose progress reaches ``at_progress``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at_progress: float | None = Field(default=None, ge=0, le=1, description="None: never.")
    reason: str = Field(default="requirements changed", description="Why it cancels.")


class VerdictKind(StrEnum):
    """What the monitor decided after a report."""

    CONTINUE = "continue"
    COMPLETED = "completed"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class Verdict(BaseModel):
    """The monitor's decision after one tick, with the clause and evidence behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: VerdictKind = Field(description="continue, completed, breached or cancelled.")
    tick: int = Field(ge=0, description="The tick it was made at.")
    at: AwareDatetime = Field(description="The tick's time.")
    progress: float = Field(ge=0, le=1, description="Latest reported progress.")
    clause_index: int | None = Field(default=None, description="Index of the breached clause.")
    clause_kind: str | None = Field(default=None, description="Kind of the breached clause.")
    evidence: str = Field(default="", description="What showed it, in plain language.")
    clause_status: tuple[str, ...] = Field(
        default=(), description="Every clause's status on this tick, in contract order."
    )


class MonitorState(BaseModel):
    """What the monitor carries from tick to tick."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tick: int = Field(default=0, ge=0, description="Next tick number.")
    missed_streak: int = Field(default=0, ge=0, description="Consecutive missed reports.")
    progress: float = Field(default=0.0, description="Latest reported progress.")


def monitoring_clause(contract: Contract) -> MonitoringAgreement:
    """Return the contract's monitoring agreement.

    Raises:
        RuntimeFailure: the contract has none (the flow always adds one).
    """
    for clause in contract.clauses:
        if isinstance(clause, MonitoringAgreement):
            return clause
    raise RuntimeFailure(f"contract {contract.id!r} has no monitoring clause")


def tick_time(contract: Contract, tick: int) -> datetime:
    """Return when report ``tick`` is due: ``created_at + (tick + 1) * interval``."""
    interval = monitoring_clause(contract).report_interval_seconds
    return contract.created_at + timedelta(seconds=interval * (tick + 1))


def _deadline_passed(contract: Contract, at: datetime) -> bool:
    return at > contract.created_at + timedelta(seconds=contract.deadline_seconds)


def evaluate(
    contract: Contract,
    state: MonitorState,
    report: ProgressReport | None,
    cancel: CancelPolicy,
) -> tuple[MonitorState, Verdict]:
    """Check every clause on this tick's ``report`` (``None``: missed) and decide.

    Returns:
        The state for the next tick and this tick's verdict (see the module docstring).

    Example:
        >>> from datetime import UTC
        >>> from decimal import Decimal
        >>> from negotiator.money import Money
        >>> usdc = lambda a: Money(amount=Decimal(a), currency="USDC")
        >>> contract = Contract(id="c1", task_id="t1", delegator_id="d", contractor_id="c",
        ...     price=usdc("5"), bond=usdc("0.5"), deadline_seconds=3600,
        ...     created_at=datetime(2026, 1, 1, tzinfo=UTC),
        ...     clauses=(MonitoringAgreement(report_interval_seconds=300, max_missed_reports=2),))
        >>> # a missed first report: one of K=2 allowed, so the contract continues
        >>> state, verdict = evaluate(contract, MonitorState(), None, CancelPolicy())
        >>> state.missed_streak, verdict.kind.value, verdict.clause_status
        (1, 'continue', ('ok',))
        >>> state, verdict = evaluate(contract, state, None, CancelPolicy())
        >>> verdict.kind.value, verdict.clause_kind
        ('breached', 'monitoring')
    """
    at = tick_time(contract, state.tick)
    nxt = MonitorState(
        tick=state.tick + 1,
        missed_streak=0 if report is not None else state.missed_streak + 1,
        progress=report.progress if report is not None else state.progress,
    )
    results = [clause_kind(c).check(c, report, nxt.missed_streak) for c in contract.clauses]
    kind, index, evidence = _decide(
        contract, report, nxt.progress, at, results=results, cancel=cancel
    )
    return nxt, Verdict(
        kind=kind,
        tick=state.tick,
        at=at,
        progress=nxt.progress,
        clause_index=index,
        clause_kind=contract.clauses[index].kind if index is not None else None,
        evidence=evidence,
        clause_status=tuple(status.value for status, _ in results),
    )


Decision = tuple[VerdictKind, int | None, str]


def _decide(
    contract: Contract,
    report: ProgressReport | None,
    progress: float,
    at: datetime,
    *,
    results: list[tuple[ClauseStatus, str]],
    cancel: CancelPolicy,
) -> Decision:
    """The verdict's kind, breached clause index and evidence, in the documented order."""
    for i, (status, evidence) in enumerate(results):
        if status is ClauseStatus.VIOLATED:
            return VerdictKind.BREACHED, i, evidence
    if report is not None and report.status is ReportStatus.COMPLETED:
        return VerdictKind.COMPLETED, None, report.notes
    if _deadline_passed(contract, at):
        return (
            VerdictKind.BREACHED,
            _default_index(contract),
            (
                f"deadline of {contract.deadline_seconds} s passed at {at.isoformat()} "
                f"with progress {progress:.0%}"
            ),
        )
    if report is not None and cancel.at_progress is not None and progress >= cancel.at_progress:
        return (
            VerdictKind.CANCELLED,
            None,
            (f"delegator cancelled at progress {progress:.0%}: {cancel.reason}"),
        )
    return VerdictKind.CONTINUE, None, ""


def _default_index(contract: Contract) -> int | None:
    return next((i for i, c in enumerate(contract.clauses) if isinstance(c, DefaultPenalty)), None)
