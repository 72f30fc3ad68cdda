"""PNG plots of a market experiment: supply/demand with the equilibrium, and prices over time.

matplotlib is an optional extra (``pip install negotiator[plot]``); it is imported only when a
plot is drawn (:func:`negotiator.plotting.write_png`), with the non-interactive Agg backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from negotiator.markets.experiments import ExperimentResult, Schedule
from negotiator.plotting import write_png

__all__ = ["plot_experiment"]


def _steps(prices: tuple[float, ...], descending: bool) -> tuple[list[float], list[float]]:
    """Points of a step curve drawn with ``where="post"``: unit q spans [q - 1, q)."""
    ordered = sorted(prices, reverse=descending)
    return [float(q) for q in range(len(ordered) + 1)], [*ordered, ordered[-1]]


def _supply_demand(ax: Any, schedule: Schedule, result: ExperimentResult) -> None:
    ax.step(*_steps(schedule.buyers, True), where="post", label="demand (values)")
    ax.step(*_steps(schedule.sellers, False), where="post", label="supply (costs)")
    ax.axhline(
        result.equilibrium_price,
        color="grey",
        linestyle="--",
        label=f"P* = {result.equilibrium_price:g}",
    )
    ax.axvline(
        result.equilibrium_quantity,
        color="grey",
        linestyle=":",
        label=f"q* = {result.equilibrium_quantity}",
    )
    ax.set_xlabel("quantity")
    ax.set_ylabel("price")
    ax.set_title("supply and demand")
    ax.legend(fontsize="small")


def _prices_over_time(ax: Any, result: ExperimentResult) -> None:
    prices = [t.price for t in result.transactions]
    ax.plot(np.arange(len(prices)), prices, marker=".", linewidth=0.8, label="trade price")
    ax.axhline(result.equilibrium_price, color="grey", linestyle="--", label="P*")
    boundary = 0
    for count in result.trades_per_period[:-1]:
        boundary += count
        ax.axvline(boundary - 0.5, color="lightgrey", linewidth=0.6)
    ax.set_xlabel("trade number (periods separated by vertical lines)")
    ax.set_ylabel("price")
    ax.set_title(
        f"{result.mechanism.upper()} transaction prices, efficiency {result.efficiency:.3f}"
    )
    ax.legend(fontsize="small")


def plot_experiment(schedule: Schedule, result: ExperimentResult, path: str | Path) -> Path:
    """Write a two-panel PNG (supply/demand with P* and q*; trade prices over time).

    Raises:
        UsageError: matplotlib is not installed.

    Example:
        >>> from negotiator.markets.experiments import ExperimentConfig, run_experiment
        >>> s = Schedule(buyers=(10.0, 8.0), sellers=(2.0, 9.0))
        >>> r = run_experiment(s, ExperimentConfig(mechanism="cda", traders=("zic",)))
        >>> plot_experiment(s, r, "/tmp/market.png").suffix  # doctest: +SKIP
        '.png'
    """

    def draw(axes: Sequence[Any]) -> None:
        _supply_demand(axes[0], schedule, result)
        _prices_over_time(axes[1], result)

    return write_png(path, (11, 4.5), 2, draw)
