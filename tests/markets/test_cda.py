"""The CDA auctioneer: rule checks answer accept/reject and never lose what is on the book."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from negotiator.markets.cda import run_cda_period
from negotiator.markets.events import Reject
from negotiator.markets.experiments import ExperimentConfig, Schedule, run_experiment
from negotiator.markets.session import AuctionSession
from negotiator.markets.traders import MarketView, Trader, TraderParams, make_trader


@dataclass
class BrokenTrader(Trader):
    """Bids NaN, then a negative price, then its limit."""

    calls: int = 0

    def price(self, view: MarketView) -> float:
        self.calls += 1
        return [math.nan, -5.0][self.calls - 1] if self.calls <= 2 else self.limit


def test_bad_bids_are_rejected_and_the_book_keeps_its_orders() -> None:
    rng = np.random.default_rng(1)  # with this seed the seller's ask comes first
    seller = make_trader("giveaway", "s0", "sell", 50.0, rng=rng)
    buyer = BrokenTrader(name="b0", side="buy", limit=60.0, params=TraderParams(), rng=rng)
    session = AuctionSession([seller, buyer], rng, 0.0, 100.0)
    run_cda_period(session, 0, steps=40)
    answers = [(e.kind, e.trader) for e in session.trace if e.kind in ("accept", "reject")]
    assert answers[:4] == [("accept", "s0"), ("reject", "b0"), ("reject", "b0"), ("accept", "b0")]
    rejects = [e for e in session.trace if isinstance(e, Reject)]
    assert [r.reason for r in rejects] == ["price is NaN", "price -5.0 is below 0"]
    # the seller's ask stayed on the book through the rejected bids and traded at its price
    assert [(t.buyer, t.seller, t.price) for t in session.trades] == [("b0", "s0", 50.0)]


def test_improvement_rule_rejects_bids_that_do_not_beat_the_quote() -> None:
    schedule = Schedule(buyers=(100, 90, 80, 70), sellers=(200, 210))  # nothing can trade
    config = ExperimentConfig(
        mechanism="cda", traders=("giveaway",), periods=1, improve=True, steps=40
    )
    result = run_experiment(schedule, config)
    reasons = [e.reason for e in result.trace if e.kind == "reject"]
    assert reasons and all("does not" in r for r in reasons)
    assert result.trades == 0
