from __future__ import annotations

import numpy as np
import pytest

from negotiator.bargaining import (
    DEFAULT_AGENT,
    ItemSplitPair,
    Message,
    SpaceLayout,
    agent,
    bilateral,
    generated_scenario,
    synthetic_pairs,
    tournament,
)
from negotiator.bargaining.agents import build_agent
from negotiator.errors import UnknownKeyError

REFERENCES = [("pareto", "pareto"), ("linear", "linear"), ("boulware", "conceder")]


def test_the_default_is_the_pareto_seeking_agent_for_both_sides() -> None:
    assert DEFAULT_AGENT == "pareto"
    a, b = bilateral(generated_scenario(2))
    assert a.accept_last and b.accept_last and a.concession == agent("pareto").concession
    with pytest.raises(UnknownKeyError, match="pareto"):
        agent("hardliner")


@pytest.mark.parametrize("rounds", [10, 20])
def test_default_reaches_the_frontier_and_beats_the_reference_pairings(rounds: int) -> None:
    scenarios = [generated_scenario(500 + i) for i in range(24)]
    reports = {
        (r.first, r.second): r for r in tournament(scenarios, [], rounds, pairings=REFERENCES)
    }
    mine = reports[("pareto", "pareto")]
    assert mine.agreement == 1.0 and mine.pareto_distance <= 0.01
    assert mine.welfare_share >= 0.97
    for ref in REFERENCES[1:]:
        assert mine.joint > reports[ref].joint


@pytest.mark.parametrize("style", ["priorities", "values"])
def test_default_is_pareto_optimal_on_item_splits(style: str) -> None:
    scenarios = [p.scenario() for p in synthetic_pairs(style, 40, seed=11)]
    for rounds in (10, 20):
        reports = tournament(scenarios, [], rounds, pairings=REFERENCES)
        mine = reports[0]
        assert mine.agreement_in_zone == 1.0 and mine.pareto_share >= 0.95
        assert all(mine.joint_raw > r.joint_raw for r in reports[1:])


def test_no_agreement_without_a_zone() -> None:
    pair = ItemSplitPair(
        counts=(2, 2), points_a=(3, 1), points_b=(1, 3), walk_away_a=7, walk_away_b=7
    )
    report = tournament([pair.scenario()], ["pareto"], rounds=10)[0]
    assert report.agreement == 0.0


def test_last_turn_accepts_anything_worth_the_reservation() -> None:
    layout = SpaceLayout.of_shape((4,))
    me = build_agent(agent("pareto"), np.array([0.0, 0.3, 0.6, 1.0]), layout, 0.25)
    assert me.act(0.0, None, None) == (Message.MAKE_OFFER, 3)
    assert me.act(0.5, Message.MAKE_OFFER, 1)[0] is Message.MAKE_OFFER  # too early for 0.3
    assert me.act(1.0, Message.MAKE_OFFER, 1) == (Message.ACCEPT_OFFER, None)
    assert (
        build_agent(agent("pareto"), np.array([0.0, 0.3, 0.6, 1.0]), layout, 0.25).act(
            1.0, Message.MAKE_OFFER, 0
        )[0]
        is Message.MAKE_OFFER
    )  # never below the reservation
