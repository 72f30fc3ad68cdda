"""Scenarios: an outcome space with one utility per party, and the seeded generated domain.

A scenario keeps each party's utility in its own units (weights for an additive utility, points
for a :class:`~negotiator.bargaining.PointsUtility`): :attr:`Scenario.analysis` is exact on
points (integers over a common denominator) and :attr:`Scenario.normalized_matrix` — each party's
utilities mapped to [0, 1] over the outcomes — is what strategies see. Reports use the raw units.

The generated domain is the one of the NegMAS benchmark (see ``bench/vs_negmas.py``): ``issues``
categorical issues named ``i0, i1, …`` with ``values`` values ``v0 … v9``; for negotiation ``i``
a ``numpy.random.default_rng(seed + i)`` draws, for each of the two parties in turn, the issue
weights from Dirichlet(1, …, 1) and then, per issue, ``values`` uniform numbers rescaled to span
exactly [0, 1] (a one-value issue is worth 1); the reservation value is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from math import lcm

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negotiator.bargaining.acceptance import AcceptanceCondition
from negotiator.bargaining.agents import DEFAULT_AGENT, agent, build_agent
from negotiator.bargaining.analysis import ScenarioAnalysis, analyze
from negotiator.bargaining.issues import (
    CategoricalIssue,
    ContinuousIssue,
    IntegerIssue,
    ItemIssue,
    OutcomeSpace,
)
from negotiator.bargaining.negotiators import OutcomeNegotiator
from negotiator.bargaining.points import PointsUtility
from negotiator.bargaining.protocols import Negotiation, NegotiationResult
from negotiator.bargaining.stacked import MAX_STACKED_OUTCOMES, analyze_stack, normalized_stack
from negotiator.bargaining.utility import AdditiveUtility, TableValue

__all__ = [
    "AnalysisInput",
    "PartyTables",
    "Scenario",
    "analyze_many",
    "bilateral",
    "generated_scenario",
    "random_tables",
]

FloatArray = NDArray[np.float64]
#: What a scenario's analysis analyses: ``(matrix, reservation, scale)``.
AnalysisInput = tuple[NDArray[np.generic], NDArray[np.generic], int]
#: One party's draw: issue weights and one value table per issue.
PartyTables = tuple[FloatArray, list[FloatArray]]


class Scenario(BaseModel):
    """An outcome space and one additive utility per party.

    Example:
        >>> s = generated_scenario(seed=3, issues=2, values=4)
        >>> s.space.size, s.utility_matrix.shape
        (16, (2, 16))
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="scenario", description="A label for reports.")
    space: OutcomeSpace = Field(description="The issues.")
    utilities: tuple[AdditiveUtility | PointsUtility, ...] = Field(
        min_length=2, description="One per party."
    )

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        for u in self.utilities:
            u.check(self.space)
        return self

    @cached_property
    def denominator(self) -> int | None:
        """Common denominator of all points (None unless every party scores in points)."""
        if not all(isinstance(u, PointsUtility) for u in self.utilities):
            return None
        return lcm(*(u.denominator for u in self.utilities if isinstance(u, PointsUtility)))

    @cached_property
    def utility_matrix(self) -> FloatArray:
        """Raw utilities of every outcome (points or weighted utility), ``(parties, outcomes)``."""
        return np.vstack([u.evaluate_space(self.space) for u in self.utilities])

    def analysis_input(self) -> AnalysisInput:
        """What :attr:`analysis` analyses: ``(matrix, reservation, scale)`` — exact integers
        over the common denominator for points, raw floats otherwise (scale 1)."""
        d = self.denominator
        if d is None:
            return self.utility_matrix, np.array([u.reservation for u in self.utilities]), 1
        points = [u for u in self.utilities if isinstance(u, PointsUtility)]
        exact = np.vstack([u.exact_space(self.space, d) for u in points])
        return exact, np.array([u.exact_reservation(d) for u in points]), d

    @cached_property
    def analysis(self) -> ScenarioAnalysis:
        """The exact analysis (Pareto, Nash, Kalai, welfare) of this scenario, in raw units
        (:func:`analyze_many` fills it for many scenarios at once)."""
        matrix, reservation, scale = self.analysis_input()
        return analyze(matrix, reservation, scale=scale)

    @cached_property
    def normalized_matrix(self) -> FloatArray:
        """Each party's utilities mapped to [0, 1] over the outcomes (what strategies see)."""
        a = self.analysis
        return a.normalize(a.raw_matrix.T).T

    @cached_property
    def normalized_reservation(self) -> FloatArray:
        """Each party's reservation on the normalised scale."""
        return self.analysis.normalized_point(None)

    def scored(self, result: NegotiationResult[int]) -> NegotiationResult[int]:
        """The result with its :class:`OutcomeScores` (raw and normalised utilities, Pareto
        status, distances) filled in."""
        return replace(result, scores=self.analysis.score(result.agreement))

    def negotiate(
        self,
        first: str = DEFAULT_AGENT,
        second: str = DEFAULT_AGENT,
        rounds: int = 20,
        protocol: str = "alternating",
    ) -> NegotiationResult[int]:
        """Run one negotiation between two named agents (party 0 opens) and score it.

        Raises:
            UnknownKeyError: for an unknown agent or protocol.

        Example:
            >>> r = generated_scenario(seed=1).negotiate(rounds=10)
            >>> r.status.value, r.scores is not None and r.scores.pareto
            ('agreed', True)
        """
        return self.scored(Negotiation(protocol, bilateral(self, first, second), rounds).run())

    @property
    def numeric(self) -> bool:
        """True when some issue is an integer or continuous range (not an item split)."""
        return any(isinstance(i, IntegerIssue | ContinuousIssue) for i in self.space.issues)

    def ordinal(self, party: int) -> tuple[int, ...]:
        """Per issue, the direction in which the *other* party of a pair gains (0: unordered).

        An item split gives party 0 the issue's value and party 1 the rest, so party 0's
        opponent gains as the value falls (−1) and party 1's as it rises (+1).
        """
        sign = -1 if party == 0 else 1
        return tuple(sign if isinstance(i, ItemIssue) else 0 for i in self.space.issues)

    def discount(self, party: int) -> float | None:
        """The time discount of a party's utility (None: none)."""
        return self.utilities[party].discount


def analyze_many(scenarios: Sequence[Scenario]) -> None:
    """Analyse many scenarios at once: fill each one's :attr:`~Scenario.analysis`,
    :attr:`~Scenario.normalized_matrix` and :attr:`~Scenario.normalized_reservation`.

    Scenarios not yet analysed are grouped by party count, outcome count and exactness
    (points or floats); each group of at most
    :data:`~negotiator.bargaining.stacked.MAX_STACKED_OUTCOMES` outcomes is analysed by
    :func:`~negotiator.bargaining.stacked.analyze_stack` in a handful of numpy calls, with
    results identical to each scenario's own. Larger scenarios are analysed one at a time.

    Raises:
        InvalidInputError: for a scenario whose utilities cannot be analysed (non-finite).

    Example:
        >>> found = [generated_scenario(seed, 2, 4) for seed in range(3)]
        >>> analyze_many(found)
        >>> [s.analysis.max_welfare == analyze(*s.analysis_input()[:2]).max_welfare for s in found]
        [True, True, True]
    """
    groups: dict[tuple[int, int, str], list[tuple[Scenario, AnalysisInput]]] = {}
    for s in scenarios:
        if "analysis" in s.__dict__:
            continue
        data = s.analysis_input()
        u, r = data[0], data[1]
        kind: str = u.dtype.kind if u.dtype.kind == r.dtype.kind else "mixed"
        groups.setdefault((*u.shape, kind), []).append((s, data))
    for (_, n, kind), members in groups.items():
        if n > MAX_STACKED_OUTCOMES or len(members) == 1 or kind == "mixed":
            for s, (u, r, scale) in members:
                s.__dict__["analysis"] = analyze(u, r, scale=scale)
            continue
        u = np.stack([m[1][0] for m in members])
        r = np.stack([m[1][1] for m in members])
        scales = np.array([m[1][2] for m in members], dtype=np.int64)
        found = analyze_stack(u, r, scales)
        fscale = scales.astype(np.float64)
        low = np.stack([a.low for a in found])
        high = np.stack([a.high for a in found])
        norm = normalized_stack(u, low, high, fscale)
        norm_r = normalized_stack(r[:, :, None], low, high, fscale)[:, :, 0]
        for k, (s, _) in enumerate(members):
            s.__dict__["analysis"] = found[k]
            s.__dict__["normalized_matrix"] = norm[k]
            s.__dict__["normalized_reservation"] = norm_r[k]


def random_tables(
    rng: np.random.Generator, parties: int = 2, issues: int = 3, values: int = 10
) -> list[PartyTables]:
    """Draw the benchmark's random linear-additive preferences (see the module docstring).

    Example:
        >>> w, tables = random_tables(np.random.default_rng(0))[0]
        >>> round(float(w.sum()), 6), float(tables[0].min()), float(tables[0].max())
        (1.0, 0.0, 1.0)
    """
    out: list[PartyTables] = []
    for _ in range(parties):
        weights = rng.dirichlet(np.ones(issues))
        tables = []
        for _ in range(issues):
            v = rng.random(values)
            span = v.max() - v.min()
            tables.append((v - v.min()) / span if span > 0 else np.ones(values))
        out.append((weights, tables))
    return out


def generated_scenario(seed: int, issues: int = 3, values: int = 10) -> Scenario:
    """The generated domain drawn with ``numpy.random.default_rng(seed)`` (reservation 0).

    Example:
        >>> generated_scenario(seed=20240601).space.size
        1000
    """
    names = tuple(f"v{j}" for j in range(values))
    space = OutcomeSpace(
        issues=tuple(CategoricalIssue(name=f"i{k}", values=names) for k in range(issues))
    )
    utilities = tuple(
        AdditiveUtility(
            weights=tuple(float(x) for x in w),
            values=tuple(TableValue(table=dict(zip(names, t.tolist(), strict=True))) for t in ts),
        )
        for w, ts in random_tables(np.random.default_rng(seed), 2, issues, values)
    )
    return Scenario(name=f"generated-{seed}", space=space, utilities=utilities)


def bilateral(
    scenario: Scenario,
    first: str = DEFAULT_AGENT,
    second: str = DEFAULT_AGENT,
    accept: AcceptanceCondition | None = None,
) -> tuple[OutcomeNegotiator, OutcomeNegotiator]:
    """Two negotiators for the scenario's first two parties, by agent name (default ``pareto``).

    Each sees its own normalised utilities and reservation and its utility's time discount.

    Raises:
        UnknownKeyError: for an unknown agent name.

    Example:
        >>> a, b = bilateral(generated_scenario(seed=1), "boulware", "tit-for-tat")
        >>> round(a.best, 6)
        1.0
    """
    u = scenario.normalized_matrix
    r = scenario.normalized_reservation
    layout = scenario.space.layout
    specs = (agent(first), agent(second))
    a, b = (
        build_agent(
            specs[k],
            u[k],
            layout,
            float(r[k]),
            scenario.discount(k),
            accept,
            scenario.ordinal(k),
            numeric=scenario.numeric,
        )
        for k in range(2)
    )
    return a, b
