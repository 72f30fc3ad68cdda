"""What a negotiation leaves behind: every move as a wire message, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.calls import CallRecord
from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.wire.offer import Offer

__all__ = ["Guards", "Move", "Session", "Stall"]


class Stall(StrEnum):
    """Why a negotiation ended without agreement (the sealed bid then stays the basis)."""

    ROUND_CAP = "round cap reached"
    DEADLINE = "deadline passed"
    REPEATED = "repeated offers: no side moved"
    WALKED_AWAY = "walked away"
    REJECTED = "proposal rejected"
    NO_PROPOSAL = "the mediator found no proposal both sides accept"
    NO_COUNTERPART = "no bidder to negotiate with"


@dataclass(frozen=True)
class Guards:
    """The limits every negotiation runs under.

    Args:
        max_rounds: round cap (a round is one message from each side).
        deadline_seconds: negotiation time from its start; each message takes
            ``seconds_per_message`` of it.
        seconds_per_message: simulated time one message takes (the clock stays deterministic).
        offer_ttl_seconds: how long an offer holds (its ``expires_at``).
        repeat_limit: rounds in a row in which neither side sent a new offer before the
            negotiation is called stalled (no oscillation).
        call_timeout_seconds: per model call; a slower answer falls back to the policy.
    """

    max_rounds: int = 10
    deadline_seconds: int = 3_600
    seconds_per_message: int = 60
    offer_ttl_seconds: int = 300
    repeat_limit: int = 3
    call_timeout_seconds: float = 300.0

    def sent_at(self, start: datetime, seq: int) -> datetime:
        """When message ``seq`` (0-based) is sent."""
        return start + timedelta(seconds=seq * self.seconds_per_message)

    @property
    def offer_ttl(self) -> timedelta:
        """How long an offer holds."""
        return timedelta(seconds=self.offer_ttl_seconds)

    def past_deadline(self, seq: int) -> bool:
        """Whether message ``seq`` would be sent after the deadline."""
        return seq * self.seconds_per_message > self.deadline_seconds


class Move(BaseModel):
    """One message of a negotiation and how it was written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer: Offer = Field(description="The validated wire message.")
    source: str = Field(description="model, fallback, or policy (no model call was made).")
    fallback_reason: str | None = Field(default=None, description="Why the model was overruled.")
    reasks: int = Field(default=0, ge=0, description="Re-asks the model needed.")


class Session(BaseModel):
    """One negotiation between the delegator and one bidder (or the mediator and all)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    counterpart: str = Field(description="The bidder negotiated with.")
    agreed: ContractTerms | None = Field(description="The agreed terms, or None.")
    rounds: int = Field(ge=0, description="Rounds begun.")
    moves: tuple[Move, ...] = Field(description="Every message in order.")
    stall_reason: str | None = Field(description="Why it ended without agreement, if it did.")
    delegator_utility: float | None = Field(description="Delegator's utility of the agreement.")
    bidder_utility: float | None = Field(description="The bidder's utility of the agreement.")
    calls: tuple[CallRecord, ...] = Field(default=(), description="Model calls, in order.")
