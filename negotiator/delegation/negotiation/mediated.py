"""Mediated terms: seed 002's GA mediator proposes terms to the delegator and the top-k bidders.

The delegator is the anchor (agent A), the bidders the counterparts B1..Bk (1:N). Each side's
linear utility becomes one linear gain curve per issue over the grid's range (a bidder's curve
starts at its own floor: faster than its base duration, or more often than its cadence, has no
corresponding value — step 5), with weights proportional to the utility each issue can move. The
mediator's GA searches, ranks and chooses (steps 1–10); its proposals are then scored with the
sides' own utilities, and the best-ranked proposal that both sides' policies accept (each at
least its reservation, within budget) is presented. Both sides answer with an explicit
``accept_offer`` or ``reject_offer``; the explanation (model words, template fallback) travels
as the proposal's note, and its numbers are the mediator's, never the model's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from pydantic import BaseModel

from negotiator.delegation.calls import record
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.negotiation.record import Guards, Move, Session, Stall
from negotiator.delegation.negotiation.signed import received, signed
from negotiator.delegation.negotiation.terms import ContractTerms, TermGrid
from negotiator.delegation.negotiation.utility import BidderUtility, DelegatorUtility
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall, TextCall
from negotiator.mediation.curves import PowerCurve
from negotiator.mediation.explain import explain_mediation
from negotiator.mediation.ga import GAConfig
from negotiator.mediation.mediator import MediationResult, mediate
from negotiator.mediation.space import Attribute, Party, Proposal, ProposalSpace
from negotiator.money import quantize
from negotiator.wire.offer import Offer, OfferType

if TYPE_CHECKING:
    from negotiator.delegation.request import DelegationRequest

__all__ = ["MEDIATOR_ID", "MediatedBidder", "mediated"]

T = TypeVar("T", bound=BaseModel)

#: The mediator's id on the wire.
MEDIATOR_ID = "mediator-ga"


def signing_agents(request: DelegationRequest, bidder_ids: Iterable[str]) -> list[str]:
    """The agents who sign in a run of ``request``: the delegator, every bidder, and the GA
    mediator when the request negotiates through it.

    >>> from negotiator.delegation.demo import demo_setup
    >>> signing_agents(demo_setup("success").request, ["b"])
    ['did:web:acme-analytics.example', 'b']
    """
    agents = [request.task.delegator_id, *bidder_ids]
    negotiation = request.negotiation
    if negotiation is not None and negotiation.mechanism == "mediated":
        agents.append(MEDIATOR_ID)
    return agents


_ATTRIBUTES = (
    Attribute("price", bits=4, resolution=0.01),
    Attribute("duration_seconds", bits=3, resolution=1.0),
    Attribute("cadence_seconds", bits=3, resolution=1.0),
    Attribute("penalty_share", bits=3, resolution=0.05),
    Attribute("bond", bits=3, resolution=0.01),
    Attribute("cancellation_rate", bits=2, resolution=0.05),
)
_GA = GAConfig(population=32, generations=24, restart_after=10, polish=8)
_DEAL_ZONE = 0.25
_TINY = 1e-9


class _Heard:
    """The explainer's client, keeping each text result for the run's call records."""

    def __init__(self, inner: ModelClient) -> None:
        self.inner = inner
        self.results: list[ModelResult[str]] = []

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        return await self.inner.structured(call)

    async def text(self, call: TextCall) -> ModelResult[str]:
        result = await self.inner.text(call)
        self.results.append(result)
        return result


@dataclass(frozen=True)
class MediatedBidder:
    """A counterpart of the mediation: its id, both sides' utilities with it, its floors."""

    bidder_id: str
    delegator: DelegatorUtility
    bidder: BidderUtility


def _party(name: str, slopes: np.ndarray, lows: Sequence[float], highs: Sequence[float]) -> Party:
    spans = [max(abs(a) * (hi - lo), _TINY) for a, lo, hi in zip(slopes, lows, highs, strict=True)]
    total = sum(spans)
    curves = []
    for a, lo, hi in zip(slopes, lows, highs, strict=True):
        top = hi if hi > lo else lo + _TINY
        best, worst = (top, lo) if a > 0 else (lo, top)
        curves.append(PowerCurve(best=best, worst=worst, gain_best=1.0, gain_worst=0.0))
    return Party(name, tuple(curves), tuple(s / total for s in spans))


def _terms(p: Proposal) -> ContractTerms:
    v = p.values
    return ContractTerms(
        price=quantize(Decimal(str(v["price"]))),
        duration_seconds=max(1, round(v["duration_seconds"])),
        cadence_seconds=max(1, round(v["cadence_seconds"])),
        penalty_share=min(1.0, max(0.0, round(v["penalty_share"], 2))),
        bond=quantize(Decimal(str(max(0.0, v["bond"])))),
        cancellation_rate=min(1.0, max(0.0, round(v["cancellation_rate"], 2))),
    )


def _space(grid: TermGrid, bidders: Sequence[MediatedBidder]) -> ProposalSpace:
    lows = [float(lv[0]) for lv in grid.levels]
    highs = [float(lv[-1]) for lv in grid.levels]
    anchor = _party("delegator", bidders[0].delegator.slopes, lows, highs)
    parties = []
    for b in bidders:
        floors = list(lows)
        floors[1] = max(lows[1], b.bidder.costs.min_duration)
        floors[2] = max(lows[2], b.bidder.costs.min_cadence)
        caps = list(highs)
        if b.bidder.costs.funds is not None:
            caps[4] = max(floors[4], min(highs[4], b.bidder.costs.funds))
        parties.append(_party(b.bidder_id, b.bidder.slopes, floors, caps))
    return ProposalSpace(_ATTRIBUTES, anchor, parties)


def _acceptable(
    result: MediationResult, bidders: Sequence[MediatedBidder], reservation: float
) -> tuple[ContractTerms, MediatedBidder, float, float] | None:
    by_id = {b.bidder_id: b for b in bidders}
    ranked = [result.chosen, *result.proposals] if result.chosen else []
    for p in ranked:
        if p is None:
            continue
        b, terms = by_id[p.counterpart], _terms(p)
        ud, ub = b.delegator.of(terms), b.bidder.of(terms)
        if ud >= reservation and ub >= 0.0:
            return terms, b, ud, ub
    return None


async def mediated(
    grid: TermGrid,
    bidders: Sequence[MediatedBidder],
    reservation: float,
    *,
    delegator_id: str,
    explainer: ModelClient,
    rng: np.random.Generator,
    guards: Guards,
    start: datetime,
    negotiation_id: str,
    task_id: str,
    currency: str,
    keys: RunKeys,
) -> tuple[Session, MediationResult]:
    """Let the GA mediator propose terms to the delegator and ``bidders`` (1:N).

    Every message is signed by its sender with ``keys`` (the mediator's key among them) and
    checked by its receiver before anything follows it; a refused one ends the session without
    agreement (:attr:`Stall.REFUSED`), recorded in the session.

    Returns:
        The session (proposal, the two answers, agreement or stall) and the mediator's result.
    """
    result = mediate(_space(grid, bidders), _DEAL_ZONE, _GA, rng, list_size=64)
    found = _acceptable(result, bidders, reservation)
    if found is None:
        session = Session(
            counterpart=bidders[0].bidder_id,
            agreed=None,
            rounds=1,
            moves=(),
            stall_reason=Stall.NO_PROPOSAL.value,
            delegator_utility=None,
            bidder_utility=None,
        )
        return session, result
    terms, bidder, ud, ub = found
    heard = _Heard(explainer)
    explanation = await explain_mediation(result, heard)
    calls = tuple(record("mediation.explain", r) for r in heard.results)

    def message(seq: int, sender: str, receiver: str, kind: OfferType, note: str) -> Offer:
        at = guards.sent_at(start, seq)
        proposal = kind is OfferType.MAKE_OFFER
        offer = Offer(
            negotiation_id=negotiation_id,
            task_id=task_id,
            round=0,
            sender=sender,
            receiver=receiver,
            message_type=kind,
            terms=terms.to_wire(currency) if proposal else None,
            message=note[:2000],
            expires_at=at + guards.offer_ttl if proposal else None,
        )
        return signed(offer, keys, at)

    note = f"Proposed terms: {terms.describe(currency)}. {explanation.text}"
    moves = (
        Move(
            offer=message(0, MEDIATOR_ID, delegator_id, OfferType.MAKE_OFFER, note),
            source=explanation.source.value,
        ),
        Move(
            offer=message(1, MEDIATOR_ID, bidder.bidder_id, OfferType.MAKE_OFFER, note),
            source=explanation.source.value,
        ),
        Move(
            offer=message(2, delegator_id, MEDIATOR_ID, OfferType.ACCEPT_OFFER, ""), source="policy"
        ),
        Move(
            offer=message(3, bidder.bidder_id, MEDIATOR_ID, OfferType.ACCEPT_OFFER, ""),
            source="policy",
        ),
    )
    for i, move in enumerate(moves):
        refusal = received(move.offer, keys)
        if refusal is not None:
            session = Session(
                counterpart=bidder.bidder_id,
                agreed=None,
                rounds=1,
                moves=moves[:i],
                stall_reason=Stall.REFUSED.value,
                delegator_utility=None,
                bidder_utility=None,
                calls=calls,
                refused=(refusal,),
            )
            return session, result
    session = Session(
        counterpart=bidder.bidder_id,
        agreed=terms,
        rounds=1,
        moves=moves,
        stall_reason=None,
        delegator_utility=ud,
        bidder_utility=ub,
        calls=calls,
    )
    return session, result
