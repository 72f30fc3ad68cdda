"""Attribute a nested run's model calls to it: a wrapper that prefixes each call's agent.

A sub-delegation runs through the same model client as its parent, so its calls land in the same
transcript. :class:`ScopedClient` marks them: each call's ``agent`` becomes
``"<scope> › <agent>"`` (the scope is the sub-task's id), so a reader of the transcript (the
story ``negotiator replay`` tells) can put them under the sub-delegation. The agent is not part
of a request's key, so replays are unaffected.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from pydantic import BaseModel

from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall, TextCall

__all__ = ["SCOPE_SEPARATOR", "ScopedClient", "split_scope"]

T = TypeVar("T", bound=BaseModel)

SCOPE_SEPARATOR = " › "
"""Between a nested run's scope and the agent in a recorded call's role."""


def split_scope(role: str) -> tuple[str | None, str]:
    """``(scope, agent)`` of a recorded role (scope ``None`` for a top-level call).

    Example:
        >>> split_scope("task-virtual-table › did:web:grid-smith.dev")
        ('task-virtual-table', 'did:web:grid-smith.dev')
        >>> split_scope("did:web:fast-coder.ai")
        (None, 'did:web:fast-coder.ai')
    """
    scope, sep, agent = role.partition(SCOPE_SEPARATOR)
    return (scope, agent) if sep else (None, role)


class ScopedClient:
    """A :class:`~negotiator.llm.protocol.ModelClient` that tags every call with ``scope``.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> asyncio.run(ScopedClient(DeterministicClient(), "t1").text(
        ...     TextCall("s", [], lambda: "hi", agent="a"))).value
        'hi'
    """

    def __init__(self, inner: ModelClient, scope: str) -> None:
        self._inner = inner
        self._scope = scope

    def _agent(self, agent: str | None) -> str:
        return f"{self._scope}{SCOPE_SEPARATOR}{agent or 'model'}"

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Ask ``inner`` with the call's agent scoped."""
        return await self._inner.structured(
            dataclasses.replace(call, agent=self._agent(call.agent))
        )

    async def text(self, call: TextCall) -> ModelResult[str]:
        """Ask ``inner`` with the call's agent scoped."""
        return await self._inner.text(dataclasses.replace(call, agent=self._agent(call.agent)))
