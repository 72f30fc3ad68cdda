"""Seed 002's genetic algorithm over binary chromosomes (steps 1-8), numpy-vectorised.

Objective (the reading of steps 8-9 written down): among (chromosome, counterpart) proposals
whose utility difference ``|U_A - U_B|`` lies within the deal zone ``D`` (step 8's "range"),
find the largest utility sum ``U_A + U_B`` (step 9). The fitness of a chromosome is its best
penalised sum over the counterparts that have a value for it:

    fitness = max_j (U_A + U_Bj - penalty * max(0, |U_A - U_Bj| - D))

and ``-inf`` when no counterpart has a corresponding value (step 5: skip / start again). Only
proposals within ``D`` are ever *kept* (the archive below), so the penalty only steers the
search: a proposal just outside the zone with a large sum stays in the population and its
mutants reach the zone from the high-sum side. A penalty of 2 was
the most reliable on random spaces (``bench/ga_vs_exact.py``); a "feasible first" ranking (any
infinite penalty) converged early onto the first feasible region found.

Operators: tournament selection, single-point crossover at a configurable point (seed 002 uses
the 2nd bit; ``None`` draws a point per pair), bit-flip mutation, elitism. Two additions to
the seed, both switchable: restarts (after ``restart_after`` generations without a better
feasible sum, every chromosome but the elite is replaced by a random one: the band of feasible
proposals is thin and its best sums lie in separate basins) and a final local search of the
best proposals (:mod:`negotiator.mediation.polish`). Every evaluated feasible proposal is kept
in an archive: the ranked list of step 9 is built from it, so the chosen proposal is the best
ever seen, not only one in the last generation. All randomness comes
from the ``numpy.random.Generator`` passed in, so a seed fixes the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from negotiator.errors import UsageError
from negotiator.mediation.polish import polish
from negotiator.mediation.space import Evaluation, ProposalSpace

__all__ = ["GAConfig", "GAResult", "Progress", "fitness", "run_ga"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Genome = npt.NDArray[np.uint8]

#: Absolute slack on the deal-zone bound, so that a difference of exactly ``D`` is inside.
ZONE_EPS = 1e-9


Progress = Callable[[int, int], None]
"""A progress callback: (units done, units planned)."""


@dataclass(frozen=True)
class GAConfig:
    """Parameters of the genetic algorithm.

    Args:
        population: chromosomes per generation (even, >= 4).
        generations: generations after the initial one.
        crossover_rate: probability that a pair of parents is crossed.
        crossover_point: cut after this many bits (1 .. length-1); ``None`` draws one per pair.
        mutation_rate: per-bit flip probability; ``None`` means 1 / chromosome length.
        tournament: tournament size of the selection.
        elite: best chromosomes copied unchanged into the next generation.
        stall_generations: stop early after this many generations without a better sum.
        restart_after: after this many generations without a better sum, replace every
            chromosome but the elite by random ones (restarts; ``None`` never restarts).
        penalty: fitness lost per unit of difference beyond the deal zone (see module doc).
        polish: best feasible proposals refined by the final local search
            (:mod:`negotiator.mediation.polish`); 0 gives the pure GA.
    """

    population: int = 64
    generations: int = 60
    crossover_rate: float = 0.9
    crossover_point: int | None = None
    mutation_rate: float | None = None
    tournament: int = 2
    elite: int = 2
    stall_generations: int | None = None
    restart_after: int | None = 20
    penalty: float = 2.0
    polish: int = 30

    def __post_init__(self) -> None:
        checks = {
            "population must be even and >= 4": self.population >= 4 and self.population % 2 == 0,
            "generations must be >= 0": self.generations >= 0,
            "crossover_rate must be in [0, 1]": 0 <= self.crossover_rate <= 1,
            "mutation_rate must be in [0, 1]": self.mutation_rate is None
            or 0 <= self.mutation_rate <= 1,
            "tournament must be >= 1": self.tournament >= 1,
            "elite must be in [0, population)": 0 <= self.elite < self.population,
            "stall_generations must be >= 1": self.stall_generations is None
            or self.stall_generations >= 1,
            "restart_after must be >= 1": self.restart_after is None or self.restart_after >= 1,
            "penalty must be >= 0": self.penalty >= 0,
            "polish must be >= 0": self.polish >= 0,
        }
        bad = [msg for msg, ok in checks.items() if not ok]
        if bad:
            raise UsageError("invalid GA configuration: " + "; ".join(bad))


@dataclass(frozen=True)
class GAResult:
    """The archive of feasible proposals found, de-duplicated by attribute values.

    ``codes``, ``counterparts``, ``anchor`` and ``counterpart`` are aligned arrays (one entry per
    distinct feasible proposal, in no particular order).
    """

    codes: IntArray
    counterparts: IntArray
    anchor: FloatArray
    counterpart: FloatArray
    evaluations: int
    generations: int


def fitness(scores: Evaluation, deal_zone: float, penalty: float) -> FloatArray:
    """Step 8's fitness of every chromosome (see the module docstring); shape ``(P,)``."""
    diff = np.abs(scores.anchor[None, :] - scores.counterpart)
    total = scores.anchor[None, :] + scores.counterpart
    score = total - penalty * np.maximum(diff - deal_zone, 0.0)
    out: FloatArray = np.where(scores.valid, score, -np.inf).max(axis=0, initial=-np.inf)
    return out


class _Archive:
    """Collects feasible (code, counterpart) pairs with their utilities."""

    def __init__(self) -> None:
        self._parts: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []

    def add(self, codes: IntArray, scores: Evaluation, deal_zone: float) -> float:
        """Keep the feasible pairs; return their best utility sum (``-inf`` if none)."""
        diff = np.abs(scores.anchor[None, :] - scores.counterpart)
        cp, idx = np.nonzero(scores.valid & (diff <= deal_zone + ZONE_EPS))
        ua, ub = scores.anchor[idx], scores.counterpart[cp, idx]
        self._parts.append((codes[idx], cp.astype(np.int64), ua, ub))
        return float((ua + ub).max(initial=-np.inf))

    def best_codes(self, k: int) -> IntArray:
        """Codes of the ``k`` largest-sum feasible entries (ties: earliest found)."""
        if not self._parts or k == 0:
            return np.zeros(0, dtype=np.int64)
        codes = np.concatenate([p[0] for p in self._parts])
        totals = np.concatenate([p[2] + p[3] for p in self._parts])
        _, first = np.unique(codes, return_index=True)
        order = first[np.argsort(-totals[first], kind="stable")]
        out: IntArray = codes[order[:k]]
        return out

    def result(self, space: ProposalSpace) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        if not self._parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), np.zeros(0)
        codes, cps, ua, ub = (np.concatenate(p) for p in zip(*self._parts, strict=True))
        keys = np.stack([space.canonical(codes), cps], axis=1)
        _, first = np.unique(keys, axis=0, return_index=True)
        return codes[first], cps[first], ua[first], ub[first]


def _codes(genome: Genome, powers: IntArray) -> IntArray:
    out: IntArray = genome.astype(np.int64) @ powers
    return out


def _select(fit: FloatArray, size: int, rng: np.random.Generator) -> IntArray:
    """Tournament selection; ties go to the first drawn entrant."""
    entrants = rng.integers(0, fit.size, size=(fit.size, size))
    winners: IntArray = entrants[np.arange(fit.size), np.argmax(fit[entrants], axis=1)]
    return winners


def _crossover(parents: Genome, config: GAConfig, rng: np.random.Generator) -> Genome:
    """Single-point crossover of consecutive pairs."""
    pairs, length = parents.shape[0] // 2, parents.shape[1]
    crossed = rng.random(pairs) < config.crossover_rate
    if config.crossover_point is None:
        points = rng.integers(1, max(length, 2), size=pairs)
    else:
        points = np.full(pairs, config.crossover_point)
    swap = (np.arange(length)[None, :] >= points[:, None]) & crossed[:, None]
    first, second = parents[0::2], parents[1::2]
    children = np.empty_like(parents)
    children[0::2] = np.where(swap, second, first)
    children[1::2] = np.where(swap, first, second)
    return children


def run_ga(
    space: ProposalSpace,
    deal_zone: float,
    config: GAConfig,
    rng: np.random.Generator,
    *,
    on_generation: Progress | None = None,
) -> GAResult:
    """Search the space with the GA and return the archive of feasible proposals.

    Args:
        space: the proposal space (anchor, active counterparts, tables).
        deal_zone: the largest utility difference a proposal may have (``D``, >= 0).
        config: GA parameters.
        rng: the only source of randomness.
        on_generation: called after each generation with (generations done, generations
            planned), e.g. to show progress.

    Raises:
        UsageError: negative deal zone, or a crossover point outside the chromosome.

    Example:
        >>> from negotiator.mediation.curves import PowerCurve
        >>> from negotiator.mediation.space import Attribute, Party
        >>> a = Party("A", (PowerCurve(0.0, 10.0, 10.0, 0.0),), (1.0,))
        >>> b = Party("B", (PowerCurve(10.0, 0.0, 10.0, 0.0),), (1.0,))
        >>> space = ProposalSpace([Attribute("x", bits=4)], a, [b])
        >>> res = run_ga(space, 1.0, GAConfig(generations=5), np.random.default_rng(1))
        >>> bool(res.codes.size > 0)
        True
    """
    length = space.total_bits
    if deal_zone < 0:
        raise UsageError(f"deal zone must be >= 0, got {deal_zone}")
    if config.crossover_point is not None and not 1 <= config.crossover_point < max(length, 2):
        raise UsageError(
            f"crossover_point must be in 1..{length - 1}, got {config.crossover_point}"
        )
    archive = _Archive()
    generation = _evolve(space, deal_zone, config, rng, archive, on_generation=on_generation)
    evaluations = config.population * (generation + 1) * max(len(space.counterparts), 1)
    evaluations += polish(
        space,
        archive.best_codes(config.polish),
        deal_zone,
        lambda codes, scores: archive.add(codes, scores, deal_zone),
        eps=ZONE_EPS,
    )
    codes_out, cps, ua, ub = archive.result(space)
    return GAResult(codes_out, cps, ua, ub, evaluations, generation)


def _evolve(
    space: ProposalSpace,
    deal_zone: float,
    config: GAConfig,
    rng: np.random.Generator,
    archive: _Archive,
    *,
    on_generation: Progress | None,
) -> int:
    """The generational loop; fills ``archive`` and returns the generations run."""
    length = space.total_bits
    mutation = config.mutation_rate if config.mutation_rate is not None else 1.0 / length
    powers = (1 << np.arange(length - 1, -1, -1, dtype=np.int64)).astype(np.int64)
    genome: Genome = rng.integers(0, 2, size=(config.population, length), dtype=np.uint8)
    best, stall, since_restart = -np.inf, 0, 0
    for generation in range(config.generations + 1):
        codes = _codes(genome, powers)
        scores = space.evaluate(space.decode(codes))
        fit = fitness(scores, deal_zone, config.penalty)
        batch_best = archive.add(codes, scores, deal_zone)
        improved = batch_best > best
        best = max(best, batch_best)
        stall = 0 if improved else stall + 1
        since_restart = 0 if improved else since_restart + 1
        if on_generation is not None:
            on_generation(generation + 1, config.generations + 1)
        if config.stall_generations is not None and stall >= config.stall_generations:
            return generation
        if generation == config.generations:
            break
        genome = _next_generation(genome, fit, config, mutation, rng)
        if config.restart_after is not None and since_restart >= config.restart_after:
            genome[config.elite :] = rng.integers(0, 2, size=genome[config.elite :].shape)
            since_restart = 0
    return config.generations


def _next_generation(
    genome: Genome, fit: FloatArray, config: GAConfig, mutation: float, rng: np.random.Generator
) -> Genome:
    parents = genome[_select(fit, config.tournament, rng)]
    children = _crossover(parents, config, rng)
    children ^= (rng.random(children.shape) < mutation).astype(np.uint8)
    if config.elite:
        elite = np.argsort(-fit, kind="stable")[: config.elite]
        children[: config.elite] = genome[elite]
    return children
