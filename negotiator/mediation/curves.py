"""Per-attribute strategy (gain) curves of seed 002, each with its exact inverse.

A negotiator hands the mediator, for every attribute, the range it can concede over and a curve
that says how much *gain* (satisfaction) it gets from each attribute value. The mediator needs
both directions: step 2 of seed 002 turns a gain of one agent into an attribute value (the
inverse), step 3 turns that value into the other agent's gain (the curve itself).

Reading of "anxious / cool-headed / greedy" (seed 002, fig. 1; the time-dependent family of
Faratin et al.): an agent that would offer value ``x`` at relative time ``t`` of its concession
schedule gets gain ``gain_best - (gain_best - gain_worst) * t``. With the concession schedule
``s(t) = t ** (1 / e)`` (``s`` the fraction of the range conceded) this gives the gain curve

    gain(x) = gain_best - (gain_best - gain_worst) * s ** e,   s = (x - best) / (worst - best)

* anxious (conceder, ``e > 1``): gives ground early, so the first concessions cost little gain;
* cool-headed (linear, ``e = 1``);
* greedy (boulware, ``e < 1``): every early unit conceded costs much gain.

The exponents are data (:data:`STRATEGY_EXPONENTS`). Any other exponent gives a further
non-linear curve, and :class:`PiecewiseCurve` takes an arbitrary strictly monotone shape through
given points. Every curve is strictly monotone over its range, so the inverse is exact (closed
form or exact linear interpolation), up to floating point.

Values outside a curve's range have no gain (``nan``): that is seed 002's "no corresponding
attribute value" of step 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from negotiator.errors import UsageError, lookup

__all__ = [
    "STRATEGY_EXPONENTS",
    "Curve",
    "PiecewiseCurve",
    "PowerCurve",
    "strategy_curve",
]

FloatArray = npt.NDArray[np.float64]

#: Relative tolerance (of the range width) within which a value counts as inside a range.
RANGE_TOLERANCE = 1e-9

#: Named strategy presets (seed 002, fig. 1) -> exponent ``e`` of the gain curve (see module doc).
STRATEGY_EXPONENTS: Mapping[str, float] = MappingProxyType(
    {"anxious": 3.0, "cool-headed": 1.0, "greedy": 1.0 / 3.0}
)


@runtime_checkable
class Curve(Protocol):
    """A strictly monotone gain curve over an attribute range, with its exact inverse."""

    @property
    def value_range(self) -> tuple[float, float]:
        """The attribute range ``(low, high)`` the agent can concede over."""
        ...

    @property
    def gain_range(self) -> tuple[float, float]:
        """The gains ``(low, high)`` the curve takes over its range."""
        ...

    def gain(self, x: npt.ArrayLike) -> FloatArray:
        """Gain at attribute values ``x``; ``nan`` outside :attr:`value_range`."""
        ...

    def value(self, g: npt.ArrayLike) -> FloatArray:
        """The attribute value whose gain is ``g`` (the inverse); ``nan`` outside the gains."""
        ...


def _inside(x: FloatArray, low: float, high: float) -> npt.NDArray[np.bool_]:
    tol = RANGE_TOLERANCE * max(high - low, 1.0)
    return (x >= low - tol) & (x <= high + tol)


@dataclass(frozen=True)
class PowerCurve:
    """``gain = gain_best - (gain_best - gain_worst) * s ** exponent`` over ``best .. worst``.

    Args:
        best: the attribute value the agent likes most (it may be above or below ``worst``).
        worst: the furthest value the agent can concede to.
        gain_best: gain at ``best``; must exceed ``gain_worst``.
        gain_worst: gain at ``worst``.
        exponent: ``> 1`` anxious, ``1`` cool-headed, ``< 1`` greedy.

    Raises:
        UsageError: when ``best == worst``, ``gain_best <= gain_worst`` or ``exponent <= 0``.

    Example:
        >>> c = PowerCurve(best=100.0, worst=0.0, gain_best=10.0, gain_worst=0.0, exponent=2.0)
        >>> float(c.gain(50.0)), float(c.value(c.gain(50.0)))
        (7.5, 50.0)
    """

    best: float
    worst: float
    gain_best: float
    gain_worst: float
    exponent: float = 1.0

    def __post_init__(self) -> None:
        if not np.isfinite([self.best, self.worst, self.gain_best, self.gain_worst]).all():
            raise UsageError("curve values must be finite numbers")
        if self.best == self.worst:
            raise UsageError(f"curve range is empty: best == worst == {self.best}")
        if not self.gain_best > self.gain_worst:
            raise UsageError(
                f"gain_best ({self.gain_best}) must exceed gain_worst ({self.gain_worst})"
            )
        if not (np.isfinite(self.exponent) and self.exponent > 0):
            raise UsageError(f"exponent must be a positive number, got {self.exponent}")

    @property
    def value_range(self) -> tuple[float, float]:
        """``(min(best, worst), max(best, worst))``."""
        return (min(self.best, self.worst), max(self.best, self.worst))

    @property
    def gain_range(self) -> tuple[float, float]:
        """``(gain_worst, gain_best)``."""
        return (self.gain_worst, self.gain_best)

    def gain(self, x: npt.ArrayLike) -> FloatArray:
        """Gain at ``x`` (``nan`` outside the range)."""
        xs = np.asarray(x, dtype=np.float64)
        s = np.clip((xs - self.best) / (self.worst - self.best), 0.0, 1.0)
        g = self.gain_best - (self.gain_best - self.gain_worst) * s**self.exponent
        return np.where(_inside(xs, *self.value_range), g, np.nan)

    def value(self, g: npt.ArrayLike) -> FloatArray:
        """Attribute value with gain ``g`` (``nan`` outside the gain range)."""
        gs = np.asarray(g, dtype=np.float64)
        frac = np.clip((self.gain_best - gs) / (self.gain_best - self.gain_worst), 0.0, 1.0)
        x = self.best + (self.worst - self.best) * frac ** (1.0 / self.exponent)
        x = np.clip(x, *self.value_range)  # rounding must not leave the range
        return np.where(_inside(gs, *self.gain_range), x, np.nan)


@dataclass(frozen=True)
class PiecewiseCurve:
    """A piecewise-linear gain curve through ``points`` (any strictly monotone shape).

    Args:
        points: ``(value, gain)`` pairs with strictly increasing values and strictly increasing
            or strictly decreasing gains (so the inverse exists); at least two.

    Raises:
        UsageError: too few points, values not increasing, or gains not strictly monotone.

    Example:
        >>> c = PiecewiseCurve(((0.0, 0.0), (5.0, 8.0), (10.0, 10.0)))
        >>> float(c.gain(2.5)), float(c.value(9.0))
        (4.0, 7.5)
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise UsageError("a piecewise curve needs at least two points")
        xs, gs = self._xs, self._gs
        if not np.isfinite(xs).all() or not np.isfinite(gs).all():
            raise UsageError("piecewise curve points must be finite numbers")
        if not (np.diff(xs) > 0).all():
            raise UsageError("piecewise curve values must be strictly increasing")
        dg = np.diff(gs)
        if not ((dg > 0).all() or (dg < 0).all()):
            raise UsageError("piecewise curve gains must be strictly increasing or decreasing")

    @property
    def _xs(self) -> FloatArray:
        return np.array([p[0] for p in self.points], dtype=np.float64)

    @property
    def _gs(self) -> FloatArray:
        return np.array([p[1] for p in self.points], dtype=np.float64)

    @property
    def value_range(self) -> tuple[float, float]:
        """First and last point values."""
        return (self.points[0][0], self.points[-1][0])

    @property
    def gain_range(self) -> tuple[float, float]:
        """Smallest and largest gain."""
        gs = self._gs
        return (float(gs.min()), float(gs.max()))

    def gain(self, x: npt.ArrayLike) -> FloatArray:
        """Linear interpolation of the gain (``nan`` outside the range)."""
        xs = np.asarray(x, dtype=np.float64)
        g = np.interp(xs, self._xs, self._gs)
        return np.where(_inside(xs, *self.value_range), g, np.nan)

    def value(self, g: npt.ArrayLike) -> FloatArray:
        """Linear interpolation of the inverse (``nan`` outside the gain range)."""
        gs = np.asarray(g, dtype=np.float64)
        px, pg = self._xs, self._gs
        if pg[0] > pg[-1]:
            px, pg = px[::-1], pg[::-1]
        x = np.interp(gs, pg, px)
        return np.where(_inside(gs, *self.gain_range), x, np.nan)


def strategy_curve(
    kind: str, best: float, worst: float, gain_best: float, gain_worst: float
) -> PowerCurve:
    """Build the named strategy curve (``anxious``, ``cool-headed`` or ``greedy``).

    Raises:
        UnknownKeyError: ``kind`` is not in :data:`STRATEGY_EXPONENTS`.

    Example:
        >>> strategy_curve("greedy", 0.0, 10.0, 1.0, 0.0).exponent < 1
        True
    """
    exponent = lookup(STRATEGY_EXPONENTS, kind, "strategy")
    return PowerCurve(best, worst, gain_best, gain_worst, exponent)
