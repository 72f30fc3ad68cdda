"""Scenarios: an outcome space with one utility per party, and the seeded generated domain.

The generated domain is the one of the NegMAS benchmark (see ``bench/vs_negmas.py``): ``issues``
categorical issues named ``i0, i1, …`` with ``values`` values ``v0 … v9``; for negotiation ``i``
a ``numpy.random.default_rng(seed + i)`` draws, for each of the two parties in turn, the issue
weights from Dirichlet(1, …, 1) and then, per issue, ``values`` uniform numbers rescaled to span
exactly [0, 1]; the reservation value is 0.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negotiator.bargaining.acceptance import AcceptanceCondition
from negotiator.bargaining.analysis import ScenarioAnalysis, analyze
from negotiator.bargaining.issues import CategoricalIssue, OutcomeSpace
from negotiator.bargaining.negotiators import OutcomeNegotiator
from negotiator.bargaining.strategies import concession
from negotiator.bargaining.utility import AdditiveUtility, TableValue

__all__ = ["PartyTables", "Scenario", "bilateral", "generated_scenario", "random_tables"]

FloatArray = NDArray[np.float64]
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
    utilities: tuple[AdditiveUtility, ...] = Field(min_length=2, description="One per party.")

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        for u in self.utilities:
            u.check(self.space)
        return self

    @cached_property
    def utility_matrix(self) -> FloatArray:
        """Utilities of every outcome, shape ``(parties, outcomes)``."""
        return np.vstack([u.evaluate_space(self.space) for u in self.utilities])

    @cached_property
    def analysis(self) -> ScenarioAnalysis:
        """The exact analysis (Pareto, Nash, Kalai, welfare) of this scenario."""
        return analyze(self.utility_matrix, [u.reservation for u in self.utilities])


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
            tables.append((v - v.min()) / (v.max() - v.min()))
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
    first: str,
    second: str,
    accept: AcceptanceCondition | None = None,
) -> tuple[OutcomeNegotiator, OutcomeNegotiator]:
    """Two :class:`OutcomeNegotiator` s for the scenario's first two parties, by strategy name.

    Raises:
        UnknownKeyError: for an unknown strategy name.

    Example:
        >>> a, b = bilateral(generated_scenario(seed=1), "boulware", "tit-for-tat")
        >>> round(a.best, 6)
        1.0
    """
    u = scenario.utility_matrix
    layout = scenario.space.layout
    return (
        OutcomeNegotiator(
            u[0], layout, scenario.utilities[0].reservation, concession(first), accept
        ),
        OutcomeNegotiator(
            u[1], layout, scenario.utilities[1].reservation, concession(second), accept
        ),
    )
