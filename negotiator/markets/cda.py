"""The continuous double auction auctioneer (seed 004, CoDABot), one trading period at a time.

A period: ``start_bid`` to all, ``ready_bid`` from each; then ``steps`` shouts. At each step one
trader still holding its unit is drawn uniformly (seeded) and prices a bid or ask from the public
data (quotes Q^b and Q^s, the mean past clearing price, the time left); the auctioneer checks the
rules and answers ``accept`` (the trader's previous order is withdrawn and the new one goes on
the :class:`~negotiator.markets.orderbook.OrderBook`) or ``reject``. A trade (Q^b >= Q^s) is
priced at the resting order (see the order book), announced by ``notify_clearing`` and followed
by ``dispose_winneragents``; both winners retire for the rest of the period. Unfilled orders are
withdrawn at the period's end.

Rules checked (lookup table :data:`RULES`): ``price`` — a finite price ``>= 0`` (always); with
``improve=True`` also the NYSE spread-improvement rule, a new bid must beat Q^b (a new ask must
undercut Q^s) unless it trades at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from negotiator.errors import lookup
from negotiator.markets.events import Accept, Bid, Reject
from negotiator.markets.orderbook import OrderBook
from negotiator.markets.session import AuctionSession
from negotiator.markets.traders import MarketView, Shout, Trader

__all__ = ["RULES", "run_cda_period"]


def _price_rule(trader: Trader, price: float, book: OrderBook) -> str | None:
    if math.isnan(price):
        return "price is NaN"
    if math.isinf(price):
        return f"price {price} is not finite"
    return f"price {price} is below 0" if price < 0 else None


def _improvement_rule(trader: Trader, price: float, book: OrderBook) -> str | None:
    bid, ask = book.best_bid, book.best_ask
    if trader.buying and bid is not None and price <= bid and (ask is None or price < ask):
        return f"bid {price} does not beat Q^b {bid}"
    if not trader.buying and ask is not None and price >= ask and (bid is None or price > bid):
        return f"ask {price} does not undercut Q^s {ask}"
    return None


RuleFn = Callable[[Trader, float, OrderBook], "str | None"]

RULES: dict[str, RuleFn] = {"price": _price_rule, "improve": _improvement_rule}


def _view(session: AuctionSession, book: OrderBook, live: dict[str, int], left: int) -> MarketView:
    prices: dict[str, float] = {}
    bid_owner = ask_owner = None
    bid, ask = book.best_bid, book.best_ask
    for name, order_id in live.items():
        order = book.order(order_id)
        if order is None:
            continue
        prices[name] = order.price
        if order.side == "buy" and order.price == bid and bid_owner is None:
            bid_owner = name
        if order.side == "sell" and order.price == ask and ask_owner is None:
            ask_owner = name
    return MarketView(
        bid,
        ask,
        session.clearing_avg,
        session.floor,
        session.ceiling,
        left,
        bid_owner,
        ask_owner,
        prices,
    )


def _reject_reason(checks: list[RuleFn], trader: Trader, price: float, book: OrderBook) -> str:
    for check in checks:
        reason = check(trader, price, book)
        if reason is not None:
            return reason
    return ""


def _shout(
    session: AuctionSession,
    book: OrderBook,
    live: dict[str, int],
    *,
    trader: Trader,
    where: tuple[int, int, int],
    checks: list[RuleFn],
) -> None:
    """One trader prices, the auctioneer checks, books and clears."""
    period, step, left = where
    price = trader.price(_view(session, book, live, left))
    session.emit(Bid(period=period, step=step, trader=trader.name, side=trader.side, price=price))
    reason = _reject_reason(checks, trader, price, book)
    if reason:
        session.emit(Reject(period=period, step=step, trader=trader.name, reason=reason))
        return
    trader.last_price = price
    old = live.pop(trader.name, None)
    if old is not None:
        book.cancel(old)
    result = book.submit(trader.name, trader.side, price)
    session.emit(Accept(period=period, step=step, trader=trader.name, order_id=result.order_id))
    if result.resting:
        live[trader.name] = result.order_id
    by_name = session.by_name
    for fill in result.fills:
        for name in (fill.buyer, fill.seller):
            order_id = live.pop(name, None)
            if order_id is not None:
                book.cancel(order_id)
            session.holders.discard(name)
        pair = (by_name[fill.buyer], by_name[fill.seller])
        session.clear(period, step, fill.price, [pair])
    shout_price = result.fills[-1].price if result.fills else price
    session.broadcast(Shout(trader.side, shout_price, bool(result.fills)))


def run_cda_period(
    session: AuctionSession, period: int, steps: int, rules: tuple[str, ...] = ("price",)
) -> None:
    """Run one CDA trading period; trades and events accumulate on ``session``.

    Args:
        session: traders, generator, trace and trades; every trader holds one unit.
        period: the period number (for the trace).
        steps: shouts in the period (it ends early when one side has no unit left).
        rules: names from :data:`RULES` the auctioneer applies to every bid.

    Raises:
        UnknownKeyError: a rule name is not in :data:`RULES`.

    Example:
        >>> import numpy as np
        >>> from negotiator.markets.traders import make_trader
        >>> rng = np.random.default_rng(0)
        >>> traders = [make_trader("giveaway", "b0", "buy", 10.0, rng=rng),
        ...            make_trader("giveaway", "s0", "sell", 4.0, rng=rng)]
        >>> session = AuctionSession(traders, rng, 0.0, 20.0)
        >>> run_cda_period(session, 0, steps=4)
        >>> len(session.trades)
        1
    """
    checks = [lookup(RULES, name, "auction rule") for name in rules]
    book = OrderBook()
    session.start_period(period)
    live: dict[str, int] = {}
    per_round = max(len(session.traders), 1)
    for step in range(steps):
        active = session.active_traders()
        if not active:
            break
        trader = active[int(session.rng.integers(len(active)))]
        left = math.ceil((steps - step) / per_round)
        _shout(session, book, live, trader=trader, where=(period, step, left), checks=checks)
