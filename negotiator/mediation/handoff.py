"""Seed 001, step 5: create the two negotiators of a brokered pair and run a protocol.

The broker's pair is handed to the bargaining core (:mod:`negotiator.bargaining`): each side
becomes a :class:`~negotiator.bargaining.Seed001Party` (seed 001's multiplicative template,
``Offer_{n+1}(x) = Offer_n(x)·(1 ± concession)``) over the *continuous* attributes, and the pair
negotiates under Protocol I or II (or alternating offers), the seller opening (seed 001:
"the seller sends its opening terms").

Reading written down: each side opens at the end of its range that is best for it (a seller's
price at its ``high``, a buyer's at its ``low``; the other way round for ``buyer_concedes="down"``)
and concedes towards the other end, its reservation. Its utility is seed 001's linear profit over
its own range, the attributes weighted by its own weights renormalised over the continuous
attributes. Binary attributes are not bargained over: they stay at the seller's listed value
(the broker already scored them), and the agreement reports them beside the bargained values.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from negotiator.bargaining import (
    AdditiveUtility,
    LinearValue,
    Negotiation,
    Seed001Party,
)
from negotiator.errors import UsageError
from negotiator.mediation.broker import BrokerResult, Pairing
from negotiator.mediation.registry import AttributeDef, Buyer, Registry, Seller

__all__ = ["PairNegotiation", "negotiate_pair", "negotiate_pairings", "negotiators_for"]


class PairNegotiation(BaseModel):
    """How one brokered pair's negotiation ended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    buyer: str = Field(description="Buyer name.")
    seller: str = Field(description="Seller name.")
    protocol: str = Field(description="Protocol used.")
    status: str = Field(description="agreed, broken or timed-out.")
    agreement: dict[str, float | bool] | None = Field(
        description="Agreed value per attribute (binary ones at the seller's listing)."
    )
    rounds: int = Field(description="Rounds begun.")
    messages: int = Field(description="Messages exchanged.")


def _continuous(registry: Registry) -> list[AttributeDef]:
    attrs = [a for a in registry.attributes.values() if a.kind == "continuous"]
    if not attrs:
        raise UsageError("the registry has no continuous attribute to negotiate over")
    return attrs


def _party(attrs: Sequence[AttributeDef], party: Buyer | Seller, seller_side: bool) -> Seed001Party:
    """One side's Seed001Party: opening, limit, weight sign and utility per attribute."""
    opening, limits, steps, values = [], [], [], []
    for attr in attrs:
        r = party.ranges[attr.name]
        wants_high = seller_side == (attr.buyer_concedes == "up")
        opening.append(r.high if wants_high else r.low)
        limits.append(r.low if wants_high else r.high)
        steps.append(-party.concession if wants_high else party.concession)
        values.append(LinearValue(low=r.low, high=r.high, increasing=wants_high))
    raw = [party.weights[a.name] for a in attrs]
    total = sum(raw)
    weights = tuple(w / total for w in raw) if total > 0 else tuple(1 / len(raw) for _ in raw)
    utility = AdditiveUtility(weights=weights, values=tuple(values))
    return Seed001Party(utility, opening, steps, limits)


def negotiators_for(registry: Registry, pairing: Pairing) -> tuple[Seed001Party, Seed001Party]:
    """The ``(seller, buyer)`` negotiators of a brokered pair (seller first: it opens).

    Raises:
        UsageError: a party of the pairing is not registered, or no continuous attribute.
    """
    buyer = next((b for b in registry.buyers if b.name == pairing.buyer), None)
    seller = next((s for s in registry.sellers if s.name == pairing.seller), None)
    if buyer is None or seller is None:
        raise UsageError(f"pair {pairing.buyer!r}/{pairing.seller!r} is not in the registry")
    attrs = _continuous(registry)
    return _party(attrs, seller, seller_side=True), _party(attrs, buyer, seller_side=False)


def negotiate_pair(
    registry: Registry, pairing: Pairing, protocol: str = "protocol1", max_rounds: int = 1000
) -> PairNegotiation:
    """Create the pair's negotiators and run ``protocol`` to its end.

    Raises:
        UnknownKeyError: unknown protocol (``protocol1``, ``protocol2``, ``alternating``).

    Example:
        >>> from negotiator.mediation.broker import broker
        >>> reg = Registry([AttributeDef(name="price", kind="continuous")])
        >>> _ = reg.register_buyer({"name": "b", "ranges": {"price": {"low": 8000,
        ...     "high": 13000}}, "weights": {"price": 1}})
        >>> _ = reg.register_seller({"name": "s", "ranges": {"price": {"low": 9500,
        ...     "high": 15000}}, "weights": {"price": 1}})
        >>> negotiate_pair(reg, broker(reg, k=0.1).pairings[0]).status
        'agreed'
    """
    seller_party, buyer_party = negotiators_for(registry, pairing)
    result = Negotiation(protocol, (seller_party, buyer_party), max_rounds).run()
    agreement: dict[str, float | bool] | None = None
    if result.agreement is not None:
        names = [a.name for a in _continuous(registry)]
        agreement = dict(zip(names, (float(v) for v in result.agreement), strict=True))
        seller = next(s for s in registry.sellers if s.name == pairing.seller)
        for attr in registry.attributes.values():
            if attr.kind == "binary":
                listed = seller.features[attr.name]
                if isinstance(listed, bool):  # always: the registry checks binary listings
                    agreement[attr.name] = listed
    return PairNegotiation(
        buyer=pairing.buyer,
        seller=pairing.seller,
        protocol=result.protocol,
        status=result.status.value,
        agreement=agreement,
        rounds=result.rounds,
        messages=result.messages,
    )


def negotiate_pairings(
    registry: Registry,
    brokered: BrokerResult,
    protocol: str = "protocol1",
    max_rounds: int = 1000,
) -> list[PairNegotiation]:
    """Negotiate every pair the broker made, in buyer registration order."""
    return [negotiate_pair(registry, p, protocol, max_rounds) for p in brokered.pairings]
