"""Market experiments: a supply/demand schedule, a trader mix, periods, a seed -> measures.

A schedule is ``{"buyers": [limit prices], "sellers": [costs]}``: one unit per trader,
replenished at the start of every period. Trader kinds are assigned round-robin on each side
(buyer i and seller i get ``traders[i % len(traders)]``). Every trader draws from its own
generator spawned from the seed, so the same inputs give the same trades.

The market's price range is [0, 2 * the highest limit in the schedule] (what ZI traders draw
from and what stands in for a missing quote). Measures: allocative efficiency (realised surplus /
maximum surplus), Smith's alpha, trade count and mean price per period, and the competitive
equilibrium (see :mod:`negotiator.markets.metrics`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import FieldError, InvalidInputError, lookup
from negotiator.files import read_json
from negotiator.markets.cda import run_cda_period
from negotiator.markets.events import AuctionEvent
from negotiator.markets.metrics import allocative_efficiency, equilibrium, smith_alpha
from negotiator.markets.orderbook import Side
from negotiator.markets.pda import run_pda_period
from negotiator.markets.session import AuctionSession
from negotiator.markets.traders import TRADERS, Trader, TraderParams, make_trader

__all__ = [
    "MAX_PRICE",
    "MECHANISMS",
    "ExperimentConfig",
    "ExperimentResult",
    "Schedule",
    "TradeOut",
    "load_schedule",
    "parse_schedule",
    "planned_shouts",
    "run_experiment",
]


MAX_PRICE = 1e12
"""The largest value or cost a schedule may hold (keeps every price range a finite float)."""

Price = Annotated[float, Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)]


class Schedule(BaseModel):
    """Buyers' limit prices and sellers' costs, one unit each.

    Example:
        >>> Schedule(buyers=(10.0, 8.0), sellers=(2.0, 9.0)).buyers
        (10.0, 8.0)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    buyers: tuple[Price, ...] = Field(min_length=1, description="Buyers' values (limits).")
    sellers: tuple[Price, ...] = Field(min_length=1, description="Sellers' costs (limits).")


def _check_prices(key: str, value: object) -> list[FieldError]:
    if not isinstance(value, list):
        return [FieldError(f"$.{key}", f"expected a list of numbers, got {type(value).__name__}")]
    if not value:
        return [FieldError(f"$.{key}", "must not be empty")]
    errors: list[FieldError] = []
    for i, item in enumerate(value):
        path = f"$.{key}[{i}]"
        if isinstance(item, bool) or not isinstance(item, int | float):
            errors.append(FieldError(path, f"{json.dumps(item)} is not a number"))
        elif isinstance(item, float) and not math.isfinite(item):
            errors.append(FieldError(path, f"{item} is not a finite number"))
        elif item > MAX_PRICE:
            errors.append(FieldError(path, f"is above the largest price {MAX_PRICE:g}"))
        elif item < 0:
            errors.append(FieldError(path, f"{item} is below 0"))
    return errors


def parse_schedule(data: object, source: str = "schedule") -> Schedule:
    """Validate decoded JSON as a schedule, reporting every problem by JSON path.

    Raises:
        InvalidInputError: with errors such as ``$.buyers[3]: -5 is below 0``.

    Example:
        >>> parse_schedule({"buyers": [10, 8], "sellers": [2, 9]}).sellers
        (2.0, 9.0)
    """
    if not isinstance(data, dict):
        raise InvalidInputError.single(
            source, "$", 'expected an object {"buyers": [...], "sellers": [...]}'
        )
    errors = [
        FieldError(f"$.{key}", "unknown key (expected buyers, sellers)")
        for key in data
        if key not in ("buyers", "sellers")
    ]
    for key in ("buyers", "sellers"):
        if key not in data:
            errors.append(FieldError(f"$.{key}", "required"))
        else:
            errors.extend(_check_prices(key, data[key]))
    if errors:
        raise InvalidInputError(source, errors)
    return Schedule(buyers=tuple(data["buyers"]), sellers=tuple(data["sellers"]))


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule file.

    Raises:
        InvalidInputError: the file is missing, is not JSON, or fails validation; the error
            names the file and the JSON path.
    """
    return parse_schedule(read_json(path), str(path))


class ExperimentConfig(BaseModel):
    """How to run an experiment.

    Example:
        >>> ExperimentConfig(mechanism="cda", traders=("zic",)).periods
        10
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mechanism: Literal["cda", "pda"] = Field(description="Continuous or periodic auction.")
    traders: tuple[str, ...] = Field(min_length=1, description="Trader kinds, round-robin.")
    periods: int = Field(10, ge=1, description="Trading periods.")
    seed: int = Field(0, ge=0, description="Seed of every random draw.")
    steps: int | None = Field(
        None, ge=1, description="CDA shouts per period; default 10 per trader."
    )
    rounds: int = Field(10, ge=1, description="PDA sealed-bid rounds per period.")
    pricing: Literal["mth", "m+1"] = Field("mth", description="PDA clearing-price rule.")
    improve: bool = Field(False, description="CDA: enforce the spread-improvement rule.")
    params: TraderParams = Field(default_factory=TraderParams)
    keep_trace: bool = Field(True, description="Keep the protocol events.")


class TradeOut(BaseModel):
    """One trade, as reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period: int
    step: int
    buyer: str
    seller: str
    price: float


class ExperimentResult(BaseModel):
    """Measures of one experiment (per-period lists are indexed by period).

    ``alpha`` and ``mean_price`` hold None for a period without trades.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mechanism: str
    traders: tuple[str, ...]
    periods: int
    seed: int
    equilibrium_price: float
    equilibrium_quantity: int
    max_surplus: float = Field(description="Maximum surplus of one period.")
    efficiency: float = Field(description="Realised / maximum surplus over all periods.")
    efficiency_per_period: list[float]
    trades: int = Field(description="Number of trades over all periods.")
    trades_per_period: list[int]
    alpha: list[float | None] = Field(description="Smith's alpha (%) per period.")
    mean_price: list[float | None]
    transactions: list[TradeOut]
    trace: list[AuctionEvent] = Field(default_factory=list, exclude=True)


def _build_traders(schedule: Schedule, config: ExperimentConfig) -> list[Trader]:
    for kind in config.traders:
        lookup(TRADERS, kind, "trader")
    kinds = config.traders
    sides: list[tuple[Side, str, float]] = [
        ("buy", f"b{i}", v) for i, v in enumerate(schedule.buyers)
    ]
    sides += [("sell", f"s{i}", c) for i, c in enumerate(schedule.sellers)]
    seeds = np.random.SeedSequence(config.seed).spawn(len(sides) + 1)[1:]
    traders: list[Trader] = []
    for (side, name, limit), child in zip(sides, seeds, strict=True):
        kind = kinds[int(name[1:]) % len(kinds)]
        rng = np.random.default_rng(child)
        traders.append(make_trader(kind, name, side, limit, rng=rng, params=config.params))
    return traders


Runner = Callable[[AuctionSession, int, ExperimentConfig], None]

MECHANISMS: dict[str, Runner] = {
    "cda": lambda s, p, c: run_cda_period(
        s, p, c.steps or 10 * len(s.traders), ("price", "improve") if c.improve else ("price",)
    ),
    "pda": lambda s, p, c: run_pda_period(s, p, c.rounds, c.pricing),
}


def planned_shouts(schedule: Schedule, config: ExperimentConfig) -> int:
    """How many quotes the experiment will price: its size, for a guard before it runs.

    CDA: periods x shouts per period (default 10 per trader); PDA: periods x rounds x traders.

    Example:
        >>> planned_shouts(Schedule(buyers=(9, 8), sellers=(1, 2)),
        ...                ExperimentConfig(mechanism="cda", traders=("zic",), periods=3))
        120
    """
    traders = len(schedule.buyers) + len(schedule.sellers)
    per_period = (
        (config.steps or 10 * traders) if config.mechanism == "cda" else config.rounds * traders
    )
    return config.periods * per_period


def run_experiment(
    schedule: Schedule,
    config: ExperimentConfig,
    on_period: Callable[[int, int], None] | None = None,
) -> ExperimentResult:
    """Run ``config.periods`` periods of the chosen auction and measure them.

    Args:
        on_period: called after each period with (periods done, periods planned).

    Raises:
        UnknownKeyError: a trader kind is not known (the message lists the valid ones).

    Example:
        >>> sched = Schedule(buyers=(100, 90, 80), sellers=(20, 30, 95))
        >>> result = run_experiment(sched, ExperimentConfig(mechanism="cda", traders=("zic",)))
        >>> result.equilibrium_quantity, 0 < result.efficiency <= 1
        (2, True)
    """
    runner = lookup(MECHANISMS, config.mechanism, "market mechanism")
    traders = _build_traders(schedule, config)
    ceiling = 2 * max((*schedule.buyers, *schedule.sellers)) or 1.0
    root = np.random.default_rng(np.random.SeedSequence(config.seed).spawn(1)[0])
    session = AuctionSession(traders, root, 0.0, ceiling, keep_trace=config.keep_trace)
    for period in range(config.periods):
        runner(session, period, config)
        if on_period is not None:
            on_period(period + 1, config.periods)
    return _measure(schedule, config, session)


def _measure(
    schedule: Schedule, config: ExperimentConfig, session: AuctionSession
) -> ExperimentResult:
    eq = equilibrium(schedule.buyers, schedule.sellers)
    limits = {t.name: t.limit for t in session.traders}
    prices: list[list[float]] = [[] for _ in range(config.periods)]
    surplus = [0.0] * config.periods
    for trade in session.trades:
        prices[trade.period].append(trade.price)
        surplus[trade.period] += limits[trade.buyer] - limits[trade.seller]
    return ExperimentResult(
        mechanism=config.mechanism,
        traders=config.traders,
        periods=config.periods,
        seed=config.seed,
        equilibrium_price=eq.price,
        equilibrium_quantity=eq.quantity,
        max_surplus=eq.max_surplus,
        efficiency=allocative_efficiency(sum(surplus), eq.max_surplus * config.periods),
        efficiency_per_period=[allocative_efficiency(s, eq.max_surplus) for s in surplus],
        trades=len(session.trades),
        trades_per_period=[len(p) for p in prices],
        alpha=[smith_alpha(p, eq.price) for p in prices],
        mean_price=[float(np.mean(p)) if p else None for p in prices],
        transactions=[
            TradeOut(period=t.period, step=t.step, buyer=t.buyer, seller=t.seller, price=t.price)
            for t in session.trades
        ],
        trace=session.trace,
    )
