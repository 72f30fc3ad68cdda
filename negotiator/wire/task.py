"""The task a delegator announces to the market: :class:`TaskSpec`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from negotiator.money import Money
from negotiator.wire.clarification import FaqEntry
from negotiator.wire.clauses import PerformanceRequirement
from negotiator.wire.common import (
    LINE_PATTERN,
    SCHEMA_VERSION,
    TEXT_PATTERN,
    AgentId,
    Fraction,
    Identifier,
    Level,
    LongText,
    PrivacyLevel,
    ShortText,
    Text,
    WireModel,
    check_currencies,
)

__all__ = ["ResourceBounds", "TaskSpec"]

_Requirement = Annotated[str, Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)]
_Name = Annotated[str, Field(min_length=1, max_length=100, pattern=LINE_PATTERN)]


class ResourceBounds(WireModel):
    """Limits on what the executor may consume; ``null`` means no limit."""

    max_cpu_seconds: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="CPU time limit in seconds."
    )
    max_memory_mb: int | None = Field(default=None, gt=0, description="Memory limit in MiB.")
    max_tokens: int | None = Field(
        default=None, gt=0, description="Limit on language-model tokens the executor may use."
    )


class TaskSpec(WireModel):
    """A task announced to the market (seed 000, step 1).

    The deadline is a duration: ``deadline_seconds`` after the award, the work must be
    delivered. A duration (not a wall-clock time) keeps the task reusable and runs reproducible;
    the clock that starts it is the award's timestamp.

    Example:
        >>> from decimal import Decimal
        >>> t = TaskSpec(id="t1", title="Speed up the dashboard", description="...",
        ...     delegator_id="acme", role="frontend performance engineer",
        ...     budget=Money(amount=Decimal("10"), currency="USDC"),
        ...     min_bond=Money(amount=Decimal("0.5"), currency="USDC"),
        ...     deadline_seconds=3600, reporting_interval_seconds=300)
        >>> t.privacy_requirement
        <PrivacyLevel.NONE: 'none'>
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    id: Identifier = Field(description="Unique id of the task, e.g. task-react-dashboard.")
    delegator_id: AgentId = Field(description="Id of the agent announcing and paying for it.")
    title: Annotated[ShortText, Field(min_length=1)] = Field(
        description="One-line title, e.g. 'Optimise a React dashboard's performance'."
    )
    description: Annotated[LongText, Field(min_length=1)] = Field(
        description="What has to be done, in plain language."
    )
    input_requirements: tuple[_Requirement, ...] = Field(
        default=(), max_length=32, description="What the executor is given (inputs, access)."
    )
    output_requirements: tuple[_Requirement, ...] = Field(
        default=(), max_length=32, description="What the executor must deliver."
    )
    role: Annotated[ShortText, Field(min_length=1)] = Field(
        description="Role the executor plays, e.g. 'frontend performance engineer'."
    )
    resource_bounds: ResourceBounds = Field(
        default_factory=ResourceBounds, description="Limits on the executor's resources."
    )
    budget: Money = Field(description="Most the delegator will pay; bids above it are rejected.")
    deadline_seconds: int = Field(
        gt=0,
        le=31_536_000,
        description="Seconds from award to delivery; bids estimating longer are rejected.",
    )
    reporting_interval_seconds: int = Field(
        gt=0, le=86_400, description="Longest acceptable gap between progress reports, seconds."
    )
    required_capabilities: tuple[_Name, ...] = Field(
        default=(), max_length=32, description="Capabilities a bidder must have, e.g. 'react'."
    )
    required_certifications: tuple[_Name, ...] = Field(
        default=(), max_length=32, description="Certifications a bidder must hold."
    )
    min_reputation: Fraction = Field(
        default=0.0, description="Lowest reputation in [0, 1] a bidder may have to bid."
    )
    criticality: Level = Field(default=Level.MEDIUM, description="How costly a failure is.")
    uncertainty: Level = Field(
        default=Level.MEDIUM, description="How unclear the task and its outcome are."
    )
    privacy_requirement: PrivacyLevel = Field(
        default=PrivacyLevel.NONE,
        description="Weakest acceptable privacy guarantee: none < local < tee < zkp < he.",
    )
    min_bond: Money = Field(description="Smallest reputation bond a bid must stake.")
    performance_requirements: tuple[PerformanceRequirement, ...] = Field(
        default=(), max_length=16, description="Objective success criteria for the delivery."
    )
    faq: tuple[FaqEntry, ...] = Field(
        default=(), max_length=64, description="Questions already answered, known in advance."
    )
    notes: tuple[Text, ...] = Field(
        default=(), max_length=32, description="Further facts the delegator can share."
    )

    @model_validator(mode="after")
    def _one_currency(self) -> TaskSpec:
        check_currencies(
            "TaskSpec", ("budget",), {("budget",): self.budget, ("min_bond",): self.min_bond}
        )
        return self
