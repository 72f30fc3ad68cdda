"""The exact references: optimum within the deal zone, Nash point, gap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UsageError
from negotiator.mediation.exact import exact_best, gap, nash_point
from negotiator.mediation.generate import random_space
from negotiator.mediation.space import ProposalSpace


def _brute(space: ProposalSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = np.arange(1 << space.total_bits, dtype=np.int64)
    scores = space.evaluate(space.decode(codes))
    return scores.anchor, scores.counterpart, scores.valid


@given(
    seed=st.integers(0, 10_000),
    bits=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    counterparts=st.integers(1, 3),
    zone=st.floats(0, 3),
    block=st.sampled_from([1, 7, 1 << 20]),
)
def test_exact_best_is_the_brute_force_optimum(
    seed: int, bits: list[int], counterparts: int, zone: float, block: int
) -> None:
    space = random_space(np.random.default_rng(seed), bits, counterparts)
    ua, ub, valid = _brute(space)
    ok = valid & (np.abs(ua[None, :] - ub) <= zone + 1e-9)
    result = exact_best(space, zone, block)
    assert result.outcomes == space.size
    assert result.feasible == int(ok.sum())
    if not ok.any():
        assert result.best is None
        return
    assert result.best is not None
    assert result.best.total == pytest.approx(float((ua[None, :] + ub)[ok].max()))
    assert result.best.difference <= zone + 1e-9


@given(seed=st.integers(0, 10_000), bits=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_nash_point_maximises_the_product(seed: int, bits: list[int]) -> None:
    space = random_space(np.random.default_rng(seed), bits, 2)
    ua, ub, valid = _brute(space)
    d_a = space.anchor.floor_utility
    d_b = np.array([p.floor_utility for p in space.counterparts])
    ga, gb = ua[None, :] - d_a, ub - d_b[:, None]
    ok = valid & (ga > 0) & (gb > 0)
    nash = nash_point(space)
    if not ok.any():
        assert nash.proposal is None
        return
    assert nash.product == pytest.approx(float((ga * gb)[ok].max()))
    assert nash.proposal is not None
    p = nash.proposal
    d_p = nash.disagreement_counterparts[p.counterpart]
    assert (p.anchor_utility - d_a) * (p.counterpart_utility - d_p) == pytest.approx(nash.product)


def test_nash_point_with_given_disagreement(one_to_n: ProposalSpace) -> None:
    nash = nash_point(one_to_n, disagreement_anchor=1.0, disagreement_counterparts={"B1": 2.0})
    assert nash.disagreement_anchor == 1.0
    assert nash.disagreement_counterparts["B1"] == 2.0
    with pytest.raises(UsageError, match="unknown counterparts"):
        nash_point(one_to_n, disagreement_counterparts={"B9": 0.0})


def test_exact_rejects_bad_arguments(one_to_n: ProposalSpace) -> None:
    with pytest.raises(UsageError, match="deal zone"):
        exact_best(one_to_n, -1.0)
    with pytest.raises(UsageError, match="block"):
        exact_best(one_to_n, 1.0, block=0)


def test_gap() -> None:
    assert gap(99.0, 100.0) == pytest.approx(0.01)
    assert gap(100.0, 100.0) == 0.0
    assert gap(0.0, 0.0) == 0.0
    assert math.isinf(gap(1.0, 0.0))
    assert gap(-2.0, -1.0) == pytest.approx(1.0)
