"""Every kind of contract clause in one typed registry: how the monitor checks a report against
it and how the contract's wording states it.

Each :class:`ClauseKind` names the clause's model and its two behaviours, typed against that
model; :data:`CLAUSE_KINDS` holds one per member of :data:`~negotiator.wire.clauses.Clause` (a
test keeps them in step), and :func:`clause_kind` finds a clause's entry by its type. The wording
templates are files named by the clause's ``kind`` (``contracts/clauses/<kind>.v1.txt``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from negotiator.errors import lookup
from negotiator.money import Money, quantize
from negotiator.wire.clauses import (
    Autonomy,
    AutonomyLevel,
    CancellationCompensation,
    Clause,
    CompensationMethod,
    DefaultPenalty,
    MonitoringAgreement,
    PenaltyClause,
    PerformanceRequirement,
)
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport, ReportStatus

__all__ = ["CLAUSE_KINDS", "ClauseKind", "ClauseStatus", "clause_kind"]

C = TypeVar("C", bound=BaseModel)
Report = ProgressReport | None
"""A report, or ``None`` when it was missed."""
Status = tuple["ClauseStatus", str]
"""A clause's status and, when violated, the evidence."""


class ClauseStatus(StrEnum):
    """A clause's state after one report."""

    OK = "ok"
    PENDING = "pending"
    VIOLATED = "violated"


def _performance(
    c: PerformanceRequirement, r: ProgressReport | None, missed: int
) -> tuple[ClauseStatus, str]:
    if r is None or r.status is not ReportStatus.COMPLETED:
        return ClauseStatus.PENDING, ""
    value = r.value_of(c.metric)
    if isinstance(value, float | int) and not isinstance(value, bool):
        if c.comparator.apply(float(value), c.threshold):
            return ClauseStatus.OK, ""
        return ClauseStatus.VIOLATED, (
            f"final report {r.sequence}: {c.metric} = {value:g}, required "
            f"{c.comparator.value} {c.threshold:g}"
        )
    return ClauseStatus.VIOLATED, f"final report {r.sequence} does not report {c.metric}"


def _penalty(c: PenaltyClause, r: Report, missed: int) -> Status:
    """The trigger on the report; a report that omits the trigger's subject counts as the
    trigger (missing evidence is never better for the contractor than bad evidence). A missed
    report or a failure is the monitoring or default clause's to judge."""
    if r is None or r.status is ReportStatus.FAILED:
        return ClauseStatus.OK, ""
    value = r.value_of(c.trigger.subject)
    if value is None:
        return ClauseStatus.VIOLATED, (
            f"report {r.sequence} does not report {c.trigger.subject}, the penalty's trigger "
            "(missing evidence counts as the trigger)"
        )
    if c.trigger.comparator.apply(value, c.trigger.threshold):
        return ClauseStatus.VIOLATED, (
            f"report {r.sequence}: {c.trigger.subject} = {str(value).lower()} "
            f"({c.trigger.subject} {c.trigger.comparator.value} "
            f"{str(c.trigger.threshold).lower()} triggers the penalty)"
        )
    return ClauseStatus.OK, ""


def _monitoring(
    c: MonitoringAgreement, r: ProgressReport | None, missed: int
) -> tuple[ClauseStatus, str]:
    if missed >= c.max_missed_reports:
        return ClauseStatus.VIOLATED, (
            f"{missed} consecutive reports missed (limit {c.max_missed_reports}, "
            f"one due every {c.report_interval_seconds} s)"
        )
    return ClauseStatus.OK, ""


def _default(c: DefaultPenalty, r: Report, missed: int) -> Status:
    if r is not None and r.status is ReportStatus.FAILED:
        why = f" ({r.notes})" if r.notes else ""
        return ClauseStatus.VIOLATED, f"report {r.sequence}: the contractor reported failure{why}"
    return ClauseStatus.OK, ""


def _never_violated(c: Clause, r: Report, missed: int) -> Status:
    return ClauseStatus.OK, ""


_AUTONOMY_TEXT: Mapping[Autonomy, str] = MappingProxyType(
    {
        Autonomy.SUPERVISED: "every step is approved by the delegator",
        Autonomy.PLAN_APPROVED: "the delegator approves the plan, then the contractor executes",
        Autonomy.METHOD_DELEGATED: "the goal is fixed and the technique is the contractor's choice",
        Autonomy.FULL: "goal refinements and technique are the contractor's choice",
    }
)


def _fields_performance(c: PerformanceRequirement, contract: Contract) -> dict[str, object]:
    unit = f" {c.unit}" if c.unit else ""
    return {
        "metric": c.metric,
        "comparator": c.comparator.value,
        "threshold": f"{c.threshold:g}",
        "unit": unit,
    }


def _fields_penalty(c: PenaltyClause, contract: Contract) -> dict[str, object]:
    amount = quantize(contract.price.amount * Decimal(str(c.forfeit_fraction)))
    t = c.trigger.threshold
    return {
        "subject": c.trigger.subject,
        "comparator": c.trigger.comparator.value,
        "threshold": str(t).lower() if isinstance(t, bool) else f"{t:g}",
        "forfeit_percent": f"{c.forfeit_fraction * 100:g}",
        "forfeit_amount": str(Money(amount=amount, currency=contract.price.currency)),
    }


def _fields_cancellation(c: CancellationCompensation, contract: Contract) -> dict[str, object]:
    method = (
        "pro rata: progress times the price"
        if c.method is CompensationMethod.PRO_RATA
        else "per milestone: "
        + ", ".join(f"{m.payout_fraction:.0%} at {m.progress:.0%}" for m in c.milestones)
    )
    if c.rate < 1:
        method += f", of which {c.rate:.0%} is paid"
    bond = " and its bond is returned" if c.bond_returned else "; its bond is kept in escrow"
    return {"method_text": method, "bond_text": bond}


def _fields_default(c: DefaultPenalty, contract: Contract) -> dict[str, object]:
    parts = ["it is not paid"]
    if c.bond_forfeited:
        parts.append("its bond is forfeited to the delegator")
    if c.replacement_price_difference_charged:
        parts.append("it pays the price difference of a replacement contractor")
    return {"terms_text": ", ".join(parts)}


def _fields_monitoring(c: MonitoringAgreement, contract: Contract) -> dict[str, object]:
    return {
        "report_interval_seconds": c.report_interval_seconds,
        "max_missed_reports": c.max_missed_reports,
    }


def _fields_autonomy(c: AutonomyLevel, contract: Contract) -> dict[str, object]:
    return {"level_text": _AUTONOMY_TEXT[c.level], "note": c.note}


@dataclass(frozen=True)
class ClauseKind(Generic[C]):
    """What the flow does with one kind of clause.

    Args:
        model: the clause's wire model.
        check: the clause's state after a report (``None``: a missed report), given the number
            of reports missed in a row; returns the status and, when violated, the evidence.
        wording: the fields its wording template is filled with, given the contract.
    """

    model: type[C]
    check: Callable[[C, Report, int], Status]
    wording: Callable[[C, Contract], dict[str, object]]

    @property
    def kind(self) -> str:
        """The clause's ``kind`` tag (also its wording template's name)."""
        return str(self.model.model_fields["kind"].default)


_KINDS: tuple[ClauseKind[Any], ...] = (
    ClauseKind(PerformanceRequirement, _performance, _fields_performance),
    ClauseKind(PenaltyClause, _penalty, _fields_penalty),
    ClauseKind(CancellationCompensation, _never_violated, _fields_cancellation),
    ClauseKind(MonitoringAgreement, _monitoring, _fields_monitoring),
    # autonomy and cancellation govern method and money: no report violates them
    ClauseKind(AutonomyLevel, _never_violated, _fields_autonomy),
    ClauseKind(DefaultPenalty, _default, _fields_default),
)

#: clause kind tag -> its entry, one per member of the ``Clause`` union.
CLAUSE_KINDS: Mapping[str, ClauseKind[Any]] = MappingProxyType({k.kind: k for k in _KINDS})


def clause_kind(clause: Clause) -> ClauseKind[Any]:
    """The registry entry of ``clause``.

    Raises:
        UnknownKeyError: a clause kind without an entry (the message lists the known ones).

    Example:
        >>> from negotiator.wire.clauses import MonitoringAgreement
        >>> clause = MonitoringAgreement(report_interval_seconds=60, max_missed_reports=2)
        >>> entry = clause_kind(clause)
        >>> entry.kind, entry.model is MonitoringAgreement
        ('monitoring', True)
        >>> entry.check(clause, None, 2)[1]
        '2 consecutive reports missed (limit 2, one due every 60 s)'
    """
    return lookup(CLAUSE_KINDS, clause.kind, "clause kind")
