"""Many alternating-offers negotiations at once: one numpy step per message for a whole batch.

:func:`run_batch` runs one pairing of :data:`~negotiator.bargaining.AGENTS` over many scenarios in
lockstep. Scenarios with the same issue shape are stacked into ``(negotiations, outcomes)`` arrays;
every message then costs a fixed handful of numpy operations for the whole batch — the concession
targets, an index-guided search for each offering band (:func:`_search`), one gather of the
opponent-model scores over the bands, and the acceptance test. Each group's sorted utilities and
search index are built once (:meth:`BatchSide.prepare`) and shared by every pairing run on it. The
decisions are exactly those of :class:`~negotiator.bargaining.OutcomeNegotiator` under
:class:`~negotiator.bargaining.Negotiation` (a test checks outcome for outcome); agents whose
concession policy or acceptance condition has no vectorised form run one at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from negotiator.bargaining.acceptance import AcceptNext
from negotiator.bargaining.agents import AgentSpec, agent, build_agent
from negotiator.bargaining.domains import Scenario, analyze_many, bilateral
from negotiator.bargaining.issues import SpaceLayout
from negotiator.bargaining.negotiators import dominating_mask, frequency_scores, slot_gains
from negotiator.bargaining.protocols import Negotiation
from negotiator.bargaining.strategies import ParetoTarget, TimeDependent, TitForTat
from negotiator.errors import UsageError

__all__ = ["BatchSide", "batch_groups", "run_arrays", "run_batch", "vectorised"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
SmallIntArray = NDArray[np.signedinteger[Any]]
Outcome = tuple[int | None, int]


@dataclass
class _Side:
    """One side's state for the whole batch (arrays indexed by negotiation)."""

    spec: AgentSpec
    u: FloatArray
    order: IntArray
    sorted: FloatArray
    slots_sorted: SmallIntArray
    index: SmallIntArray
    padded: FloatArray
    discounted: bool
    starts: IntArray
    ordinal: tuple[int, ...]
    numeric: bool
    reservation: FloatArray
    best: FloatArray
    discount: FloatArray
    window: float
    own_weight: float
    nash_floor: bool
    value_prior: tuple[float, float] | None
    window_per_step: float | None
    dominance: bool
    gain: FloatArray
    ordered: NDArray[np.bool_]
    counts: FloatArray
    top: FloatArray
    claimed: FloatArray
    seen: int  # opponent offers seen: the same in every running negotiation (lockstep)
    opp_first: FloatArray
    opp_best: FloatArray


def _time_dependent(side: _Side, t: float, rows: IntArray) -> FloatArray:
    spec = side.spec.concession
    assert isinstance(spec, TimeDependent | ParetoTarget)
    best, r = side.best[rows], side.reservation[rows]
    tt = min(max(t, 0.0), 1.0)
    floor = np.minimum(r, best)
    curve: FloatArray = floor + (best - floor) * (1.0 - tt**spec.exponent)
    if isinstance(spec, ParetoTarget):
        if side.seen:
            return np.maximum(curve, np.minimum(side.opp_best[rows], best))
        return curve
    return curve


def _tit_for_tat(side: _Side, t: float, rows: IntArray) -> FloatArray:
    best, r = side.best[rows], side.reservation[rows]
    gain = np.maximum(0.0, side.opp_best[rows] - side.opp_first[rows])
    return np.maximum(r, best - gain) if side.seen else best


_TARGETS: Mapping[type, Callable[[_Side, float, IntArray], FloatArray]] = MappingProxyType(
    {TimeDependent: _time_dependent, ParetoTarget: _time_dependent, TitForTat: _tit_for_tat}
)


def vectorised(spec: AgentSpec) -> bool:
    """True when an agent has a vectorised form (its concession and AC_next acceptance).

    Example:
        >>> from negotiator.bargaining.agents import agent
        >>> vectorised(agent("pareto"))
        True
    """
    return type(spec.concession) in _TARGETS and isinstance(spec.accept, AcceptNext)


@dataclass(frozen=True)
class BatchSide:
    """One side of a batch of same-shaped negotiations, as arrays.

    Attributes:
        utilities: normalised utility of every outcome, ``(negotiations, outcomes)``.
        reservation: normalised reservation per negotiation.
        discount: time discount per negotiation (1: none).
        ordinal: per issue, the direction the opponent gains in (0: unordered).
        numeric: the space has an integer or continuous issue.
    """

    utilities: FloatArray
    reservation: FloatArray
    discount: FloatArray
    ordinal: tuple[int, ...]
    numeric: bool = False

    @cached_property
    def sorted_view(self) -> tuple[IntArray, FloatArray, SmallIntArray, FloatArray]:
        """``(order, sorted utilities, search index (:func:`_index`), sorted rows between −inf
        and +inf, flat)``: built once, shared by every pairing. The sorted utilities are a view
        into the padded rows (see :meth:`sorted_rows` for a contiguous copy)."""
        order, padded = _stable_order(self.utilities)
        return order, padded[:, 1:-1], _index(self.utilities), padded.ravel()

    def prepare(self, layout: SpaceLayout) -> None:
        """Build the shared sorted view and model slots now (otherwise the first pairing that
        runs builds them)."""
        self.slots_sorted(layout)  # sorts too

    def sorted_rows(self) -> FloatArray:
        """The sorted utilities as one contiguous array (built on first use, then shared)."""
        cached = self.__dict__.get("_sorted_rows")
        if cached is None:
            cached = np.ascontiguousarray(self.sorted_view[1])
            self.__dict__["_sorted_rows"] = cached
        return cached

    def slots_sorted(self, layout: SpaceLayout) -> SmallIntArray:
        """Flat model slots of every outcome in sorted order, ``(negotiations·outcomes, issues)``,
        in the smallest integer type that holds them.

        Built once (like :attr:`sorted_view`) and shared by every pairing.
        """
        cached = self.__dict__.get("_slots_sorted")
        if cached is None:
            slots = layout.slots.astype(np.min_scalar_type(-max(1, layout.issue_of.size)))
            cached = slots.take(self.sorted_view[0].ravel(), axis=0)
            self.__dict__["_slots_sorted"] = cached
        return cached

    @classmethod
    def of(cls, group: Sequence[Scenario], party: int) -> BatchSide:
        """One party's side of a group of scenarios with the same issue shape."""
        return cls(
            utilities=np.vstack([s.normalized_matrix[party] for s in group]),
            reservation=np.array([s.normalized_reservation[party] for s in group]),
            discount=np.array([s.discount(party) or 1.0 for s in group]),
            ordinal=group[0].ordinal(party),
            numeric=group[0].numeric,
        )


def _side(spec: AgentSpec, data: BatchSide, layout: SpaceLayout) -> _Side:
    """Sort one side's utilities and set up its model state."""
    u = data.utilities
    order, sorted_u, index, padded = data.sorted_view
    slots_sorted = data.slots_sorted(layout)
    template = build_agent(spec, u[0], layout, 0.0, None, None, data.ordinal, numeric=data.numeric)
    if template.own_weight:  # the band choice reads the sorted rows flat
        sorted_u = data.sorted_rows()
    gain, ordered = slot_gains(layout, data.ordinal if spec.model_ordinal else None)
    b, slots, issues = u.shape[0], layout.issue_of.size, len(layout.shape)
    return _Side(
        spec=spec,
        u=u,
        order=order,
        sorted=sorted_u,
        slots_sorted=slots_sorted,
        index=index,
        padded=padded,
        discounted=bool((data.discount < 1.0).any()),
        ordinal=data.ordinal,
        numeric=data.numeric,
        starts=layout.starts,
        reservation=data.reservation,
        best=sorted_u[:, -1].copy(),
        discount=data.discount,
        window=template.window,
        own_weight=template.own_weight,
        nash_floor=template.nash_floor,
        value_prior=template.value_prior,
        window_per_step=template.window_per_step,
        dominance=template.dominance,
        gain=gain,
        ordered=ordered,
        counts=np.zeros((b, slots)),
        top=np.zeros((b, issues)),
        claimed=np.zeros((b, issues)),
        seen=0,
        opp_first=np.zeros(b),
        opp_best=np.zeros(b),
    )


#: Spaces of up to ``2**_PACK_BITS`` outcomes sort on packed keys (:func:`_stable_order`).
_PACK_BITS = 20


def _stable_order(u: FloatArray) -> tuple[IntArray, FloatArray]:
    """Row-wise stable argsort, and the sorted rows between −inf and +inf, ``(b, m + 2)``.

    One plain sort of packed 64-bit keys: each utility's bit pattern (ordered like the value
    for values ≥ 0) with its lowest bits replaced by the outcome's index, so equal utilities
    stay in index order. Rows that this can misorder — two different utilities alike in all
    but their lowest bits, or a negative value (−0.0 included) — are sorted again stably.
    """
    b, m = u.shape
    padded = np.empty((b, m + 2))
    padded[:, 0], padded[:, -1] = -np.inf, np.inf
    bits = max(1, (m - 1).bit_length())
    if bits > _PACK_BITS:
        order, padded[:, 1:-1] = _argsort_stable(u)
        return order, padded
    low = np.int64((1 << bits) - 1)
    keys = u.view(np.int64) & ~low
    keys |= np.arange(m, dtype=np.int64)
    keys.sort(axis=1)
    negative = keys[:, 0] < 0
    keys &= low
    offsets = np.arange(0, b * m, m, dtype=np.int64)[:, None]
    keys += offsets
    sorted_u = padded[:, 1:-1]
    np.take(u, keys, out=sorted_u, mode="clip")  # every key is in range: no clipping
    keys -= offsets
    redo = negative | (sorted_u[:, 1:] < sorted_u[:, :-1]).any(axis=1)
    if redo.any():
        keys[redo], sorted_u[redo] = _argsort_stable(u[redo])
    return keys, padded


def _argsort_stable(u: FloatArray) -> tuple[IntArray, FloatArray]:
    order = np.argsort(u, axis=1, kind="stable")
    return order, np.take_along_axis(u, order, axis=1)


#: Most buckets of a search index over [0, 1] (:func:`_index`).
_MAX_GRID = 2048
#: Index entries counted at a time by :func:`_index` (small temporaries).
_CHUNK = 1 << 17


def _grid(m: int) -> int:
    """Buckets of the search index for rows of ``m`` values: a power of two near ``2·m``,
    so that a bucket holds about half a value, at most :data:`_MAX_GRID`."""
    return min(_MAX_GRID, 1 << max(3, (2 * m - 1).bit_length()))


def _bucket(x: FloatArray, grid: int) -> IntArray:
    """Grid bucket of each value: ``floor(clip(x · grid, 0, grid))``, the same arithmetic for
    the index and for a search, so that a value in an earlier bucket than ``x`` is below it."""
    scaled = np.minimum(np.maximum(x * float(grid), 0.0), float(grid))
    return scaled.astype(np.intp)  # truncation is floor here: ≥ 0


def _index(u: FloatArray) -> SmallIntArray:
    """The search index, ``(b, grid + 2)``: entry ``[r, k]`` says how many of row ``r``'s
    values lie in buckets (:func:`_bucket`) before bucket ``k``, in the smallest type that
    holds the row length.

    Counting needs no sorted order. Every value below ``x`` lies in ``x``'s bucket or before,
    and every value in an earlier bucket is below ``x``: the entry is where :func:`_search`
    starts walking up the sorted row.
    """
    b, m = u.shape
    grid = _grid(m)
    index = np.empty((b, grid + 2), dtype=np.min_scalar_type(-(m + 1)))  # holds m
    chunk = max(1, _CHUNK // (grid + 2))
    offsets = np.arange(1, chunk * (grid + 2), grid + 2)[:, None]
    for lo in range(0, b, chunk):
        block = u[lo : lo + chunk]
        k = _bucket(block, grid)
        k += offsets[: block.shape[0]]
        counts = np.bincount(k.ravel(), minlength=k.shape[0] * (grid + 2))
        np.cumsum(counts.reshape(-1, grid + 2), axis=1, out=index[lo : lo + chunk])
    return index


def _search(side: _Side, rows: IntArray, x: FloatArray, right: bool) -> IntArray:
    """Row-wise exact ``searchsorted`` (left or right) of finite ``x``: the index's start,
    then a walk up the sorted row (padded with +inf, so it needs no bounds check)."""
    width = side.index.shape[1]
    start: IntArray = rows * (side.sorted.shape[1] + 2) + 1  # the row's first in ``padded``
    at: IntArray = start + side.index.ravel().take(rows * width + _bucket(x, width - 2))
    values = side.padded
    while True:
        move = values.take(at) <= x if right else values.take(at) < x
        if not np.count_nonzero(move):
            return at - start
        at += move


def _observe(
    side: _Side, rows: IntArray, offers: IntArray, offered: FloatArray, slots_of: IntArray
) -> None:
    if side.seen == 0:
        side.opp_first.put(rows, offered)
        side.opp_best.put(rows, offered)
    else:
        side.opp_best.put(rows, np.maximum(side.opp_best.take(rows), offered))
    slots = slots_of.take(offers, axis=0)  # (k, issues)
    counts_flat = side.counts.reshape(-1)
    flat = (rows * side.counts.shape[1])[:, None] + slots
    counts = counts_flat.take(flat) + 1.0
    counts_flat.put(flat, counts)
    side.top[rows] = np.maximum(side.top.take(rows, axis=0), counts)
    if side.ordered.any():
        side.claimed[rows] += side.gain[slots]
    side.seen += 1


def _scores(side: _Side, rows: IntArray, issue_of: IntArray) -> FloatArray:
    scores = frequency_scores(
        side.counts.take(rows, axis=0), side.top.take(rows, axis=0)[:, issue_of], side.value_prior
    )
    if not side.ordered.any():
        return scores
    linear = side.claimed[rows][:, issue_of] * side.gain * float(side.seen)
    return np.where(side.ordered[issue_of], linear, scores)


def _nash_utility(
    side: _Side, rows: IntArray, slots_of: IntArray, issue_of: IntArray
) -> FloatArray:
    """Per row, own utility of the estimated Nash outcome (as ``OutcomeNegotiator``)."""
    scores = _scores(side, rows, issue_of)
    est = scores[:, slots_of[:, 0]]
    for i in range(1, slots_of.shape[1]):
        est = est + scores[:, slots_of[:, i]]
    u = side.u[rows]
    gain = u - side.reservation[rows][:, None]
    best = np.where(gain >= 0, gain * gain * (est * est * est), -1.0).argmax(axis=1)
    out: FloatArray = np.take_along_axis(u, best[:, None], axis=1)[:, 0]
    return out


def _target(
    side: _Side,
    when: tuple[float, IntArray],
    reservation: FloatArray,
    discount: FloatArray | None,
    layout: SpaceLayout,
) -> FloatArray:
    """The concession target of each row at time ``t``: the curve, shrunk by the time
    discount, and held at the estimated Nash utility by agents with that floor (up to their
    last offer)."""
    t, rows = when
    target = _TARGETS[type(side.spec.concession)](side, t, rows)
    if discount is not None:
        target = np.where(
            discount < 1.0, reservation + (target - reservation) * discount**t, target
        )
    if side.nash_floor and side.seen:
        target = np.maximum(target, _nash_utility(side, rows, layout.slots, layout.issue_of))
    return target


def _pick(  # noqa: PLR0917 - mirrors OutcomeNegotiator._pick
    side: _Side,
    rows: IntArray,
    target: FloatArray,
    reservation: FloatArray,
    issue_of: IntArray,
    time: tuple[float, bool],
) -> IntArray:
    """Each row's offer at its target (as ``OutcomeNegotiator._pick``; no own weight at the
    own last turn); ``time`` is the time since the own last turn and whether this is the own
    last turn."""
    spec, n = side.spec, side.sorted.shape[1]
    step, last = time
    own_weight = 0.0 if last else side.own_weight
    floor = target - spec.slack if spec.slack and side.seen >= spec.model_after else target
    lo = np.minimum(_search(side, rows, np.maximum(floor, reservation), False), n - 1)
    pick: IntArray = side.order.ravel().take(rows * n + lo)
    if not side.seen:
        return pick
    at_lo = side.padded.take(rows * (n + 2) + lo + 1)
    window = side.window
    if side.window_per_step is not None and step > 0:
        window = min(window, side.window_per_step * step)
    cap = np.maximum(at_lo, target) + window
    hi = _search(side, rows, cap, True)
    width = hi - lo
    wide = width > 1
    if not wide.any():
        return pick
    sub, wlo, wwidth = rows[wide], lo[wide], width[wide]
    scores = _scores(side, sub, issue_of)
    top = np.maximum.reduceat(scores, side.starts, axis=1).sum(axis=1) if own_weight else None
    chosen = _band_best(side, sub, lo=wlo, width=wwidth, scores=scores, top=(top, own_weight))
    pick[wide] = side.order.ravel().take(sub * n + wlo + chosen)
    return pick


def _dominating(side: _Side, rows: IntArray, chosen: IntArray, layout: SpaceLayout) -> IntArray:
    """Per row, the outcome of highest own utility (first of ties) among those the opponent
    values at least as much as the chosen one under every issue weighting and worth strictly
    more to oneself; the chosen one when there is none or the side does not lift its offers
    (as ``OutcomeNegotiator``)."""
    if not (side.dominance and side.seen):
        return chosen
    slots_of, issue_of = layout.slots, layout.issue_of
    picked = slots_of.take(chosen, axis=0)[:, issue_of]  # (k, slots): chosen slot per issue
    ok = dominating_mask(side.counts.take(rows, axis=0), picked, issue_of)
    k = np.arange(rows.size)
    every = ok[:, : layout.shape[0]]  # outcomes in C order: one outer product per issue
    for start, m in zip(layout.starts[1:].tolist(), layout.shape[1:], strict=True):
        every = (every[:, :, None] & ok[:, None, start : start + m]).reshape(rows.size, -1)
    u = side.u.take(rows, axis=0)
    better = np.where(every, u, -np.inf)
    best = better.argmax(axis=1)
    lifted: IntArray = np.where(better[k, best] > u[k, chosen], best, chosen)
    return lifted


def _band_best(
    side: _Side,
    rows: IntArray,
    *,
    lo: IntArray,
    width: IntArray,
    scores: FloatArray,
    top: tuple[FloatArray | None, float],
) -> IntArray:
    """Position in each band of the outcome the opponent model rates best (last of ties);
    ``top`` is the model's best score per row and the own weight (None, 0: no own weight).

    The bands are laid end to end (no padding): one gather of their outcomes' model slots,
    then per-band maxima with ``reduceat``.
    """
    n = side.sorted.shape[1]
    starts = np.zeros(rows.size, dtype=np.intp)
    np.cumsum(width[:-1], out=starts[1:])
    band = np.repeat(np.arange(rows.size), width)  # band of each laid-out element
    offset = np.arange(band.size) - starts[band]  # position inside its band
    flat = (rows * n + lo)[band] + offset
    slots = side.slots_sorted.take(flat, axis=0)  # (total, issues)
    picked = scores.ravel().take((band * scores.shape[1])[:, None] + slots)
    est = picked[:, 0]
    for i in range(1, picked.shape[1]):
        est = est + picked[:, i]
    best_score, own_weight = top
    if best_score is not None:
        own = side.sorted.ravel().take(flat)
        est = est / np.where(best_score != 0, best_score, 1.0)[band] + own_weight * own
    best = np.maximum.reduceat(est, starts)
    chosen: IntArray = np.maximum.reduceat(np.where(est == best[band], offset, -1), starts)
    return chosen


def run_arrays(
    layout: SpaceLayout,
    sides: tuple[BatchSide, BatchSide],
    first: str,
    second: str,
    rounds: int,
) -> list[Outcome]:
    """Run one pairing over a batch given as arrays (no scenario objects): the fast path.

    Args:
        layout: the shared issue layout.
        sides: party 0's and party 1's arrays.
        first: agent of party 0 (opens).
        second: agent of party 1.
        rounds: round limit.

    Raises:
        UnknownKeyError: for an unknown agent.
        UsageError: for an agent without a vectorised form.
    """
    specs = (agent(first), agent(second))
    if not all(vectorised(s) for s in specs):
        raise UsageError(f"{first}–{second}: an agent without a vectorised form")
    return _run(
        layout, (_side(specs[0], sides[0], layout), _side(specs[1], sides[1], layout)), rounds
    )


def _accepts(
    side: _Side,
    time: tuple[float, float],
    *,
    offered: FloatArray,
    nxt: FloatArray,
    reservation: FloatArray,
    discount: FloatArray | None,
) -> NDArray[np.bool_]:
    """AC_next (next own offer discounted over the wait), or anything worth the reservation
    at the own last turn for agents that accept then."""
    t, step = time
    last = t >= 1.0 - 1e-12 or (step > 0 and t + step > 1.0 + 1e-9)
    ac = side.spec.accept
    assert isinstance(ac, AcceptNext)
    if discount is not None:
        nxt = nxt * discount**step
    ok: NDArray[np.bool_] = offered >= reservation
    if side.spec.accept_last and last:
        return ok
    return ok & (offered >= ac.alpha * nxt + ac.beta)


#: Below this many running negotiations the batch hands them to the one-at-a-time engine: a
#: numpy step costs about the same for 5 negotiations as for 500.
TAIL = 4


def _finish_alone(
    layout: SpaceLayout,
    sides: tuple[_Side, _Side],
    row: int,
    state: tuple[int, int, tuple[float | None, float | None], int],
) -> tuple[int, int]:
    """Finish one negotiation with :class:`Negotiation`, from the batch's state after
    ``messages`` counter-offers; returns (agreement or −1, messages)."""
    messages, pending, last_t, rounds = state
    parties = []
    for k, side in enumerate(sides):
        d = float(side.discount[row])
        party = build_agent(
            side.spec,
            side.u[row],
            layout,
            float(side.reservation[row]),
            None if d == 1.0 else d,
            None,
            side.ordinal,
            numeric=side.numeric,
        )
        seen = side.seen
        opponent = (float(side.opp_first[row]), float(side.opp_best[row])) if seen else None
        party.restore(
            side.counts[row],
            side.top[row],
            side.claimed[row],
            seen=seen,
            opponent=opponent,
            last_t=last_t[k],
        )
        parties.append(party)
    negotiation = Negotiation("alternating", parties, rounds)
    negotiation.resume(messages, pending if messages else None)
    result = negotiation.run()
    return (-1 if result.agreement is None else result.agreement), result.messages


def _run(
    layout: SpaceLayout, sides: tuple[_Side, _Side], rounds: int, tail: int = TAIL
) -> list[Outcome]:
    slots_of, issue_of = layout.slots, layout.issue_of
    b = sides[0].u.shape[0]
    limit = 2 * rounds
    scale = 1.0 / (limit - 1) if limit > 1 else 0.0
    running = np.ones(b, dtype=bool)
    pending = np.full(b, -1, dtype=np.intp)
    agreement = np.full(b, -1, dtype=np.intp)
    messages = np.full(b, limit, dtype=np.intp)
    last_t: list[float | None] = [None, None]
    for n in range(limit):
        rows = np.flatnonzero(running)
        if rows.size == 0:
            break
        if rows.size <= tail:
            for row in rows.tolist():
                state = (n, int(pending[row]), (last_t[0], last_t[1]), rounds)
                agreement[row], messages[row] = _finish_alone(layout, sides, row, state)
            break
        p = n & 1
        side = sides[p]
        t = n * scale
        step = 0.0 if last_t[p] is None else t - last_t[p]  # type: ignore[operator]
        last_t[p] = t
        offers = pending[rows]
        base = rows * side.u.shape[1]
        values = side.u.ravel()
        if n > 0:
            offered = values.take(base + offers)
            _observe(side, rows, offers, offered, slots_of)
        reservation = side.reservation.take(rows)
        # a party none of whose outcomes reaches its reservation breaks off at its first turn
        broke = side.best.take(rows) < reservation if n < 2 else None
        discount = side.discount[rows] if side.discounted else None
        last = t >= 1.0 - 1e-12 or (step > 0 and t + step > 1.0 + 1e-9)
        target = _target(side, (t, rows), reservation, discount, layout)
        mine = _pick(side, rows, target, reservation, issue_of, (step, last))
        mine = _dominating(side, rows, mine, layout)
        if n == 0:
            accept = np.zeros(rows.size, dtype=bool)
        else:
            nxt = values.take(base + mine)
            accept = _accepts(
                side,
                (t, step),
                offered=offered,
                nxt=nxt,
                reservation=reservation,
                discount=discount,
            )
        if broke is not None:
            accept &= ~broke
            done = broke | accept
        else:
            done = accept
        pending.put(rows, mine)  # finished rows' pending offers are never read again
        if np.count_nonzero(done):
            ended = rows[done]
            agreement[rows[accept]] = offers[accept]
            messages[ended] = n + 1
            running[ended] = False
    return [
        (None if a < 0 else int(a), (int(m) + 1) // 2)
        for a, m in zip(agreement.tolist(), messages.tolist(), strict=True)
    ]


Group = tuple[list[int], SpaceLayout, tuple[BatchSide, BatchSide]]


def batch_groups(scenarios: Sequence[Scenario]) -> list[Group]:
    """Scenarios grouped by issue shape, each group's two sides stacked, sorted and indexed
    (reusable across runs and pairings). Scenarios not yet analysed are analysed together
    first (:func:`~negotiator.bargaining.analyze_many`)."""
    analyze_many(scenarios)
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(scenarios):
        groups[(s.space.shape, s.ordinal(0), s.ordinal(1), s.numeric)].append(i)
    out: list[Group] = []
    for members in groups.values():
        group = [scenarios[i] for i in members]
        sides = (BatchSide.of(group, 0), BatchSide.of(group, 1))
        layout = group[0].space.layout
        for side in sides:
            side.prepare(layout)
        out.append((members, layout, sides))
    return out


def run_batch(
    scenarios: Sequence[Scenario],
    first: str,
    second: str,
    rounds: int,
    *,
    protocol: str = "alternating",
    groups: list[Group] | None = None,
) -> list[Outcome]:
    """One pairing over many scenarios under alternating offers: ``(agreement, rounds)`` each.

    Scenarios are grouped by issue shape and each group runs vectorised; a pairing with an
    agent that has no vectorised form (or another protocol) runs one negotiation at a time.
    Pass ``groups`` (from :func:`batch_groups`) to share the sorted utilities between pairings.

    Raises:
        UnknownKeyError: for an unknown agent.

    Example:
        >>> from negotiator.bargaining import generated_scenario
        >>> run_batch([generated_scenario(1)], "boulware", "conceder", 100)[0][0] is not None
        True
    """
    specs = (agent(first), agent(second))
    if protocol != "alternating" or not all(vectorised(s) for s in specs):
        analyze_many(scenarios)
        out: list[Outcome] = []
        for s in scenarios:
            r = Negotiation(protocol, bilateral(s, first, second), rounds).run()
            out.append((r.agreement, r.rounds))
        return out
    results: list[Outcome | None] = [None] * len(scenarios)
    for members, layout, data in groups or batch_groups(scenarios):
        pair = (_side(specs[0], data[0], layout), _side(specs[1], data[1], layout))
        for i, res in zip(members, _run(layout, pair, rounds), strict=True):
            results[i] = res
    return [r for r in results if r is not None]
