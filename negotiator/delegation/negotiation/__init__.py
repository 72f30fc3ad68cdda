"""Negotiating the contract's terms after the award (seed 000's conversational negotiation).

* :mod:`~negotiator.delegation.negotiation.terms` — the six negotiated issues and their grid;
* :mod:`~negotiator.delegation.negotiation.utility` — each side's utility and reservation;
* :mod:`~negotiator.delegation.negotiation.talk` — the model chooses among feasible offers;
* :mod:`~negotiator.delegation.negotiation.bilateral` — alternating offers under guards;
* :mod:`~negotiator.delegation.negotiation.mediated` — seed 002's GA mediator, 1:N;
* :mod:`~negotiator.delegation.negotiation.mechanisms` — the seam and :func:`negotiate_terms`.
"""

from negotiator.delegation.negotiation.mechanisms import (
    MECHANISMS,
    Candidate,
    NegotiationOutcome,
    NegotiationSettings,
    negotiate_terms,
    sealed_terms,
)
from negotiator.delegation.negotiation.record import Guards, Move, Session, Stall
from negotiator.delegation.negotiation.terms import ContractTerms, TermGrid, build_grid
from negotiator.delegation.negotiation.utility import BidderCosts, BidderUtility, DelegatorUtility

__all__ = [
    "MECHANISMS",
    "BidderCosts",
    "BidderUtility",
    "Candidate",
    "ContractTerms",
    "DelegatorUtility",
    "Guards",
    "Move",
    "NegotiationOutcome",
    "NegotiationSettings",
    "Session",
    "Stall",
    "TermGrid",
    "build_grid",
    "negotiate_terms",
    "sealed_terms",
]
