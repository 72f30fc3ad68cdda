"""A record of every call through the model seam, for the run's counts of model calls and
fallbacks (the transcript holds the full requests and responses)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from negotiator.llm.protocol import ModelResult, ResultSource

__all__ = ["NO_OPTION", "CallRecord", "CallTotals", "record", "totals"]

_DETERMINISTIC = "deterministic client"

#: the reason recorded when the policy had no feasible option to offer, so no model was asked.
NO_OPTION = "no feasible option: the policy's own answer breaks the rules; no model was asked"
_NOT_ASKED = frozenset({_DETERMINISTIC, NO_OPTION})


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
    """Sum ``records``: a fallback counts only when a model was asked and failed.

    Example:
        >>> totals([]).seam_calls
        0
    """
    items = list(records)
    return CallTotals(
        seam_calls=len(items),
        model_calls=sum(r.source == ResultSource.MODEL.value for r in items),
        fallbacks=sum(
            r.source == ResultSource.FALLBACK.value and r.fallback_reason not in _NOT_ASKED
            for r in items
        ),
        prompt_tokens=sum(r.prompt_tokens for r in items),
        completion_tokens=sum(r.completion_tokens for r in items),
    )
