"""The periodic double auction: Mth and (M+1)st price clearing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UnknownKeyError
from negotiator.markets.pda import SealedOffer, clear_pda


def _offers(bids: list[float], asks: list[float]) -> list[SealedOffer]:
    out = [SealedOffer(f"b{i}", True, p, i) for i, p in enumerate(bids)]
    return out + [SealedOffer(f"s{i}", False, p, len(bids) + i) for i, p in enumerate(asks)]


def test_single_seller_mth_is_first_price_and_m_plus_1_is_vickrey() -> None:
    offers = _offers([50, 80, 65], [40])
    assert clear_pda(offers, "mth").price == 80
    assert clear_pda(offers, "m+1").price == 65
    assert [(b.trader, s.trader) for b, s in clear_pda(offers).pairs] == [("b1", "s0")]


def test_no_crossing_no_trade() -> None:
    assert clear_pda(_offers([10, 20], [30, 40])).price is None
    assert clear_pda(_offers([10], [])).pairs == ()


def test_unknown_rule() -> None:
    with pytest.raises(UnknownKeyError):
        clear_pda(_offers([1], [1]), "median")


prices = st.lists(st.integers(0, 30).map(float), max_size=12)


@given(prices, prices, st.sampled_from(["mth", "m+1"]))
def test_clearing_price_within_every_winner_limit(
    bids: list[float], asks: list[float], rule: str
) -> None:
    result = clear_pda(_offers(bids, asks), rule)
    b, s = sorted(bids, reverse=True), sorted(asks)
    q = sum(1 for i in range(min(len(b), len(s))) if b[i] >= s[i])
    assert len(result.pairs) == (q if result.price is not None else 0)
    if result.price is None:
        return
    for bid, ask in result.pairs:
        assert ask.price <= result.price <= bid.price
    hi = min(b[q - 1], s[q] if q < len(s) else float("inf"))
    lo = max(s[q - 1], b[q] if q < len(b) else float("-inf"))
    assert result.price == (hi if rule == "mth" else lo)
    # the losers could not have traded at that price among themselves profitably
    losers_b = b[q:]
    losers_s = s[q:]
    assert not losers_b or not losers_s or losers_b[0] < losers_s[0]
