"""Market metrics: seed 003's transactions / spread / time to trade, and double-auction measures.

Double-auction measures (Smith 1962; Gode & Sunder 1993):

* **Competitive equilibrium** of a schedule: buyers' values sorted descending, sellers' costs
  ascending; the equilibrium quantity q* is the number of pairs with value >= cost; every price
  in ``[max(c_q*, v_q*+1), min(v_q*, c_q*+1)]`` clears the market and P* is that interval's
  midpoint (a missing neighbour leaves that end at the marginal pair's own price).
* **Maximum surplus** = sum of (v_i - c_i) over the q* pairs.
* **Allocative efficiency** = realised surplus (sum of buyer value - seller cost over trades;
  the price cancels) / maximum surplus.
* **Smith's alpha** for one period = 100 * sqrt(mean((p - P*)^2)) / P*, over that period's
  trade prices (None when the period had no trade or P* is 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from negotiator.markets.sync_market import MarketRun

__all__ = [
    "Equilibrium",
    "MarketMetrics",
    "allocative_efficiency",
    "equilibrium",
    "market_metrics",
    "smith_alpha",
]


class MarketMetrics(BaseModel):
    """Seed 003's three measures of one market run.

    Example:
        >>> MarketMetrics(transactions=0, mean_spread=0.0, mean_time_to_trade=0.0).transactions
        0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    transactions: int = Field(ge=0, description="Number of buyer-seller pairs that traded.")
    mean_spread: float = Field(description="Mean of buyer price - seller price over trades.")
    mean_time_to_trade: float = Field(
        description="Mean of trade time - creation time over every agent that traded, seconds."
    )


def market_metrics(run: MarketRun) -> MarketMetrics:
    """Compute transactions, mean spread and mean time to trade of a run (0 when no trade).

    Example:
        >>> from negotiator.markets.agents import GeneratorConfig, generate_population
        >>> from negotiator.markets.sync_market import run_market
        >>> pop = generate_population(GeneratorConfig(buyers=20, sellers=20),
        ...                           np.random.default_rng(0))
        >>> market_metrics(run_market(pop, "sbbmp")).transactions > 0
        True
    """
    n = len(run.buyers)
    if n == 0:
        return MarketMetrics(transactions=0, mean_spread=0.0, mean_time_to_trade=0.0)
    spread = np.asarray(run.buyer_prices) - np.asarray(run.seller_prices)
    times = np.asarray(run.times)
    created = run.population.created
    waits = np.concatenate(
        [times - created[np.asarray(run.buyers)], times - created[np.asarray(run.sellers)]]
    )
    return MarketMetrics(
        transactions=n, mean_spread=float(spread.mean()), mean_time_to_trade=float(waits.mean())
    )


class Equilibrium(BaseModel):
    """Competitive equilibrium of a one-unit-per-trader schedule.

    Example:
        >>> equilibrium([10, 8, 3], [2, 5, 9]).quantity
        2
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: float = Field(description="P*: midpoint of the clearing-price interval.")
    low: float = Field(description="Lowest price that clears the market.")
    high: float = Field(description="Highest price that clears the market.")
    quantity: int = Field(ge=0, description="q*: number of units traded at equilibrium.")
    max_surplus: float = Field(ge=0, description="Total surplus of the efficient allocation.")


def equilibrium(values: Sequence[float], costs: Sequence[float]) -> Equilibrium:
    """Find q*, the clearing-price interval, P* and the maximum surplus of a schedule.

    Args:
        values: buyers' limit prices (one unit each).
        costs: sellers' costs (one unit each).

    Example:
        >>> equilibrium([10, 8, 3], [2, 5, 9]).price
        6.5
    """
    v = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    c = np.sort(np.asarray(costs, dtype=np.float64))
    m = min(v.size, c.size)
    q = int(np.count_nonzero(v[:m] >= c[:m]))
    if q == 0:
        lo = float(v[0]) if v.size else 0.0
        hi = float(c[0]) if c.size else lo
        lo, hi = min(lo, hi), max(lo, hi)
        return Equilibrium(price=(lo + hi) / 2, low=lo, high=hi, quantity=0, max_surplus=0.0)
    low = max(c[q - 1], v[q]) if q < v.size else c[q - 1]
    high = min(v[q - 1], c[q]) if q < c.size else v[q - 1]
    surplus = float(np.sum(v[:q] - c[:q]))
    return Equilibrium(
        price=float(low + high) / 2,
        low=float(low),
        high=float(high),
        quantity=q,
        max_surplus=surplus,
    )


def allocative_efficiency(realised: float, maximum: float) -> float:
    """Realised surplus / maximum surplus (1.0 when the maximum is 0 and nothing was lost).

    Example:
        >>> allocative_efficiency(45.0, 50.0)
        0.9
    """
    if maximum <= 0:
        return 1.0 if realised >= 0 else 0.0
    return realised / maximum


def smith_alpha(prices: Sequence[float], p_star: float) -> float | None:
    """Smith's coefficient of convergence, in percent, of one period's trade prices.

    Example:
        >>> smith_alpha([90.0, 110.0], 100.0)
        10.0
    """
    if not prices or p_star == 0:
        return None
    p = np.asarray(prices, dtype=np.float64)
    return 100.0 * math.sqrt(float(np.mean((p - p_star) ** 2))) / p_star
