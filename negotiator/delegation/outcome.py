"""The result of one delegation run, as one JSON object (``negotiator demo --json`` prints it)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.calls import CallRecord, totals
from negotiator.delegation.clarify import QuestionGroup
from negotiator.delegation.monitoring import Verdict
from negotiator.delegation.negotiation.mechanisms import NegotiationOutcome
from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.delegation.phases import A2A_STATE, Phase
from negotiator.delegation.reputation import ReputationUpdate
from negotiator.wire.award import Award
from negotiator.wire.settlement import Payment, Settlement

__all__ = ["BidCounts", "DelegationOutcome", "PaymentLine", "Winner", "build_outcome"]


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


class OfferLine(BaseModel):
    """One message of the negotiation as the outcome shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", description="Sender.")
    to: str = Field(description="Receiver.")
    kind: str = Field(description="make_offer, accept_offer, reject_offer, nego_broken, ...")
    terms: ContractTerms | None = Field(description="The terms offered (none for an answer).")
    text: str = Field(description="The note that went with it (the model's words, or a template).")
    source: str = Field(description="model, fallback, or policy (no model call).")


class NegotiationSummary(BaseModel):
    """The negotiate phase as the outcome shows it (gains are utilities over the sealed bid)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mechanism: str = Field(description="bilateral, mediated or none.")
    contractor: str = Field(description="Who the contract went to.")
    rounds: int = Field(ge=0, description="Rounds of the chosen session.")
    offers: tuple[OfferLine, ...] = Field(description="Every message, session by session.")
    sealed: ContractTerms = Field(description="The winner's sealed-bid terms.")
    agreed: ContractTerms | None = Field(description="The agreed terms, or null.")
    stall_reason: str | None = Field(description="Why there was no agreement, if none.")
    delegator_gain: float = Field(description="The delegator's utility gain.")
    contractor_gain: float = Field(description="The contractor's utility gain.")
    welfare_gain: float = Field(description="Joint utility gain.")


def negotiation_summary(outcome: NegotiationOutcome) -> NegotiationSummary:
    """Summarise the negotiate phase's outcome for the run's outcome."""
    offers = tuple(
        OfferLine.model_validate(
            {
                "from": m.offer.sender,
                "to": m.offer.receiver,
                "kind": m.offer.message_type.value,
                "terms": None if m.offer.terms is None else ContractTerms.from_wire(m.offer.terms),
                "text": m.offer.message,
                "source": m.source,
            }
        )
        for s in outcome.sessions
        for m in s.moves
    )
    return NegotiationSummary(
        mechanism=outcome.mechanism,
        contractor=outcome.contractor_id,
        rounds=outcome.rounds,
        offers=offers,
        sealed=outcome.sealed,
        agreed=outcome.agreed,
        stall_reason=outcome.stall_reason,
        delegator_gain=round(outcome.delegator_gain, 6),
        contractor_gain=round(outcome.contractor_gain, 6),
        welfare_gain=round(outcome.welfare_gain, 6),
    )


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
    negotiation: NegotiationSummary | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The negotiate phase, when the run had one.",
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
    negotiation: NegotiationOutcome | None = None,
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
        negotiation=None if negotiation is None else negotiation_summary(negotiation),
    )
