"""Seeded random mediation spaces, for property tests and benchmarks.

Every attribute runs over ``[0, 100]``; the anchor prefers one end and each counterpart the other
(opposed interests, as in a sale), with a random strategy curve, random gains and a range that
overlaps the anchor's. Weights are drawn from a flat Dirichlet distribution.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from negotiator.errors import UsageError
from negotiator.mediation.curves import Curve, PowerCurve
from negotiator.mediation.space import Attribute, Party, ProposalSpace

__all__ = ["random_space"]


def _curve(rng: np.random.Generator, prefers_high: bool) -> Curve:
    low, high = float(rng.uniform(0, 30)), float(rng.uniform(70, 100))
    best, worst = (high, low) if prefers_high else (low, high)
    exponent = float(np.exp(rng.uniform(np.log(0.3), np.log(3.0))))
    return PowerCurve(best, worst, float(rng.uniform(5, 15)), 0.0, exponent)


def _party(name: str, n: int, rng: np.random.Generator, prefers_high: bool) -> Party:
    curves = tuple(_curve(rng, prefers_high) for _ in range(n))
    weights = rng.dirichlet(np.ones(n))
    weights[-1] = 1.0 - weights[:-1].sum()
    return Party(name, curves, tuple(float(w) for w in weights))


def random_space(
    rng: np.random.Generator, bits: Sequence[int], counterparts: int = 1
) -> ProposalSpace:
    """A random space with one attribute per entry of ``bits`` (its chromosome bits).

    Raises:
        UsageError: no attribute or no counterpart.

    Example:
        >>> random_space(np.random.default_rng(0), [4, 4, 4], 5).size
        20480
    """
    if not bits or counterparts < 1:
        raise UsageError("a random space needs at least one attribute and one counterpart")
    attrs = [Attribute(f"a{i + 1}", b) for i, b in enumerate(bits)]
    n = len(attrs)
    anchor = _party("A", n, rng, prefers_high=False)
    others = [_party(f"B{j + 1}", n, rng, prefers_high=True) for j in range(counterparts)]
    return ProposalSpace(attrs, anchor, others)
