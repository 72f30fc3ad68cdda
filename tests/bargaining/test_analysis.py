from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.bargaining import ItemSplitPair, analyze, pareto_mask
from negotiator.errors import InvalidInputError

from .conftest import utility_matrices


def dominated(u: np.ndarray) -> np.ndarray:
    ge = (u[:, None, :] >= u[:, :, None]).all(axis=0)
    gt = (u[:, None, :] > u[:, :, None]).any(axis=0)
    return (ge & gt).any(axis=1)


@given(utility_matrices())
def test_frontier_is_exactly_the_undominated_outcomes(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), ~dominated(u))
    assert np.array_equal(pareto_mask((u * 12).round().astype(int)), ~dominated(u))


@given(utility_matrices(parties=3))
def test_frontier_with_three_parties(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), ~dominated(u))


@given(st.integers(2, 3).flatmap(lambda k: utility_matrices(parties=k)))
def test_frontier_points_are_the_distinct_normalised_pareto_points_in_order(
    u: np.ndarray,
) -> None:
    a = analyze(u, np.zeros(u.shape[0]))
    points = np.array([a.normalized_point(int(i)) for i in a.pareto])
    assert np.array_equal(a.frontier, np.unique(points, axis=0))


def constant_sum() -> ItemSplitPair:
    """The issue's reproduction: 3 items × 3 units, both score 5/4/3 points per unit."""
    return ItemSplitPair(
        counts=(3, 3, 3), points_a=(5, 4, 3), points_b=(5, 4, 3), walk_away_a=5, walk_away_b=5
    )


def test_constant_sum_game_keeps_every_split_exact_and_normalised() -> None:
    s = constant_sum().scenario()
    a = s.analysis
    assert a.utilities.dtype == np.int64 and set(a.utilities.sum(axis=0).tolist()) == {36}
    assert a.mask.all() and len(a.pareto) == 64
    # the same game as normalised floats (last-bit noise) still keeps all 64
    assert pareto_mask(s.normalized_matrix).all()
    assert analyze(s.normalized_matrix, s.normalized_reservation).mask.all()
    # every split totals 36: the max-welfare tie goes to the lowest index
    assert a.max_welfare == 0
    # Nash: (u − 5)(31 − u) peaks at u = 18; the lowest-index split worth 18 to A
    assert a.point(a.nash).tolist() == [18.0, 18.0]
    assert a.nash == min(i for i in range(64) if a.utilities[0, i] == 18)


def test_a_dominated_split_is_not_called_optimal() -> None:
    # (6, 6) is dominated by (7, 6), however the numbers were rounded
    u = np.array([[6, 7, 3], [6, 6, 9]])
    assert pareto_mask(u).tolist() == [False, True, True]
    noisy = np.array([[6 / 36, 7 / 36, 3 / 36], [(0.1 + 0.2) * 20, 6.0, 9.0]])
    assert pareto_mask(noisy).tolist() == [False, True, True]
    a = analyze(u, [0, 0])
    assert not a.is_pareto(0) and a.is_pareto(1) and not a.is_pareto(None)


def test_duplicates_and_rounding_noise_are_ties() -> None:
    u = np.array([[0.1 + 0.2, 0.3, 0.3, 0.0], [0.5, 0.5, 0.5 - 1e-17, 0.6]])
    assert pareto_mask(u).tolist() == [True, True, True, True]
    a = analyze(u, [0.0, 0.0])
    assert a.max_welfare == 0  # 0.8 three times (within tolerance): lowest index
    # a real difference larger than the tolerance still counts
    assert pareto_mask(np.array([[0.3, 0.3 + 1e-6], [0.5, 0.5]])).tolist() == [False, True]


def test_equal_welfare_and_nash_ties_follow_the_rule() -> None:
    # Nash products tie (4·4 = 2·8); the larger sum wins; then the lowest index
    u = np.array([[4, 2, 8, 2], [4, 8, 2, 8]])
    a = analyze(u, [0, 0])
    assert a.nash == 1  # (2, 8) and (8, 2) sum 10 > 8; index 1 before 2 and 3
    assert a.max_welfare == 1
    assert a.kalai == 0  # min share 0.5 for (4, 4) beats 0.25


def test_small_example() -> None:
    u = np.array([[1.0, 0.6, 0.0, 0.5, 0.6], [0.0, 0.6, 1.0, 0.5, 0.6]])
    a = analyze(u, [0.0, 0.0])
    assert a.pareto.tolist() == [0, 1, 2, 4]
    assert a.mask.tolist() == [True, True, True, False, True]
    assert a.frontier.tolist() == [[0.0, 1.0], [0.6, 0.6], [1.0, 0.0]]
    assert (a.nash, a.kalai, a.max_welfare) == (1, 1, 1)
    assert a.distances(3)[0] == pytest.approx(np.sqrt(0.02))


def test_distances_are_normalised() -> None:
    # party 1 scores in tens: distances use each party's [worst, best] range
    u = np.array([[1.0, 0.6, 0.0, 0.5], [0.0, 6.0, 10.0, 5.0]])
    a = analyze(u, [0.0, 0.0])
    assert a.distances(3)[0] == pytest.approx(np.sqrt(0.02))
    assert a.distances(1)[0] == 0.0
    score = a.score(3)
    assert score.utilities == (0.5, 5.0) and score.normalized == (0.5, 0.5)
    assert score.welfare == 5.5 and score.pareto is False
    no_deal = a.score(None)
    assert no_deal.pareto is False and no_deal.utilities == (0.0, 0.0)
    assert no_deal.pareto_distance == pytest.approx(np.sqrt(0.6**2 + 0.6**2))


def test_empty_zone_is_reported() -> None:
    a = analyze(np.array([[0.2, 0.9], [0.9, 0.2]]), [0.5, 0.5])
    assert a.zone_empty and a.nash is None and np.isnan(a.nash_distance(np.zeros(2)))


def test_bad_shapes() -> None:
    with pytest.raises(InvalidInputError, match="do not match"):
        analyze(np.ones((2, 3)), [0.0])
    with pytest.raises(InvalidInputError, match="non-finite"):
        analyze(np.array([[np.nan], [1.0]]), [0.0, 0.0])


Exact = tuple[list[bool], int | None, int | None, int]


def brute_force(u: list[list[Fraction]], r: list[Fraction]) -> Exact:
    """Definitions and tie rules of the module docstring, in exact Python arithmetic."""
    n = len(u[0])
    col = [[u[p][i] for p in range(2)] for i in range(n)]
    mask = [
        not any(
            all(col[j][p] >= col[i][p] for p in range(2))
            and any(col[j][p] > col[i][p] for p in range(2))
            for j in range(n)
        )
        for i in range(n)
    ]
    welfare = [sum(c) for c in col]
    zone = [i for i in range(n) if all(col[i][p] >= r[p] for p in range(2))]

    def best(cands: list[int], score: dict[int, Fraction]) -> int:
        return min(cands, key=lambda i: (-score[i], -welfare[i], i))

    mw = best(list(range(n)), {i: welfare[i] for i in range(n)})
    if not zone:
        return mask, None, None, mw
    nash = best(zone, {i: (col[i][0] - r[0]) * (col[i][1] - r[1]) for i in zone})
    top = [max(col[i][p] for i in zone) - r[p] for p in range(2)]
    share = {
        i: min((col[i][p] - r[p]) / top[p] if top[p] > 0 else Fraction(0) for p in range(2))
        for i in zone
    }
    kalai = best([i for i in zone if mask[i]], share)
    return mask, nash, kalai, mw


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=3),
    st.data(),
)
def test_matches_exact_brute_force_on_random_item_splits(
    counts: list[int], data: st.DataObject
) -> None:
    k = len(counts)
    pts = st.lists(st.integers(0, 6), min_size=k, max_size=k)
    pair = ItemSplitPair(
        counts=tuple(counts),
        points_a=tuple(data.draw(pts)),
        points_b=tuple(data.draw(pts)),
        walk_away_a=data.draw(st.integers(0, 12)),
        walk_away_b=data.draw(st.integers(0, 12)),
    )
    s = pair.scenario()
    a = s.analysis
    u = a.utilities.tolist()
    r = [int(x) for x in a.reservation]
    mask, nash, kalai, mw = brute_force(
        [[Fraction(x) for x in row] for row in u], [Fraction(x) for x in r]
    )
    assert a.mask.tolist() == mask
    assert (a.nash, a.kalai, a.max_welfare) == (nash, kalai, mw)
    assert a.zone_empty == (nash is None)
    # normalised to [0, 1] as floats (last-bit noise): the same as exact normalised fractions
    lo, hi = [min(row) for row in u], [max(row) for row in u]
    norm = [[Fraction(x - lo[p], (hi[p] - lo[p]) or 1) for x in u[p]] for p in range(2)]
    norm_r = [Fraction(r[p] - lo[p], (hi[p] - lo[p]) or 1) for p in range(2)]
    exact = brute_force(norm, norm_r)
    f = analyze(s.normalized_matrix, s.normalized_reservation)
    assert exact[0] == mask and f.mask.tolist() == mask
    assert (f.nash, f.kalai, f.max_welfare) == exact[1:]
    # in tenths of points as floats: the same as in points
    tenths = analyze(np.array(u) * 0.1, [x * 0.1 for x in r])
    assert tenths.mask.tolist() == mask
    assert (tenths.nash, tenths.kalai, tenths.max_welfare) == (nash, kalai, mw)


def test_points_with_decimals_stay_exact() -> None:
    pair = ItemSplitPair(counts=(3, 1), points_a=(0.1, 0.2), points_b=(0.3, 0.0))
    a = pair.scenario().analysis
    assert a.scale == 10 and a.utilities.dtype == np.int64
    assert a.point(a.max_welfare).tolist() == pytest.approx([0.2, 0.9])
