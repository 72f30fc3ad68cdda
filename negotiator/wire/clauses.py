"""Contract clauses: each one a machine-checkable rule, told apart by its ``kind``.

A clause is data, not text: the monitoring loop evaluates the predicates on every progress
report, and the settlement applies the money rules. The clause's wording is only commentary.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from negotiator.wire.common import (
    Comparator,
    FiniteFloat,
    Fraction,
    MetricName,
    ShortText,
    Text,
    WireModel,
)

__all__ = [
    "Autonomy",
    "AutonomyLevel",
    "CancellationCompensation",
    "Clause",
    "CompensationMethod",
    "DefaultPenalty",
    "Milestone",
    "MonitoringAgreement",
    "PenaltyClause",
    "PerformanceRequirement",
    "Predicate",
]


def _require_kind(schema: dict[str, Any]) -> None:
    """Make ``kind`` required in the JSON Schema (it has a default only for Python callers)."""
    required = schema.setdefault("required", [])
    if "kind" not in required:
        required.insert(0, "kind")


class _Tagged(WireModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_require_kind)


class Predicate(WireModel):
    """A condition on a progress report: ``subject comparator threshold``.

    ``subject`` names a numeric metric (compared with a number) or a boolean check (compared
    with ``true``/``false``, using ``==`` or ``!=``).

    Example:
        >>> Predicate(subject="existing_tests_pass", comparator=Comparator.EQ, threshold=False)
        Predicate(subject='existing_tests_pass', comparator=<Comparator.EQ: '=='>, threshold=False)
    """

    subject: MetricName = Field(
        description="Metric or check reported in progress reports, e.g. existing_tests_pass."
    )
    comparator: Comparator = Field(description="How the reported value is compared.")
    threshold: bool | FiniteFloat = Field(
        description="Value compared against: a number for a metric, true/false for a check."
    )

    @model_validator(mode="after")
    def _boolean_comparison(self) -> Predicate:
        if isinstance(self.threshold, bool) and self.comparator not in (
            Comparator.EQ,
            Comparator.NE,
        ):
            raise ValueError("a true/false threshold can only be compared with == or !=")
        return self


class PerformanceRequirement(_Tagged):
    """An objective success criterion, e.g. ``lighthouse_performance_delta >= 20`` (percent).

    Example:
        >>> PerformanceRequirement(metric="lighthouse_performance_delta",
        ...     comparator=Comparator.GE, threshold=20.0, unit="percent").kind
        'performance_requirement'
    """

    kind: Literal["performance_requirement"] = Field(
        default="performance_requirement", description="Clause type tag."
    )
    metric: MetricName = Field(description="Metric the final report must satisfy.")
    comparator: Comparator = Field(description="Comparison of the reported value to threshold.")
    threshold: FiniteFloat = Field(description="Threshold value, in the metric's unit.")
    unit: ShortText = Field(default="", description="Unit of the metric, e.g. 'percent'.")


class PenaltyClause(_Tagged):
    """If ``trigger`` holds on any report, the contractor forfeits a share of the reward.

    Example: ``existing_tests_pass == false`` → forfeit 0.5 of the price.
    """

    kind: Literal["penalty"] = Field(default="penalty", description="Clause type tag.")
    trigger: Predicate = Field(description="Condition that triggers the penalty.")
    forfeit_fraction: Fraction = Field(
        description="Share of the contract price forfeited when triggered, in [0, 1], e.g. 0.5."
    )


class CompensationMethod(StrEnum):
    """How a contractor is paid when the delegator cancels midway."""

    PRO_RATA = "pro_rata"
    MILESTONES = "milestones"


class Milestone(WireModel):
    """A progress point and the cumulative share of the price earned once it is reached."""

    progress: Fraction = Field(description="Progress in [0, 1] at which the milestone is met.")
    payout_fraction: Fraction = Field(
        description="Cumulative share of the price earned once this milestone is met."
    )


class CancellationCompensation(_Tagged):
    """Protection of the contractor: cancelled at progress p, it is paid for the work done.

    ``pro_rata`` pays ``p`` times the price; ``milestones`` pays the ``payout_fraction`` of the
    last milestone reached; either is scaled by ``rate`` (1, the default, pays it in full; a
    negotiated contract may agree less, and the field is left out of the JSON when it is 1).
    The bond comes back when ``bond_returned`` is true.
    """

    kind: Literal["cancellation_compensation"] = Field(
        default="cancellation_compensation", description="Clause type tag."
    )
    method: CompensationMethod = Field(description="pro_rata or milestones.")
    milestones: tuple[Milestone, ...] = Field(
        default=(),
        max_length=32,
        description="Milestones in increasing progress order; required for 'milestones' only.",
    )
    bond_returned: bool = Field(
        default=True, description="Whether the contractor's bond is returned on cancellation."
    )
    rate: Fraction = Field(
        default=1.0,
        exclude_if=lambda v: v == 1.0,
        description="Share of the compensation paid, in [0, 1]; 1 (the default) pays it in full.",
    )

    @model_validator(mode="after")
    def _milestones_match_method(self) -> CancellationCompensation:
        if self.method is CompensationMethod.MILESTONES and not self.milestones:
            raise ValueError("method 'milestones' needs at least one milestone")
        if self.method is CompensationMethod.PRO_RATA and self.milestones:
            raise ValueError("method 'pro_rata' takes no milestones")
        progress = [m.progress for m in self.milestones]
        payouts = [m.payout_fraction for m in self.milestones]
        if progress != sorted(set(progress)) or payouts != sorted(payouts):
            raise ValueError("milestones must have strictly increasing progress and payouts")
        return self


class MonitoringAgreement(_Tagged):
    """The agreed oversight: a report every ``report_interval_seconds``; K missed is a breach."""

    kind: Literal["monitoring"] = Field(default="monitoring", description="Clause type tag.")
    report_interval_seconds: int = Field(
        gt=0, le=86_400, description="Seconds between progress reports, e.g. 300."
    )
    max_missed_reports: int = Field(
        ge=1, le=1000, description="Consecutive missed reports that count as a breach (K)."
    )


class Autonomy(StrEnum):
    """How much the contractor decides for itself, least to most."""

    SUPERVISED = "supervised"  # every step approved by the delegator
    PLAN_APPROVED = "plan_approved"  # the plan is approved, then executed freely
    METHOD_DELEGATED = "method_delegated"  # goal fixed, method the contractor's choice
    FULL = "full"  # goal and method both the contractor's


class AutonomyLevel(_Tagged):
    """The autonomy granted, e.g. goal fixed and optimisation technique delegated."""

    kind: Literal["autonomy"] = Field(default="autonomy", description="Clause type tag.")
    level: Autonomy = Field(description="Autonomy granted to the contractor.")
    note: Text = Field(default="", description="What the level means for this task.")


class DefaultPenalty(_Tagged):
    """What a contractor in default (breach, abandonment) loses."""

    kind: Literal["default_penalty"] = Field(
        default="default_penalty", description="Clause type tag."
    )
    bond_forfeited: bool = Field(description="Whether the reputation bond is forfeited.")
    replacement_price_difference_charged: bool = Field(
        description="Whether the extra cost of hiring a replacement is charged to the contractor."
    )


Clause = Annotated[
    PerformanceRequirement
    | PenaltyClause
    | CancellationCompensation
    | MonitoringAgreement
    | AutonomyLevel
    | DefaultPenalty,
    Field(discriminator="kind"),
]
"""Any contract clause, told apart by ``kind``."""
