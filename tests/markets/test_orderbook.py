"""The limit order book: price-time priority, resting-price trades, quotes, bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import InvalidInputError
from negotiator.markets.orderbook import OrderBook, validate_order


def test_trade_at_the_resting_price_with_price_time_priority() -> None:
    book = OrderBook()
    book.submit("s1", "sell", 11.0)
    book.submit("s2", "sell", 10.0)
    book.submit("s3", "sell", 10.0)  # same price as s2, later
    fills = book.submit("b1", "buy", 12.0, quantity=2).fills
    assert [(f.seller, f.price) for f in fills] == [("s2", 10.0), ("s3", 10.0)]
    assert book.best_ask == 11.0
    assert book.best_bid is None


def test_quotes_and_partial_fill_rest() -> None:
    book = OrderBook()
    book.submit("b1", "buy", 9.0)
    book.submit("s1", "sell", 12.0, quantity=3)
    result = book.submit("b2", "buy", 13.0, quantity=5)
    assert [f.quantity for f in result.fills] == [3]
    assert result.resting == 2
    assert book.best_bid == 13.0  # Q^b
    assert book.best_ask is None  # Q^s


def test_cancel_removes_from_quotes_and_twice_is_false() -> None:
    book = OrderBook()
    oid = book.submit("b1", "buy", 9.0).order_id
    book.submit("b2", "buy", 8.0)
    assert book.cancel(oid) is True
    assert book.cancel(oid) is False
    assert book.best_bid == 8.0
    assert book.submit("s1", "sell", 7.0).fills[0].buyer == "b2"


@pytest.mark.parametrize(
    ("side", "price", "quantity", "expected"),
    [
        ("buy", -5, 1, "$.price: -5 is below 0"),
        ("buy", math.nan, 1, "$.price: NaN is not a price"),
        ("sell", math.inf, 1, "$.price: inf is not a finite price"),
        ("sell", True, 1, "$.price: True is not a number"),
        ("sell", "10", 1, "$.price: '10' is not a number"),
        ("buy", 10.0, 0, "$.quantity: 0 is below 1"),
        ("hold", 10.0, 1, "$.side: 'hold' is not one of 'buy', 'sell'"),
    ],
)
def test_bad_order_names_the_field_and_keeps_the_book(
    side: str, price: object, quantity: object, expected: str
) -> None:
    book = OrderBook()
    book.submit("b1", "buy", 9.0)
    book.submit("s1", "sell", 12.0)
    with pytest.raises(InvalidInputError) as info:
        book.submit("x", side, price, quantity)  # type: ignore[arg-type]
    assert expected in [str(e) for e in info.value.errors]
    assert [(o.trader, o.price) for o in book.orders()] == [("b1", 9.0), ("s1", 12.0)]
    assert (book.best_bid, book.best_ask) == (9.0, 12.0)


def test_validate_order_collects_every_error() -> None:
    errors = validate_order("up", -1.0, 0)
    assert [e.path for e in errors] == ["$.side", "$.price", "$.quantity"]


orders = st.lists(
    st.tuples(
        st.sampled_from(["buy", "sell", "cancel"]),
        st.integers(0, 40).map(float),
        st.integers(1, 3),
    ),
    max_size=60,
)


def _replay(ops: list[tuple[str, float, int]]) -> tuple[OrderBook, list, dict[int, tuple], set]:
    book = OrderBook()
    fills = []
    submitted: dict[int, tuple] = {}
    cancelled: set[int] = set()
    for i, (side, price, qty) in enumerate(ops):
        if side == "cancel":
            if submitted:
                oid = sorted(submitted)[int(price) % len(submitted)]
                if book.cancel(oid):
                    cancelled.add(oid)
        else:
            result = book.submit(f"t{i}", side, price, qty)  # type: ignore[arg-type]
            submitted[result.order_id] = (side, price, qty)
            fills.extend(result.fills)
        bid, ask = book.best_bid, book.best_ask
        assert bid is None or ask is None or bid < ask, "book left crossed"
    return book, fills, submitted, cancelled


@given(orders)
def test_book_never_crossed_and_no_fill_beyond_a_limit(ops: list[tuple[str, float, int]]) -> None:
    _, fills, submitted, _ = _replay(ops)
    for f in fills:
        assert f.price <= submitted[f.buy_order][1]
        assert f.price >= submitted[f.sell_order][1]


@given(orders)
def test_units_and_money_conserved(ops: list[tuple[str, float, int]]) -> None:
    book, fills, submitted, cancelled = _replay(ops)
    filled = dict.fromkeys(submitted, 0)
    cash: dict[str, float] = {}
    units: dict[str, int] = {}
    for f in fills:
        filled[f.buy_order] += f.quantity
        filled[f.sell_order] += f.quantity
        cash[f.buyer] = cash.get(f.buyer, 0.0) - f.price * f.quantity
        cash[f.seller] = cash.get(f.seller, 0.0) + f.price * f.quantity
        units[f.buyer] = units.get(f.buyer, 0) + f.quantity
        units[f.seller] = units.get(f.seller, 0) - f.quantity
    assert sum(units.values()) == 0
    assert sum(cash.values()) == pytest.approx(0.0, abs=1e-9)
    resting = {o.id: o.quantity for o in book.orders()}
    for oid, (_, _, qty) in submitted.items():
        if oid in cancelled:
            assert filled[oid] <= qty and oid not in resting
        else:
            assert filled[oid] + resting.get(oid, 0) == qty


@given(orders)
def test_same_operations_same_fills(ops: list[tuple[str, float, int]]) -> None:
    assert _replay(ops)[1] == _replay(ops)[1]
