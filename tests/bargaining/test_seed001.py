from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from negotiator.bargaining import (
    AdditiveUtility,
    BinaryValue,
    LinearValue,
    Message,
    Negotiation,
    Seed001Party,
    Status,
)
from negotiator.bargaining.seed001 import TABLE3, run_price_setting


def test_shape_protocol1_is_faster_and_smaller_weights_need_more_rounds() -> None:
    rounds = {
        p: [run_price_setting(s, p).messages for s in TABLE3] for p in ("protocol1", "protocol2")
    }
    assert all(a < b for a, b in zip(rounds["protocol1"], rounds["protocol2"], strict=True))
    for group in (slice(0, 4), slice(4, 8)):  # weights fall down each group
        for p in rounds:
            assert all(a < b for a, b in pairwise(rounds[p][group])), (p, rounds[p][group])


@pytest.mark.parametrize("setting", TABLE3, ids=lambda s: s.condition)
def test_every_setting_agrees_inside_the_zone(setting) -> None:  # type: ignore[no-untyped-def]
    for protocol in ("protocol1", "protocol2"):
        r = run_price_setting(setting, protocol)
        assert r.status is Status.AGREED and r.agreement is not None
        assert setting.seller_reservation <= r.agreement[0] <= setting.buyer_reservation


def test_setting_one_reads_as_documented() -> None:
    r = run_price_setting(TABLE3[0], "protocol1")
    prices = [e.offer[0] for e in r.trace if e.offer is not None]
    assert prices[:4] == [15000.0, 8000.0, 14250.0, 8400.0]  # seller opens, ×0.95 / ×1.05
    assert r.messages == 7 and prices[-1] == pytest.approx(15000 * 0.95**3)
    r2 = run_price_setting(TABLE3[0], "protocol2")
    assert r2.trace[-1].message is Message.ACCEPT_OFFER


def test_no_zone_breaks_off_after_the_last_offers() -> None:
    setting = replace(TABLE3[0], seller_reservation=12000.0, buyer_reservation=11000.0)
    for protocol in ("protocol1", "protocol2"):
        r = run_price_setting(setting, protocol)
        assert r.status is Status.BROKEN
        assert Message.LAST_OFFER in [e.message for e in r.trace]


def test_price_and_delivery_trade_off_under_both_protocols() -> None:

    seller_u = AdditiveUtility(
        weights=(0.8, 0.2), values=(LinearValue(low=9500, high=15000), BinaryValue(preferred=-1.0))
    )
    buyer_u = AdditiveUtility(
        weights=(0.8, 0.2),
        values=(LinearValue(low=7500, high=13000, increasing=False), BinaryValue(preferred=1.0)),
    )
    for protocol in ("protocol1", "protocol2"):
        seller = Seed001Party(seller_u, [15000, -1.0], [-0.03, 0.0], [9500, -1.0])
        buyer = Seed001Party(buyer_u, [7500, 1.0], [0.03, 0.0], [13000, 1.0])
        r = Negotiation(protocol, (seller, buyer), 500).run()
        assert r.status is Status.AGREED and r.agreement is not None
        assert seller.acceptable(r.agreement) and buyer.acceptable(r.agreement)
        assert r.agreement[1] == -1.0  # nobody conceded on delivery (weight 0)
