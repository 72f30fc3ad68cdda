"""Small spaces shared by the mediation tests."""

from __future__ import annotations

import pytest

from negotiator.mediation.curves import PowerCurve, strategy_curve
from negotiator.mediation.space import Attribute, Party, ProposalSpace


def seller(name: str, low: float, high: float) -> Party:
    """A counterpart preferring high values of both attributes over [low, high]."""
    return Party(
        name,
        (PowerCurve(high, low, 10.0, 0.0, 1.0), strategy_curve("greedy", high, low, 8.0, 0.0)),
        (0.6, 0.4),
    )


@pytest.fixture
def anchor() -> Party:
    """Agent A: prefers low values of both attributes over [0, 100]."""
    return Party(
        "A",
        (strategy_curve("anxious", 0, 100, 10.0, 0.0), PowerCurve(0, 100, 6.0, 0.0, 1.0)),
        (0.5, 0.5),
    )


@pytest.fixture
def one_to_n(anchor: Party) -> ProposalSpace:
    """A against B1 (overlap), B2 (no overlap on any attribute), B3 (partial overlap)."""
    return ProposalSpace(
        [Attribute("price", 4), Attribute("days", 3)],
        anchor,
        [seller("B1", 0, 100), seller("B2", 200, 300), seller("B3", 40, 100)],
    )
