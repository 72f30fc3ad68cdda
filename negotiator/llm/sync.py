"""A thin blocking wrapper over any async model client (one async core, no sync twin).

The wrapped client runs on a private event loop in a background thread, so the same client (and
its HTTP connection pool) serves every blocking call, from any thread — including the worker
threads LangGraph runs sync nodes in — and concurrent callers still overlap.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from pydantic import BaseModel

from negotiator.errors import UsageError
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall, TextCall

__all__ = ["SyncClient"]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


class SyncClient:
    """Blocking ``structured`` / ``text`` over an async :class:`ModelClient`.

    Args:
        client: the async client to drive.

    Raises:
        UsageError: (from the calls) called from the wrapper's own loop, or after :meth:`close`.

    Example:
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> from negotiator.llm.protocol import TextCall
        >>> with SyncClient(DeterministicClient()) as client:
        ...     client.text(TextCall("s", [], lambda: "hi")).value
        'hi'
    """

    def __init__(self, client: ModelClient) -> None:
        self._client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="negotiator-model-loop", daemon=True
        )
        self._thread.start()

    @property
    def client(self) -> ModelClient:
        """The wrapped async client."""
        return self._client

    def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """Blocking :meth:`ModelClient.structured`."""
        return self.run(self._client.structured(call))

    def text(self, call: TextCall) -> ModelResult[str]:
        """Blocking :meth:`ModelClient.text`."""
        return self.run(self._client.text(call))

    def run(self, coro: Coroutine[Any, Any, R]) -> R:
        """Run any coroutine on the wrapper's loop and wait for its result."""
        if self._loop.is_closed():
            coro.close()
            raise UsageError("this SyncClient is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise UsageError("SyncClient called from its own event loop; await the client instead")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        """Stop the background loop (pending calls are abandoned)."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
