from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.bargaining import (
    DEFAULT_AGENT,
    AdditiveUtility,
    CategoricalIssue,
    IntegerIssue,
    ItemSplitPair,
    LinearValue,
    Message,
    Negotiation,
    OutcomeSpace,
    Scenario,
    SpaceLayout,
    TableValue,
    agent,
    bilateral,
    generated_scenario,
    run_batch,
    synthetic_pairs,
    tournament,
)
from negotiator.bargaining.agents import build_agent
from negotiator.bargaining.negotiators import OutcomeNegotiator, dominating_mask
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


def test_the_nash_floor_stops_conceding_at_the_estimated_nash_outcome() -> None:
    # two binary issues; outcome k = (k // 2, k % 2); the opponent always offers outcome 2
    layout = SpaceLayout.of_shape((2, 2))
    u = np.array([0.0, 1.0, 0.3, 0.8])
    # estimated opponent utility (frequency model): 1, 0, 2, 1; gains over the reservation
    # 0.1: −, 0.9, 0.2, 0.7 → products gain · est^1.5 −, 0, 0.57, 0.7: the estimated Nash
    # outcome is 3
    floored = build_agent(agent("pareto"), u, layout, 0.1, numeric=True)
    plain = build_agent(replace(agent("pareto"), nash_floor=False), u, layout, 0.1, numeric=True)
    assert floored.nash_floor and not plain.nash_floor
    moves = {}
    for name, party in (("floored", floored), ("plain", plain)):
        party.act(0.0, None, None)
        for k in range(1, 10):
            moves[name] = party.act(k / 10, Message.MAKE_OFFER, 2)
    assert moves["plain"] == (Message.ACCEPT_OFFER, None)  # conceded to the opponent's offer
    assert moves["floored"] == (Message.MAKE_OFFER, 3)  # holds at the estimated Nash outcome


def test_the_nash_floor_holds_through_the_own_last_offer() -> None:
    # as above, but the opponent's offer (outcome 2, worth 0.3) is below the reservation 0.35:
    # at the own last turn (the opponent still answers) the floored party offers its estimated
    # Nash outcome 3 (products gain · est^1.5: 0.15, 0, −, 0.45) where the plain one concedes
    # to outcome 0
    layout = SpaceLayout.of_shape((2, 2))
    u = np.array([0.5, 1.0, 0.3, 0.8])
    floored = build_agent(agent("pareto"), u, layout, 0.35, numeric=True)
    plain = build_agent(replace(agent("pareto"), nash_floor=False), u, layout, 0.35, numeric=True)
    last = {}
    for name, party in (("floored", floored), ("plain", plain)):
        party.act(0.0, None, None)
        for k in range(1, 9):
            party.act(k / 10, Message.MAKE_OFFER, 2)
        last[name] = party.act(0.95, Message.MAKE_OFFER, 2)  # 0.95 + 0.15 > 1: the last turn
    assert last == {
        "floored": (Message.MAKE_OFFER, 3),
        "plain": (Message.MAKE_OFFER, 0),
    }


def test_the_nash_floor_weights_the_opponents_estimate_by_the_power_one_and_a_half() -> None:
    # estimated opponent utility 1, 0, 2, 1 (as above); gains over 0.1: 0.2, 0.9, 0.3, 0.75.
    # gain · est peaks at outcome 3 (0.75 > 0.6), gain · est^1.5 at outcome 2 (0.85 > 0.75):
    # the floor is outcome 2's utility 0.4, so the party concedes to the opponent's offer 2
    layout = SpaceLayout.of_shape((2, 2))
    party = build_agent(agent("pareto"), np.array([0.3, 1.0, 0.4, 0.85]), layout, 0.1, numeric=True)
    party.act(0.0, None, None)
    moves = [party.act(k / 10, Message.MAKE_OFFER, 2) for k in range(1, 10)]
    assert (Message.ACCEPT_OFFER, None) in moves


def test_the_nash_floor_applies_only_on_spaces_with_a_numeric_issue() -> None:
    pair = synthetic_pairs("values", 1, seed=3)[0]
    assert not any(p.nash_floor for p in bilateral(pair.scenario()))
    assert not any(p.nash_floor for p in bilateral(generated_scenario(3)))
    space = OutcomeSpace(
        issues=(
            CategoricalIssue(name="c", values=("x", "y")),
            IntegerIssue(name="n", low=0, high=4),
        )
    )
    table = TableValue(table={"x": 1.0, "y": 0.0})
    utilities = tuple(
        AdditiveUtility(
            weights=(0.5, 0.5), values=(table, LinearValue(low=0, high=4, increasing=up))
        )
        for up in (True, False)
    )
    scenario = Scenario(name="numeric", space=space, utilities=utilities)
    assert scenario.numeric and all(p.nash_floor for p in bilateral(scenario))


def _random_item_splits(n: int, seed: int, counts: tuple[int, ...] | None = None) -> list[Scenario]:
    """Item splits with binding walk-aways: 2–4 items of 1–10 units (or ``counts``), 0–10
    points per unit, walk-away 0–50 % of the pool."""
    rng = np.random.default_rng(seed)
    out: list[Scenario] = []
    while len(out) < n:
        units = np.array(counts) if counts else rng.integers(1, 11, size=int(rng.integers(2, 5)))
        points = rng.integers(0, 11, size=(2, units.size))
        pools = (points * units).sum(axis=1)
        if pools.all():
            walk = [int(rng.integers(0, p // 2 + 1)) for p in pools.tolist()]
            out.append(
                ItemSplitPair(
                    counts=tuple(units.tolist()),
                    points_a=tuple(points[0].tolist()),
                    points_b=tuple(points[1].tolist()),
                    walk_away_a=walk[0],
                    walk_away_b=walk[1],
                ).scenario()
            )
    return out


@pytest.mark.parametrize("rounds", [10, 20])
def test_default_agrees_and_beats_the_references_when_walk_aways_bind(rounds: int) -> None:
    # the opponent's walk-away is unknown: at its own last turn the default offers what the
    # opponent most likely accepts, so deals where a zone exists are not lost at the deadline
    scenarios = _random_item_splits(80, seed=5)
    mine, *refs = tournament(scenarios, [], rounds, pairings=REFERENCES)
    assert mine.agreement_in_zone >= 0.98
    for ref in refs:
        assert mine.pareto_share >= ref.pareto_share and mine.joint_raw > ref.joint_raw


@pytest.mark.parametrize("rounds", [2, 5, 10])
@pytest.mark.parametrize("second", ["pareto", "conceder"])
def test_batch_makes_the_last_turn_offer_of_one_at_a_time(second: str, rounds: int) -> None:
    # one issue shape for all, so more negotiations run than the batch hands to the
    # one-at-a-time engine, and the own last-turn offer is made by the batch's own code
    scenarios = _random_item_splits(24, seed=9, counts=(4, 2, 5))
    alone = [
        (r.agreement, r.rounds)
        for r in (
            Negotiation("alternating", bilateral(s, "pareto", second), rounds).run()
            for s in scenarios
        )
    ]
    assert run_batch(scenarios, "pareto", second, rounds) == alone


def _numeric_scenarios(n: int, seed: int) -> list[Scenario]:
    """Genius-style scenarios of one shape: a categorical issue of 4 values with random
    evaluations and an integer issue 0–5 the sides pull in opposite directions."""
    rng = np.random.default_rng(seed)
    issue = CategoricalIssue(name="c", values=("a", "b", "c", "d"))
    space = OutcomeSpace(issues=(issue, IntegerIssue(name="n", low=0, high=5)))
    out = []
    for k in range(n):
        utilities = tuple(
            AdditiveUtility(
                weights=tuple(float(w) for w in rng.dirichlet(np.ones(2))),
                values=(
                    TableValue(table=dict(zip(issue.values, rng.random(4).tolist(), strict=True))),
                    LinearValue(low=0, high=5, increasing=side == 0),
                ),
                reservation=float(rng.uniform(0, 0.3)),
            )
            for side in range(2)
        )
        out.append(Scenario(name=f"numeric-{k}", space=space, utilities=utilities))
    return out


@pytest.mark.parametrize("rounds", [3, 10, 20])
def test_batch_holds_the_nash_floor_as_one_at_a_time(rounds: int) -> None:
    # spaces with an integer issue turn the Nash floor on; one shape for all, so the batch's
    # own floor code decides most negotiations
    scenarios = _numeric_scenarios(30, seed=rounds)
    assert all(p.nash_floor for p in bilateral(scenarios[0]))
    alone = [
        (r.agreement, r.rounds)
        for r in (Negotiation("alternating", bilateral(s), rounds).run() for s in scenarios)
    ]
    assert run_batch(scenarios, "pareto", "pareto", rounds) == alone
    assert len({a for a, _ in alone}) > 3  # the scenarios end in different agreements


def test_the_value_prior_and_step_window_apply_only_on_purely_categorical_spaces() -> None:
    categorical = bilateral(generated_scenario(3))
    assert all(p.value_prior == (0.2, 0.5) and p.window_per_step == 0.5 for p in categorical)
    assert all(p.value_prior is None for p in bilateral(generated_scenario(3), "linear", "linear"))
    items = bilateral(synthetic_pairs("values", 1, seed=3)[0].scenario())
    numeric = bilateral(_numeric_scenarios(1, seed=3)[0])
    for party in (*items, *numeric):
        assert party.value_prior is None and party.window_per_step is None


def test_the_value_prior_rates_an_unseen_value_above_nothing() -> None:
    # the opponent offered value 0 of issue 0 twice and value 1 once; value 2 never
    layout = SpaceLayout.of_shape((3, 2))
    u = np.linspace(0.0, 1.0, 6)
    party = build_agent(agent("pareto"), u, layout, 0.0)
    assert party.value_prior == (0.2, 0.5)
    for offer in (0, 0, 2):  # outcomes (0, 0), (0, 0), (1, 0)
        party.act(0.1, Message.MAKE_OFFER, offer)
    # issue 0: top 2, weight 4; value 0 seen twice (1.0), value 1 once (0.75), value 2 never
    assert party.opponent_scores().tolist() == [4.0, 3.0, 0.8, 9.0, 1.8]


def test_the_step_window_narrows_the_band_when_turns_are_close() -> None:
    # own utility 0.00, 0.01, …, 0.99 on one issue; the opponent always offers 0.00, so the
    # model rates every other outcome alike and ties go to the top of the band
    layout = SpaceLayout.of_shape((100,))
    u = np.arange(100) / 100
    party = build_agent(agent("pareto"), u, layout, 0.0)
    party.act(0.0, None, None)
    widths = []
    for t in (0.48, 0.50, 0.52):
        _, offer = party.act(t, Message.MAKE_OFFER, 0)
        assert offer is not None
        lowest = u[u >= 1.0 - t**2].min()  # the band's floor: the first outcome at the target
        widths.append(u[offer] - lowest)
    assert widths[0] == pytest.approx(0.05)  # turns 0.48 apart: the plain window
    assert widths[1:] == pytest.approx([0.01, 0.01])  # 0.02 apart: half of it


@pytest.mark.parametrize("rounds", [20, 100])
def test_batch_uses_the_value_prior_and_step_window_as_one_at_a_time(rounds: int) -> None:
    # the benchmark's categorical domain, one shape for all: the batch's own code decides
    scenarios = [generated_scenario(40 + k) for k in range(12)]
    alone = [
        (r.agreement, r.rounds)
        for r in (Negotiation("alternating", bilateral(s), rounds).run() for s in scenarios)
    ]
    assert run_batch(scenarios, "pareto", "pareto", rounds) == alone
    assert len({a for a, _ in alone}) > 6


def test_the_dominance_order_compares_values_by_how_often_the_opponent_offered_them() -> None:
    # issue 0 (slots 0–3): counts 0, 2, 1, 0, chosen value 2 (offered once); issue 1 (slots
    # 4–5): counts 0, 0, chosen value 4 (never offered)
    counts = np.array([0.0, 2.0, 1.0, 0.0, 0.0, 0.0])
    chosen = np.array([2, 2, 2, 2, 4, 4])
    issue_of = np.array([0, 0, 0, 0, 1, 1])
    mask = dominating_mask(counts, chosen, issue_of)
    # offered more or as often: at least as good; never offered: below it
    assert mask[:4].tolist() == [False, True, True, False]
    # a never-offered chosen value is matched only by itself or by an offered value
    assert mask[4:].tolist() == [True, False]
    assert dominating_mask(np.array([[1.0, 1.0]]), np.array([[0, 0]]), np.array([0, 0])).all()


def test_the_default_lifts_an_offer_the_opponent_values_no_more_than_a_better_one() -> None:
    # outcomes (0, 0), (0, 1), (1, 0), (1, 1); the opponent offered (1, 1) once, so whatever its
    # issue weights it values (1, 0) at least as much as (0, 0), which is worth more to us
    layout = SpaceLayout.of_shape((2, 2))
    u = np.array([0.76, 0.5, 1.0, 0.0])
    party = build_agent(agent("pareto"), u, layout, 0.0)
    assert party.dominance
    party.act(0.0, None, None)
    # target 1 − 0.5² = 0.75: the band [0.75, 0.80] holds (0, 0) alone
    assert party.act(0.5, Message.MAKE_OFFER, 3) == (Message.MAKE_OFFER, 2)
    plain = build_agent(replace(agent("pareto"), categorical_dominance=False), u, layout, 0.0)
    plain.act(0.0, None, None)
    assert plain.act(0.5, Message.MAKE_OFFER, 3) == (Message.MAKE_OFFER, 0)


class _Recording:
    """A party that records every outcome it offers and the counts it had seen then."""

    def __init__(self, party: OutcomeNegotiator) -> None:
        self.party = party
        self.offers: list[tuple[int, np.ndarray]] = []

    def acceptable(self, offer: int) -> bool:
        return self.party.acceptable(offer)

    def act(self, t: float, received: Message | None, offer: int | None) -> object:
        message, mine = self.party.act(t, received, offer)
        if message is Message.MAKE_OFFER and mine is not None and offer is not None:
            self.offers.append((mine, np.asarray(self.party._counts)))
        return message, mine


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 4), st.sampled_from([5, 10, 20]))
def test_no_default_offer_is_robustly_dominated_by_a_better_one(
    seed: int, values: int, rounds: int
) -> None:
    scenario = generated_scenario(seed, 3, values)
    layout = scenario.space.layout
    parties = [_Recording(p) for p in bilateral(scenario)]
    Negotiation("alternating", parties, rounds).run()  # type: ignore[arg-type]
    for side, recording in enumerate(parties):
        u = scenario.normalized_matrix[side]
        for offer, counts in recording.offers:
            ok = dominating_mask(counts, layout.slots[offer][layout.issue_of], layout.issue_of)
            assert not (ok[layout.slots].all(axis=1) & (u > u[offer])).any()


@pytest.mark.parametrize("rounds", [10, 20, 100])
def test_batch_lifts_offers_as_one_at_a_time(rounds: int) -> None:
    scenarios = [generated_scenario(70 + k) for k in range(12)]
    alone = [
        (r.agreement, r.rounds)
        for r in (Negotiation("alternating", bilateral(s), rounds).run() for s in scenarios)
    ]
    assert run_batch(scenarios, "pareto", "pareto", rounds) == alone
    plain_spec = replace(agent("pareto"), categorical_dominance=False)
    plain = []
    for s in scenarios:
        parties = [
            build_agent(plain_spec, s.normalized_matrix[k], s.space.layout, 0.0) for k in range(2)
        ]
        plain.append(Negotiation("alternating", parties, rounds).run().agreement)
    assert [a for a, _ in alone] != plain  # the lift changes some agreements
