"""The contractor's progress report at the agreed cadence: :class:`ProgressReport`."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.wire.common import (
    SCHEMA_VERSION,
    FiniteFloat,
    Fraction,
    Identifier,
    Loc,
    MetricName,
    Text,
    WireModel,
    rule_error,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, unsigned

__all__ = ["ProgressReport", "ReportStatus"]


class ReportStatus(StrEnum):
    """The contractor's own view of the work."""

    WORKING = "working"
    COMPLETED = "completed"
    FAILED = "failed"


class ProgressReport(WireModel):
    """One progress report; every contract clause is evaluated on it.

    Metrics are numbers (``lighthouse_performance_delta: 23.5``) and checks are true/false
    (``existing_tests_pass: true``); a name is either a metric or a check, never both.

    Example:
        >>> from datetime import datetime, timezone
        >>> r = ProgressReport(contract_id="c1", sequence=0, progress=0.25,
        ...     timestamp=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...     checks={"existing_tests_pass": True})
        >>> r.value_of("existing_tests_pass")
        True
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    contract_id: Identifier = Field(description="Id of the contract reported on.")
    sequence: int = Field(ge=0, le=10_000_000, description="Report number, 0 for the first.")
    timestamp: AwareDatetime = Field(description="When the report was made (RFC 3339).")
    progress: Fraction = Field(description="Share of the work done, in [0, 1].")
    status: ReportStatus = Field(
        default=ReportStatus.WORKING, description="working, completed or failed."
    )
    metrics: dict[MetricName, FiniteFloat] = Field(
        default_factory=dict,
        max_length=64,
        description="Measured values, e.g. {'lighthouse_performance_delta': 23.5}.",
    )
    checks: dict[MetricName, bool] = Field(
        default_factory=dict,
        max_length=64,
        description="Pass/fail checks, e.g. {'existing_tests_pass': true}.",
    )
    notes: Text = Field(default="", description="Short status notes in plain language.")
    signature: Signature | None = Field(
        default=None,
        exclude_if=unsigned,
        json_schema_extra=SIGNATURE_FIELD,
        description="The contractor's signature (negotiator.wire.signature), by its software.",
    )

    def value_of(self, subject: str) -> float | bool | None:
        """The reported value of a metric or check, or ``None`` when it was not reported."""
        if subject in self.checks:
            return self.checks[subject]
        return self.metrics.get(subject)

    @model_validator(mode="after")
    def _consistent(self) -> ProgressReport:
        problems: list[tuple[Loc, str, object]] = [
            (("checks", name), "also reported as a metric", name)
            for name in sorted(self.checks.keys() & self.metrics.keys())
        ]
        if self.status is ReportStatus.COMPLETED and self.progress != 1.0:
            problems.append((("progress",), "must be 1 when status is completed", self.progress))
        if problems:
            raise rule_error("ProgressReport", problems)
        return self
