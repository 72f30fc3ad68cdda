from __future__ import annotations

import numpy as np
import pytest

from negotiator.bargaining import (
    IntegerIssue,
    ItemIssue,
    ItemSplitPair,
    OutcomeSpace,
    PointsUtility,
    Scenario,
    item_split_scenario,
    synthetic_pairs,
)
from negotiator.errors import InvalidInputError, UnknownKeyError


def test_item_issue_splits_k_units_including_zero() -> None:
    space = OutcomeSpace(issues=(ItemIssue(name="food", units=2), ItemIssue(name="gold", units=0)))
    assert space.shape == (3, 1) and space.size == 3
    assert space.as_dict(2) == {"food": 2, "gold": 0}
    assert space.index_of((1, 0)) == 1


def test_points_are_raw_and_exact() -> None:
    space = OutcomeSpace(issues=(ItemIssue(name="a", units=3), ItemIssue(name="b", units=1)))
    mine = PointsUtility(points=(5, 2.5), side=0, reservation=4)
    theirs = PointsUtility(points=(1, 7), side=1)
    assert mine.denominator == 2
    assert mine.exact_space(space).tolist() == [0, 5, 10, 15, 20, 25, 30, 35]
    assert mine.evaluate_space(space).tolist() == [0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5]
    assert theirs.evaluate_space(space).tolist() == [10, 3, 9, 2, 8, 1, 7, 0]
    s = Scenario(space=space, utilities=(mine, theirs))
    assert s.denominator == 2 and s.analysis.scale == 2
    assert s.analysis.point(None).tolist() == [4.0, 0.0]  # walk-away in points


def test_points_misfit_and_bad_values_are_reported_by_path() -> None:
    with pytest.raises(InvalidInputError, match=r"\$\.points\[0\]: 'n' is not an item"):
        PointsUtility(points=(1,), side=0).check(
            OutcomeSpace(issues=(IntegerIssue(name="n", low=0, high=2),))
        )
    with pytest.raises(InvalidInputError, match=r"\$\.counts\[0\]|counts must be"):
        item_split_scenario({"counts": [-1], "points_a": [1], "points_b": [1]})
    with pytest.raises(InvalidInputError, match=r"\$\.points_b"):
        item_split_scenario({"counts": [1], "points_a": [1], "points_b": "x"})
    with pytest.raises(InvalidInputError, match="points_a has 1 entries for 2 items"):
        item_split_scenario({"counts": [1, 2], "points_a": [1], "points_b": [1, 1]})


def test_result_carries_raw_and_normalised_utilities_and_pareto_status() -> None:
    pair = ItemSplitPair(
        counts=(3, 3, 3), points_a=(5, 4, 3), points_b=(3, 4, 5), walk_away_a=5, walk_away_b=5
    )
    s = pair.scenario()
    result = s.negotiate(rounds=10)
    scores = result.scores
    assert scores is not None and result.agreement is not None
    assert scores.utilities == tuple(float(x) for x in s.utility_matrix[:, result.agreement])
    assert all(0 <= x <= 1 for x in scores.normalized)
    assert scores.pareto == s.analysis.is_pareto(result.agreement)
    assert scores.pareto_distance == 0.0 if scores.pareto else scores.pareto_distance > 0


def test_synthetic_pairs_follow_their_styles() -> None:
    for p in synthetic_pairs("priorities", 20, seed=3):
        assert p.counts == (3, 3, 3) and sorted(p.points_a) == [3, 4, 5]
        assert p.walk_away_a == p.walk_away_b == 5
    for p in synthetic_pairs("values", 20, seed=3):
        assert 5 <= sum(p.counts) <= 7 and all(1 <= c <= 4 for c in p.counts)
        for pts in (p.points_a, p.points_b):
            assert sum(x * c for x, c in zip(pts, p.counts, strict=True)) == 10
        assert any(a > 0 and b > 0 for a, b in zip(p.points_a, p.points_b, strict=True))
    assert synthetic_pairs("values", 5, seed=1) == synthetic_pairs("values", 5, seed=1)
    with pytest.raises(UnknownKeyError, match="pair style"):
        synthetic_pairs("chess", 1, seed=0)


def test_time_discount_makes_a_party_settle_sooner() -> None:
    pair = ItemSplitPair(counts=(4, 4, 4), points_a=(5, 4, 3), points_b=(3, 4, 5))
    base = pair.scenario()
    patient = base.negotiate("linear", "linear", rounds=40)
    hurried_utils = tuple(u.model_copy(update={"discount": 0.2}) for u in base.utilities)
    hurried = Scenario(space=base.space, utilities=hurried_utils).negotiate(
        "linear", "linear", rounds=40
    )
    assert hurried.rounds < patient.rounds
    assert np.isfinite(hurried.scores.pareto_distance)  # type: ignore[union-attr]
