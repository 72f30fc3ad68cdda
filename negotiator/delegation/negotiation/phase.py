"""The negotiate phase of a delegation: pick the top-k of the award, give each side its
utilities and clients, negotiate (one call for the graph's node).

The candidates are the first ``top_k`` bidders of the award's ranking that are on the Pareto
front of the opened bids, the winner first. Each bidder's private cost model is derived from
its own profile (:meth:`BidderCosts.of_profile`), with the bond it could add capped by its
wallet; the delegator never sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from negotiator.delegation.award import LexicographicPreferences, WeightedPreferences
from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.negotiation.mechanisms import (
    Candidate,
    NegotiationOutcome,
    NegotiationSettings,
    negotiate_terms,
    sealed_terms,
)
from negotiator.delegation.negotiation.utility import BidderCosts
from negotiator.llm.protocol import ModelClient
from negotiator.wire.award import Award
from negotiator.wire.bid import Bid
from negotiator.wire.task import TaskSpec

__all__ = ["negotiate_award", "top_candidates"]


def top_candidates(award: Award, valid: Sequence[Bid], k: int) -> list[Bid]:
    """The first ``k`` bids of the award's ranking that are on the Pareto front, winner first.

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> from negotiator.delegation.award import make_award
        >>> s = demo_setup()
        >>> bids = [deterministic_bid(p, s.request.task, [], [], s.start) for p in s.bidders[:3]]
        >>> award = make_award(s.request.task.id, bids, {b.bidder_id: 0.9 for b in bids},
        ...     s.request.preferences, s.start)
        >>> [b.bidder_id for b in top_candidates(award, bids, 1)] == [award.winner_id]
        True
    """
    by_id = {b.bidder_id: b for b in valid}
    return [by_id[s.bidder_id] for s in award.scores if s.on_pareto_front][:k]


async def negotiate_award(
    task: TaskSpec,
    award: Award,
    valid: Sequence[Bid],
    *,
    preferences: WeightedPreferences | LexicographicPreferences,
    penalty_share: float,
    settings: NegotiationSettings,
    profiles: Callable[[str], BidderProfile],
    reputations: Mapping[str, float],
    funds: Mapping[str, Decimal],
    delegator_client: ModelClient,
    bidder_client: Callable[[str], ModelClient],
    keys: RunKeys,
) -> NegotiationOutcome:
    """Negotiate the contract's terms with the award's top-k (see the module doc).

    Args:
        profiles: bidder id -> its profile (read on the bidder's own side only).
        funds: bidder id -> the most bond it can stake in this run: its wallet plus the bond it
            already staked (:func:`~negotiator.delegation.screening.available_funds`; caps a
            raised bond; a bidder not listed can stake only its sealed bond).
        bidder_client: bidder id -> the model client that words its offers.
        keys: the run's keys (each offer is signed by its sender, checked by its receiver).
    """
    candidates = []
    for bid in top_candidates(award, valid, settings.top_k):
        sealed = sealed_terms(bid, task, penalty_share)
        spare = funds.get(bid.bidder_id, bid.reputation_bond.amount)
        costs = BidderCosts.of_profile(
            profiles(bid.bidder_id), sealed, bid.estimated_duration_seconds, spare
        )
        candidates.append(
            Candidate(bid, reputations.get(bid.bidder_id, 0.0), costs, bidder_client(bid.bidder_id))
        )
    return await negotiate_terms(
        task,
        preferences,
        penalty_share,
        candidates,
        delegator_client=delegator_client,
        settings=settings,
        start=award.awarded_at,
        keys=keys,
    )
