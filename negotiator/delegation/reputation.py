"""Reputation updates with damping (seed 000's stability device against sharp drops).

A contractor's reputation is a score in [0, 1]. After each contract it moves only part of the way
towards the score the outcome earned: ``new = old + damping * (target - old)``. One transient
failure therefore costs a high-reputation agent ``damping * old`` rather than everything.
Outcome targets (:data:`OUTCOME_TARGET`): completed 1.0, breached 0.0; a cancellation by the
delegator is not the contractor's fault and leaves reputation unchanged.

An idle agent's reputation decays toward a prior (:func:`decay_toward_prior`): evidence gets
stale, so after ``half_life`` idle units (tasks or seconds, the caller's choice) half of the gap
between the score and the prior is gone. A proven agent that stops working loses its edge
slowly; a bad name fades back to the prior just as slowly, so a pause is no way to shed it fast.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import InvalidInputError, lookup

__all__ = [
    "DEFAULT_DAMPING",
    "OUTCOME_TARGET",
    "ReputationUpdate",
    "damped_update",
    "decay_toward_prior",
]

DEFAULT_DAMPING = Decimal("0.2")
_STEP = Decimal("0.0001")

#: outcome -> the score the outcome earns (``None``: no update).
OUTCOME_TARGET: MappingProxyType[str, Decimal | None] = MappingProxyType(
    {"completed": Decimal(1), "breached": Decimal(0), "cancelled": None}
)


class ReputationUpdate(BaseModel):
    """How one contract changed one contractor's reputation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent_id: str = Field(description="The contractor whose reputation changed.")
    outcome: str = Field(description="The contract's outcome: completed, breached or cancelled.")
    before: Decimal = Field(ge=0, le=1, description="Reputation before the contract.")
    after: Decimal = Field(ge=0, le=1, description="Reputation after the damped update.")
    damping: Decimal = Field(gt=0, le=1, description="Fraction of the gap closed per contract.")


def damped_update(
    agent_id: str, before: Decimal, outcome: str, damping: Decimal = DEFAULT_DAMPING
) -> ReputationUpdate:
    """Return the reputation of ``agent_id`` after a contract that ended in ``outcome``.

    Raises:
        UnknownKeyError: ``outcome`` is not completed, breached or cancelled.
        InvalidInputError: ``before`` is outside [0, 1] or ``damping`` outside (0, 1].

    Example:
        >>> damped_update("did:web:a", Decimal("0.9"), "breached").after
        Decimal('0.7200')
    """
    target = lookup(OUTCOME_TARGET, outcome, "contract outcome")
    if not Decimal(0) <= before <= 1:
        raise InvalidInputError.single("reputation", "$.before", f"{before} is outside [0, 1]")
    if not Decimal(0) < damping <= 1:
        raise InvalidInputError.single("reputation", "$.damping", f"{damping} is outside (0, 1]")
    after = before if target is None else (before + damping * (target - before)).quantize(_STEP)
    return ReputationUpdate(
        agent_id=agent_id, outcome=outcome, before=before, after=after, damping=damping
    )


def decay_toward_prior(score: Decimal, prior: Decimal, idle: float, half_life: float) -> Decimal:
    """Return ``score`` after ``idle`` units without activity: ``prior + (score − prior) × ½^(idle
    / half_life)``, rounded to four decimals.

    Raises:
        InvalidInputError: ``idle`` is negative or ``half_life`` not positive.

    Example:
        >>> decay_toward_prior(Decimal("0.9"), Decimal("0.5"), idle=10, half_life=10)
        Decimal('0.7000')
    """
    if idle < 0:
        raise InvalidInputError.single("reputation decay", "$.idle", f"{idle} is negative")
    if half_life <= 0:
        raise InvalidInputError.single(
            "reputation decay", "$.half_life", f"{half_life} is not positive"
        )
    kept = Decimal(str(0.5 ** (idle / half_life)))
    return (prior + (score - prior) * kept).quantize(_STEP)
