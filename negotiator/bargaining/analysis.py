"""Exact outcome analysis on enumerable spaces: Pareto frontier, Nash, Kalai–Smorodinsky, welfare.

Everything works on a utility matrix ``U`` of shape ``(parties, outcomes)`` (one row per party)
and a reservation vector, with numpy over whole arrays. Definitions used throughout:

* **agreement zone** — outcomes every party weakly prefers to no deal (``U[i] ≥ reservation[i]``);
* **Pareto frontier** — outcomes whose utility point no other outcome dominates (≥ for all parties,
  > for one); equal points do not dominate each other, so duplicates are all kept;
* **Nash point** — the zone outcome maximising ``Π (U[i] − reservation[i])``;
* **Kalai–Smorodinsky point** — the Pareto-optimal zone outcome maximising
  ``min_i (U[i] − r_i)/(best_i − r_i)`` with ``best_i`` the party's best utility in the zone
  (a term is 0 when ``best_i = r_i``; the discrete KS solution);
* **max welfare** — the outcome maximising ``Σ_i U[i]``.

**Exactness.** An integer matrix (e.g. points, see :class:`~negotiator.bargaining.PointsUtility`)
is compared exactly. A float matrix is compared with a *relative tolerance* ``rtol`` (default
``1e-9``): two values of one quantity (a party's utility, a welfare, a Nash product, a KS share)
closer than ``rtol × max |quantity|`` count as equal — values are sorted and neighbours within
that gap are merged into one rank, so equality stays transitive. Differences that small are
rounding noise (normalising points to [0, 1] leaves last-bit differences between equal scores).

**Tie rules.** Nash, Kalai–Smorodinsky and max welfare break ties by the larger utility sum, then
by the lowest outcome index. All three are Pareto-optimal (for Nash and max welfare this follows
from the tie rule: an outcome dominating a maximiser is a maximiser with a larger sum).

**Distances** are Euclidean in *normalised* utility space: each party's utilities are mapped by
``(u − low)/(high − low)`` with ``low``/``high`` its worst and best outcome (a party indifferent
among all outcomes is mapped to 0). A failed negotiation is measured at the reservation point.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from negotiator.errors import InvalidInputError

__all__ = [
    "DEFAULT_RTOL",
    "OutcomeScores",
    "ScenarioAnalysis",
    "analyze",
    "pareto_mask",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: Relative tolerance for float utilities (see the module docstring).
DEFAULT_RTOL = 1e-9


def _matrix(utilities: NDArray[np.generic] | list[list[float]]) -> NDArray[np.generic]:
    u = np.asarray(utilities)
    if u.dtype.kind in "iub":
        return u.astype(np.int64)
    return u.astype(np.float64)


def ranks(values: NDArray[np.generic], rtol: float = DEFAULT_RTOL) -> IntArray:
    """Dense ranks of values, merging neighbours within ``rtol × max |value|`` (exact for ints).

    Example:
        >>> ranks(np.array([0.3, 0.1 + 0.2, 0.5])).tolist()
        [0, 0, 1]
    """
    order = np.argsort(values, kind="stable")
    s = values[order]
    if s.size == 0:
        return np.zeros(0, dtype=np.int64)
    # sorted: the largest magnitude is at one end
    eps = 0 if values.dtype.kind in "iuO" else rtol * max(abs(float(s[0])), abs(float(s[-1])))
    step = np.zeros(s.size, dtype=np.int64)
    step[1:] = np.greater(np.subtract(s[1:], s[:-1]), eps)
    out = np.empty(s.size, dtype=np.int64)
    out[order] = np.cumsum(step)
    return out


def pareto_mask(
    utilities: NDArray[np.generic] | list[list[float]], rtol: float = DEFAULT_RTOL
) -> NDArray[np.bool_]:
    """Boolean mask of the Pareto-optimal outcomes of a ``(parties, outcomes)`` utility matrix.

    Integer matrices are exact; float matrices use the relative tolerance (module docstring).
    Two parties: one lexicographic sort and a running maximum (O(n log n)). More parties: a
    vectorised pairwise dominance test (in blocks).

    Raises:
        InvalidInputError: for a matrix that is not ``(parties, outcomes)``.

    Example:
        >>> pareto_mask(np.array([[1.0, 0.5, 0.2], [0.0, 0.5, 0.4]])).tolist()
        [True, True, False]
    """
    u = _matrix(utilities)
    if u.ndim != 2 or u.shape[1] == 0:
        raise InvalidInputError.single("utilities", "$", f"need (parties, outcomes), got {u.shape}")
    r = np.vstack([ranks(row, rtol) for row in u])
    return _pareto_2(r[0], r[1]) if r.shape[0] == 2 else _pareto_n(r)


def _pareto_2(a: IntArray, b: IntArray) -> NDArray[np.bool_]:
    order = np.lexsort((-b, -a))  # a descending, then b descending
    sa, sb = a[order], b[order]
    n = sa.size
    new = np.ones(n, dtype=bool)
    new[1:] = (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])
    prev_max = np.empty(n, dtype=np.int64)
    prev_max[0] = -1
    np.maximum.accumulate(sb[:-1], out=prev_max[1:])
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))  # group start of each point
    optimal_sorted = (sb > prev_max)[first]
    mask = np.empty(n, dtype=bool)
    mask[order] = optimal_sorted
    return mask


def _pareto_n(u: IntArray, block: int = 512) -> NDArray[np.bool_]:
    n = u.shape[1]
    dominated = np.zeros(n, dtype=bool)
    for start in range(0, n, block):
        cand = u[:, start : start + block, None]  # (k, b, 1) against all (k, 1, n)
        ge = (u[:, None, :] >= cand).all(axis=0)
        gt = (u[:, None, :] > cand).any(axis=0)
        dominated[start : start + block] = np.any(ge & gt, axis=1)
    return ~dominated


@dataclass(frozen=True)
class OutcomeScores:
    """How good one outcome (or no deal) is, for every party, measured against the scenario.

    Attributes:
        utilities: raw utility per party (points for points utilities; reservation if no deal).
        normalized: the same mapped to the normalised scale (module docstring).
        welfare: sum of the raw utilities.
        pareto: True when the outcome is Pareto-optimal (False for no deal).
        pareto_distance: normalised distance to the nearest frontier point.
        nash_distance: normalised distance to the Nash point (nan when the zone is empty).
    """

    utilities: tuple[float, ...]
    normalized: tuple[float, ...]
    welfare: float
    pareto: bool
    pareto_distance: float
    nash_distance: float


@dataclass(frozen=True)
class ScenarioAnalysis:
    """The exact analysis of one scenario (see the module docstring for definitions).

    Attributes:
        utilities: the ``(parties, outcomes)`` matrix analysed (int64 exact or float64).
        reservation: reservation utility per party (same units).
        mask: Pareto mask over the outcomes.
        pareto: indices of the Pareto-optimal outcomes, ascending.
        low: worst utility per party (normalisation).
        high: best utility per party (normalisation).
        frontier: the distinct normalised Pareto points, shape ``(points, parties)``, sorted.
        zone_empty: True when no outcome is acceptable to every party.
        nash: outcome index of the Nash point (None when the zone is empty).
        kalai: outcome index of the Kalai–Smorodinsky point (None when the zone is empty).
        max_welfare: outcome index of the maximum utility sum.
        scale: the matrix holds raw utilities times ``scale`` (points over a common denominator).
    """

    utilities: NDArray[np.generic]
    reservation: NDArray[np.generic]
    mask: NDArray[np.bool_]
    pareto: NDArray[np.intp]
    low: FloatArray
    high: FloatArray
    frontier: FloatArray
    zone_empty: bool
    nash: int | None
    kalai: int | None
    max_welfare: int
    scale: int = 1

    @property
    def raw_matrix(self) -> FloatArray:
        """The utilities in raw units (the matrix divided by :attr:`scale`), as floats."""
        return np.asarray(self.utilities, dtype=np.float64) / self.scale

    def is_pareto(self, outcome: int | None) -> bool:
        """True when outcome ``outcome`` is Pareto-optimal (False for None: no deal)."""
        return outcome is not None and bool(self.mask[outcome])

    @cached_property
    def _span(self) -> FloatArray:
        """``high − low`` per party, 1 where a party is indifferent (the normalising divisor)."""
        span = self.high - self.low
        return np.where(span > 0, span, 1.0)

    @cached_property
    def _nash_normalized(self) -> FloatArray | None:
        """The Nash point on the normalised scale (None when the zone is empty)."""
        return None if self.nash is None else self.normalized_point(self.nash)

    def normalize(self, point: NDArray[np.generic]) -> FloatArray:
        """Map a raw utility point to the normalised scale."""
        return (np.asarray(point, dtype=np.float64) - self.low) / self._span

    def point(self, outcome: int | None) -> FloatArray:
        """Raw utility point of an outcome index, or the reservation point for None (no deal)."""
        raw = self.reservation if outcome is None else self.utilities[:, outcome]
        return np.asarray(raw, dtype=np.float64) / self.scale

    def normalized_point(self, outcome: int | None) -> FloatArray:
        """Normalised utility point of an outcome index (None: the reservation point)."""
        return self.normalize(self.point(outcome))

    def pareto_distance(self, point: FloatArray) -> float:
        """Euclidean distance from a normalised point to the nearest frontier point."""
        return float(np.sqrt(((self.frontier - point) ** 2).sum(axis=1).min()))

    def nash_distance(self, point: FloatArray) -> float:
        """Distance from a normalised point to the Nash point (nan if the zone is empty)."""
        nash = self._nash_normalized
        return float("nan") if nash is None else float(np.linalg.norm(nash - point))

    def distances(self, outcome: int | None) -> tuple[float, float]:
        """``(pareto distance, nash distance)`` of an outcome index (None: no deal)."""
        return self._distances(outcome, self.normalized_point(outcome))

    def _distances(self, outcome: int | None, p: FloatArray) -> tuple[float, float]:
        return (0.0 if self.is_pareto(outcome) else self.pareto_distance(p)), self.nash_distance(p)

    def score(self, outcome: int | None) -> OutcomeScores:
        """Every figure of one outcome (None: no deal)."""
        raw = self.point(outcome)
        normalized = self.normalize(raw)
        pareto, nash = self._distances(outcome, normalized)
        return OutcomeScores(
            utilities=tuple(float(x) for x in raw),
            normalized=tuple(float(x) for x in normalized),
            welfare=float(raw.sum()),
            pareto=self.is_pareto(outcome),
            pareto_distance=pareto,
            nash_distance=nash,
        )


def analyze(
    utilities: NDArray[np.generic] | list[list[float]],
    reservation: NDArray[np.generic] | list[float],
    rtol: float = DEFAULT_RTOL,
    scale: int = 1,
) -> ScenarioAnalysis:
    """Exact Pareto / Nash / Kalai–Smorodinsky / welfare analysis of an enumerated scenario.

    Args:
        utilities: ``(parties, outcomes)`` utility matrix; integers are analysed exactly.
        reservation: one reservation utility per party.
        rtol: relative tolerance for float matrices (module docstring).
        scale: the matrix (and reservation) hold raw utilities times ``scale``.

    Raises:
        InvalidInputError: on mismatched shapes or non-finite utilities.

    Example:
        >>> a = analyze(np.array([[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]]), [0.0, 0.0])
        >>> a.nash, a.max_welfare, a.zone_empty, a.is_pareto(1)
        (1, 1, False, True)
    """
    u = _matrix(utilities)
    r = np.asarray(reservation)
    if u.ndim != 2 or r.shape != (u.shape[0],) or u.shape[1] == 0:
        raise InvalidInputError.single(
            "scenario", "$", f"utilities {u.shape} and reservation {r.shape} do not match"
        )
    if not (np.isfinite(u).all() and np.isfinite(r.astype(np.float64)).all()):
        raise InvalidInputError.single("scenario", "$.utilities", "non-finite utility")
    if u.dtype.kind == "i" and np.all(r == np.round(r)):
        r = r.astype(np.int64)
    mask = pareto_mask(u, rtol)
    pareto = np.flatnonzero(mask)
    low = u.min(axis=1).astype(np.float64) / scale
    high = u.max(axis=1).astype(np.float64) / scale
    span = np.where(high > low, high - low, 1.0)
    frontier = _distinct_rows((u[:, pareto].T.astype(np.float64) / scale - low) / span)
    welfare = u.sum(axis=0)
    zone: NDArray[np.bool_] = np.asarray((u >= r[:, None]).all(axis=0))
    front_zone = pareto[zone[pareto]]
    nash = kalai = None
    if front_zone.size:
        gains = u[:, front_zone] - r[:, None]
        w = ranks(welfare[front_zone], rtol)
        nash = int(front_zone[_best(ranks(_product(gains), rtol), w)])
        kalai = int(front_zone[_best(ranks(_ks_share(gains), rtol), w)])
    pareto_welfare = ranks(welfare[pareto], rtol)
    return ScenarioAnalysis(
        utilities=u,
        reservation=r,
        mask=mask,
        pareto=pareto,
        low=low,
        high=high,
        frontier=frontier,
        zone_empty=not bool(zone.any()),
        nash=nash,
        kalai=kalai,
        max_welfare=int(pareto[_best(pareto_welfare, pareto_welfare)]),
        scale=scale,
    )


def _distinct_rows(points: FloatArray) -> FloatArray:
    """The distinct rows in lexicographic order (``numpy.unique(points, axis=0)``, faster on
    the small arrays of one scenario)."""
    s = points[np.lexsort(points.T[::-1])]
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = (s[1:] != s[:-1]).any(axis=1)
    return s[keep]


def _product(gains: NDArray[np.generic]) -> NDArray[np.generic]:
    """Π gains per column: exact Python integers for integer gains, floats otherwise."""
    if gains.dtype.kind == "i":
        return np.asarray(np.prod(gains.astype(object), axis=0), dtype=object)
    return np.asarray(gains.prod(axis=0), dtype=np.float64)


def _ks_share(gains: NDArray[np.generic]) -> NDArray[np.generic]:
    """``min_i gain_i / max gain_i`` per column: exact fractions for integer gains."""
    top = gains.max(axis=1)
    if gains.dtype.kind == "i":
        cols = [
            min(
                Fraction(int(g), int(t)) if t > 0 else Fraction(0)
                for g, t in zip(col, top, strict=True)
            )
            for col in gains.T.tolist()
        ]
        return np.array(cols, dtype=object)
    share = gains / np.where(top > 0, top, 1.0)[:, None]
    return np.asarray(share.min(axis=0), dtype=np.float64)


def _best(score: IntArray, welfare: IntArray) -> int:
    """Position of the best score rank; ties → larger welfare rank → lowest position (the
    ranks come from :func:`ranks`, tolerant for floats)."""
    return int(np.argmax(score * (int(welfare.max()) + 1) + welfare))  # first of equal maxima
