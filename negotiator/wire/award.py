"""The delegator's choice of contractor: :class:`Award`, with the reasons it won."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.wire.bid import Bid
from negotiator.wire.common import (
    SCHEMA_VERSION,
    AgentId,
    FiniteFloat,
    Identifier,
    Loc,
    MetricName,
    ShortText,
    Text,
    WireModel,
    rule_error,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, unsigned

__all__ = ["Award", "BidRejection", "BidScore", "RejectionReason"]


class BidScore(WireModel):
    """How one valid bid scored in the award."""

    bidder_id: AgentId = Field(description="Id of the bidder.")
    objectives: dict[MetricName, FiniteFloat] = Field(
        default_factory=dict,
        max_length=16,
        description="Objective values compared, e.g. price, duration, quality, risk, privacy.",
    )
    on_pareto_front: bool = Field(description="Whether no other bid dominates this one.")
    score: FiniteFloat = Field(description="The delegator's preference score (higher is better).")
    rank: int = Field(ge=1, description="Place in the final order, 1 = winner.")


class RejectionReason(WireModel):
    """One reason a bid was rejected, located by JSON path."""

    path: ShortText = Field(description="JSON path of the offending field, e.g. $.price.amount.")
    message: Text = Field(description="What was wrong.")


class BidRejection(WireModel):
    """A bid screened out before the award, with every reason."""

    bidder_id: AgentId = Field(description="Id of the bidder.")
    reasons: Annotated[tuple[RejectionReason, ...], Field(min_length=1, max_length=64)] = Field(
        description="Every reason the bid was rejected."
    )


class Award(WireModel):
    """The award of a task to one bidder, with why it won.

    Rules checked here: the winning bid is the winner's and is for this task; bidder ids in
    ``scores`` are unique; the winner and every Pareto-front id appear in ``scores``.
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    task_id: Identifier = Field(description="Id of the task awarded.")
    winner_id: AgentId = Field(description="Id of the winning bidder.")
    winning_bid: Bid = Field(description="The winning bid, as it was accepted.")
    scores: tuple[BidScore, ...] = Field(
        default=(), max_length=1000, description="Scores of every valid bid."
    )
    pareto_front: tuple[AgentId, ...] = Field(
        default=(), max_length=1000, description="Ids of the bidders on the Pareto front."
    )
    rejected: tuple[BidRejection, ...] = Field(
        default=(), max_length=1000, description="Bids screened out, with their reasons."
    )
    reason: Text = Field(default="", description="Why the winner won, in plain language.")
    awarded_at: AwareDatetime = Field(description="When the award was made (RFC 3339).")
    signature: Signature | None = Field(
        default=None,
        exclude_if=unsigned,
        json_schema_extra=SIGNATURE_FIELD,
        description="The delegator's signature (see negotiator.wire.signature).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Award:
        problems: list[tuple[Loc, str, object]] = []
        if self.winning_bid.bidder_id != self.winner_id:
            problems.append(
                (("winning_bid", "bidder_id"), "is not the winner_id", self.winning_bid.bidder_id)
            )
        if self.winning_bid.task_id != self.task_id:
            problems.append((("winning_bid", "task_id"), "is not the task_id", self.task_id))
        ids = [s.bidder_id for s in self.scores]
        if len(set(ids)) != len(ids):
            problems.append((("scores",), "a bidder is scored twice", ids))
        if self.scores and self.winner_id not in ids:
            problems.append((("winner_id",), "winner has no entry in scores", self.winner_id))
        problems.extend(
            (("pareto_front", i), "not among the scored bidders", bidder)
            for i, bidder in enumerate(self.pareto_front)
            if bidder not in ids
        )
        if problems:
            raise rule_error("Award", problems)
        return self
