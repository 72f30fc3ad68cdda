"""A bidder's offer to do a task: :class:`Bid`."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.money import Money
from negotiator.wire.common import (
    SCHEMA_VERSION,
    AgentId,
    Fraction,
    Identifier,
    PrivacyLevel,
    Text,
    WireModel,
    check_currencies,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, unsigned

__all__ = ["Bid"]


class Bid(WireModel):
    """A sealed bid for one task (seed 000, step 2).

    Self-contained rules live here (price and bond in one currency, expiry with a time zone);
    rules that need the task or the clock are in :mod:`negotiator.wire.semantics`.

    Example:
        >>> from datetime import datetime, timezone
        >>> from decimal import Decimal
        >>> bid = Bid(bidder_id="did:web:fast-coder.ai", task_id="t1",
        ...     price=Money(amount=Decimal("5.00"), currency="USDC"),
        ...     estimated_duration_seconds=300, claimed_quality=0.9,
        ...     privacy_guarantee=PrivacyLevel.TEE,
        ...     reputation_bond=Money(amount=Decimal("0.50"), currency="USDC"),
        ...     expiry=datetime(2026, 10, 1, 12, tzinfo=timezone.utc),
        ...     offered_reporting_interval_seconds=300)
        >>> str(bid.price)
        '5.00 USDC'
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    bidder_id: AgentId = Field(description="Id of the bidder, e.g. did:web:fast-coder.ai.")
    task_id: Identifier = Field(description="Id of the task bid on.")
    price: Money = Field(description="Price asked for the whole task; must not exceed the budget.")
    estimated_duration_seconds: int = Field(
        gt=0, le=31_536_000, description="Estimated seconds from award to delivery, e.g. 300."
    )
    claimed_quality: Fraction = Field(
        description="Expected quality of the result in [0, 1]; over-claiming risks the bond."
    )
    privacy_guarantee: PrivacyLevel = Field(
        description="How the bidder protects the data: none, local, tee, zkp or he."
    )
    reputation_bond: Money = Field(
        description="Stake forfeited on failure and returned on success, e.g. 0.50 USDC."
    )
    expiry: AwareDatetime = Field(
        description="When the bid lapses, RFC 3339 with a time zone, e.g. 2026-10-01T12:00:00Z."
    )
    offered_reporting_interval_seconds: int = Field(
        gt=0, le=86_400, description="Seconds between the progress reports the bidder offers."
    )
    rationale: Text = Field(
        default="", description="Short free-text explanation of the bid (never instructions)."
    )
    signature: Signature | None = Field(
        default=None,
        exclude_if=unsigned,
        json_schema_extra=SIGNATURE_FIELD,
        description="The bidder's signature (negotiator.wire.signature), added by its software.",
    )

    @model_validator(mode="after")
    def _one_currency(self) -> Bid:
        check_currencies(
            "Bid", ("price",), {("price",): self.price, ("reputation_bond",): self.reputation_bond}
        )
        return self
