"""Concession strategies as pure functions of relative time and state, presets kept as data.

* **Time-dependent family** — the target utility at relative time ``t ∈ [0, 1]`` is
  ``reservation + (best − reservation) · (1 − t^e)``. The exponent ``e`` is the aspiration
  exponent: ``e > 1`` keeps the target high until late (boulware, seed 002's "greedy"), ``e = 1``
  concedes evenly (linear, "cool-headed"), ``e < 1`` concedes early (conceder, "anxious").
  The presets live in :data:`TIME_PRESETS`.
* **Seed 001's multiplicative rule** — ``Offer_{n+1}(x) = Offer_n(x) · (1 + Weight(x))`` per
  attribute, stopped at the party's limit (weight negative for a seller's price).
* **Pareto target** (the default agent's curve) — the time-dependent curve from the best utility
  down to the reservation, but never below the best offer the opponent has made so far: never
  ask for less than has already been offered.
* **Tit-for-tat** — concede, in one's own utility, as much as the opponent has conceded so far
  as seen by oneself (its best offer's gain over its first), never below the reservation.

Every target is clamped to ``[reservation, best]``, so concession never crosses the reservation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from negotiator.errors import InvalidInputError, lookup

__all__ = [
    "CONCESSIONS",
    "TIME_PRESETS",
    "Concession",
    "ParetoTarget",
    "TimeDependent",
    "TitForTat",
    "concession",
    "multiplicative_step",
    "preset_exponent",
    "time_dependent_target",
    "tit_for_tat_target",
]

#: Aspiration exponents of the named time-dependent strategies (seed 002's names as aliases).
TIME_PRESETS: Mapping[str, float] = MappingProxyType(
    {
        "boulware": 4.0,
        "greedy": 4.0,
        "linear": 1.0,
        "cool-headed": 1.0,
        "conceder": 0.25,
        "anxious": 0.25,
    }
)


def preset_exponent(name: str) -> float:
    """The aspiration exponent of a named preset.

    Raises:
        UnknownKeyError: listing the preset names.

    Example:
        >>> preset_exponent("boulware")
        4.0
    """
    return lookup(TIME_PRESETS, name, "time-dependent strategy")


def time_dependent_target(t: float, exponent: float, best: float, reservation: float) -> float:
    """Target utility at relative time ``t`` (clamped to ``[0, 1]``) for an aspiration exponent.

    Example:
        >>> time_dependent_target(0.5, 2.0, best=1.0, reservation=0.0)
        0.75
    """
    tt = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
    floor = min(reservation, best)
    return float(floor + (best - floor) * (1.0 - tt**exponent))


def tit_for_tat_target(
    opponent_first: float | None,
    opponent_best: float | None,
    best: float,
    reservation: float,
) -> float:
    """Target of a tit-for-tat negotiator: concede as much as the opponent has conceded so far.

    The opponent's concession is measured in one's own utility: the gain of its best offer so
    far over its first offer. Using the cumulative gain (not the last step) keeps the target
    monotone and immune to an opponent whose offers wobble.

    Args:
        opponent_first: own utility of the opponent's first offer (None before it).
        opponent_best: own utility of the opponent's best offer so far (None before it).
        best: own best utility.
        reservation: own reservation utility.

    Example:
        >>> round(tit_for_tat_target(0.2, 0.35, best=1.0, reservation=0.0), 2)
        0.85
    """
    if opponent_first is None or opponent_best is None:
        return best
    return max(reservation, best - max(0.0, opponent_best - opponent_first))


def multiplicative_step(
    offer: NDArray[np.float64],
    weights: NDArray[np.float64],
    limits: NDArray[np.float64],
) -> tuple[NDArray[np.float64], bool]:
    """Seed 001's rule ``Offer_{n+1}(x) = Offer_n(x)·(1 + Weight(x))``, stopped at the limits.

    Each attribute moves towards its limit (a negative weight lowers it) and never passes it.

    Args:
        offer: the current offer, one value per attribute.
        weights: concession weight per attribute (0 keeps the attribute fixed).
        limits: the party's reservation value per attribute.

    Returns:
        The next offer and whether every moving attribute now sits at its limit (a last offer).

    Raises:
        InvalidInputError: on mismatched lengths.

    Example:
        >>> nxt, last = multiplicative_step(np.array([15000.0]), np.array([-0.05]),
        ...                                 np.array([9500.0]))
        >>> float(nxt[0]), last
        (14250.0, False)
    """
    if not offer.shape == weights.shape == limits.shape:
        raise InvalidInputError.single(
            "offer", "$", f"shapes {offer.shape}, {weights.shape}, {limits.shape} differ"
        )
    raw = offer * (1.0 + weights)
    nxt = np.where(weights < 0, np.maximum(raw, limits), np.minimum(raw, limits))
    nxt = np.where(weights == 0, offer, nxt)
    moving = weights != 0
    return nxt, bool(np.all(nxt[moving] == limits[moving]))


class Concession(Protocol):
    """A concession policy: the next target utility from time and the opponent's moves."""

    def target(
        self,
        t: float,
        opponent_first: float | None,
        opponent_best: float | None,
        best: float,
        reservation: float,
    ) -> float:
        """Next target utility (own scale) at relative time ``t``.

        Args:
            t: relative time in ``[0, 1]``.
            opponent_first: own utility of the opponent's first offer, if any.
            opponent_best: own utility of the opponent's best offer so far, if any.
            best: own best utility.
            reservation: own reservation utility.
        """
        ...


@dataclass(frozen=True, slots=True)
class TimeDependent:
    """The time-dependent family with aspiration exponent ``exponent`` (see the module doc).

    Example:
        >>> TimeDependent(1.0).target(0.25, None, None, best=1.0, reservation=0.0)
        0.75
    """

    exponent: float

    def target(
        self,
        t: float,
        opponent_first: float | None,
        opponent_best: float | None,
        best: float,
        reservation: float,
    ) -> float:
        """``time_dependent_target(t, exponent, best, reservation)``; history is ignored."""
        return time_dependent_target(t, self.exponent, best, reservation)


@dataclass(frozen=True, slots=True)
class TitForTat:
    """Naive tit-for-tat: mirror the opponent's last concession (see :func:`tit_for_tat_target`).

    Example:
        >>> round(TitForTat().target(0.5, 0.2, 0.35, best=1.0, reservation=0.0), 2)
        0.85
    """

    def target(
        self,
        t: float,
        opponent_first: float | None,
        opponent_best: float | None,
        best: float,
        reservation: float,
    ) -> float:
        """The tit-for-tat target; time is ignored."""
        return tit_for_tat_target(opponent_first, opponent_best, best, reservation)


@dataclass(frozen=True, slots=True)
class ParetoTarget:
    """Time-dependent target, never below the opponent's best offer so far.

    Example:
        >>> ParetoTarget(1.0).target(0.5, 0.2, 0.6, best=1.0, reservation=0.0)
        0.6
    """

    exponent: float = 2.0

    def target(
        self,
        t: float,
        opponent_first: float | None,
        opponent_best: float | None,
        best: float,
        reservation: float,
    ) -> float:
        """``max(time_dependent_target(t, exponent, best, reservation), opponent_best)``."""
        curve = time_dependent_target(t, self.exponent, best, reservation)
        return curve if opponent_best is None else max(curve, min(opponent_best, best))


#: Named concession policies (the time-dependent presets and tit-for-tat).
CONCESSIONS: Mapping[str, Concession] = MappingProxyType(
    {name: TimeDependent(e) for name, e in TIME_PRESETS.items()} | {"tit-for-tat": TitForTat()}
)


def concession(name: str) -> Concession:
    """The named concession policy.

    Raises:
        UnknownKeyError: listing the names.

    Example:
        >>> concession("conceder")
        TimeDependent(exponent=0.25)
    """
    return lookup(CONCESSIONS, name, "strategy")
