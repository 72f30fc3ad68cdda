"""The GA: operators, determinism, 1:N skipping, and quality against the exact optimum."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from negotiator.errors import UsageError
from negotiator.mediation.exact import exact_best, gap
from negotiator.mediation.ga import GAConfig, _crossover, fitness, run_ga
from negotiator.mediation.generate import random_space
from negotiator.mediation.mediator import mediate
from negotiator.mediation.space import Evaluation, ProposalSpace


def test_same_seed_same_result_different_seed_different_search(one_to_n: ProposalSpace) -> None:
    config = GAConfig(population=16, generations=10, polish=0, restart_after=None)
    first = run_ga(one_to_n, 1.0, config, np.random.default_rng(7))
    again = run_ga(one_to_n, 1.0, config, np.random.default_rng(7))
    other = run_ga(one_to_n, 1.0, config, np.random.default_rng(8))
    assert first.codes.tolist() == again.codes.tolist()
    assert first.counterparts.tolist() == again.counterparts.tolist()
    assert first.anchor.tolist() == again.anchor.tolist()
    key = set(zip(first.codes.tolist(), first.counterparts.tolist(), strict=True))
    other_key = set(zip(other.codes.tolist(), other.counterparts.tolist(), strict=True))
    assert key != other_key


def test_mediation_result_is_reproducible(one_to_n: ProposalSpace) -> None:
    a = mediate(one_to_n, 0.5, GAConfig(), np.random.default_rng(3))
    b = mediate(one_to_n, 0.5, GAConfig(), np.random.default_rng(3))
    assert a == b


def test_single_point_crossover_at_fixed_point() -> None:
    parents = np.array([[0] * 8, [1] * 8, [1, 0] * 4, [0, 1] * 4], dtype=np.uint8)
    config = GAConfig(crossover_rate=1.0, crossover_point=2)
    children = _crossover(parents, config, np.random.default_rng(0))
    assert children[0].tolist() == [0, 0, 1, 1, 1, 1, 1, 1]
    assert children[1].tolist() == [1, 1, 0, 0, 0, 0, 0, 0]
    assert children[2].tolist() == [1, 0, 1, 0, 1, 0, 1, 0][:2] + [0, 1] * 3
    # no crossover at rate 0
    none = _crossover(
        parents, dataclasses.replace(config, crossover_rate=0.0), np.random.default_rng(0)
    )
    assert (none == parents).all()


def test_fitness_rewards_sum_and_penalises_leaving_the_zone() -> None:
    scores = Evaluation(
        anchor=np.array([5.0, 6.0, 9.0, 1.0]),
        counterpart=np.array([[5.0, 5.5, 3.0, 0.0]]),
        valid=np.array([[True, True, True, False]]),
    )
    fit = fitness(scores, deal_zone=1.0, penalty=2.0)
    assert fit[0] == pytest.approx(10.0)
    assert fit[1] == pytest.approx(11.5)  # inside the zone: the plain sum
    assert fit[2] == pytest.approx(12.0 - 2.0 * (6.0 - 1.0))
    assert fit[3] == -np.inf  # no counterpart has a value: step 5


def test_skipped_counterpart_never_appears(one_to_n: ProposalSpace) -> None:
    result = mediate(one_to_n, 2.0, GAConfig(), np.random.default_rng(0), list_size=500)
    assert {p.counterpart for p in result.proposals} <= {"B1", "B3"}
    assert [s.counterpart for s in result.skipped] == ["B2"]
    # B3 only ever gets values inside its own range
    assert all(p.values["price"] >= 40 - 1e-9 for p in result.proposals if p.counterpart == "B3")


def test_one_to_one_mediation(anchor: object) -> None:
    space = random_space(np.random.default_rng(11), [4, 4], counterparts=1)
    result = mediate(space, 0.5, GAConfig(), np.random.default_rng(1))
    assert result.chosen is not None
    assert result.chosen.counterpart == "B1"
    assert result.delta is not None
    assert result.delta == pytest.approx(result.chosen.difference)
    assert result.delta <= 0.5 + 1e-9


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("zone", [0.1, 1.0])
def test_ga_within_one_percent_of_exact_on_small_spaces(seed: int, zone: float) -> None:
    space = random_space(np.random.default_rng(seed), [3, 3, 4], counterparts=1 + seed % 3)
    exact = exact_best(space, zone)
    result = mediate(space, zone, GAConfig(), np.random.default_rng(seed))
    if exact.best is None:
        assert result.chosen is None
        return
    assert result.chosen is not None
    assert result.chosen.total <= exact.best.total + 1e-9  # never better than the optimum
    assert gap(result.chosen.total, exact.best.total) <= 0.01


def test_pure_ga_still_never_leaves_the_zone(one_to_n: ProposalSpace) -> None:
    config = GAConfig(population=8, generations=3, polish=0, restart_after=None)
    result = mediate(one_to_n, 0.05, config, np.random.default_rng(5), list_size=100)
    assert all(p.difference <= 0.05 + 1e-9 for p in result.proposals)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"population": 5}, "population"),
        ({"crossover_rate": 1.5}, "crossover_rate"),
        ({"elite": 64}, "elite"),
        ({"penalty": -1.0}, "penalty"),
        ({"restart_after": 0}, "restart_after"),
    ],
)
def test_bad_config(changes: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        GAConfig(**changes)  # type: ignore[arg-type]


def test_crossover_point_must_fit_the_chromosome(one_to_n: ProposalSpace) -> None:
    with pytest.raises(UsageError, match="crossover_point"):
        run_ga(one_to_n, 1.0, GAConfig(crossover_point=7), np.random.default_rng(0))


def test_negative_deal_zone(one_to_n: ProposalSpace) -> None:
    with pytest.raises(UsageError, match="deal zone"):
        run_ga(one_to_n, -0.1, GAConfig(), np.random.default_rng(0))
