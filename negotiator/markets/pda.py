"""The periodic double auction (seed 004; AuctionBot's PDA): sealed bids, cleared at once.

Clearing (Wurman, Walsh & Wellman 1998): with M sell offers among all L offers, sort all L
prices descending; the **Mth-price** rule sets the price to the Mth highest, the **(M+1)st-price**
rule to the (M+1)st highest (none when L = M). Winners: pair buyers by price descending with
sellers by price ascending (ties to the earlier offer); the first q pairs with bid >= ask trade,
all at the one clearing price. That price always lies in [ask_q, bid_q], so no winner trades
beyond its own offer (for the Mth rule it equals min(bid_q, ask_{q+1}); for the (M+1)st,
max(ask_q, bid_{q+1})).

A PDA period runs ``rounds`` sealed-bid rounds: every trader still holding its unit sends a bid
(``bid`` then ``accept``/``reject``: the price must be finite and ``>= 0``); the auctioneer clears;
``notify_clearing`` names all winners and the price; ``dispose_winneragents`` retires them.
Between rounds the last round's losing offers are made public: Q^b is the best losing bid, Q^s
the best losing ask, and target-oriented agents may aim at any losing offer. Time left counts
the rounds still to come.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from negotiator.errors import lookup
from negotiator.markets.events import Accept, Bid, Reject
from negotiator.markets.session import AuctionSession
from negotiator.markets.traders import MarketView, Shout, Trader

__all__ = ["PRICING", "Clearing", "SealedOffer", "clear_pda", "run_pda_period"]


@dataclass(frozen=True, slots=True)
class SealedOffer:
    """One sealed offer: who, which side, what price, and its arrival order."""

    trader: str
    buying: bool
    price: float
    seq: int


@dataclass(frozen=True, slots=True)
class Clearing:
    """The outcome of one clearing: the price (None when nothing trades) and winning pairs."""

    price: float | None
    pairs: tuple[tuple[SealedOffer, SealedOffer], ...]


def _mth(prices: list[float], m: int) -> float | None:
    return prices[m - 1] if m >= 1 else None


def _m_plus_1st(prices: list[float], m: int) -> float | None:
    return prices[m] if len(prices) > m else None


PRICING: dict[str, Callable[[list[float], int], float | None]] = {
    "mth": _mth,
    "m+1": _m_plus_1st,
}


def clear_pda(offers: Sequence[SealedOffer], rule: str = "mth") -> Clearing:
    """Clear sealed offers by the Mth-price (``"mth"``) or (M+1)st-price (``"m+1"``) rule.

    Raises:
        UnknownKeyError: the rule is not in :data:`PRICING`.

    Example:
        >>> offers = [SealedOffer("b0", True, 10, 0), SealedOffer("b1", True, 6, 1),
        ...           SealedOffer("s0", False, 4, 2), SealedOffer("s1", False, 8, 3)]
        >>> clear_pda(offers).price, clear_pda(offers, "m+1").price
        (8, 6)
    """
    price_of = lookup(PRICING, rule, "clearing rule")
    bids = sorted((o for o in offers if o.buying), key=lambda o: (-o.price, o.seq))
    asks = sorted((o for o in offers if not o.buying), key=lambda o: (o.price, o.seq))
    q = 0
    while q < min(len(bids), len(asks)) and bids[q].price >= asks[q].price:
        q += 1
    if q == 0:
        return Clearing(None, ())
    price = price_of(sorted((o.price for o in offers), reverse=True), len(asks))
    if price is None:
        return Clearing(None, ())
    return Clearing(price, tuple(zip(bids[:q], asks[:q], strict=True)))


def _collect(
    session: AuctionSession, view: MarketView, period: int, step: int
) -> list[SealedOffer]:
    offers: list[SealedOffer] = []
    for trader in session.active_traders():
        price = trader.price(view)
        session.emit(
            Bid(period=period, step=step, trader=trader.name, side=trader.side, price=price)
        )
        if math.isnan(price) or math.isinf(price) or price < 0:
            reason = f"price {price} is not a finite number >= 0"
            session.emit(Reject(period=period, step=step, trader=trader.name, reason=reason))
            continue
        trader.last_price = price
        session.emit(Accept(period=period, step=step, trader=trader.name, order_id=-1))
        offers.append(SealedOffer(trader.name, trader.buying, price, len(offers)))
    return offers


def _losers_view(
    session: AuctionSession, offers: list[SealedOffer], result: Clearing, left: int
) -> MarketView:
    """What traders see before the next round: the last round's losing offers and quotes."""
    won = {o.trader for pair in result.pairs for o in pair}
    losers = [o for o in offers if o.trader not in won]
    bids = sorted((o for o in losers if o.buying), key=lambda o: (-o.price, o.seq))
    asks = sorted((o for o in losers if not o.buying), key=lambda o: (o.price, o.seq))
    return MarketView(
        bids[0].price if bids else None,
        asks[0].price if asks else None,
        session.clearing_avg,
        session.floor,
        session.ceiling,
        left,
        bids[0].trader if bids else None,
        asks[0].trader if asks else None,
        {o.trader: o.price for o in losers},
    )


def run_pda_period(session: AuctionSession, period: int, rounds: int, rule: str = "mth") -> None:
    """Run one PDA trading period of sealed-bid rounds; trades accumulate on ``session``.

    Raises:
        UnknownKeyError: the clearing rule is not in :data:`PRICING`.

    Example:
        >>> import numpy as np
        >>> from negotiator.markets.traders import make_trader
        >>> rng = np.random.default_rng(0)
        >>> traders = [make_trader("giveaway", "b0", "buy", 10.0, rng=rng),
        ...            make_trader("giveaway", "s0", "sell", 4.0, rng=rng)]
        >>> session = AuctionSession(traders, rng, 0.0, 20.0)
        >>> run_pda_period(session, 0, rounds=1)
        >>> session.trades[0].price
        10.0
    """
    lookup(PRICING, rule, "clearing rule")
    session.start_period(period)
    view = MarketView(None, None, session.clearing_avg, session.floor, session.ceiling, rounds)
    for step in range(rounds):
        if not session.active_traders():
            break
        offers = _collect(session, view, period, step)
        result = clear_pda(offers, rule)
        _settle(session, result, period, step)
        view = _losers_view(session, offers, result, rounds - step - 1)


def _settle(session: AuctionSession, result: Clearing, period: int, step: int) -> None:
    if result.price is None:
        return
    pairs: list[tuple[Trader, Trader]] = []
    for bid, ask in result.pairs:
        pairs.append((session.by_name[bid.trader], session.by_name[ask.trader]))
        session.holders.discard(bid.trader)
        session.holders.discard(ask.trader)
    session.clear(period, step, result.price, pairs)
    for _ in result.pairs:
        session.broadcast(Shout("buy", result.price, True))
        session.broadcast(Shout("sell", result.price, True))
