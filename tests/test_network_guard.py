"""The suite-wide guard really blocks network connections."""

from __future__ import annotations

import socket

import pytest


def test_real_connection_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="network connection"):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)
