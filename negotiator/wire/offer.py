"""Bilateral bargaining messages: :class:`Offer` carrying :class:`Terms`.

The message types are those of seed 001's two protocols: ``make_offer``, ``last_offer`` (an
ultimatum), ``accept_offer`` (Protocol II's explicit acceptance) and ``nego_broken`` (walking
away), plus ``reject_offer``: an explicit "no" to the offer on the table that proposes nothing
(a counter-offer is a ``make_offer``; a counter is never an acceptance).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.money import Money
from negotiator.wire.common import (
    SCHEMA_VERSION,
    AgentId,
    FiniteFloat,
    Fraction,
    Identifier,
    Loc,
    MetricName,
    Text,
    WireModel,
    check_currencies,
    rule_error,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, unsigned

__all__ = ["Offer", "OfferType", "Terms"]


class OfferType(StrEnum):
    """The kind of a bargaining message."""

    MAKE_OFFER = "make_offer"
    LAST_OFFER = "last_offer"
    ACCEPT_OFFER = "accept_offer"
    NEGO_BROKEN = "nego_broken"
    REJECT_OFFER = "reject_offer"


class Terms(WireModel):
    """The terms proposed in one offer; ``null`` leaves a term as it was."""

    price: Money | None = Field(default=None, description="Proposed price for the whole task.")
    estimated_duration_seconds: int | None = Field(
        default=None, gt=0, le=31_536_000, description="Proposed delivery time in seconds."
    )
    claimed_quality: Fraction | None = Field(
        default=None, description="Quality in [0, 1] the sender commits to."
    )
    reputation_bond: Money | None = Field(default=None, description="Proposed bond.")
    reporting_interval_seconds: int | None = Field(
        default=None, gt=0, le=86_400, description="Proposed seconds between progress reports."
    )
    penalty_fraction: Fraction | None = Field(
        default=None, description="Proposed share of the price forfeited on breach, in [0, 1]."
    )
    cancellation_rate: Fraction | None = Field(
        default=None,
        description="Proposed share of the pro-rata compensation paid on cancellation, [0, 1].",
    )
    attributes: dict[MetricName, FiniteFloat] = Field(
        default_factory=dict,
        max_length=32,
        description="Other negotiated attributes as numbers, e.g. {'delivery': 1} (+1 yes, -1 no).",
    )

    def is_empty(self) -> bool:
        """Whether no term at all is proposed."""
        return not self.attributes and all(
            getattr(self, name) is None for name in type(self).model_fields if name != "attributes"
        )

    @model_validator(mode="after")
    def _one_currency(self) -> Terms:
        check_currencies(
            "Terms",
            ("price",),
            {("price",): self.price, ("reputation_bond",): self.reputation_bond},
        )
        return self


_NEEDS_TERMS = frozenset({OfferType.MAKE_OFFER, OfferType.LAST_OFFER})


class Offer(WireModel):
    """One message of a bilateral negotiation.

    Example:
        >>> Offer(negotiation_id="n1", round=0, sender="seller", receiver="buyer",
        ...       message_type=OfferType.NEGO_BROKEN).terms is None
        True
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    negotiation_id: Identifier = Field(description="Id of the negotiation this message is in.")
    task_id: Identifier | None = Field(default=None, description="Task negotiated, if any.")
    round: int = Field(ge=0, le=1_000_000, description="Round number, starting at 0.")
    sender: AgentId = Field(description="Id of the sending party.")
    receiver: AgentId = Field(description="Id of the receiving party.")
    message_type: OfferType = Field(
        description="make_offer, last_offer (ultimatum), accept_offer, reject_offer or "
        "nego_broken (walk away)."
    )
    terms: Terms | None = Field(
        default=None, description="Proposed terms; required for make_offer and last_offer."
    )
    message: Text = Field(default="", description="Optional natural-language note.")
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the offer lapses (RFC 3339); none: at the next message."
    )
    signature: Signature | None = Field(
        default=None,
        exclude_if=unsigned,
        json_schema_extra=SIGNATURE_FIELD,
        description="The sender's signature (negotiator.wire.signature), added by its software.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Offer:
        problems: list[tuple[Loc, str, object]] = []
        if self.sender == self.receiver:
            problems.append((("receiver",), "receiver must differ from sender", self.receiver))
        if self.message_type in _NEEDS_TERMS and (self.terms is None or self.terms.is_empty()):
            problems.append((("terms",), f"{self.message_type} needs at least one term", None))
        if problems:
            raise rule_error("Offer", problems)
        return self
