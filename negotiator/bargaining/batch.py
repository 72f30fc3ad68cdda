"""Batch runner (temporary scalar loop while the vectorised engine is written)."""

from __future__ import annotations

from collections.abc import Sequence

from negotiator.bargaining.domains import Scenario, bilateral
from negotiator.bargaining.protocols import Negotiation


def run_batch(
    scenarios: Sequence[Scenario], first: str, second: str, rounds: int, protocol: str
) -> list[tuple[int | None, int]]:
    """Run every scenario."""
    out: list[tuple[int | None, int]] = []
    for s in scenarios:
        r = Negotiation(protocol, bilateral(s, first, second), rounds).run()
        out.append((r.agreement, r.rounds))
    return out
