"""Bidding agents for double auctions: CoDABot's five types and the usual benchmark traders.

CoDABot (seed 004), alpha a user percentage, P_limit the limit (a buyer's value, a seller's
cost), Q^b / Q^s the buyers' / sellers' quotes:

* ``simple`` relays the price its user typed. With no user in an experiment, the user is
  modelled as typing the limit shaded by ``shade``: a buyer types P_limit * (1 - shade), a
  seller P_limit * (1 + shade).
* ``incremental``: buyer P = min(Q^b + (P_limit - Q^b) * alpha/100, P_limit);
  seller P = max(Q^s - (Q^s - P_limit) * alpha/100, P_limit). The printed seller formula has
  ``(P_limit - Q^s)``, which would move the ask *up*; the sign is corrected so the ask steps
  down toward the limit.
* ``target``: picks one counterpart (the owner of the best opposite quote when it chooses, and
  again when that counterpart leaves) and steps from its own last price P' toward that
  counterpart's price: buyer min(P' + (P_target - P') * alpha/100, P_limit); seller
  max(P' - (P' - P_target) * alpha/100, P_limit) (seller sign corrected likewise). With no
  target on the book it repeats P'.
* ``clearing``: as ``incremental`` but stepping toward CP_avg, the mean of all past clearing
  prices: buyer min(Q^b + (CP_avg - Q^b) * alpha/100, P_limit); seller
  max(Q^s - (Q^s - CP_avg) * alpha/100, P_limit). Before any clearing CP_avg is the trader's
  own limit (so it behaves as ``incremental``).
* ``timebound``: as ``clearing`` with the step divided by the time left V_t - P_t, measured in
  rounds (one round = one chance per trader) to the period's end; as printed, steps are small
  early and reach the full alpha step in the last round. V_t - P_t <= 0 is guarded as 1.

A missing quote is replaced by the market's extreme on that side: the floor for Q^b, the
ceiling for Q^s (and for P' before a first bid). Benchmark traders: ``ziu`` (Gode & Sunder 1993,
zero intelligence unconstrained: uniform in [floor, ceiling], may trade at a loss), ``zic``
(constrained: a buyer uniform in [floor, value], a seller uniform in [cost, ceiling]), ``zip``
(Cliff 1997, zero intelligence plus: a profit margin adapted by Widrow-Hoff with momentum from
every shout) and ``giveaway`` (truthful: always its limit). Every trader except ``ziu`` never
prices beyond its limit.

Observed behaviour worth knowing: the ``clearing`` and ``timebound`` formulas step *toward*
CP_avg from both sides, so a market made only of them approaches CP_avg without ever crossing
once a first clearing price exists (efficiency near 0); in a PDA, ``target`` agents aiming at each
other close the gap by a factor (1 - 2 alpha/100) per round and never cross when alpha <= 50. Mix
them with other kinds (e.g. ``clearing,zic``) for a lively market.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import lookup
from negotiator.markets.orderbook import Side

__all__ = [
    "TRADERS",
    "MarketView",
    "Shout",
    "Trader",
    "TraderParams",
    "make_trader",
]


class TraderParams(BaseModel):
    """User settings shared by the CoDABot agents.

    Example:
        >>> TraderParams().alpha
        20.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float = Field(20.0, gt=0, le=100, description="Step, percent of the gap per bid.")
    shade: float = Field(0.1, ge=0, lt=1, description="Simple agents' markup off the limit.")


@dataclass(frozen=True, slots=True)
class MarketView:
    """What a bidding agent may read when it prices (the auction's public data)."""

    best_bid: float | None
    best_ask: float | None
    clearing_avg: float | None
    floor: float
    ceiling: float
    time_left: int
    best_bid_owner: str | None = None
    best_ask_owner: str | None = None
    live_prices: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Shout:
    """A bid or ask that reached the market, and whether it traded (at ``price`` if so)."""

    side: Side
    price: float
    traded: bool


@dataclass
class Trader(ABC):
    """Base bidding agent: a name, a side, a limit, its own seeded generator.

    Subclasses implement :meth:`price`; :meth:`observe` lets learners see every shout.
    """

    name: str
    side: Side
    limit: float
    params: TraderParams
    rng: np.random.Generator
    last_price: float | None = None
    constrained: bool = True

    @property
    def buying(self) -> bool:
        """True for a buyer."""
        return self.side == "buy"

    def clamp(self, price: float) -> float:
        """Keep a price on the right side of the limit (never beyond it)."""
        return min(price, self.limit) if self.buying else max(price, self.limit)

    def own_quote(self, view: MarketView) -> float:
        """Q^b for a buyer, Q^s for a seller, or that side's market extreme when missing."""
        if self.buying:
            return view.best_bid if view.best_bid is not None else view.floor
        return view.best_ask if view.best_ask is not None else view.ceiling

    def start_period(self) -> None:
        """A new period: forget the last bid (learned state, if any, is kept)."""
        self.last_price = None

    @abstractmethod
    def price(self, view: MarketView) -> float:
        """The next bid or ask."""

    def observe(self, shout: Shout, active: bool) -> None:
        """See a shout; ``active`` says whether this trader still holds its unit.

        Only learners (ZIP) use it; the others ignore what they see.
        """
        del shout, active


def _step(anchor: float, goal: float, fraction: float) -> float:
    return anchor + (goal - anchor) * fraction


class SimpleTrader(Trader):
    """Relays the user's typed price: the limit shaded by ``params.shade``."""

    def price(self, view: MarketView) -> float:
        shade = self.params.shade
        return self.limit * (1 - shade) if self.buying else self.limit * (1 + shade)


class IncrementalTrader(Trader):
    """Steps alpha percent from its side's quote toward its limit."""

    def price(self, view: MarketView) -> float:
        return self.clamp(_step(self.own_quote(view), self.limit, self.params.alpha / 100))


@dataclass
class TargetTrader(Trader):
    """Steps alpha percent from its last price toward one chosen counterpart's price."""

    target: str | None = None

    def price(self, view: MarketView) -> float:
        if self.target not in view.live_prices:
            self.target = view.best_ask_owner if self.buying else view.best_bid_owner
        last = self.last_price
        if last is None:
            last = view.floor if self.buying else view.ceiling
        if self.target is None:
            return self.clamp(last)
        goal = view.live_prices[self.target]
        return self.clamp(_step(last, goal, self.params.alpha / 100))


class ClearingTrader(Trader):
    """Steps alpha percent from its side's quote toward the mean past clearing price."""

    def divisor(self, view: MarketView) -> float:
        """1 here; the time-bound agent divides by the time left."""
        return 1.0

    def price(self, view: MarketView) -> float:
        goal = view.clearing_avg if view.clearing_avg is not None else self.limit
        fraction = self.params.alpha / (100 * self.divisor(view))
        return self.clamp(_step(self.own_quote(view), goal, fraction))


class TimeBoundTrader(ClearingTrader):
    """Clearing-price modelling with the step divided by the time left (guarded at 1)."""

    def divisor(self, view: MarketView) -> float:
        return float(max(view.time_left, 1))


class GiveawayTrader(Trader):
    """Truthful: always bids exactly its limit."""

    def price(self, view: MarketView) -> float:
        return self.limit


@dataclass
class ZIUTrader(Trader):
    """Zero intelligence, unconstrained: uniform over the whole price range."""

    constrained: bool = False

    def price(self, view: MarketView) -> float:
        return float(self.rng.uniform(view.floor, view.ceiling))


class ZICTrader(Trader):
    """Zero intelligence, constrained: uniform between the market extreme and its limit."""

    def price(self, view: MarketView) -> float:
        if self.buying:
            return float(self.rng.uniform(min(view.floor, self.limit), self.limit))
        return float(self.rng.uniform(self.limit, max(view.ceiling, self.limit)))


@dataclass
class ZIPTrader(Trader):
    """Cliff's ZIP: price = limit * (1 + margin), margin learned from every shout.

    Learning rate beta ~ U(0.1, 0.5), momentum gamma ~ U(0, 0.1), initial |margin| ~
    U(0.05, 0.35); targets perturb the shout price q by a relative U(0, 0.05) and an absolute
    U(0, 0.005 * q) (Cliff's absolute 0.05 on prices near 10 scaled to the shout's price).
    """

    margin: float = 0.0
    beta: float = 0.3
    gamma: float = 0.05
    momentum: float = 0.0

    def __post_init__(self) -> None:
        self.beta = float(self.rng.uniform(0.1, 0.5))
        self.gamma = float(self.rng.uniform(0.0, 0.1))
        size = float(self.rng.uniform(0.05, 0.35))
        self.margin = -size if self.buying else size

    def price(self, view: MarketView) -> float:
        return self.clamp(self.limit * (1 + self.margin))

    def _move_toward(self, target: float) -> None:
        current = self.limit * (1 + self.margin)
        delta = self.beta * (target - current)
        self.momentum = self.gamma * self.momentum + (1 - self.gamma) * delta
        if self.limit <= 0:
            return
        margin = (current + self.momentum) / self.limit - 1
        self.margin = min(0.0, max(-1.0, margin)) if self.buying else max(0.0, margin)

    def _target(self, q: float, up: bool) -> float:
        rel = float(self.rng.uniform(0, 0.05))
        absolute = float(self.rng.uniform(0, 0.005)) * q
        return q * (1 + rel) + absolute if up else q * (1 - rel) - absolute

    def observe(self, shout: Shout, active: bool) -> None:
        p, q = self.limit * (1 + self.margin), shout.price
        if self.buying:
            self._observe_as_buyer(shout, active, p, q)
        else:
            self._observe_as_seller(shout, active, p, q)

    def _observe_as_seller(self, shout: Shout, active: bool, p: float, q: float) -> None:
        if shout.traded and p <= q:
            self._move_toward(self._target(q, up=True))
        elif active and p >= q and (not shout.traded) == (shout.side == "sell"):
            self._move_toward(self._target(q, up=False))

    def _observe_as_buyer(self, shout: Shout, active: bool, p: float, q: float) -> None:
        if shout.traded and p >= q:
            self._move_toward(self._target(q, up=False))
        elif active and p <= q and (not shout.traded) == (shout.side == "buy"):
            self._move_toward(self._target(q, up=True))


TRADERS: dict[str, type[Trader]] = {
    "simple": SimpleTrader,
    "incremental": IncrementalTrader,
    "target": TargetTrader,
    "clearing": ClearingTrader,
    "timebound": TimeBoundTrader,
    "ziu": ZIUTrader,
    "zic": ZICTrader,
    "zip": ZIPTrader,
    "giveaway": GiveawayTrader,
}


def make_trader(
    kind: str,
    name: str,
    side: Side,
    limit: float,
    *,
    rng: np.random.Generator,
    params: TraderParams | None = None,
) -> Trader:
    """Build a trader by its kind name (one of :data:`TRADERS`).

    Raises:
        UnknownKeyError: the kind is not in the table; the message lists the valid names.

    Example:
        >>> t = make_trader("giveaway", "b0", "buy", 120.0, rng=np.random.default_rng(0))
        >>> t.price(MarketView(None, None, None, 0.0, 200.0, 5))
        120.0
    """
    cls = lookup(TRADERS, kind, "trader")
    return cls(name=name, side=side, limit=limit, params=params or TraderParams(), rng=rng)
