"""Exact outcome analysis on enumerable spaces: Pareto frontier, Nash, Kalai–Smorodinsky, welfare.

Everything works on a utility matrix ``U`` of shape ``(parties, outcomes)`` (one row per party,
e.g. stacked :meth:`AdditiveUtility.evaluate_space` results) and a reservation vector, with numpy
over whole arrays. Definitions used throughout:

* **agreement zone** — outcomes every party weakly prefers to no deal (``U[i] ≥ reservation[i]``);
* **Pareto frontier** — outcomes whose utility point no other outcome dominates (≥ for all parties,
  > for one); equal points do not dominate each other, so duplicates are all kept;
* **Nash point** — the zone outcome maximising ``Π (U[i] − reservation[i])``;
* **Kalai–Smorodinsky point** — the zone outcome maximising ``min_i (U[i] − r_i)/(best_i − r_i)``
  with ``best_i`` the party's best utility in the zone (the discrete KS solution);
* **max welfare** — the outcome maximising ``Σ_i U[i]``.

Ties are broken by the larger utility sum, then by the lowest outcome index. Distances are
Euclidean in utility space; a failed negotiation is measured at the reservation point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from negotiator.errors import InvalidInputError

__all__ = [
    "ScenarioAnalysis",
    "analyze",
    "pareto_mask",
]

FloatArray = NDArray[np.float64]


def pareto_mask(utilities: FloatArray) -> NDArray[np.bool_]:
    """Boolean mask of the Pareto-optimal outcomes of a ``(parties, outcomes)`` utility matrix.

    Two parties: one lexicographic sort and a running maximum (O(n log n)). More parties: a
    vectorised pairwise dominance test (O(n²) memory in blocks).

    Example:
        >>> pareto_mask(np.array([[1.0, 0.5, 0.2], [0.0, 0.5, 0.4]])).tolist()
        [True, True, False]
    """
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] == 0:
        raise InvalidInputError.single("utilities", "$", f"need (parties, outcomes), got {u.shape}")
    return _pareto_2(u[0], u[1]) if u.shape[0] == 2 else _pareto_n(u)


def _pareto_2(a: FloatArray, b: FloatArray) -> NDArray[np.bool_]:
    order = np.lexsort((-b, -a))  # a descending, then b descending
    sa, sb = a[order], b[order]
    n = sa.size
    new = np.ones(n, dtype=bool)
    new[1:] = (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])
    prev_max = np.empty(n)
    prev_max[0] = -np.inf
    np.maximum.accumulate(sb[:-1], out=prev_max[1:])
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))  # group start of each point
    optimal_sorted = (sb > prev_max)[first]
    mask = np.empty(n, dtype=bool)
    mask[order] = optimal_sorted
    return mask


def _pareto_n(u: FloatArray, block: int = 512) -> NDArray[np.bool_]:
    n = u.shape[1]
    dominated = np.zeros(n, dtype=bool)
    for start in range(0, n, block):
        cand = u[:, start : start + block, None]  # (k, b, 1) against all (k, 1, n)
        ge = (u[:, None, :] >= cand).all(axis=0)
        gt = (u[:, None, :] > cand).any(axis=0)
        dominated[start : start + block] = np.any(ge & gt, axis=1)
    return ~dominated


@dataclass(frozen=True)
class ScenarioAnalysis:
    """The exact analysis of one scenario (see the module docstring for definitions).

    Attributes:
        utilities: the ``(parties, outcomes)`` matrix analysed.
        reservation: reservation utility per party.
        pareto: indices of the Pareto-optimal outcomes, ascending.
        frontier: the distinct Pareto utility points, shape ``(points, parties)``, sorted.
        zone_empty: True when no outcome is acceptable to every party.
        nash: outcome index of the Nash point (None when the zone is empty).
        kalai: outcome index of the Kalai–Smorodinsky point (None when the zone is empty).
        max_welfare: outcome index of the maximum utility sum.
    """

    utilities: FloatArray
    reservation: FloatArray
    pareto: NDArray[np.intp]
    frontier: FloatArray
    zone_empty: bool
    nash: int | None
    kalai: int | None
    max_welfare: int

    def point(self, outcome: int | None) -> FloatArray:
        """Utility point of an outcome index, or the reservation point for None (no deal)."""
        return self.reservation.copy() if outcome is None else self.utilities[:, outcome]

    def pareto_distance(self, point: FloatArray) -> float:
        """Euclidean distance from a utility point to the nearest frontier point."""
        return float(np.sqrt(((self.frontier - point) ** 2).sum(axis=1).min()))

    def nash_distance(self, point: FloatArray) -> float:
        """Euclidean distance from a utility point to the Nash point (nan if the zone is empty)."""
        if self.nash is None:
            return float("nan")
        return float(np.linalg.norm(self.utilities[:, self.nash] - point))

    def distances(self, outcome: int | None) -> tuple[float, float]:
        """``(pareto distance, nash distance)`` of an outcome index (None: no deal)."""
        p = self.point(outcome)
        return self.pareto_distance(p), self.nash_distance(p)


def analyze(utilities: FloatArray, reservation: FloatArray | list[float]) -> ScenarioAnalysis:
    """Exact Pareto / Nash / Kalai–Smorodinsky / welfare analysis of an enumerated scenario.

    Args:
        utilities: ``(parties, outcomes)`` utility matrix.
        reservation: one reservation utility per party.

    Raises:
        InvalidInputError: on mismatched shapes or non-finite utilities.

    Example:
        >>> a = analyze(np.array([[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]]), [0.0, 0.0])
        >>> a.nash, a.max_welfare, a.zone_empty
        (1, 1, False)
    """
    u = np.asarray(utilities, dtype=np.float64)
    r = np.asarray(reservation, dtype=np.float64)
    if u.ndim != 2 or r.shape != (u.shape[0],) or u.shape[1] == 0:
        raise InvalidInputError.single(
            "scenario", "$", f"utilities {u.shape} and reservation {r.shape} do not match"
        )
    if not np.isfinite(u).all():
        raise InvalidInputError.single("scenario", "$.utilities", "non-finite utility")
    mask = pareto_mask(u)
    pareto = np.flatnonzero(mask)
    frontier = np.unique(u[:, pareto].T, axis=0)
    welfare = u.sum(axis=0)
    gains = u - r[:, None]
    zone = (gains >= 0).all(axis=0)
    nash = kalai = None
    if zone.any():
        nash = _best(np.where(zone, gains.prod(axis=0), -np.inf), welfare)
        spread = np.where(zone, gains, -np.inf).max(axis=1)
        share = gains / np.where(spread > 0, spread, 1.0)[:, None]
        kalai = _best(np.where(zone & mask, share.min(axis=0), -np.inf), welfare)
    return ScenarioAnalysis(
        utilities=u,
        reservation=r,
        pareto=pareto,
        frontier=frontier,
        zone_empty=not bool(zone.any()),
        nash=nash,
        kalai=kalai,
        max_welfare=_best(welfare, welfare),
    )


def _best(score: FloatArray, welfare: FloatArray) -> int:
    """Index of the highest score; ties → larger welfare → lowest index."""
    top = np.flatnonzero(score == score.max())
    return int(top[np.argmax(welfare[top])])
