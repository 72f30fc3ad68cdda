"""One way to count a run's conversational steps, used everywhere a run is summarised.

Every call through the model seam ends one of three ways: a model answered it (``model``), a
model was asked and failed so the step used its numeric policy (``fallback``), or no model was
asked at all (``numeric``: an offline run). A step skipped because the circuit breaker opened
is a ``fallback``: a model was meant to answer it. The demo's summary,
``negotiator replay``, the JSON outcome and the transcript summary all count with
:func:`count_answers` and print with :func:`answers_line`, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["NO_MODEL_REASON", "AnswerCounts", "answers_line", "count_answers"]

NO_MODEL_REASON = "deterministic client"
"""The fallback reason of a step for which no model was asked (the deterministic client)."""


@dataclass(frozen=True)
class AnswerCounts:
    """How a run's conversational steps were answered.

    Attributes:
        steps: calls through the model seam.
        model: answered by a model (or replayed from one).
        fallbacks: a model was asked and failed; the numeric policy answered.
        numeric: no model was asked; the numeric policy answered.
    """

    steps: int = 0
    model: int = 0
    fallbacks: int = 0
    numeric: int = 0


def count_answers(results: Iterable[tuple[str, str | None]]) -> AnswerCounts:
    """Count ``(source, fallback_reason)`` pairs, one per call.

    Example:
        >>> pairs = [("model", None), ("fallback", "http 500"), ("fallback", NO_MODEL_REASON)]
        >>> count_answers(pairs)
        AnswerCounts(steps=3, model=1, fallbacks=1, numeric=1)
    """
    steps = model = fallbacks = numeric = 0
    for source, reason in results:
        steps += 1
        if source == "model":
            model += 1
        elif reason == NO_MODEL_REASON:
            numeric += 1
        else:
            fallbacks += 1
    return AnswerCounts(steps, model, fallbacks, numeric)


def answers_line(counts: AnswerCounts) -> str:
    """The one-line summary every command prints.

    Example:
        >>> answers_line(AnswerCounts(20, 0, 0, 20))
        'conversational steps 20: model answers 0, fallbacks 0, numeric (no model asked) 20'
    """
    return (
        f"conversational steps {counts.steps}: model answers {counts.model}, "
        f"fallbacks {counts.fallbacks}, numeric (no model asked) {counts.numeric}"
    )
