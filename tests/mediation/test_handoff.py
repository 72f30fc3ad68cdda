"""Seed 001, step 5: brokered pairs negotiate through the bargaining core's protocols."""

from __future__ import annotations

import pytest

from negotiator.bargaining import Message
from negotiator.errors import UnknownKeyError, UsageError
from negotiator.mediation.broker import Pairing, broker
from negotiator.mediation.handoff import negotiate_pair, negotiate_pairings, negotiators_for
from negotiator.mediation.registry import AttributeDef, Registry


def _market() -> Registry:
    reg = Registry(
        [
            AttributeDef(name="price", kind="continuous"),
            AttributeDef(name="warranty", kind="continuous", buyer_concedes="down"),
            AttributeDef(name="delivery", kind="binary"),
        ]
    )
    weights = {"price": 0.6, "warranty": 0.2, "delivery": 0.2}
    reg.register_buyer(
        {
            "name": "b1",
            "weights": weights,
            "prefers": {"delivery": True},
            "ranges": {"price": {"low": 8000, "high": 13000}, "warranty": {"low": 6, "high": 24}},
        }
    )
    reg.register_seller(
        {
            "name": "s1",
            "weights": weights,
            "features": {"delivery": True},
            "ranges": {"price": {"low": 9500, "high": 15000}, "warranty": {"low": 3, "high": 12}},
        }
    )
    return reg


def test_negotiators_open_at_their_best_end() -> None:
    reg = _market()
    pairing = broker(reg, k=5).pairings[0]
    seller, buyer = negotiators_for(reg, pairing)
    assert seller.act(0.0, None, None) == (Message.MAKE_OFFER, (15000.0, 3.0))
    assert buyer.act(0.0, None, None) == (Message.MAKE_OFFER, (8000.0, 24.0))


@pytest.mark.parametrize("protocol", ["protocol1", "protocol2"])
def test_brokered_pair_reaches_an_agreement_in_both_zones(protocol: str) -> None:
    reg = _market()
    (outcome,) = negotiate_pairings(reg, broker(reg, k=5), protocol)
    assert (outcome.buyer, outcome.seller, outcome.protocol) == ("b1", "s1", protocol)
    assert outcome.status == "agreed"
    assert outcome.agreement is not None
    assert 9500 - 1e-6 <= outcome.agreement["price"] <= 13000 + 1e-6
    assert 6 - 1e-6 <= outcome.agreement["warranty"] <= 12 + 1e-6
    assert outcome.agreement["delivery"] is True  # the seller's listing


def test_protocol_one_needs_no_more_messages_than_protocol_two() -> None:
    reg = _market()
    pairing = broker(reg, k=5).pairings[0]
    one = negotiate_pair(reg, pairing, "protocol1")
    two = negotiate_pair(reg, pairing, "protocol2")
    assert one.messages <= two.messages


def test_unknown_protocol_and_unknown_pair() -> None:
    reg = _market()
    pairing = broker(reg, k=5).pairings[0]
    with pytest.raises(UnknownKeyError):
        negotiate_pair(reg, pairing, "protocol9")
    ghost = Pairing(
        buyer="x", seller="s1", seller_profit=0, buyer_profit=0, difference=0, candidates=[]
    )
    with pytest.raises(UsageError, match="not in the registry"):
        negotiate_pair(reg, ghost)
