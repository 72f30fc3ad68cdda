"""The stacked analysis is the per-scenario analysis, computed for many scenarios at once."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.bargaining import (
    ItemSplitPair,
    Scenario,
    analyze,
    analyze_many,
    analyze_stack,
    generated_scenario,
    tournament,
)
from negotiator.bargaining.analysis import ScenarioAnalysis
from negotiator.bargaining.batch import batch_groups
from negotiator.bargaining.stacked import MAX_STACKED_OUTCOMES
from negotiator.errors import InvalidInputError


def assert_same(got: ScenarioAnalysis, want: ScenarioAnalysis) -> None:
    """Every field equal, arrays with the same dtype and shape."""
    for f in fields(ScenarioAnalysis):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape, f.name
            assert np.array_equal(a, b), f.name
        else:
            assert type(a) is type(b) and a == b, f.name


@st.composite
def stacks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Stacks of small scenarios with deliberate ties: integer points (with a scale), floats on
    a grid (duplicates, equal welfare), the same grid with rounding noise, constant-sum games."""
    g = draw(st.integers(1, 5))
    parties = draw(st.sampled_from([2, 2, 3]))
    n = draw(st.integers(1, 24))
    grid = draw(st.integers(2, 6))
    kind = draw(st.sampled_from(["points", "grid", "noisy", "constant-sum"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    u = rng.integers(0, grid, size=(g, parties, n))
    r = rng.integers(-1, grid, size=(g, parties))
    if kind == "constant-sum":
        u[:, -1] = grid * (parties - 1) - u[:, :-1].sum(axis=1)
    if kind in {"points", "constant-sum"}:
        return u.astype(np.int64), r.astype(np.int64), rng.integers(1, 5, size=g)
    step = 0.1 if kind == "grid" else 1 / 3
    fu = u * step
    if kind == "noisy":  # the same value reached by different float operations
        fu = np.where(rng.random(fu.shape) < 0.5, fu, (u * 0.1 + u * 0.1 / 3 * 7) * 1.0)
    return fu, r * step, None


@settings(max_examples=80, deadline=None)
@given(stacks())
def test_stack_matches_each_scenario_alone(
    stack: tuple[np.ndarray, np.ndarray, np.ndarray | None],
) -> None:
    u, r, scales = stack
    got = analyze_stack(u, r, scales)
    assert len(got) == len(u)
    for k, a in enumerate(got):
        scale = 1 if scales is None else int(scales[k])
        assert_same(a, analyze(u[k], r[k], scale=scale))


def test_constant_sum_stack_keeps_every_split() -> None:
    units = np.arange(4)
    a = np.add.outer(np.add.outer(5 * units, 4 * units), 3 * units).ravel()
    u = np.stack([np.stack([a, 36 - a]), np.stack([36 - a, a])]).astype(np.int64)
    for got in analyze_stack(u, np.zeros((2, 2), dtype=np.int64)):
        assert got.mask.all() and got.pareto.size == 64


def test_huge_points_fall_back_to_exact_python_arithmetic() -> None:
    big = 2**40
    u = np.array([[[big, 0, big - 1], [0, big, big - 1]]] * 2, dtype=np.int64)
    r = np.zeros((2, 2), dtype=np.int64)
    for got in analyze_stack(u, r):
        assert_same(got, analyze(u[0], r[0]))
        assert got.nash == 2


@pytest.mark.parametrize(
    ("u", "r", "message"),
    [
        (np.zeros((2, 3)), np.zeros((2, 3)), "do not stack"),
        (np.zeros((1, 2, 0)), np.zeros((1, 2)), "do not stack"),
        (np.zeros((1, 2, 3), dtype=np.int64), np.zeros((1, 2)), "do not stack"),
        (np.array([[[np.inf, 0.0], [0.0, 1.0]]]), np.zeros((1, 2)), "non-finite"),
    ],
)
def test_bad_stacks_are_named(u: np.ndarray, r: np.ndarray, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        analyze_stack(u, r)


def fresh(s: Scenario) -> Scenario:
    """The same scenario with nothing cached."""
    return Scenario.model_validate(s.model_dump())


def assert_cached_like_alone(done: Scenario) -> None:
    alone = fresh(done)
    assert_same(done.analysis, alone.analysis)
    assert np.array_equal(done.normalized_matrix, alone.normalized_matrix)
    assert np.array_equal(done.normalized_reservation, alone.normalized_reservation)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 3), min_size=1, max_size=3),
            st.lists(st.sampled_from([0, 1, 2.5, 4, 0.1]), min_size=3, max_size=3),
            st.lists(st.sampled_from([0, 1, 3, 0.2]), min_size=3, max_size=3),
            st.integers(0, 12),
            st.sampled_from([0, 2, 0.3]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 1000),
)
def test_analyze_many_fills_each_scenario_as_alone(
    drawn: list[tuple[list[int], list[float], list[float], int, float]], seed: int
) -> None:
    found = [
        ItemSplitPair(
            counts=tuple(c),
            points_a=tuple(a[: len(c)]),
            points_b=tuple(b[: len(c)]),
            walk_away_a=wa,
            walk_away_b=wb,
        ).scenario()
        for c, a, b, wa, wb in drawn
    ]
    found += [generated_scenario(seed + i, 2, 3) for i in range(3)]
    analyze_many(found)
    for s in found:
        assert "analysis" in s.__dict__
        assert_cached_like_alone(s)


def test_large_scenarios_are_analysed_one_at_a_time() -> None:
    found = [generated_scenario(seed, 2, 17) for seed in range(2)]  # 289 outcomes
    assert found[0].space.size > MAX_STACKED_OUTCOMES
    analyze_many(found)
    for s in found:
        assert_cached_like_alone(s)


def test_decimal_points_reservation_is_normalised_in_raw_units() -> None:
    s = ItemSplitPair(
        counts=(3, 1), points_a=(0.1, 0.2), points_b=(0.3, 0.0), walk_away_a=0.2, walk_away_b=0.3
    ).scenario()
    # side A's points run 0 .. 0.5, side B's 0 .. 0.9
    assert s.normalized_reservation.tolist() == pytest.approx([0.4, 0.3 / 0.9])


def test_batch_tournament_analyses_scenarios_together() -> None:
    found = [generated_scenario(seed, 2, 4) for seed in range(6)]
    batch_groups(found)
    for s in found:
        assert_cached_like_alone(s)
    together = [fresh(s) for s in found]
    reports = tournament(together, ["boulware", "conceder"], rounds=10)
    assert all("analysis" in s.__dict__ for s in together)
    alone = [fresh(s) for s in found]
    for s in alone:  # analysed one at a time: analyze_many leaves them as they are
        assert s.normalized_matrix is not None and s.normalized_reservation is not None
    for a, b in zip(reports, tournament(alone, ["boulware", "conceder"], rounds=10), strict=True):
        assert {**a.as_dict(), "per_second": 0} == {**b.as_dict(), "per_second": 0}
