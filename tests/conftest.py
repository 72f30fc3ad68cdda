"""Suite-wide fixtures: no test may reach the network; hypothesis runs a bounded profile."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Locally hypothesis explores new examples on every run; under CI (CI=true) it derandomizes, so a
# submission's result does not depend on the draw (a failure found locally is fixed, not retried).
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", settings.get_profile("dev"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


class NetworkAccessError(AssertionError):
    """Raised when a test tries to open a real network connection."""


def _guarded(original: Any) -> Any:
    def connect(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return original(self, address, *args, **kwargs)
        self.close()
        raise NetworkAccessError(f"test tried to open a network connection to {address!r}")

    return connect


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that opens a non-Unix socket connection (mock HTTP with respx instead)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(socket.socket.connect_ex))
    yield
