"""The final local search: moves, and that it ends on a local optimum within the zone."""

from __future__ import annotations

import numpy as np

from negotiator.mediation.generate import random_space
from negotiator.mediation.polish import level_moves, polish
from negotiator.mediation.space import Evaluation


def test_level_moves() -> None:
    moves = level_moves(3)
    assert moves.shape == (6 + 3 * 4, 3)
    assert {tuple(m) for m in moves[:6]} == {
        (-1, 0, 0),
        (1, 0, 0),
        (0, -1, 0),
        (0, 1, 0),
        (0, 0, -1),
        (0, 0, 1),
    }
    assert (np.abs(moves).sum(axis=1) <= 2).all()
    assert len({tuple(m) for m in moves}) == len(moves)


def test_polish_climbs_to_a_feasible_local_optimum() -> None:
    space = random_space(np.random.default_rng(3), [4, 4, 3], counterparts=2)
    zone = 0.5
    codes = np.arange(1 << space.total_bits, dtype=np.int64)
    scores = space.evaluate(space.decode(codes))
    diff = np.abs(scores.anchor[None, :] - scores.counterpart)
    value = np.where(
        scores.valid & (diff <= zone), scores.anchor[None, :] + scores.counterpart, -np.inf
    ).max(axis=0)
    start = int(np.flatnonzero(np.isfinite(value))[0])
    seen: list[tuple[np.ndarray, Evaluation]] = []
    evaluations = polish(space, np.array([start]), zone, lambda c, s: seen.append((c, s)))
    assert evaluations > 0 and seen
    visited = np.concatenate([c for c, _ in seen])
    best = int(visited[np.argmax(value[visited])])
    assert value[best] >= value[start]
    # no single move from the end point improves the sum within the zone
    level = space.decode(np.array([best]))
    top = np.array([(1 << b) - 1 for b in space.bits])
    neighbours = space.encode(np.clip(level + level_moves(3), 0, top))
    assert value[neighbours].max() <= value[best] + 1e-12


def test_polish_without_starts_does_nothing() -> None:
    space = random_space(np.random.default_rng(3), [2], counterparts=1)
    assert polish(space, np.zeros(0, dtype=np.int64), 1.0, lambda c, s: None) == 0
