"""Suite-wide fixtures: no test may reach the network; hypothesis runs a bounded profile."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")


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
