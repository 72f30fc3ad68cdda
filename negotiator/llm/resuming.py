"""The client of a run resumed after a crash: earlier answers first, then the live model.

A run that stopped midway (a crash, a killed process) is continued from its last checkpoint; the
steps after that checkpoint run again and repeat model calls the earlier attempt already made and
recorded. :class:`ResumingClient` answers those calls from the earlier attempt's recording (which
the resumed run copies into its new transcript, so each exchange is recorded exactly once) and
sends every other call to the live client.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from negotiator.errors import ReplayMismatchError
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall, TextCall
from negotiator.llm.replay import ReplayClient

__all__ = ["ResumingClient"]

T = TypeVar("T", bound=BaseModel)


class ResumingClient:
    """Answers a call from ``earlier`` when it recorded that request, else from ``live``.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> from negotiator.llm.protocol import ChatMessage, ResultSource, TextCall
        >>> client = ResumingClient(ReplayClient.from_events(()), DeterministicClient())
        >>> call = TextCall(step="s", messages=(ChatMessage(role="user", content="hi"),),
        ...     fallback=lambda: "fallback text")
        >>> asyncio.run(client.text(call)).source is ResultSource.FALLBACK
        True
    """

    def __init__(self, earlier: ReplayClient, live: ModelClient) -> None:
        self.earlier = earlier
        self.live = live

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """The recorded answer to ``call``, or the live client's."""
        try:
            return await self.earlier.structured(call)
        except ReplayMismatchError:
            return await self.live.structured(call)

    async def text(self, call: TextCall) -> ModelResult[str]:
        """The recorded answer to ``call``, or the live client's."""
        try:
            return await self.earlier.text(call)
        except ReplayMismatchError:
            return await self.live.text(call)
