"""Markets: seed 003's synchronous broker market and seed 004's double auctions.

* :mod:`~negotiator.markets.agents`, :mod:`~negotiator.markets.sync_market`,
  :mod:`~negotiator.markets.metrics`: the agent generator, the MANAGE/TRANSACTION loop with the
  SMP, BBMP and SBBMP algorithms, and their measures.
* :mod:`~negotiator.markets.orderbook`, :mod:`~negotiator.markets.cda`,
  :mod:`~negotiator.markets.pda`, :mod:`~negotiator.markets.events`,
  :mod:`~negotiator.markets.traders`, :mod:`~negotiator.markets.experiments`,
  :mod:`~negotiator.markets.plots`: the limit order book, the continuous and periodic double
  auctions with CoDABot's message protocol, the bidding agents, experiments and plots.
"""

from negotiator.markets.agents import GeneratorConfig, Population, generate_population
from negotiator.markets.cda import run_cda_period
from negotiator.markets.events import (
    Accept,
    AuctionEvent,
    Bid,
    DisposeWinnerAgents,
    NotifyClearing,
    ReadyBid,
    Reject,
    StartBid,
)
from negotiator.markets.experiments import (
    ExperimentConfig,
    ExperimentResult,
    Schedule,
    load_schedule,
    parse_schedule,
    run_experiment,
)
from negotiator.markets.metrics import (
    Equilibrium,
    MarketMetrics,
    allocative_efficiency,
    equilibrium,
    market_metrics,
    smith_alpha,
)
from negotiator.markets.orderbook import Fill, Order, OrderBook
from negotiator.markets.pda import Clearing, SealedOffer, clear_pda, run_pda_period
from negotiator.markets.plots import plot_experiment
from negotiator.markets.session import AuctionSession, TradeRecord
from negotiator.markets.sync_market import (
    ALGORITHMS,
    MarketConfig,
    MarketRun,
    run_market,
    synchronous_match,
)
from negotiator.markets.traders import TRADERS, MarketView, Shout, Trader, TraderParams, make_trader

__all__ = [
    "ALGORITHMS",
    "TRADERS",
    "Accept",
    "AuctionEvent",
    "AuctionSession",
    "Bid",
    "Clearing",
    "DisposeWinnerAgents",
    "Equilibrium",
    "ExperimentConfig",
    "ExperimentResult",
    "Fill",
    "GeneratorConfig",
    "MarketConfig",
    "MarketMetrics",
    "MarketRun",
    "MarketView",
    "NotifyClearing",
    "Order",
    "OrderBook",
    "Population",
    "ReadyBid",
    "Reject",
    "Schedule",
    "SealedOffer",
    "Shout",
    "StartBid",
    "TradeRecord",
    "Trader",
    "TraderParams",
    "allocative_efficiency",
    "clear_pda",
    "equilibrium",
    "generate_population",
    "load_schedule",
    "make_trader",
    "market_metrics",
    "parse_schedule",
    "plot_experiment",
    "run_cda_period",
    "run_experiment",
    "run_market",
    "run_pda_period",
    "smith_alpha",
    "synchronous_match",
]
