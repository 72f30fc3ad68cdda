"""The complexity floor: below it, delegating costs more than doing the task yourself (seed 000).

Bidding, contracting and monitoring cost the delegator time; the market pays that back by
lowering the risk of failure (a specialist, a bond at stake, monitoring) and by freeing the
delegator from the work. :func:`should_delegate` compares the two expected costs, in seconds of
the delegator's time:

* **do it yourself**: ``duration + p_direct × failure_cost``;
* **delegate**: ``overhead + p_direct × residual × failure_cost`` where ``overhead`` is the bid
  window, contracting, and reviewing ``ceil(duration / reporting interval)`` reports.

``duration`` is the task's ``deadline_seconds``; ``p_direct`` comes from the task's uncertainty
(:data:`FAILURE_PROBABILITY`), ``failure_cost`` from its criticality (:data:`FAILURE_COST_SECONDS`),
``residual`` (the share of failures the market still lets through) from :class:`FloorModel`.
Every figure is data the caller may replace. Seed 000's examples come out as it says: converting
timestamp formats in a log (low criticality, low uncertainty, five minutes) is cheaper done
directly; optimising the React dashboard (medium criticality, high uncertainty, an hour) is
delegated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.outcome import BidCounts, DelegationOutcome, RunOutcome
from negotiator.delegation.phases import A2ATaskState, Phase
from negotiator.wire.common import Level
from negotiator.wire.task import TaskSpec

__all__ = [
    "FAILURE_COST_SECONDS",
    "FAILURE_PROBABILITY",
    "NOT_DELEGATED",
    "DelegationAdvice",
    "FloorModel",
    "not_delegated",
    "should_delegate",
]

#: the outcome of a run that stopped at the complexity floor.
NOT_DELEGATED = RunOutcome.NOT_DELEGATED

#: criticality -> what a failure costs the delegator, in seconds of its time (rework, damage).
FAILURE_COST_SECONDS: Mapping[Level, float] = MappingProxyType(
    {Level.LOW: 600.0, Level.MEDIUM: 3_600.0, Level.HIGH: 28_800.0}
)

#: uncertainty -> the chance the delegator gets the task wrong doing it itself.
FAILURE_PROBABILITY: Mapping[Level, float] = MappingProxyType(
    {Level.LOW: 0.05, Level.MEDIUM: 0.2, Level.HIGH: 0.4}
)


class FloorModel(BaseModel):
    """The overheads and the market's risk reduction that :func:`should_delegate` weighs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bid_window_seconds: int = Field(default=600, ge=0, description="Waiting for bids.")
    contracting_seconds: int = Field(default=60, ge=0, description="Drafting and signing.")
    review_seconds_per_report: int = Field(default=15, ge=0, description="Reading one report.")
    residual_failure_share: float = Field(
        default=0.35, ge=0, le=1, description="Share of failures the market still lets through."
    )


class DelegationAdvice(BaseModel):
    """Whether to delegate, with both expected costs and the reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delegate: bool = Field(description="True: post it to the market; False: do it yourself.")
    direct_cost_seconds: float = Field(ge=0, description="Expected cost of doing it yourself.")
    delegated_cost_seconds: float = Field(ge=0, description="Expected cost of delegating.")
    reasons: tuple[str, ...] = Field(description="How each cost was made up, and the verdict.")


def should_delegate(task: TaskSpec, model: FloorModel | None = None) -> DelegationAdvice:
    """Weigh delegating ``task`` against doing it directly, and say why.

    Example:
        >>> from decimal import Decimal
        >>> from negotiator.money import Money
        >>> usd = Money(amount=Decimal("1"), currency="USDC")
        >>> logs = TaskSpec(id="ts-convert", delegator_id="acme", role="scripter",
        ...     title="Convert the timestamps in a log to RFC 3339", description="...",
        ...     budget=usd, min_bond=usd, deadline_seconds=300, reporting_interval_seconds=300,
        ...     criticality=Level.LOW, uncertainty=Level.LOW)
        >>> should_delegate(logs).delegate
        False
        >>> from negotiator.delegation.demo import demo_task
        >>> should_delegate(demo_task()).delegate
        True
    """
    m = model if model is not None else FloorModel()
    duration = float(task.deadline_seconds)
    failure_cost = FAILURE_COST_SECONDS[task.criticality]
    p_direct = FAILURE_PROBABILITY[task.uncertainty]
    reports = math.ceil(task.deadline_seconds / task.reporting_interval_seconds)
    overhead = m.bid_window_seconds + m.contracting_seconds + reports * m.review_seconds_per_report
    direct = duration + p_direct * failure_cost
    delegated = overhead + p_direct * m.residual_failure_share * failure_cost
    delegate = delegated < direct
    verdict = "delegate" if delegate else "do it yourself"
    reasons = (
        f"doing it yourself: {duration:.0f} s of work + {p_direct:.0%} ({task.uncertainty.value} "
        f"uncertainty) × {failure_cost:.0f} s failure cost ({task.criticality.value} "
        f"criticality) = {direct:.0f} s",
        f"delegating: {overhead:.0f} s overhead (bid window {m.bid_window_seconds} s, "
        f"contracting {m.contracting_seconds} s, {reports} report(s) × "
        f"{m.review_seconds_per_report} s) + {p_direct * m.residual_failure_share:.1%} × "
        f"{failure_cost:.0f} s = {delegated:.0f} s",
        f"{verdict}: {min(direct, delegated):.0f} s ≤ {max(direct, delegated):.0f} s",
    )
    return DelegationAdvice(
        delegate=delegate,
        direct_cost_seconds=direct,
        delegated_cost_seconds=delegated,
        reasons=reasons,
    )


def not_delegated(run_id: str, task_id: str, advice: DelegationAdvice) -> DelegationOutcome:
    """The outcome of a run short-circuited at the floor: no market, no money, the reasons.

    The run stays in ``announce`` (nothing was posted); its A2A state is ``rejected``.
    """
    return DelegationOutcome(
        run_id=run_id,
        task_id=task_id,
        phase=Phase.ANNOUNCE,
        a2a_state=A2ATaskState.REJECTED,
        outcome=NOT_DELEGATED,
        winner=None,
        clarifications=0,
        bids=BidCounts(received=0, rejected=0),
        payments=(),
        ledger_balanced=True,
        failure="not delegated: " + "; ".join(advice.reasons),
        seam_calls=0,
        model_calls=0,
        fallbacks=0,
        prompt_tokens=0,
        completion_tokens=0,
    )
