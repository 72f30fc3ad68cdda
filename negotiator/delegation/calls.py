"""A record of every call through the model seam, for the run's counts of model calls and
fallbacks (the transcript holds the full requests and responses)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from negotiator.llm.protocol import ModelResult
from negotiator.transcript.counts import count_answers

__all__ = ["CallRecord", "CallTotals", "record", "totals"]


class CallRecord(BaseModel):
    """One call through the model seam: the step, who answered, and why it fell back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: str = Field(description="The flow step that asked, e.g. clarify.answer.")
    source: str = Field(description="model or fallback.")
    fallback_reason: str | None = Field(default=None, description="Why it fell back, if it did.")
    prompt_tokens: int = Field(default=0, ge=0, description="Tokens sent.")
    completion_tokens: int = Field(default=0, ge=0, description="Tokens received.")


class CallTotals(BaseModel):
    """Counts over a run's calls."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seam_calls: int = Field(description="Calls through the seam (what a real model would get).")
    model_calls: int = Field(description="Calls a model answered (also when replayed).")
    fallbacks: int = Field(description="Calls that fell back after a model failed.")
    prompt_tokens: int = Field(description="Tokens sent in total.")
    completion_tokens: int = Field(description="Tokens received in total.")


def record(step: str, result: ModelResult[Any]) -> CallRecord:
    """Return the record of one call's ``result``."""
    return CallRecord(
        step=step,
        source=result.source.value,
        fallback_reason=result.fallback_reason,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
    )


def totals(records: Iterable[CallRecord]) -> CallTotals:
    """Sum ``records`` the way every summary counts (:func:`count_answers`).

    Example:
        >>> totals([]).seam_calls
        0
    """
    items = list(records)
    counts = count_answers((r.source, r.fallback_reason) for r in items)
    return CallTotals(
        seam_calls=counts.steps,
        model_calls=counts.model,
        fallbacks=counts.fallbacks,
        prompt_tokens=sum(r.prompt_tokens for r in items),
        completion_tokens=sum(r.completion_tokens for r in items),
    )
