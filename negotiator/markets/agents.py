"""Seed 003's agent generator: buyers and sellers whose wished price moves with time.

Readings of the seed (Kang & Han) chosen here, each a documented choice:

* **Clock.** Integer seconds. An agent is *created* at a whole second drawn uniformly from
  ``[0, creation_window_s)`` (paper: "within 10 minutes") and *expires* at a whole second drawn
  uniformly from ``(created, expiry_window_s]`` (paper: "expiry within 20 minutes", read as an
  absolute market time like the creation time). The mean lifetime is then about 450 s.
* **Prices.** The paper gives one pair of ranges for all agents: start 20000-40000 and final
  50000-100000. A seller "offers its highest price at creation and lowers it", a buyer "does the
  reverse", so buyers *rise* from a start price in the low range to a final price in the high
  range, and sellers *fall* from a start price in the high range to a final price in the low
  range. Every same-product pair therefore crosses at some point of their common life, which
  gives a market where most agents can trade and the algorithms differ in who meets whom.
* **Products.** Each agent wants one of ``products`` (10) products, uniformly; only agents of
  the same product can trade.
* **Policies.** The price moves by a fraction ``f(u)`` of the way from start to final price,
  where ``u = (t - created) / (deadline - created)`` is the agent's relative time in [0, 1]:
  ``linear`` f = u; ``slow_then_steep`` f = u**2 (slow at first, steep near the deadline);
  ``steep_then_slow`` f = 1 - (1 - u)**2. Each agent draws one of the three uniformly. All three
  are kept as data, as the bend k of f(u) = u + k * u * (1 - u).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BUYER",
    "POLICIES",
    "POLICY_NAMES",
    "SELLER",
    "GeneratorConfig",
    "Population",
    "generate_population",
]

BUYER = 0
SELLER = 1

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# name -> bend k of f(u) = u + k * u * (1 - u), the fraction of the start-to-final move made at
# relative time u in [0, 1]: k = 0 is linear, k = -1 gives u**2 (slow, then steep near the
# deadline), k = +1 gives 1 - (1 - u)**2 (steep at first, then slow).
POLICIES: dict[str, float] = {
    "linear": 0.0,
    "slow_then_steep": -1.0,
    "steep_then_slow": 1.0,
}
POLICY_NAMES: tuple[str, ...] = tuple(POLICIES)
_BENDS = np.array(list(POLICIES.values()), dtype=np.float64)


class GeneratorConfig(BaseModel):
    """Parameters of the seed 003 agent generator (defaults are the paper's experiment).

    Example:
        >>> GeneratorConfig().buyers
        1000
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    buyers: int = Field(1000, ge=0, description="Number of buyer agents.")
    sellers: int = Field(1000, ge=0, description="Number of seller agents.")
    products: int = Field(10, ge=1, description="Number of products; agents trade within one.")
    creation_window_s: int = Field(600, ge=1, description="Creation times lie in [0, this).")
    expiry_window_s: int = Field(1200, ge=2, description="Deadlines lie in (created, this].")
    low_range: tuple[float, float] = Field(
        (20000.0, 40000.0), description="Buyers' start / sellers' final price range."
    )
    high_range: tuple[float, float] = Field(
        (50000.0, 100000.0), description="Buyers' final / sellers' start price range."
    )

    @model_validator(mode="after")
    def _check_windows(self) -> GeneratorConfig:
        if self.expiry_window_s <= self.creation_window_s:
            raise ValueError("expiry_window_s must exceed creation_window_s")
        for name in ("low_range", "high_range"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"{name} must satisfy 0 <= low <= high, got ({lo}, {hi})")
        return self


@dataclass(frozen=True)
class Population:
    """A generated scenario: one row per agent (buyers first, then sellers), as numpy arrays.

    Attributes:
        side: ``BUYER`` (0) or ``SELLER`` (1).
        product: product index in ``[0, products)``.
        created: creation second.
        deadline: expiry second (> created); the agent may trade while ``t < deadline``.
        start_price: wished price at creation.
        final_price: wished price at the deadline.
        policy: index into :data:`POLICY_NAMES`.
    """

    side: NDArray[np.int8]
    product: IntArray
    created: IntArray
    deadline: IntArray
    start_price: FloatArray
    final_price: FloatArray
    policy: NDArray[np.int8]

    @property
    def size(self) -> int:
        """Number of agents."""
        return int(self.side.shape[0])

    def price_at(self, idx: IntArray, t: FloatArray | float) -> FloatArray:
        """Wished prices of agents ``idx`` at market time(s) ``t`` (vectorised).

        Example:
            >>> pop = generate_population(GeneratorConfig(buyers=1, sellers=0),
            ...                           np.random.default_rng(0))
            >>> bool(pop.price_at(np.array([0]), float(pop.created[0]))[0] == pop.start_price[0])
            True
        """
        created, inv_span, bend, start, move = self._coefficients
        u = (np.asarray(t, dtype=np.float64) - created[idx]) * inv_span[idx]
        np.clip(u, 0.0, 1.0, out=u)
        frac = u + bend[idx] * u * (1.0 - u)
        return np.asarray(start[idx] + move[idx] * frac)

    @cached_property
    def _coefficients(self) -> tuple[FloatArray, ...]:
        """Per-agent floats for :meth:`price_at`: created, 1/lifetime, bend, start, move."""
        created = self.created.astype(np.float64)
        inv_span = 1.0 / (self.deadline - self.created).astype(np.float64)
        move = self.final_price - self.start_price
        return created, inv_span, _BENDS[self.policy], self.start_price, move


def generate_population(config: GeneratorConfig, rng: np.random.Generator) -> Population:
    """Draw one scenario of buyers and sellers with the seed's parameters.

    Args:
        config: generator parameters.
        rng: the seeded generator; the same seed gives the same population.

    Example:
        >>> pop = generate_population(GeneratorConfig(), np.random.default_rng(1))
        >>> pop.size
        2000
    """
    nb, ns = config.buyers, config.sellers
    n = nb + ns
    side = np.concatenate([np.full(nb, BUYER, np.int8), np.full(ns, SELLER, np.int8)])
    product = rng.integers(0, config.products, n).astype(np.int64)
    created = rng.integers(0, config.creation_window_s, n).astype(np.int64)
    deadline = rng.integers(created + 1, config.expiry_window_s + 1).astype(np.int64)
    low = rng.uniform(*config.low_range, n)
    high = rng.uniform(*config.high_range, n)
    is_buyer = side == BUYER
    start = np.where(is_buyer, low, high)
    final = np.where(is_buyer, high, low)
    policy = rng.integers(0, len(POLICY_NAMES), n).astype(np.int8)
    return Population(side, product, created, deadline, start, final, policy)
