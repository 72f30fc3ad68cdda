"""Server trouble made loud and bounded: one warning, then a circuit breaker.

A model server that cannot be reached, refuses the credentials or keeps failing must not turn a
run into minutes of silent retries. The OpenAI-compatible client reports every call that gave up
because of the server (transport failures after retries, HTTP errors, unreadable answers) to a
:class:`CircuitBreaker`: the first such failure is announced once through a callback naming the
server and the error, and after ``threshold`` failed calls in a row — or at once for an
authentication or unknown-model error, which no retry can mend — the breaker opens and every
further call falls back to its numeric policy without a request, its reason saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from negotiator.errors import UsageError

__all__ = ["FATAL_STATUS", "CircuitBreaker", "log_warning"]

FATAL_STATUS = frozenset({401, 403, 404})
"""HTTP statuses that open the breaker at once (bad key, no access, unknown model or URL)."""

_LOG = logging.getLogger("negotiator.llm")


def log_warning(message: str) -> None:
    """The default warning callback: a ``WARNING`` on the ``negotiator.llm`` logger."""
    _LOG.warning("%s", message)


@dataclass
class CircuitBreaker:
    """Counts a server's failed calls; opens after ``threshold`` in a row (or one fatal one).

    Args:
        server: how to name the server in messages (its base URL).
        threshold: failed calls in a row that open the breaker (>= 1).
        warn: called once, with one line, at the first failure.

    Example:
        >>> seen = []
        >>> b = CircuitBreaker("http://127.0.0.1:9/v1", threshold=2, warn=seen.append)
        >>> b.failed("transport: ConnectError"); b.open_reason is None
        True
        >>> b.failed("transport: ConnectError"); b.open_reason is not None
        True
        >>> len(seen)
        1
    """

    server: str
    threshold: int = 2
    warn: Callable[[str], None] = log_warning
    _in_a_row: int = field(default=0, init=False)
    _warned: bool = field(default=False, init=False)
    _open: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise UsageError(f"breaker threshold must be >= 1, got {self.threshold}")

    @property
    def open_reason(self) -> str | None:
        """Why no more requests are sent (``None`` while the breaker is closed)."""
        return self._open

    def succeeded(self) -> None:
        """A completion arrived: the server works, the count of failures in a row restarts."""
        self._in_a_row = 0

    def failed(self, reason: str, *, fatal: bool = False) -> None:
        """Record a call that gave up because of the server; warn the first time."""
        self._in_a_row += 1
        if not self._warned:
            self._warned = True
            self.warn(
                f"model server {self.server} failed: {reason} — the run goes on with the "
                f"numeric policy for that step; no more requests after "
                f"{'this error' if fatal else f'{self.threshold} failed call(s) in a row'}"
            )
        if self._open is None and (fatal or self._in_a_row >= self.threshold):
            self._open = (
                f"circuit open: {self.server} failed {self._in_a_row} call(s) in a row, "
                f"last: {reason}"
            )
