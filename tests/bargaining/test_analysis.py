from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from negotiator.bargaining import analyze, pareto_mask
from negotiator.errors import InvalidInputError

from .conftest import utility_matrices


def dominated(u: np.ndarray) -> np.ndarray:
    ge = (u[:, None, :] >= u[:, :, None]).all(axis=0)
    gt = (u[:, None, :] > u[:, :, None]).any(axis=0)
    return (ge & gt).any(axis=1)


@given(utility_matrices())
def test_frontier_is_exactly_the_undominated_outcomes(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), ~dominated(u))


@given(utility_matrices(parties=3))
def test_frontier_with_three_parties(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), ~dominated(u))


@given(utility_matrices())
def test_nash_maximises_the_product_over_the_zone(u: np.ndarray) -> None:
    r = np.array([0.2, 0.1])
    a = analyze(u, r)
    zone = ((u - r[:, None]) >= 0).all(axis=0)
    assert a.zone_empty == (not zone.any())
    if a.zone_empty:
        assert a.nash is None and a.kalai is None
        return
    product = np.where(zone, (u - r[:, None]).prod(axis=0), -np.inf)
    assert a.nash is not None and product[a.nash] == product.max()
    assert u[:, a.max_welfare].sum() == u.sum(0).max()
    assert a.kalai is not None and zone[a.kalai] and pareto_mask(u)[a.kalai]


@given(utility_matrices())
def test_distances(u: np.ndarray) -> None:
    a = analyze(u, [0.0, 0.0])
    for i in range(u.shape[1]):
        p, _ = a.distances(i)
        assert p >= 0
        assert (p == 0) == bool(pareto_mask(u)[i])
    p, n = a.distances(None)
    assert p == pytest.approx(np.sqrt((a.frontier**2).sum(axis=1)).min())
    assert n == pytest.approx(np.linalg.norm(u[:, a.nash]))


def test_small_example() -> None:
    u = np.array([[1.0, 0.6, 0.0, 0.5, 0.6], [0.0, 0.6, 1.0, 0.5, 0.6]])
    a = analyze(u, [0.0, 0.0])
    assert a.pareto.tolist() == [0, 1, 2, 4]
    assert a.frontier.tolist() == [[0.0, 1.0], [0.6, 0.6], [1.0, 0.0]]
    assert (a.nash, a.kalai, a.max_welfare) == (1, 1, 1)
    assert a.distances(3)[0] == pytest.approx(np.sqrt(0.02))


def test_empty_zone_is_reported() -> None:
    a = analyze(np.array([[0.2, 0.9], [0.9, 0.2]]), [0.5, 0.5])
    assert a.zone_empty and a.nash is None and np.isnan(a.nash_distance(np.zeros(2)))


def test_bad_shapes() -> None:
    with pytest.raises(InvalidInputError, match="do not match"):
        analyze(np.ones((2, 3)), [0.0])
    with pytest.raises(InvalidInputError, match="non-finite"):
        analyze(np.array([[np.nan], [1.0]]), [0.0, 0.0])
