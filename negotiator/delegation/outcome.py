"""The result of one delegation run, as one JSON object (``negotiator demo --json`` prints it).

Typed inside — the phase and outcome are enums, the winning price is :class:`Money`, every
money movement is a :class:`~negotiator.wire.settlement.Payment` (the one payment shape) — and
flat at the edge: the JSON keeps amounts as exact decimal text beside their currency
(``"price": "5.00", "currency": "USDC"``; payments as ``from``/``to``/``amount``/``currency``/
``reason``), as ``negotiator demo --json`` has always printed them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    model_serializer,
)

from negotiator.delegation.calls import CallRecord, totals
from negotiator.delegation.clarify import QuestionGroup
from negotiator.delegation.monitoring import Verdict
from negotiator.delegation.negotiation.mechanisms import NegotiationOutcome
from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.delegation.phases import A2A_STATE, A2ATaskState, Phase
from negotiator.delegation.redelegation import SwitchRecord
from negotiator.delegation.reputation import ReputationUpdate
from negotiator.money import Money
from negotiator.wire.award import Award, BidScore
from negotiator.wire.contract import Contract
from negotiator.wire.settlement import Payment, Settlement

__all__ = [
    "BidCounts",
    "DelegationOutcome",
    "Rejection",
    "RunOutcome",
    "SwitchSummary",
    "Winner",
    "build_outcome",
    "switch_summary",
]


class RunOutcome(StrEnum):
    """How a delegation run ended (or that it waits for a human)."""

    COMPLETED = "completed"
    BREACHED = "breached"
    CANCELLED = "cancelled"
    FAILED = "failed"
    PENDING = "pending"
    NOT_DELEGATED = "not_delegated"  # below the complexity floor: no market


class Winner(BaseModel):
    """Who won and at what price (JSON: ``price`` as exact decimal text beside ``currency``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bidder_id: str = Field(description="The contractor.")
    price: Money = Field(description="The winning price.")
    reason: str = Field(description="Why it won (its scores against the others).")

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        price = data["price"]
        return {
            "bidder_id": data["bidder_id"],
            "price": price["amount"],
            "currency": price["currency"],
            "reason": data["reason"],
        }


class BidCounts(BaseModel):
    """How many bids arrived and how many were screened out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    received: int = Field(ge=0, description="Envelopes opened.")
    rejected: int = Field(ge=0, description="Bids rejected at screening.")


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
    unfunded: str | None = Field(
        default=None,
        description="Why the agreed terms could not be escrowed (the sealed award then stood).",
        exclude_if=lambda v: v is None,
    )


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
        unfunded=outcome.unfunded,
    )


class SwitchSummary(BaseModel):
    """One switch of contractor during monitoring, as the outcome shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int = Field(ge=1, description="The contract hired: 1 for the first switch.")
    tick: int = Field(ge=0, description="The dropped contract's report the switch followed.")
    dropped: str = Field(description="The contractor dropped.")
    hired: str = Field(description="The replacement.")
    at_fault: bool = Field(description="Settled under the default penalty (else pro rata).")
    progress: float = Field(description="The dropped contractor's progress.")
    belief: float = Field(description="The belief in the dropped contractor.")
    expected_gain: Decimal = Field(description="The switch's expected gain, before the fee.")
    fee: Decimal = Field(description="The re-delegation fee paid.")
    reason: str = Field(description="Why it switched.")
    settled: str = Field(description="How the dropped contract was settled.")
    contract_id: str = Field(description="The replacement's contract.")


def switch_summary(record: SwitchRecord) -> SwitchSummary:
    """Summarise one switch for the run's outcome."""
    e = record.event
    return SwitchSummary(
        index=record.index,
        tick=e.tick,
        dropped=e.dropped,
        hired=e.hired,
        at_fault=e.at_fault,
        progress=e.progress,
        belief=round(e.belief, 6),
        expected_gain=e.expected_gain,
        fee=e.fee,
        reason=record.reason,
        settled=record.settlement.outcome.value,
        contract_id=record.contract.id,
    )


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
    phase: Phase = Field(description="The phase the run is in (terminal when finished).")
    a2a_state: A2ATaskState = Field(description="The phase as an A2A task state.")
    outcome: RunOutcome = Field(description="completed, breached, cancelled, failed or pending.")
    winner: Winner | None = Field(description="The contractor, if one was awarded.")
    clarifications: int = Field(ge=0, description="FAQ entries published during clarification.")
    bids: BidCounts = Field(description="Bids received and rejected.")
    payments: tuple[Payment, ...] = Field(description="Every money movement, in order.")
    ledger_balanced: bool = Field(description="Every posting of the run sums to zero.")
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
    negotiation: NegotiationSummary | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The negotiate phase, when the run had one.",
    )
    switches: tuple[SwitchSummary, ...] = Field(
        default=(),
        exclude_if=lambda v: not v,
        description="Every switch of contractor during monitoring, in order (when any); the "
        "contract and settlement are then the last contractor's.",
    )

    @field_serializer("payments", mode="wrap")
    def _payment_lines(
        self, payments: tuple[Payment, ...], handler: SerializerFunctionWrapHandler
    ) -> list[dict[str, Any]]:
        """Each payment as one flat line: ``from``, ``to``, ``amount``, ``currency``, ``reason``."""
        return [
            {
                "from": p["from_account"],
                "to": p["to_account"],
                "amount": p["amount"]["amount"],
                "currency": p["amount"]["currency"],
                "reason": p["reason"],
            }
            for p in handler(payments)
        ]


_OUTCOME = {
    Phase.COMPLETED: RunOutcome.COMPLETED,
    Phase.BREACHED: RunOutcome.BREACHED,
    Phase.CANCELLED: RunOutcome.CANCELLED,
    Phase.FAILED: RunOutcome.FAILED,
}


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
        winner = Winner(bidder_id=award.winner_id, price=bid.price, reason=award.reason)
    breach = None
    if settlement is not None and settlement.outcome.value == "breached" and verdict is not None:
        breach = f"clause {verdict.clause_index} ({verdict.clause_kind}): {verdict.evidence}"
    return DelegationOutcome(
        run_id=run_id,
        task_id=task_id,
        phase=phase,
        a2a_state=A2A_STATE[phase],
        outcome=_OUTCOME.get(phase, RunOutcome.PENDING),
        winner=winner,
        clarifications=clarifications,
        bids=bids,
        payments=tuple(payments),
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
