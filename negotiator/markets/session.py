"""What an auctioneer carries through one experiment: traders, generator, trace and trades."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from negotiator.markets.events import (
    AuctionEvent,
    DisposeWinnerAgents,
    NotifyClearing,
    ReadyBid,
    StartBid,
)
from negotiator.markets.traders import Shout, Trader

__all__ = ["AuctionSession", "TradeRecord"]


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One unit traded: who, at what price, when."""

    period: int
    step: int
    buyer: str
    seller: str
    price: float


@dataclass
class AuctionSession:
    """Mutable state of one experiment, shared by the CDA and PDA auctioneers.

    Attributes:
        traders: every bidding agent (buyers and sellers), in a fixed order.
        rng: the experiment's seeded generator (who shouts next).
        floor / ceiling: the market's price range (ZI traders and missing quotes use it).
        trace: the protocol events, in order (only kept when ``keep_trace``).
        trades: every trade, in order.
        holders: names of the traders still holding this period's unit.
    """

    traders: Sequence[Trader]
    rng: np.random.Generator
    floor: float
    ceiling: float
    keep_trace: bool = True
    trace: list[AuctionEvent] = field(default_factory=list, init=False)
    trades: list[TradeRecord] = field(default_factory=list, init=False)
    holders: set[str] = field(default_factory=set, init=False)
    by_name: dict[str, Trader] = field(default_factory=dict, init=False)
    _price_sum: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.traders}

    def start_period(self, period: int) -> None:
        """Replenish one unit per trader; ``start_bid`` to all, ``ready_bid`` from each."""
        self.holders = set(self.by_name)
        self.emit(StartBid(period=period, step=0, traders=tuple(self.by_name)))
        for trader in self.traders:
            trader.start_period()
            self.emit(ReadyBid(period=period, step=0, trader=trader.name))

    def active_traders(self) -> list[Trader]:
        """Traders still holding a unit, in fixed order; empty when one side has none left."""
        active = [t for t in self.traders if t.name in self.holders]
        buying = sum(t.buying for t in active)
        return active if 0 < buying < len(active) else []

    def emit(self, event: AuctionEvent) -> None:
        """Record an event in the trace (dropped when ``keep_trace`` is off)."""
        if self.keep_trace:
            self.trace.append(event)

    @property
    def clearing_avg(self) -> float | None:
        """CP_avg: the mean of every clearing price so far, or None."""
        return self._price_sum / len(self.trades) if self.trades else None

    def clear(
        self, period: int, step: int, price: float, pairs: Sequence[tuple[Trader, Trader]]
    ) -> None:
        """Record a clearing: trades, ``notify_clearing`` then ``dispose_winneragents``."""
        buyers = tuple(b.name for b, _ in pairs)
        sellers = tuple(s.name for _, s in pairs)
        for b, s in pairs:
            self.trades.append(TradeRecord(period, step, b.name, s.name, price))
            self._price_sum += price
        self.emit(
            NotifyClearing(period=period, step=step, price=price, buyers=buyers, sellers=sellers)
        )
        self.emit(DisposeWinnerAgents(period=period, step=step, traders=buyers + sellers))

    def broadcast(self, shout: Shout) -> None:
        """Let every trader observe a shout (learners such as ZIP adapt)."""
        for trader in self.traders:
            trader.observe(shout, trader.name in self.holders)
