"""Double-auction measures: equilibrium, efficiency, Smith's alpha."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from negotiator.markets.metrics import allocative_efficiency, equilibrium, smith_alpha


def test_equilibrium_of_a_symmetric_schedule() -> None:
    eq = equilibrium([200, 190, 180, 170], [60, 70, 185, 195])
    assert (eq.quantity, eq.low, eq.high, eq.price) == (2, 180.0, 185.0, 182.5)
    assert eq.max_surplus == 200 - 60 + 190 - 70


def test_alpha_and_efficiency() -> None:
    assert smith_alpha([90.0, 110.0], 100.0) == 10.0
    assert smith_alpha([], 100.0) is None
    assert allocative_efficiency(45.0, 50.0) == 0.9
    assert allocative_efficiency(0.0, 0.0) == 1.0


values = st.lists(st.integers(0, 50).map(float), min_size=1, max_size=6)


@given(values, values)
def test_max_surplus_is_the_best_assignment(v: list[float], c: list[float]) -> None:
    eq = equilibrium(v, c)
    best = 0.0
    k = min(len(v), len(c))
    for buyers in itertools.permutations(range(len(v)), k):
        pairs = zip(buyers, range(k), strict=True)
        best = max(best, sum(max(v[b] - c[s], 0.0) for b, s in pairs))
    for sellers in itertools.permutations(range(len(c)), k):
        pairs = zip(range(k), sellers, strict=True)
        best = max(best, sum(max(v[b] - c[s], 0.0) for b, s in pairs))
    assert eq.max_surplus == best
    assert eq.low <= eq.high
    if eq.quantity:
        # at P*, exactly q* buyers would buy and q* sellers would sell (ties allowed)
        assert sum(x >= eq.price for x in v) >= eq.quantity
        assert sum(x <= eq.price for x in c) >= eq.quantity
