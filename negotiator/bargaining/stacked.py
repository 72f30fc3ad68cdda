"""The exact analysis of many same-sized scenarios at once, in a handful of numpy calls.

:func:`analyze_stack` takes ``G`` utility matrices of one shape ``(parties, outcomes)`` stacked
as ``(G, parties, outcomes)`` and returns, for each, the :class:`ScenarioAnalysis` that
:func:`~negotiator.bargaining.analysis.analyze` returns for it alone — identical arrays, indices
and tie breaks (same definitions, exactness and tie rules as the module docstring of
:mod:`~negotiator.bargaining.analysis`). On small scenarios (tens of outcomes) the per-scenario
path is dominated by numpy's per-call overhead; here every step runs once per stack:

* per-party dense ranks (tolerant for floats) by one sort along the outcome axis;
* the Pareto mask by one sort per row and a running maximum for two parties, or one broadcast
  dominance test over ``(G, outcomes, outcomes)`` for more;
* Nash, Kalai–Smorodinsky and max welfare by ranks restricted to a mask (the frontier, or the
  frontier inside the agreement zone) and one masked argmax. Integer (points) matrices stay
  exact in int64: the Nash product, and the KS share scaled by the product of the parties'
  best gains, are integers; a stack whose gains could overflow int64 goes through
  :func:`~negotiator.bargaining.analysis.analyze` one scenario at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from negotiator.bargaining.analysis import DEFAULT_RTOL, ScenarioAnalysis, analyze
from negotiator.errors import InvalidInputError

__all__ = ["MAX_STACKED_OUTCOMES", "analyze_stack", "normalized_stack"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
#: An int64 (exact) or float64 array.
Numbers = NDArray[Any]
#: Largest outcome count stacked: beyond it the per-scenario analysis is about as fast, and
#: the dominance test for more than two parties grows with its square.
MAX_STACKED_OUTCOMES = 256
_CELLS = 1 << 22  # booleans per dominance block: bounds the memory of one step
_INT_LIMIT = 2**62  # integer products and sums stay below this to be exact in int64


def _masked_ranks(values: Numbers, valid: BoolArray, rtol: float) -> IntArray:
    """Per row, the dense ranks of :func:`~negotiator.bargaining.analysis.ranks` over the valid
    entries only (invalid entries get rank −1). Integers are exact; floats merge sorted
    neighbours within ``rtol × max |valid value|`` of the row."""
    exact = values.dtype.kind == "i"
    fill = np.iinfo(np.int64).max if exact else np.inf  # above every value (see _INT_LIMIT)
    order = np.argsort(np.where(valid, values, fill), axis=1, kind="stable")
    s = np.take_along_axis(values, order, axis=1)
    count = valid.sum(axis=1)
    rows = np.arange(len(s))
    step = np.zeros(s.shape, dtype=np.int64)
    if exact:
        step[:, 1:] = s[:, 1:] != s[:, :-1]
    else:
        last = s[rows, np.maximum(count - 1, 0)]
        eps = rtol * np.maximum(np.abs(s[:, 0]), np.abs(last))
        step[:, 1:] = np.subtract(s[:, 1:], s[:, :-1]) > eps[:, None]
    step[np.arange(s.shape[1]) >= count[:, None]] = 0
    out = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(out, order, np.cumsum(step, axis=1), axis=1)
    return np.where(valid, out, -1)


def _pareto_two(r: IntArray) -> BoolArray:
    """Pareto masks of two-party rank matrices ``(G, 2, outcomes)``: per row, one lexicographic
    sort (party 0 descending, then party 1) and a running maximum of party 1 over the points
    before each distinct point (O(n log n), as the per-scenario two-party test)."""
    a, b = r[:, 0], r[:, 1]
    order = np.lexsort((-b, -a), axis=1)
    sa, sb = np.take_along_axis(a, order, axis=1), np.take_along_axis(b, order, axis=1)
    g, n = sa.shape
    new = np.ones((g, n), dtype=bool)
    new[:, 1:] = (sa[:, 1:] != sa[:, :-1]) | (sb[:, 1:] != sb[:, :-1])
    before = np.full((g, n), -1, dtype=np.int64)
    np.maximum.accumulate(sb[:, :-1], axis=1, out=before[:, 1:])
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0), axis=1)  # each point's start
    optimal = np.take_along_axis(sb > before, first, axis=1)
    mask = np.empty((g, n), dtype=bool)
    np.put_along_axis(mask, order, optimal, axis=1)
    return mask


def _pareto_stack(r: IntArray) -> BoolArray:
    """Pareto masks of rank matrices ``(G, parties, outcomes)``: outcome ``i`` is dominated
    when some ``j`` is ≥ on every party and > on one (two parties: :func:`_pareto_two`; more:
    a broadcast over ``(G, n, n)``, in blocks)."""
    if r.shape[1] == 2:
        return _pareto_two(r)
    g, _, n = r.shape
    mask = np.empty((g, n), dtype=bool)
    block = max(1, _CELLS // max(1, r.shape[1] * n * n))
    for start in range(0, g, block):
        b = r[start : start + block]
        ge = (b[:, :, None, :] >= b[:, :, :, None]).all(axis=1)  # [g, i, j]: j ≥ i everywhere
        eq = (b[:, :, None, :] == b[:, :, :, None]).all(axis=1)
        mask[start : start + block] = ~(ge & ~eq).any(axis=2)
    return mask


def _best(score: IntArray, welfare: IntArray) -> IntArray:
    """Per row, the outcome with the best score rank, then welfare rank, then lowest index
    (ranks are −1 outside the candidates; every row has one)."""
    top = welfare.max(axis=1, keepdims=True) + 1
    key = np.where(score >= 0, score * top + welfare, -1)
    return np.asarray(np.argmax(key, axis=1), dtype=np.int64)


def _shares(gains: Numbers, top: Numbers) -> Numbers:
    """``min_i gain_i / top_i`` per outcome (0 where ``top_i`` is 0): floats as the
    per-scenario path divides them; integers as exact int64 scaled by ``Π top_i`` (top > 0)."""
    if gains.dtype.kind != "i":
        share = gains / np.where(top > 0, top, 1.0)[:, :, None]
        return np.asarray(share.min(axis=1), dtype=np.float64)
    positive = np.where(top > 0, top, 1)
    parties = top.shape[1]
    factors = np.stack(
        [
            np.where(
                top[:, i] > 0, np.prod(np.delete(positive, i, axis=1), axis=1, dtype=np.int64), 0
            )
            for i in range(parties)
        ],
        axis=1,
    )
    return np.asarray((gains * factors[:, :, None]).min(axis=1), dtype=np.int64)


def _product(gains: Numbers) -> Numbers:
    """Π gains over the parties, multiplied in party order (as the per-scenario path does)."""
    out = gains[:, 0]
    for i in range(1, gains.shape[1]):
        out = out * gains[:, i]
    return out


def _party_sum(u: Numbers) -> Numbers:
    """Σ utilities over the parties, added in party order (as the per-scenario path does)."""
    out = u[:, 0]
    for i in range(1, u.shape[1]):
        out = out + u[:, i]
    return out


def _frontiers(
    norm: FloatArray, mask: BoolArray
) -> tuple[list[NDArray[np.intp]], list[FloatArray]]:
    """Per scenario, the Pareto-optimal outcome indices (ascending) and the distinct normalised
    Pareto points ``(points, parties)`` in lexicographic order (what the per-scenario analysis
    stores), by one sort of the stack."""
    g = len(norm)
    which, outcome = np.nonzero(mask)
    pareto = np.split(outcome, np.cumsum(mask.sum(axis=1))[:-1])
    points = norm[which, :, outcome]  # (frontier outcomes, parties), scenario by scenario
    order = np.lexsort((*points.T[::-1], which))  # scenario, then party 0, 1, …
    s, w = points[order], which[order]
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = (w[1:] != w[:-1]) | (s[1:] != s[:-1]).any(axis=1)
    counts = np.bincount(w[keep], minlength=g)
    return pareto, np.split(s[keep], np.cumsum(counts)[:-1])


def _too_large(u: IntArray, r: IntArray) -> bool:
    """True when an integer stack's gains, welfare, Nash products or scaled KS shares could
    reach :data:`_INT_LIMIT` (bounded in floats from the largest utility and reservation; such
    stacks are analysed one scenario at a time, in Python integers)."""
    parties = u.shape[1]
    top, res = float(np.abs(u).max()), float(np.abs(r).max())
    return bool(max((top + res) ** parties, top * parties) >= _INT_LIMIT)


def normalized_stack(
    utilities: Numbers, low: FloatArray, high: FloatArray, scales: FloatArray
) -> FloatArray:
    """The stacked matrices on the normalised scale, as :meth:`ScenarioAnalysis.normalize`
    maps each (``(u / scale − low) / (high − low)``, span 0 → 1)."""
    span = high - low
    raw = np.asarray(utilities, dtype=np.float64) / scales[:, None, None]
    return np.asarray(
        (raw - low[:, :, None]) / np.where(span > 0, span, 1.0)[:, :, None], dtype=np.float64
    )


def analyze_stack(
    utilities: Numbers,
    reservations: Numbers,
    scales: NDArray[np.int64] | None = None,
    rtol: float = DEFAULT_RTOL,
) -> list[ScenarioAnalysis]:
    """The exact analysis of each of ``G`` stacked scenarios, identical to ``analyze`` on each.

    Args:
        utilities: ``(G, parties, outcomes)``; int64 (exact) or float64.
        reservations: ``(G, parties)`` of the same kind (integers for an integer stack).
        scales: per scenario, the matrix holds raw utilities times this (default 1).
        rtol: relative tolerance for float stacks.

    Raises:
        InvalidInputError: on mismatched shapes or kinds, or non-finite utilities.

    Example:
        >>> u = np.array([[[1.0, 0.6, 0.0], [0.0, 0.6, 1.0]], [[1.0, 0.5, 0.0], [0.0, 0.4, 1.0]]])
        >>> [(a.nash, a.max_welfare) for a in analyze_stack(u, np.zeros((2, 2)))]
        [(1, 1), (1, 0)]
    """
    u, r = np.asarray(utilities), np.asarray(reservations)
    exact = u.dtype.kind == "i"
    if u.ndim != 3 or r.shape != u.shape[:2] or u.shape[2] == 0 or exact != (r.dtype.kind == "i"):
        raise InvalidInputError.single(
            "scenarios", "$", f"utilities {u.shape} and reservations {r.shape} do not stack"
        )
    if not (np.isfinite(u).all() and np.isfinite(r).all()):
        raise InvalidInputError.single("scenarios", "$.utilities", "non-finite utility")
    scale = np.ones(len(u), dtype=np.int64) if scales is None else np.asarray(scales)
    if exact and _too_large(u, r):
        return [analyze(m, v, rtol, int(s)) for m, v, s in zip(u, r, scale, strict=True)]
    gains = u - r[:, :, None]
    g, parties, n = u.shape
    flat = u.reshape(g * parties, n)
    mask = _pareto_stack(_masked_ranks(flat, np.ones(flat.shape, bool), rtol).reshape(u.shape))
    fscale = scale.astype(np.float64)
    low = u.min(axis=2).astype(np.float64) / fscale[:, None]
    high = u.max(axis=2).astype(np.float64) / fscale[:, None]
    norm = normalized_stack(u, low, high, fscale)
    welfare = _party_sum(u)
    zone: BoolArray = np.asarray((u >= r[:, :, None]).all(axis=1))
    front_zone = mask & zone
    some: BoolArray = np.asarray(front_zone.any(axis=1))
    w_front = _masked_ranks(welfare, front_zone, rtol)
    inside = np.where(front_zone[:, None, :], gains, 0)
    nash = _best(_masked_ranks(_product(inside), front_zone, rtol), w_front)
    kalai = _best(_masked_ranks(_shares(inside, inside.max(axis=2)), front_zone, rtol), w_front)
    w_pareto = _masked_ranks(welfare, mask, rtol)
    max_welfare = _best(w_pareto, w_pareto)
    pareto, frontiers = _frontiers(norm, mask)
    found, empty = some.tolist(), np.asarray(~zone.any(axis=1)).tolist()
    nash_at, kalai_at, best_at = nash.tolist(), kalai.tolist(), max_welfare.tolist()
    return [
        ScenarioAnalysis(
            utilities=u[k],
            reservation=r[k],
            mask=mask[k],
            pareto=pareto[k],
            low=low[k],
            high=high[k],
            frontier=frontiers[k],
            zone_empty=empty[k],
            nash=nash_at[k] if found[k] else None,
            kalai=kalai_at[k] if found[k] else None,
            max_welfare=best_at[k],
            scale=int(scale[k]),
        )
        for k in range(g)
    ]
