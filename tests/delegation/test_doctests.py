"""Every docstring example in the delegation library and its graph runs and holds."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "negotiator.delegation." + name
    for name in (
        "award",
        "bidders",
        "bidding",
        "clarify",
        "clock",
        "contracting",
        "hub",
        "ledger",
        "monitoring",
        "phases",
        "reputation",
        "reputation_store",
        "request",
        "screening",
        "settlement",
        "subdelegation",
        "topics",
        "calls",
        "demo",
    )
] + ["negotiator.graphs.api", "negotiator.graphs.delegation"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0
