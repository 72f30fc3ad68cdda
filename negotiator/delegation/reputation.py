"""Reputation updates with damping (seed 000's stability device against sharp drops).

A contractor's reputation is a score in [0, 1]. After each contract it moves only part of the way
towards the score the outcome earned: ``new = old + damping * (target - old)``. One transient
failure therefore costs a high-reputation agent ``damping * old`` rather than everything.
Outcome targets (:data:`OUTCOME_TARGET`): completed 1.0, breached 0.0; a cancellation by the
delegator is not the contractor's fault and leaves reputation unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import InvalidInputError, lookup

__all__ = ["DEFAULT_DAMPING", "OUTCOME_TARGET", "ReputationUpdate", "damped_update"]

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
