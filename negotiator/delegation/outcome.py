"""The result of one delegation run, as one JSON object (``negotiator demo --json`` prints it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.calls import CallRecord, totals
from negotiator.delegation.clarify import QuestionGroup
from negotiator.delegation.monitoring import Verdict
from negotiator.delegation.phases import A2A_STATE, Phase
from negotiator.delegation.reputation import ReputationUpdate
from negotiator.wire.award import Award, BidScore
from negotiator.wire.contract import Contract
from negotiator.wire.settlement import Payment, Settlement

__all__ = [
    "BidCounts",
    "DelegationOutcome",
    "PaymentLine",
    "Rejection",
    "Winner",
    "build_outcome",
]


class Winner(BaseModel):
    """Who won and at what price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bidder_id: str = Field(description="The contractor.")
    price: str = Field(description="The winning price, exact decimal text.")
    currency: str = Field(description="Its currency.")
    reason: str = Field(description="Why it won (its scores against the others).")


class BidCounts(BaseModel):
    """How many bids arrived and how many were screened out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    received: int = Field(ge=0, description="Envelopes opened.")
    rejected: int = Field(ge=0, description="Bids rejected at screening.")


class PaymentLine(BaseModel):
    """One money movement of the run (ledger posting ``from -> to``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", description="Account debited.")
    to: str = Field(description="Account credited.")
    amount: str = Field(description="Exact decimal text.")
    currency: str = Field(description="Currency.")
    reason: str = Field(description="Why: escrow, bond_escrow, payment, penalty, ...")


class Rejection(BaseModel):
    """A bidder left out: filtered at announcement, or its bid screened out, with every reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Literal["announce", "screen"] = Field(
        description="announce: not eligible to bid; screen: its bid was invalid."
    )
    bidder_id: str = Field(description="The bidder.")
    reasons: tuple[str, ...] = Field(description="Every reason, a bid's located by JSON path.")


class DelegationOutcome(BaseModel):
    """Everything a caller needs to know about a finished (or paused) delegation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str = Field(description="The run (thread) id.")
    task_id: str = Field(description="The delegated task.")
    phase: str = Field(description="The phase the run is in (terminal when finished).")
    a2a_state: str = Field(description="The phase as an A2A task state.")
    outcome: str = Field(description="completed, breached, cancelled, failed or pending.")
    winner: Winner | None = Field(description="The contractor, if one was awarded.")
    clarifications: int = Field(ge=0, description="FAQ entries published during clarification.")
    bids: BidCounts = Field(description="Bids received and rejected.")
    payments: tuple[PaymentLine, ...] = Field(description="Every money movement, in order.")
    ledger_balanced: bool = Field(description="Every posting and currency sums to zero.")
    breach: str | None = Field(default=None, description="Breached clause and evidence.")
    reputation: ReputationUpdate | None = Field(default=None, description="Damped update.")
    failure: str | None = Field(default=None, description="Why nothing was awarded.")
    pending_questions: tuple[QuestionGroup, ...] = Field(
        default=(),
        description="Questions waiting for a human answer (the run is paused; resume it with "
        "HumanAnswers).",
    )
    seam_calls: int = Field(ge=0, description="Conversational steps (calls a real model gets).")
    model_calls: int = Field(ge=0, description="Calls a model (or its recording) answered.")
    fallbacks: int = Field(ge=0, description="Calls that fell back after a model failed.")
    prompt_tokens: int = Field(ge=0, description="Tokens sent to models in total.")
    completion_tokens: int = Field(ge=0, description="Tokens received from models in total.")
    rejections: tuple[Rejection, ...] = Field(
        default=(), description="Every bidder left out, at announcement or screening, and why."
    )
    award_scores: tuple[BidScore, ...] = Field(
        default=(), description="How every valid bid scored (objectives, Pareto front, rank)."
    )
    award_rule: str | None = Field(
        default=None, description="The delegator's rule that ranked the Pareto-front bids."
    )
    contract: Contract | None = Field(default=None, description="The contract both signed.")
    settlement: Settlement | None = Field(default=None, description="The settlement posted.")
    transcript: str | None = Field(
        default=None, description="The run's transcript file, when one was recorded."
    )


_OUTCOME = {
    Phase.COMPLETED: "completed",
    Phase.BREACHED: "breached",
    Phase.CANCELLED: "cancelled",
    Phase.FAILED: "failed",
}


def _line(p: Payment) -> PaymentLine:
    return PaymentLine.model_validate(
        {
            "from": p.from_account,
            "to": p.to_account,
            "amount": str(p.amount.amount),
            "currency": p.amount.currency,
            "reason": p.reason.value,
        }
    )


def build_outcome(
    *,
    run_id: str,
    task_id: str,
    phase: Phase,
    award: Award | None,
    clarifications: int,
    bids: BidCounts,
    payments: Sequence[Payment],
    ledger_balanced: bool,
    calls: Sequence[CallRecord],
    settlement: Settlement | None = None,
    verdict: Verdict | None = None,
    reputation: ReputationUpdate | None = None,
    failure: str | None = None,
    pending_questions: Sequence[QuestionGroup] = (),
) -> DelegationOutcome:
    """Assemble the outcome of a run from its artefacts."""
    counts = totals(calls)
    winner = None
    if award is not None:
        bid = award.winning_bid
        winner = Winner(
            bidder_id=award.winner_id,
            price=str(bid.price.amount),
            currency=bid.price.currency,
            reason=award.reason,
        )
    breach = None
    if settlement is not None and settlement.outcome.value == "breached" and verdict is not None:
        breach = f"clause {verdict.clause_index} ({verdict.clause_kind}): {verdict.evidence}"
    return DelegationOutcome(
        run_id=run_id,
        task_id=task_id,
        phase=phase.value,
        a2a_state=A2A_STATE[phase].value,
        outcome=_OUTCOME.get(phase, "pending"),
        winner=winner,
        clarifications=clarifications,
        bids=bids,
        payments=tuple(_line(p) for p in payments),
        ledger_balanced=ledger_balanced,
        breach=breach,
        reputation=reputation,
        failure=failure,
        pending_questions=tuple(pending_questions),
        seam_calls=counts.seam_calls,
        model_calls=counts.model_calls,
        fallbacks=counts.fallbacks,
        prompt_tokens=counts.prompt_tokens,
        completion_tokens=counts.completion_tokens,
    )
