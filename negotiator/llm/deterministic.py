"""The deterministic client: answers every call from its numeric fallback, no model at all."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from negotiator.llm.protocol import ModelResult, ResultSource, StructuredCall, TextCall
from negotiator.transcript.counts import NO_MODEL_REASON

__all__ = ["DeterministicClient"]

T = TypeVar("T", bound=BaseModel)

_REASON = NO_MODEL_REASON


class DeterministicClient:
    """A :class:`~negotiator.llm.protocol.ModelClient` that never calls a model.

    Every answer is the call's own fallback (a pure function of the flow's numbers and seeded
    generators), so two runs with the same inputs give identical results.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.protocol import TextCall
        >>> asyncio.run(DeterministicClient().text(TextCall("s", [], lambda: "hi"))).value
        'hi'
    """

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Return ``call.fallback()``."""
        return ModelResult(call.fallback(), ResultSource.FALLBACK, fallback_reason=_REASON)

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Return ``call.fallback()``."""
        return ModelResult(call.fallback(), ResultSource.FALLBACK, fallback_reason=_REASON)
