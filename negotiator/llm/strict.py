"""Require a model: a wrapper that turns any fallback into a run-time failure.

By default a model that is down or answers nonsense only degrades the conversation: each step
falls back to its numeric policy. A caller that must know the model really answered (a check of
a model server, a benchmark of a model) wraps its client in :class:`RequireModel`; the first
step that falls back — the client fell back, or the model's answer breaks the rules the flow's
guard (:mod:`negotiator.llm.guard`) holds it to — then raises
:class:`~negotiator.errors.ModelUnavailableError` with the step and the reason, and the run
stops there.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from negotiator.errors import ModelUnavailableError
from negotiator.llm.guard import structured_problem, text_problem
from negotiator.llm.protocol import ModelClient, ModelResult, ResultSource, StructuredCall, TextCall

__all__ = ["RequireModel"]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


class RequireModel:
    """A :class:`~negotiator.llm.protocol.ModelClient` whose every answer must come from a model.

    Args:
        inner: the client that answers (wrap the recording client, so the failed step is still
            written to the transcript before the run stops).

    Raises:
        ModelUnavailableError: from :meth:`structured` / :meth:`text` when ``inner`` fell back
            or answered what the flow's guard would reject.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> strict = RequireModel(DeterministicClient())
        >>> asyncio.run(strict.text(TextCall("greet", [], lambda: "hi")))
        Traceback (most recent call last):
        ...
        negotiator.errors.ModelUnavailableError: step 'greet' fell back to its numeric policy (deterministic client) and a model answer is required
    """  # noqa: E501

    def __init__(self, inner: ModelClient) -> None:
        self._inner = inner

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Ask ``inner``; raise if it fell back or its answer would be rejected."""
        result = _required(call.step, await self._inner.structured(call))
        return _accepted(call.step, result, structured_problem(call, result))

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Ask ``inner``; raise if it fell back or its text would be rejected."""
        result = _required(call.step, await self._inner.text(call))
        return _accepted(call.step, result, text_problem(result.value))


def _required(step: str, result: ModelResult[R]) -> ModelResult[R]:
    if result.source is ResultSource.FALLBACK:
        raise ModelUnavailableError(
            f"step {step!r} fell back to its numeric policy ({result.fallback_reason}) "
            "and a model answer is required"
        )
    return result


def _accepted(step: str, result: ModelResult[R], problem: str | None) -> ModelResult[R]:
    if problem is not None:
        raise ModelUnavailableError(
            f"step {step!r}: the model's answer was rejected ({problem}) "
            "and a model answer is required"
        )
    return result
