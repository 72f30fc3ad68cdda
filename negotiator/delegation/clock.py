"""Clocks the flow reads time from (always injected, never ``datetime.now()`` in the library)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the time (timezone-aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at ``at``: every step of a run sees the same instant.

    Deterministic and resume-safe (a resumed run sees the same time as the first attempt); the
    monitoring phase takes its times from the progress reports instead.

    Example:
        >>> FixedClock(datetime(2026, 10, 1, tzinfo=UTC)).now().year
        2026
    """

    at: datetime

    def now(self) -> datetime:
        """Return ``at``."""
        return self.at


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)
