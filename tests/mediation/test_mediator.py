"""Steps 9-10: the ranked list, the choice of the largest sum, and (proposal, δ)."""

from __future__ import annotations

import numpy as np
import pytest

from negotiator.mediation.curves import PowerCurve
from negotiator.mediation.ga import GAConfig, run_ga
from negotiator.mediation.mediator import MediationStatus, choice_index, mediate, rank_order
from negotiator.mediation.space import Attribute, Party, ProposalSpace


def test_ranked_list_and_choice(one_to_n: ProposalSpace) -> None:
    result = mediate(one_to_n, 1.0, GAConfig(), np.random.default_rng(2), list_size=10_000)
    assert result.status is MediationStatus.PROPOSED
    diffs = [p.difference for p in result.proposals]
    assert diffs == sorted(diffs)
    assert len(result.proposals) == result.feasible
    chosen = result.chosen
    assert chosen is not None
    assert chosen.total == max(p.total for p in result.proposals)
    assert result.delta == chosen.difference
    assert result.proposals[result.chosen_rank - 1] == chosen  # type: ignore[operator]
    assert all(p.difference <= 1.0 + 1e-9 for p in result.proposals)


def test_list_size_truncates_but_keeps_the_rank(one_to_n: ProposalSpace) -> None:
    full = mediate(one_to_n, 1.0, GAConfig(), np.random.default_rng(2), list_size=10_000)
    short = mediate(one_to_n, 1.0, GAConfig(), np.random.default_rng(2), list_size=3)
    assert short.proposals == full.proposals[:3]
    assert short.chosen == full.chosen
    assert short.chosen_rank == full.chosen_rank


def test_utilities_in_a_proposal_are_the_weighted_gains(one_to_n: ProposalSpace) -> None:
    result = mediate(one_to_n, 1.0, GAConfig(), np.random.default_rng(2))
    p = result.chosen
    assert p is not None
    ua = 0.5 * p.anchor_gains["price"] + 0.5 * p.anchor_gains["days"]
    ub = 0.6 * p.counterpart_gains["price"] + 0.4 * p.counterpart_gains["days"]
    assert p.anchor_utility == pytest.approx(ua)
    assert p.counterpart_utility == pytest.approx(ub)
    assert p.total == pytest.approx(ua + ub)
    assert p.difference == pytest.approx(abs(ua - ub))


def test_tie_breaks_are_documented_keys() -> None:
    diff = np.array([0.5, 0.1, 0.1, 0.1])
    total = np.array([9.0, 5.0, 7.0, 7.0])
    cps = np.array([0, 1, 1, 0])
    codes = np.array([3, 2, 1, 9])
    assert rank_order(diff, total, cps, codes).tolist() == [3, 2, 1, 0]
    assert choice_index(diff, total, cps, codes) == 0
    total2 = np.array([7.0, 5.0, 7.0, 7.0])
    assert choice_index(diff, total2, cps, codes) == 3  # equal sums: smaller difference, then cp


def test_no_proposal_when_every_counterpart_is_skipped() -> None:
    a = Party("A", (PowerCurve(0, 10, 1, 0),), (1.0,))
    b = Party("B", (PowerCurve(30, 20, 1, 0),), (1.0,))
    result = mediate(
        ProposalSpace([Attribute("x", 3)], a, [b]), 1.0, GAConfig(), np.random.default_rng(0)
    )
    assert result.status is MediationStatus.NO_PROPOSAL
    assert result.chosen is None and result.delta is None
    assert result.skipped[0].counterpart == "B"


def test_no_proposal_when_the_zone_is_unreachable() -> None:
    # A's utility is always >= 5 more than B's: no proposal within D = 1
    a = Party("A", (PowerCurve(0, 10, 20, 10),), (1.0,))
    b = Party("B", (PowerCurve(10, 0, 5, 0),), (1.0,))
    space = ProposalSpace([Attribute("x", 3)], a, [b])
    assert run_ga(space, 1.0, GAConfig(generations=5), np.random.default_rng(0)).codes.size == 0
    result = mediate(space, 1.0, GAConfig(generations=5), np.random.default_rng(0))
    assert result.status is MediationStatus.NO_PROPOSAL
    assert result.evaluations > 0
