"""Transport retries: one ``tenacity`` layer, jittered exponential backoff, bounded twice.

Only transport failures are retried here (rate limit, connection, timeout, 5xx); content that
fails validation is the re-ask loop's business, never this one's. The SDK's own retries must be
off (``max_retries=0``) so that the two never multiply. Which errors are transport failures is
the client's knowledge (``negotiator.llm.openai_client.TRANSIENT_ERRORS``), passed in here, so
this module never imports an SDK.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base

__all__ = ["RetryPolicy"]


async def _real_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and backoff of transport retries.

    Args:
        max_attempts: HTTP requests per completion at most (first try included).
        max_total_seconds: no new retry starts after this much time since the first try.
        initial_wait: the backoff cap before the first retry, doubled for each further retry.
        max_wait: the largest backoff cap.
        sleep: how to wait (inject a recorder in tests so nothing really sleeps).
        rng: the jitter source (seeded; the wait is ``uniform(0, cap)``, "full jitter").
        clock: seconds, for the total-time bound (inject a fake one with a fake ``sleep``).

    Example:
        >>> RetryPolicy(max_attempts=2).retrying((TimeoutError,)).stop is not None
        True
    """

    max_attempts: int = 4
    max_total_seconds: float = 60.0
    initial_wait: float = 0.5
    max_wait: float = 8.0
    sleep: Callable[[float], Awaitable[None]] = _real_sleep
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    clock: Callable[[], float] = time.monotonic

    def wait(self, state: RetryCallState) -> float:
        """Return the jittered backoff before retry number ``state.attempt_number``."""
        cap = min(self.max_wait, self.initial_wait * 2 ** (state.attempt_number - 1))
        return self.rng.uniform(0.0, cap)

    def retrying(self, transient: tuple[type[Exception], ...]) -> AsyncRetrying:
        """A fresh ``tenacity`` controller for one completion (its deadline starts now) that
        retries the ``transient`` errors only."""
        return AsyncRetrying(
            stop=stop_any(
                stop_after_attempt(self.max_attempts),
                _Deadline(self.clock, self.max_total_seconds),
            ),
            wait=self.wait,
            retry=retry_if_exception_type(transient),
            sleep=self.sleep,
            reraise=True,
        )


class _Deadline(stop_base):
    """A tenacity stop: true once ``limit`` seconds of ``clock`` passed since it was made."""

    def __init__(self, clock: Callable[[], float], limit: float) -> None:
        self._clock = clock
        self._limit = limit
        self._started = clock()

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._clock() - self._started >= self._limit
