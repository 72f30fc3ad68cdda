"""How contract terms are found after the award: the mechanism seam and its one entry point.

:data:`MECHANISMS` is the lookup table (``bilateral``, ``mediated``, ``none``); an unknown name
is an error listing the valid ones. :func:`negotiate_terms` prepares what every mechanism needs
— the term grid around the winner's sealed bid, the delegator's utility with each bidder, each
bidder's private utility, the reservations — runs the chosen mechanism over the top-k
candidates, and picks the agreement best for the delegator. Without one, the winner's sealed bid
stays the contract's basis and :attr:`NegotiationOutcome.stall_reason` says why.

Gains are utilities against the sealed-bid contract: the delegator's against the winner's
sealed bid (its reservation, so never negative), the contractor's against its own sealed bid,
and the welfare gain is the joint utility of the agreement minus the joint utility of the
winner's sealed-bid contract.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.award import LexicographicPreferences, WeightedPreferences
from negotiator.delegation.calls import CallRecord
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.negotiation.bilateral import Side, bilateral
from negotiator.delegation.negotiation.mediated import MediatedBidder, mediated
from negotiator.delegation.negotiation.record import Guards, Session, Stall
from negotiator.delegation.negotiation.terms import ContractTerms, TermGrid, build_grid
from negotiator.delegation.negotiation.utility import (
    BidderCosts,
    BidderUtility,
    DelegatorUtility,
)
from negotiator.errors import lookup
from negotiator.llm.protocol import ModelClient
from negotiator.wire.bid import Bid
from negotiator.wire.common import PrivacyLevel
from negotiator.wire.task import TaskSpec

__all__ = [
    "MECHANISMS",
    "Candidate",
    "NegotiationOutcome",
    "NegotiationSettings",
    "negotiate_terms",
    "sealed_terms",
]

Mechanism = Literal["bilateral", "mediated", "none"]


class NegotiationSettings(BaseModel):
    """How the delegator negotiates after the award (part of the delegation request)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mechanism: Mechanism = Field(default="bilateral", description="bilateral, mediated or none.")
    top_k: int = Field(
        default=0, ge=0, le=8, description="Best Pareto-front bidders negotiated with; 0 skips."
    )
    max_rounds: int = Field(default=10, ge=1, le=100, description="Round cap.")
    delegator_strategy: str = Field(default="linear", description="Delegator's concession.")
    bidder_strategy: str = Field(default="linear", description="Bidders' concession.")
    acceptance: str = Field(default="next", description="Acceptance condition of both sides.")
    call_timeout_seconds: float = Field(
        default=300.0, gt=0, description="Per model call; a slower answer falls back."
    )
    seed: int = Field(default=0, description="Seed of the mediator's generator.")

    def guards(self) -> Guards:
        """The guards these settings give."""
        return Guards(max_rounds=self.max_rounds, call_timeout_seconds=self.call_timeout_seconds)


@dataclass(frozen=True)
class Candidate:
    """A bidder the delegator negotiates with: its sealed bid, public profile, private costs.

    ``costs`` stays with the bidder's side of the negotiation: the delegator's side never
    reads it.
    """

    bid: Bid
    reputation: float
    costs: BidderCosts
    client: ModelClient

    @property
    def bidder_id(self) -> str:
        """The bidder's id."""
        return self.bid.bidder_id


class NegotiationOutcome(BaseModel):
    """The result of the negotiate phase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mechanism: str = Field(description="The mechanism used.")
    contractor_id: str = Field(description="Who the contract goes to.")
    sealed: ContractTerms = Field(description="The winner's sealed-bid terms (the fallback).")
    agreed: ContractTerms | None = Field(description="The agreed terms, or None.")
    rounds: int = Field(ge=0, description="Rounds of the chosen (or longest) session.")
    sessions: tuple[Session, ...] = Field(description="One per bidder (bilateral) or one.")
    stall_reason: str | None = Field(description="Why no agreement was reached, if none was.")
    delegator_gain: float = Field(description="Delegator's utility gain over the sealed bid.")
    contractor_gain: float = Field(description="Contractor's gain over its own sealed bid.")
    welfare_gain: float = Field(description="Joint utility gain over the sealed-bid contract.")
    unfunded: str | None = Field(
        default=None,
        description="Why the agreed terms could not be escrowed (the sealed award then stands).",
        exclude_if=lambda v: v is None,
    )

    @property
    def binding(self) -> bool:
        """Whether the contract is built from this outcome (its terms could be escrowed)."""
        return self.unfunded is None

    @property
    def calls(self) -> tuple[CallRecord, ...]:
        """Every model call of every session, in order."""
        return tuple(c for s in self.sessions for c in s.calls)

    @property
    def terms(self) -> ContractTerms:
        """The terms the contract is built from: the agreement, else the sealed bid."""
        return self.agreed if self.agreed is not None else self.sealed


def sealed_terms(bid: Bid, task: TaskSpec, penalty_share: float) -> ContractTerms:
    """The terms a contract built from ``bid`` alone carries (today's contract).

    The duration issue is the contract's delivery deadline: the task's, for a sealed bid.

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> s = demo_setup()
        >>> bid = deterministic_bid(s.bidders[0], s.request.task, [], [], s.start)
        >>> sealed_terms(bid, s.request.task, 0.5).cadence_seconds
        300
    """
    return ContractTerms(
        price=bid.price.amount,
        duration_seconds=task.deadline_seconds,
        cadence_seconds=min(
            bid.offered_reporting_interval_seconds, task.reporting_interval_seconds
        ),
        penalty_share=penalty_share,
        bond=bid.reputation_bond.amount,
        cancellation_rate=1.0,
    )


@dataclass(frozen=True)
class _Market:
    """Everything a mechanism reads, prepared once."""

    task: TaskSpec
    settings: NegotiationSettings
    grid: TermGrid
    winner_sealed: ContractTerms
    reservation: float
    delegator: Mapping[str, DelegatorUtility]
    bidder: Mapping[str, BidderUtility]
    candidates: Sequence[Candidate]
    delegator_client: ModelClient
    start: datetime
    negotiation_id: str
    keys: RunKeys


async def _bilateral(m: _Market) -> list[Session]:
    sessions: list[Session] = []
    s = m.settings
    for c in m.candidates:
        sealed = sealed_terms(c.bid, m.task, m.winner_sealed.penalty_share)
        grid = build_grid(sealed, m.task)  # each bidder's space is centred on its own bid
        bidder = Side(
            c.bidder_id,
            "bidder",
            m.bidder[c.bidder_id].evaluate(grid.values),
            0.0,
            c.client,
            s.bidder_strategy,
            s.acceptance,
        )
        delegator = Side(
            m.task.delegator_id,
            "delegator",
            m.delegator[c.bidder_id].evaluate(grid.values),
            m.reservation,
            m.delegator_client,
            s.delegator_strategy,
            s.acceptance,
        )
        sessions.append(
            await bilateral(
                grid,
                bidder,
                delegator,
                grid.sealed_index,
                guards=s.guards(),
                start=m.start,
                negotiation_id=f"{m.negotiation_id}-{len(sessions) + 1}",
                task_id=m.task.id,
                currency=m.task.budget.currency,
                budget=float(m.task.budget.amount),
                keys=m.keys,
            )
        )
    return sessions


async def _mediated(m: _Market) -> list[Session]:
    bidders = [
        MediatedBidder(c.bidder_id, m.delegator[c.bidder_id], m.bidder[c.bidder_id])
        for c in m.candidates
    ]
    session, _ = await mediated(
        m.grid,
        bidders,
        m.reservation,
        delegator_id=m.task.delegator_id,
        explainer=m.delegator_client,
        rng=np.random.default_rng(m.settings.seed),
        guards=m.settings.guards(),
        start=m.start,
        negotiation_id=m.negotiation_id,
        task_id=m.task.id,
        currency=m.task.budget.currency,
        keys=m.keys,
    )
    return [session]


async def _none(m: _Market) -> list[Session]:
    return []


#: mechanism name -> how it finds terms (sessions; the best agreement is chosen after).
MECHANISMS: Mapping[str, Callable[[_Market], Awaitable[list[Session]]]] = MappingProxyType(
    {"bilateral": _bilateral, "mediated": _mediated, "none": _none}
)


async def negotiate_terms(
    task: TaskSpec,
    preferences: WeightedPreferences | LexicographicPreferences,
    penalty_share: float,
    candidates: Sequence[Candidate],
    *,
    delegator_client: ModelClient,
    settings: NegotiationSettings,
    start: datetime,
    keys: RunKeys,
) -> NegotiationOutcome:
    """Negotiate the contract's terms with ``candidates`` (the award winner first).

    Args:
        penalty_share: the delegator's standing penalty share (the sealed contract's).
        candidates: the top-k bidders of the award, winner first.
        settings: mechanism, top-k, round cap, strategies.
        start: when the negotiation starts (offers' times and expiries count from it).
        keys: the run's keys: every sender signs its offers with its own, every receiver checks
            the sender's signature against the registry (the mediator's key included when the
            mechanism is ``mediated``).

    Raises:
        UnknownKeyError: an unknown mechanism, strategy or acceptance name.
    """
    run = lookup(MECHANISMS, settings.mechanism, "negotiation mechanism")
    winner = candidates[0]
    sealed = sealed_terms(winner.bid, task, penalty_share)
    grid = build_grid(sealed, task)
    delegator = {
        c.bidder_id: DelegatorUtility.for_bidder(
            preferences,
            task,
            c.bid.claimed_quality,
            c.reputation,
            PrivacyLevel(c.bid.privacy_guarantee),
        )
        for c in candidates
    }
    bidder = {
        c.bidder_id: BidderUtility(c.costs, sealed_terms(c.bid, task, penalty_share).vector())
        for c in candidates
    }
    market = _Market(
        task,
        settings,
        grid,
        sealed,
        delegator[winner.bidder_id].of(sealed),
        delegator,
        bidder,
        candidates,
        delegator_client,
        start,
        f"negotiation-{task.id}",
        keys,
    )
    sessions = await run(market)
    return _outcome(market, sessions)


def _outcome(m: _Market, sessions: list[Session]) -> NegotiationOutcome:
    winner = m.candidates[0].bidder_id
    agreed = [s for s in sessions if s.agreed is not None]
    base_joint = m.reservation + m.bidder[winner].of(m.winner_sealed)
    common = {
        "mechanism": m.settings.mechanism,
        "sealed": m.winner_sealed,
        "sessions": tuple(sessions),
    }
    if not agreed:
        reasons = sorted({s.stall_reason or "" for s in sessions}) or [Stall.NO_COUNTERPART.value]
        return NegotiationOutcome(
            contractor_id=winner,
            agreed=None,
            rounds=max((s.rounds for s in sessions), default=0),
            stall_reason="; ".join(reasons),
            delegator_gain=0.0,
            contractor_gain=0.0,
            welfare_gain=0.0,
            **common,
        )
    best = max(agreed, key=lambda s: (s.delegator_utility or 0.0, -sessions.index(s)))
    c = next(x for x in m.candidates if x.bidder_id == best.counterpart)
    ud, ub = best.delegator_utility or 0.0, best.bidder_utility or 0.0
    own_sealed = m.bidder[c.bidder_id].of(
        sealed_terms(c.bid, m.task, m.winner_sealed.penalty_share)
    )
    return NegotiationOutcome(
        contractor_id=best.counterpart,
        agreed=best.agreed,
        rounds=best.rounds,
        stall_reason=None,
        delegator_gain=ud - m.reservation,
        contractor_gain=ub - own_sealed,
        welfare_gain=ud + ub - base_joint,
        **common,
    )
