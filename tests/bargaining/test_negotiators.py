from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.bargaining import (
    CONCESSIONS,
    AdditiveUtility,
    LinearValue,
    Message,
    Negotiation,
    OutcomeNegotiator,
    Seed001Party,
    SpaceLayout,
    Status,
    TimeDependent,
)
from negotiator.errors import InvalidInputError

STRATEGIES = sorted(CONCESSIONS)


@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(STRATEGIES),
    st.sampled_from(STRATEGIES),
    st.sampled_from(["alternating", "protocol1", "protocol2"]),
    st.floats(0.0, 0.8),
    st.floats(0.0, 0.8),
)
def test_agreements_are_acceptable_to_both_and_offers_respect_reservations(
    seed: int, first: str, second: str, protocol: str, r0: float, r1: float
) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    layout = SpaceLayout.of_shape(shape)
    u = rng.random((2, layout.grid.shape[0]))
    res = (r0, r1)
    parties = [
        OutcomeNegotiator(u[k], layout, res[k], CONCESSIONS[name])
        for k, name in enumerate((first, second))
    ]
    result = Negotiation(protocol, parties, 30).run()
    for e in result.trace:
        if e.offer is not None:
            assert u[e.party, e.offer] >= res[e.party]
    if result.status is Status.AGREED:
        assert result.agreement is not None
        assert u[0, result.agreement] >= r0 and u[1, result.agreement] >= r1
    else:
        assert result.agreement is None


def test_first_offer_is_the_best_and_acceptance_is_ac_next() -> None:
    layout = SpaceLayout.of_shape((4,))
    me = OutcomeNegotiator(np.array([0.1, 0.9, 0.4, 0.6]), layout, 0.0, TimeDependent(1.0))
    assert me.act(0.0, None, None) == (Message.MAKE_OFFER, 1)
    # at t = 0.5 the target is 0.45: an offer worth 0.6 beats the next own offer (0.6) → accept
    assert me.act(0.5, Message.MAKE_OFFER, 3) == (Message.ACCEPT_OFFER, None)
    # the same offer when the target is still high is countered
    other = OutcomeNegotiator(np.array([0.1, 0.9, 0.4, 0.6]), layout, 0.0, TimeDependent(4.0))
    assert other.act(0.1, Message.MAKE_OFFER, 3)[0] is Message.MAKE_OFFER


def test_opponent_model_steers_offers_within_the_band() -> None:
    # two outcomes equally good for me; the opponent keeps offering value 1 of issue 0
    layout = SpaceLayout.of_shape((2, 2))
    u = np.array([0.0, 0.5, 0.5, 1.0])  # outcomes (0,1) and (1,0) tie at 0.5
    me = OutcomeNegotiator(u, layout, 0.0, TimeDependent(1.0), window=0.0, slack=0.0)
    for _ in range(3):
        me.act(0.0, Message.MAKE_OFFER, 2)  # opponent offers (1, 0)
    message, offer = me.act(0.5, Message.MAKE_OFFER, 2)
    assert offer == 2 or message is Message.ACCEPT_OFFER


def test_bad_construction() -> None:
    with pytest.raises(InvalidInputError):
        OutcomeNegotiator(np.zeros(3), SpaceLayout.of_shape((4,)), 0.0, TimeDependent(1.0))
    u = AdditiveUtility(weights=(1.0,), values=(LinearValue(low=0, high=10),))
    with pytest.raises(InvalidInputError, match=r"weights\[0\]"):
        Seed001Party(u, [5.0], [-0.1], [8.0])
    with pytest.raises(InvalidInputError, match="differ"):
        Seed001Party(u, [5.0], [0.1, 0.2], [8.0])
