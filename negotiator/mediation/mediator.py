"""The GA mediator of seed 002, steps 9-10: the ranked list, the choice, and (proposal, δ).

Step 9 sorts the proposals by utility difference ascending and, "to avoid deals at low
satisfaction", chooses the one with the largest utility sum; step 10 presents it with
δ = its difference. Ties are broken by a documented key:

* ranked list: difference ascending, then sum descending, then counterpart registration order,
  then chromosome value ascending;
* choice: sum descending, then difference ascending, then the same two keys.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import UsageError
from negotiator.mediation.ga import GAConfig, GAResult, Progress, run_ga
from negotiator.mediation.space import Proposal, ProposalSpace

__all__ = ["MediationResult", "MediationStatus", "SkippedCounterpart", "mediate", "rank_order"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class MediationStatus(StrEnum):
    """Outcome of a mediation: a proposal was found, or none lies within the deal zone."""

    PROPOSED = "proposed"
    NO_PROPOSAL = "no-proposal"


class SkippedCounterpart(BaseModel):
    """A counterpart left out by seed 002's step 5."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    counterpart: str = Field(description="The counterpart's name.")
    attribute: str = Field(description="The first attribute with no corresponding value.")
    reason: str = Field(description="Why there is no corresponding value.")


class MediationResult(BaseModel):
    """What the mediator presents: the chosen proposal with its δ, and the ranked list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: MediationStatus = Field(description="Whether a proposal was found.")
    anchor: str = Field(description="The agent whose gains the chromosome encodes (agent A).")
    deal_zone: float = Field(description="The largest difference a proposal may have (D).")
    chosen: Proposal | None = Field(description="Step 9's choice: the largest sum within D.")
    delta: float | None = Field(description="Step 10's δ: the chosen proposal's difference.")
    chosen_rank: int | None = Field(description="1-based rank of the choice in the full list.")
    proposals: list[Proposal] = Field(description="The first proposals by difference ascending.")
    feasible: int = Field(description="Distinct proposals found within the deal zone.")
    evaluations: int = Field(description="(chromosome, counterpart) evaluations made.")
    generations: int = Field(description="GA generations run after the initial one.")
    skipped: list[SkippedCounterpart] = Field(description="Counterparts skipped by step 5.")


def rank_order(
    difference: FloatArray, total: FloatArray, counterparts: IntArray, codes: IntArray
) -> IntArray:
    """Indices in ranked-list order (difference asc, sum desc, counterpart asc, code asc)."""
    order: IntArray = np.lexsort((codes, counterparts, -total, difference))
    return order


def choice_index(
    difference: FloatArray, total: FloatArray, counterparts: IntArray, codes: IntArray
) -> int:
    """Index of step 9's choice (sum desc, difference asc, counterpart asc, code asc)."""
    return int(np.lexsort((codes, counterparts, difference, -total))[0])


def mediate(
    space: ProposalSpace,
    deal_zone: float,
    config: GAConfig,
    rng: np.random.Generator,
    list_size: int = 24,
    *,
    on_generation: Progress | None = None,
) -> MediationResult:
    """Run seed 002's mediator: GA search, ranked list, choice, and (proposal, δ).

    Args:
        space: anchor, counterparts and attributes (1:1 with one counterpart, 1:N otherwise).
        deal_zone: the largest utility difference a proposal may have.
        config: GA parameters.
        rng: seeded generator; the same seed gives the same result.
        list_size: how many ranked proposals to return (seed 002's table 1 shows 24).
        on_generation: the GA's progress callback (see :func:`~negotiator.mediation.ga.run_ga`).

    Raises:
        UsageError: ``list_size < 1`` or a bad deal zone / GA configuration.

    Example:
        >>> from negotiator.mediation.curves import PowerCurve
        >>> from negotiator.mediation.space import Attribute, Party
        >>> a = Party("A", (PowerCurve(0.0, 10.0, 10.0, 0.0),), (1.0,))
        >>> b = Party("B", (PowerCurve(10.0, 0.0, 10.0, 0.0),), (1.0,))
        >>> space = ProposalSpace([Attribute("x", bits=4)], a, [b])
        >>> mediate(space, 1.0, GAConfig(), np.random.default_rng(0)).status.value
        'proposed'
    """
    if list_size < 1:
        raise UsageError(f"list_size must be >= 1, got {list_size}")
    skipped = [
        SkippedCounterpart(counterpart=s.counterpart, attribute=s.attribute, reason=s.reason)
        for s in space.skipped
    ]
    if not space.counterparts:
        return _empty(space, deal_zone, skipped, 0, 0)
    found = run_ga(space, deal_zone, config, rng, on_generation=on_generation)
    if found.codes.size == 0:
        return _empty(space, deal_zone, skipped, found.evaluations, found.generations)
    return _present(space, deal_zone, found, skipped, list_size)


def _present(
    space: ProposalSpace,
    deal_zone: float,
    found: GAResult,
    skipped: list[SkippedCounterpart],
    list_size: int,
) -> MediationResult:
    diff = np.abs(found.anchor - found.counterpart)
    total = found.anchor + found.counterpart
    order = rank_order(diff, total, found.counterparts, found.codes)
    pick = choice_index(diff, total, found.counterparts, found.codes)
    chosen = space.proposal(int(found.codes[pick]), int(found.counterparts[pick]))
    ranked = [
        space.proposal(int(found.codes[i]), int(found.counterparts[i])) for i in order[:list_size]
    ]
    return MediationResult(
        status=MediationStatus.PROPOSED,
        anchor=space.anchor.name,
        deal_zone=deal_zone,
        chosen=chosen,
        delta=chosen.difference,
        chosen_rank=int(np.flatnonzero(order == pick)[0]) + 1,
        proposals=ranked,
        feasible=int(found.codes.size),
        evaluations=found.evaluations,
        generations=found.generations,
        skipped=skipped,
    )


def _empty(
    space: ProposalSpace,
    deal_zone: float,
    skipped: list[SkippedCounterpart],
    evaluations: int,
    generations: int,
) -> MediationResult:
    return MediationResult(
        status=MediationStatus.NO_PROPOSAL,
        anchor=space.anchor.name,
        deal_zone=deal_zone,
        chosen=None,
        delta=None,
        chosen_rank=None,
        proposals=[],
        feasible=0,
        evaluations=evaluations,
        generations=generations,
        skipped=skipped,
    )
