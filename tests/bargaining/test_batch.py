from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.bargaining import (
    AGENTS,
    ItemSplitPair,
    Negotiation,
    Scenario,
    batch,
    bilateral,
    generated_scenario,
    run_batch,
    synthetic_pairs,
    tournament,
)
from negotiator.bargaining.batch import BatchSide, run_arrays, vectorised
from negotiator.bargaining.issues import SpaceLayout
from negotiator.errors import InvalidInputError, UsageError

VECTORISED = sorted(name for name, spec in AGENTS.items() if vectorised(spec))


def one_at_a_time(
    scenarios: list[Scenario], first: str, second: str, rounds: int
) -> list[tuple[int | None, int]]:
    out = []
    for s in scenarios:
        r = Negotiation("alternating", bilateral(s, first, second), rounds).run()
        out.append((r.agreement, r.rounds))
    return out


def mixed_scenarios(seed: int) -> list[Scenario]:
    rng = np.random.default_rng(seed)
    out = [generated_scenario(int(rng.integers(1 << 30)), 2, 4) for _ in range(4)]
    out += [p.scenario() for p in synthetic_pairs("values", 4, seed)]
    out += [p.scenario() for p in synthetic_pairs("priorities", 3, seed)]
    discounted = generated_scenario(seed, 2, 5)
    out.append(
        discounted.model_copy(
            update={
                "utilities": tuple(
                    u.model_copy(update={"discount": 0.5, "reservation": 0.2})
                    for u in discounted.utilities
                )
            }
        )
    )
    return out


@settings(max_examples=12, deadline=None)
@given(
    st.integers(0, 2**31),
    st.sampled_from(VECTORISED),
    st.sampled_from(VECTORISED),
    st.sampled_from([1, 2, 5, 20]),
)
def test_batch_makes_exactly_the_one_at_a_time_decisions(
    seed: int, first: str, second: str, rounds: int
) -> None:
    scenarios = mixed_scenarios(seed)
    assert run_batch(scenarios, first, second, rounds) == one_at_a_time(
        scenarios, first, second, rounds
    )


def test_other_protocols_run_one_at_a_time() -> None:
    scenarios = [generated_scenario(s, 2, 4) for s in range(3)]
    batch = run_batch(scenarios, "pareto", "linear", 10, protocol="protocol2")
    assert batch == [
        (r.agreement, r.rounds)
        for r in (
            Negotiation("protocol2", bilateral(s, "pareto", "linear"), 10).run() for s in scenarios
        )
    ]


def test_run_arrays_refuses_an_agent_without_a_vectorised_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = generated_scenario(1, 2, 3)
    sides = (BatchSide.of([s], 0), BatchSide.of([s], 1))
    assert run_arrays(s.space.layout, sides, "pareto", "pareto", 5)[0][1] <= 5
    monkeypatch.setattr("negotiator.bargaining.batch.vectorised", lambda spec: False)
    with pytest.raises(UsageError, match="vectorised"):
        run_arrays(s.space.layout, sides, "pareto", "pareto", 5)


def test_tournament_reports_every_pairing() -> None:
    scenarios = [p.scenario() for p in synthetic_pairs("priorities", 8, seed=2)]
    no_zone = ItemSplitPair(
        counts=(1,), points_a=(4,), points_b=(4,), walk_away_a=3, walk_away_b=3
    ).scenario()
    reports = tournament([*scenarios, no_zone], ["pareto", "conceder"], rounds=10)
    assert [(r.first, r.second) for r in reports] == [
        ("pareto", "pareto"),
        ("pareto", "conceder"),
        ("conceder", "pareto"),
        ("conceder", "conceder"),
    ]
    for r in reports:
        assert r.negotiations == 9 and r.agreements_without_zone == 0
        assert r.agreement == pytest.approx(8 / 9) and r.agreement_in_zone == 1.0
        assert 0 <= r.pareto_share <= 1 and r.per_second > 0 and 1 <= r.rounds <= 10
        assert r.fairness >= 0 and r.joint == pytest.approx(r.utility_first + r.utility_second)
    with pytest.raises(InvalidInputError, match=r"\$\.rounds"):
        tournament(scenarios, ["pareto"], rounds=10**6)
    with pytest.raises(InvalidInputError, match="at least one"):
        tournament([], ["pareto"])


@st.composite
def utility_rows(draw: st.DrawFn) -> np.ndarray:
    """Utility rows with exact ties, last-bit neighbours, zeros of both signs and negatives."""
    b = draw(st.integers(1, 5))
    m = draw(
        st.integers(1, 70) | st.sampled_from([127, 128, 129, 255, 256]) | st.integers(1000, 1100)
    )
    base = draw(st.lists(st.sampled_from([0.0, -0.0, 0.25, 0.5, 1.0, 1 / 3, -0.125]), min_size=3))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    u = rng.choice(np.array(base), size=(b, m))
    near = rng.random((b, m)) < 0.3
    u[near] = np.nextafter(u[near], rng.choice([-np.inf, np.inf], size=int(near.sum())))
    fresh = rng.random((b, m)) < 0.3
    u[fresh] = rng.random(int(fresh.sum()))
    return u


@settings(max_examples=60, deadline=None)
@given(utility_rows(), st.sampled_from([20, 2]))
def test_the_packed_sort_is_a_stable_argsort(u: np.ndarray, pack_bits: int) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "_PACK_BITS", pack_bits)  # 2: wide rows take the plain stable sort
        order, padded = batch._stable_order(u)
    expected = np.argsort(u, axis=1, kind="stable")
    assert (order == expected).all()
    assert (padded[:, 1:-1] == np.take_along_axis(u, expected, axis=1)).all()
    assert (padded[:, 0] == -np.inf).all() and (padded[:, -1] == np.inf).all()


@settings(max_examples=60, deadline=None)
@given(utility_rows(), st.integers(0, 2**31), st.booleans())
def test_the_index_search_is_an_exact_searchsorted(u: np.ndarray, seed: int, right: bool) -> None:
    data = BatchSide(u, np.zeros(len(u)), np.ones(len(u)), (0,))
    state = batch._side(AGENTS["linear"], data, SpaceLayout.of_shape((u.shape[1],)))
    sorted_u = data.sorted_view[1]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, u.shape[1], size=u.shape[0])
    x = np.take_along_axis(sorted_u, picks[:, None], axis=1)[:, 0]
    x = np.nextafter(x, rng.choice([-np.inf, 0.0, np.inf], size=x.size))
    x[rng.random(x.size) < 0.2] = rng.choice([-0.5, 1.5, 0.0, 1.0])
    rows = np.flatnonzero(rng.random(u.shape[0]) < 0.7)
    x = x[rows]
    found = batch._search(state, rows, x, right)
    side_ = "right" if right else "left"
    assert found.tolist() == [
        int(np.searchsorted(sorted_u[r], v, side_))
        for r, v in zip(rows.tolist(), x.tolist(), strict=True)
    ]


def test_the_packed_sort_keeps_signed_zeros_in_index_order() -> None:
    u = np.array([[0.0, -0.0, 0.5], [0.5, -0.0, 0.0]])  # equal values, different bits
    order, padded = batch._stable_order(u)
    assert order.tolist() == [[0, 1, 2], [1, 2, 0]]
    assert padded[:, 1:-1].tolist() == [[0.0, -0.0, 0.5], [-0.0, 0.0, 0.5]]


@pytest.mark.parametrize("m", [127, 128, 255, 256, 32767, 32768])
def test_the_search_index_counts_a_whole_row(m: int) -> None:
    u = np.full((2, m), 0.5)  # every value in one bucket: the counts reach m
    data = BatchSide(u, np.zeros(2), np.ones(2), (0,))
    state = batch._side(AGENTS["linear"], data, SpaceLayout.of_shape((m,)))
    rows = np.arange(2)
    assert batch._search(state, rows, np.array([0.5, 0.75]), True).tolist() == [m, m]
    assert batch._search(state, rows, np.array([0.5, 0.25]), False).tolist() == [0, 0]
