"""The model seam: the one small interface every model stand-in implements.

The flow needs exactly two calls — a structured object of a given pydantic type from a prompt,
and free text — and each call carries its own deterministic numeric fallback, so that a model
that is down, slow, wrong or manipulated degrades the conversation but never the outcome.

Callers never branch on which client they hold (OpenAI-compatible, deterministic, replay,
recording): they build a :class:`StructuredCall` / :class:`TextCall` and read the
:class:`ModelResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

__all__ = [
    "ChatMessage",
    "ModelClient",
    "ModelResult",
    "ResultSource",
    "StructuredCall",
    "TextCall",
    "TokenUsage",
]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class ChatMessage:
    """One chat message sent to a model (``role`` is ``system``, ``user`` or ``assistant``)."""

    role: str
    content: str


@dataclass(frozen=True)
class TokenUsage:
    """Tokens a model call consumed (zero for the deterministic client)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


class ResultSource(StrEnum):
    """Where a result came from.

    A replayed result keeps the source it was recorded with (see
    :class:`negotiator.llm.replay.ReplayClient`), so a re-run reports the same model calls and
    fallbacks as the recorded run.
    """

    MODEL = "model"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class StructuredCall(Generic[T]):
    """A request for one validated object of type ``output_type``.

    Args:
        step: the flow step asking (e.g. ``"bid"``, ``"clarify.answer"``); recorded in transcripts.
        messages: the rendered prompt.
        output_type: the pydantic model the answer must validate as.
        fallback: the deterministic numeric policy for this step; it must not call any model.
        check: semantic checks beyond the schema; returns human-readable problems (each ideally
            prefixed with a JSON path such as ``$.price.amount``), empty when the object is fine.
        agent: who the model speaks for (a bidder's or the delegator's id); transcripts attribute
            the call to it. Not part of the request key: it does not change the answer.
    """

    step: str
    messages: Sequence[ChatMessage]
    output_type: type[T]
    fallback: Callable[[], T]
    check: Callable[[T], Sequence[str]] = field(default=lambda _obj: ())
    agent: str | None = None


@dataclass(frozen=True)
class TextCall:
    """A request for free text, with its deterministic fallback text (``agent``: as for
    :class:`StructuredCall`)."""

    step: str
    messages: Sequence[ChatMessage]
    fallback: Callable[[], str]
    agent: str | None = None


@dataclass(frozen=True)
class ModelResult(Generic[R]):
    """The answer to a call: the value, where it came from and what it cost.

    ``fallback_reason`` is set exactly when ``source`` is :attr:`ResultSource.FALLBACK` because a
    model failed (it is ``"deterministic client"`` when no model was asked at all).
    """

    value: R
    source: ResultSource
    usage: TokenUsage = TokenUsage()
    attempts: int = 0
    fallback_reason: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class ModelClient(Protocol):
    """The one interface of every model stand-in. Async core; see ``negotiator.llm.sync``."""

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Return a validated object for ``call`` (never raises for bad model output)."""
        ...

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Return free text for ``call`` (never raises for bad model output)."""
        ...
