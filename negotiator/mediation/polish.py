"""A final local search on the GA's best proposals (the memetic step; not in seed 002).

Seed 002's GA finds the region of the best proposals; near a thin deal zone its last steps are
slow, because a move that raises the utility sum often leaves the zone. This step takes the best
feasible proposals found and climbs: from each, every move of one attribute by one gain level,
or of two attributes by one level each, is scored at once (numpy), and the best move that stays
within the deal zone and raises the sum is taken, until no move does. It never changes what
counts as a proposal, only how thoroughly the neighbourhood of the best ones is searched; switch
it off with ``GAConfig(polish=0)`` for the pure GA.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from negotiator.mediation.space import Evaluation, ProposalSpace

__all__ = ["level_moves", "polish"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: A sink for every evaluated batch: ``record(codes, scores)``.
Recorder = Callable[[IntArray, Evaluation], object]


def level_moves(n: int) -> IntArray:
    """Every move of one attribute by ±1 level, or of two attributes by ±1 each; ``(M, n)``.

    Example:
        >>> level_moves(2).shape
        (8, 2)
    """
    moves: list[list[int]] = []
    for i in range(n):
        for step in (-1, 1):
            moves.append([step if k == i else 0 for k in range(n)])
    for i, j in itertools.combinations(range(n), 2):
        for si, sj in itertools.product((-1, 1), repeat=2):
            moves.append([si if k == i else sj if k == j else 0 for k in range(n)])
    return np.array(moves, dtype=np.int64).reshape(len(moves), n)


def _best_feasible(scores: Evaluation, deal_zone: float, eps: float) -> FloatArray:
    diff = np.abs(scores.anchor[None, :] - scores.counterpart)
    total = scores.anchor[None, :] + scores.counterpart
    ok = scores.valid & (diff <= deal_zone + eps)
    out: FloatArray = np.where(ok, total, -np.inf).max(axis=0, initial=-np.inf)
    return out


def polish(
    space: ProposalSpace,
    starts: IntArray,
    deal_zone: float,
    record: Recorder,
    *,
    eps: float = 1e-9,
    max_rounds: int = 200,
) -> int:
    """Hill-climb from the chromosome codes ``starts``; return the evaluations made.

    Every evaluated neighbour batch goes to ``record`` (the GA's archive keeps the feasible
    ones), so the improvements show up in the ranked list like any GA proposal.
    """
    if starts.size == 0:
        return 0
    current = space.decode(starts)
    n = current.shape[1]
    moves = level_moves(n)
    top = np.array([(1 << b) - 1 for b in space.bits], dtype=np.int64)
    scores = space.evaluate(current)
    value = _best_feasible(scores, deal_zone, eps)
    evaluations = current.shape[0]
    for _ in range(max_rounds):
        cand = np.clip(current[:, None, :] + moves[None, :, :], 0, top).reshape(-1, n)
        cand_codes = space.encode(cand)
        cand_scores = space.evaluate(cand)
        record(cand_codes, cand_scores)
        evaluations += cand.shape[0]
        cand_value = _best_feasible(cand_scores, deal_zone, eps).reshape(len(current), -1)
        pick = cand_value.argmax(axis=1)
        gain = cand_value[np.arange(len(current)), pick]
        better = gain > value
        if not better.any():
            break
        current[better] = cand.reshape(len(current), len(moves), n)[better, pick[better]]
        value[better] = gain[better]
    return int(evaluations) * max(len(space.counterparts), 1)
