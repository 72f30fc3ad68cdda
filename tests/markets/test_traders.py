"""Bidding agents: CoDABot's formulas (with the seller sign corrections) and benchmarks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UnknownKeyError
from negotiator.markets.traders import TRADERS, MarketView, Shout, TraderParams, make_trader

RNG = np.random.default_rng(0)


def _view(
    bid: float | None = None,
    ask: float | None = None,
    cp: float | None = None,
    left: int = 5,
    **more: object,
) -> MarketView:
    return MarketView(bid, ask, cp, 0.0, 200.0, left, **more)  # type: ignore[arg-type]


def _make(kind: str, side: str, limit: float, alpha: float = 20.0):
    return make_trader(
        kind,
        "t",
        side,
        limit,
        rng=np.random.default_rng(1),  # type: ignore[arg-type]
        params=TraderParams(alpha=alpha),
    )


def test_incremental_steps_toward_the_limit_on_both_sides() -> None:
    assert _make("incremental", "buy", 100).price(_view(bid=50)) == 60.0
    # seller: max(Q^s - (Q^s - P_limit) * a, P_limit): the ask steps DOWN toward the cost
    assert _make("incremental", "sell", 40).price(_view(ask=90)) == 80.0
    assert _make("incremental", "buy", 100).price(_view()) == 20.0  # no Q^b: from the floor


def test_target_steps_from_its_last_price_toward_its_counterpart() -> None:
    buyer = _make("target", "buy", 100)
    view = _view(ask=80, best_ask_owner="s1", live_prices={"s1": 80.0})
    buyer.last_price = 40.0
    assert buyer.price(view) == 48.0
    assert buyer.target == "s1"
    seller = _make("target", "sell", 30)
    seller.last_price = 90.0
    assert seller.price(_view(bid=50, best_bid_owner="b1", live_prices={"b1": 50.0})) == 82.0


def test_clearing_and_timebound_model_the_mean_clearing_price() -> None:
    assert _make("clearing", "buy", 100).price(_view(bid=50, cp=70)) == 54.0
    assert _make("clearing", "sell", 40).price(_view(ask=90, cp=70)) == 86.0
    # time-bound divides the step by the time left: 4 rounds left -> a quarter of the step
    assert _make("timebound", "buy", 100).price(_view(bid=50, cp=70, left=4)) == 51.0
    assert _make("timebound", "sell", 40).price(_view(ask=90, cp=70, left=4)) == 89.0
    # guarded at V_t - P_t <= 0: the full step
    assert _make("timebound", "buy", 100).price(_view(bid=50, cp=70, left=0)) == 54.0


def test_simple_giveaway_and_zi() -> None:
    assert _make("simple", "buy", 100).price(_view()) == 90.0
    assert _make("simple", "sell", 100).price(_view()) == pytest.approx(110.0)
    assert _make("giveaway", "sell", 37).price(_view()) == 37.0
    zic = [_make("zic", "buy", 100).price(_view()) for _ in range(5)]
    assert all(0 <= p <= 100 for p in zic)
    assert not _make("ziu", "buy", 100).constrained


def test_zip_learns_in_the_right_direction() -> None:
    seller = _make("zip", "sell", 100)
    before = seller.price(_view())
    seller.observe(Shout("buy", before + 50, traded=True), active=True)
    assert seller.price(_view()) > before  # a trade above its price: raise the margin
    buyer = _make("zip", "buy", 100)
    before = buyer.price(_view())
    buyer.observe(Shout("buy", before + 10, traded=False), active=True)
    assert buyer.price(_view()) > before  # outbid and still active: bid more


views = st.builds(
    MarketView,
    st.none() | st.floats(0, 300),
    st.none() | st.floats(0, 300),
    st.none() | st.floats(0, 300),
    st.just(0.0),
    st.just(300.0),
    st.integers(-2, 20),
)


@given(
    st.sampled_from(sorted(set(TRADERS) - {"ziu"})),
    st.sampled_from(["buy", "sell"]),
    st.floats(0, 250),
    st.floats(1, 100),
    views,
    st.none() | st.floats(0, 300),
)
def test_no_constrained_trader_prices_beyond_its_limit(
    kind: str, side: str, limit: float, alpha: float, view: MarketView, last: float | None
) -> None:
    trader = _make(kind, side, limit, alpha)
    trader.last_price = last
    price = trader.price(view)
    assert price <= limit if side == "buy" else price >= limit - 1e-9 * limit


def test_unknown_trader_kind() -> None:
    with pytest.raises(UnknownKeyError, match="giveaway, incremental"):
        make_trader("genius", "b0", "buy", 10.0, rng=RNG)
