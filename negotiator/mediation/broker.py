"""Seed 001's broker agent: pair buyers with sellers by quantified profit.

Procedure (seed 001, §3.2): (1) take buyers in registration order; (2) find every still
available seller that meets the buyer's mandatory conditions; (3) none: next buyer; (4) compute
each candidate's profits P_s, P_b and D_sb = |P_s − P_b|, keep pairs with 0 ≤ D_sb ≤ k, and pick
by the brokering mode; (5) the pair is handed to a bargaining protocol (see
:mod:`negotiator.mediation.handoff`). A matched seller leaves the pool (one listing, one sale).

Profits (the seed's formulas, with the readings written down):

* ``P_s = Σ_i P_{s-ai} · w_ai`` and ``P_b = Σ_i P_{b-ai} · w_ai`` with each party's own weights
  (the seed's single ``W`` is the case where both give the same weights; the printed formula's
  missing last weight is a typo).
* continuous attribute, buyer: ``P_{b-a} = (a_b_max − a_s_min) / (a_b_max − a_b_min)``: the
  room between the most the buyer can pay and the least the seller accepts, relative to the
  buyer's own range; the seller's is the same room relative to the seller's range,
  ``(a_b_max − a_s_min) / (a_s_max − a_s_min)``. The seed's per-attribute formula also
  multiplies by ``w_a1``; since ``P_b`` weights every term again, the weight is applied once,
  in the sum (the binary ±1 term carries no weight either). For an attribute the buyer wants
  much of (``buyer_concedes="down"``) the room is ``a_s_max − a_b_min``.
* binary attribute: +1 if the seller's listed value is the one to the agent's advantage, −1
  otherwise.

Modes (a lookup table): ``neutral`` (the seed's choice) picks the smallest D_sb;
``seller-favouring`` the largest P_s; ``buyer-favouring`` the largest P_b. In every mode only
pairs with D_sb ≤ k qualify (k decides which pairs can succeed). Ties go to the seller
registered first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import UsageError, lookup
from negotiator.mediation.registry import AttributeDef, Buyer, Registry, Seller

__all__ = [
    "BROKER_MODES",
    "BrokerResult",
    "CandidateScore",
    "Pairing",
    "Unmatched",
    "attribute_profits",
    "broker",
    "profits",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class CandidateScore(BaseModel):
    """One eligible seller's scores against a buyer."""

    model_config = _FROZEN

    seller: str = Field(description="Seller name.")
    seller_profit: float = Field(description="P_s.")
    buyer_profit: float = Field(description="P_b.")
    difference: float = Field(description="D_sb = |P_s − P_b|.")
    within_k: bool = Field(description="Whether D_sb ≤ k.")


class Pairing(BaseModel):
    """A buyer and the seller the broker chose for it."""

    model_config = _FROZEN

    buyer: str = Field(description="Buyer name.")
    seller: str = Field(description="Seller name.")
    seller_profit: float = Field(description="P_s of the pair.")
    buyer_profit: float = Field(description="P_b of the pair.")
    difference: float = Field(description="D_sb of the pair.")
    candidates: list[CandidateScore] = Field(description="Every eligible seller, in order.")


class Unmatched(BaseModel):
    """A buyer the broker could not pair, with the reason."""

    model_config = _FROZEN

    buyer: str = Field(description="Buyer name.")
    reason: str = Field(description="Why no seller was chosen.")


class BrokerResult(BaseModel):
    """Every pairing in buyer registration order, and the buyers left without one."""

    model_config = _FROZEN

    mode: str = Field(description="Brokering mode used.")
    k: float = Field(description="Threshold on D_sb.")
    pairings: list[Pairing] = Field(description="Pairs, in buyer registration order.")
    unmatched: list[Unmatched] = Field(description="Buyers without a pair.")


def _room(attr: AttributeDef, buyer: Buyer, seller: Seller) -> float:
    b, s = buyer.ranges[attr.name], seller.ranges[attr.name]
    return b.high - s.low if attr.buyer_concedes == "up" else s.high - b.low


def _binary(listed: bool, preferred: bool) -> float:
    return 1.0 if listed == preferred else -1.0


def attribute_profits(attr: AttributeDef, buyer: Buyer, seller: Seller) -> tuple[float, float]:
    """Unweighted ``(P_{s-a}, P_{b-a})`` of one attribute (see the module docstring).

    Example:
        >>> from negotiator.mediation.registry import Range
        >>> price = AttributeDef(name="price", kind="continuous")
        >>> b = Buyer(name="b", ranges={"price": Range(low=8000, high=13000)},
        ...           weights={"price": 1})
        >>> s = Seller(name="s", ranges={"price": Range(low=9500, high=15000)},
        ...            weights={"price": 1})
        >>> attribute_profits(price, b, s)
        (0.6363636363636364, 0.7)
    """
    if attr.kind == "binary":
        listed = seller.features[attr.name]
        if not isinstance(listed, bool):
            raise UsageError(f"seller {seller.name!r}: {attr.name!r} must be listed as a bool")
        own = seller.prefers.get(attr.name, listed)
        return _binary(listed, own), _binary(listed, buyer.prefers.get(attr.name, listed))
    room = _room(attr, buyer, seller)
    b, s = buyer.ranges[attr.name], seller.ranges[attr.name]
    return room / (s.high - s.low), room / (b.high - b.low)


def profits(registry: Registry, buyer: Buyer, seller: Seller) -> tuple[float, float]:
    """``(P_s, P_b)``: each party's weighted sum of its attribute profits."""
    p_s = p_b = 0.0
    for attr in registry.attributes.values():
        ps_a, pb_a = attribute_profits(attr, buyer, seller)
        p_s += ps_a * seller.weights[attr.name]
        p_b += pb_a * buyer.weights[attr.name]
    return p_s, p_b


#: Brokering mode -> sort key of a candidate (smaller is better); ties by registration order.
BROKER_MODES: Mapping[str, Callable[[CandidateScore], float]] = MappingProxyType(
    {
        "neutral": lambda c: c.difference,
        "seller-favouring": lambda c: -c.seller_profit,
        "buyer-favouring": lambda c: -c.buyer_profit,
    }
)


def _score(registry: Registry, buyer: Buyer, seller: Seller, k: float) -> CandidateScore:
    p_s, p_b = profits(registry, buyer, seller)
    diff = abs(p_s - p_b)
    return CandidateScore(
        seller=seller.name,
        seller_profit=p_s,
        buyer_profit=p_b,
        difference=diff,
        within_k=diff <= k,
    )


def _pair(
    registry: Registry, buyer: Buyer, pool: list[Seller], k: float, mode: str
) -> Pairing | Unmatched:
    eligible = [s for s in pool if all(c.holds(s.features) for c in buyer.mandatory)]
    if not eligible:
        return Unmatched(buyer=buyer.name, reason="no seller meets the mandatory conditions")
    scores = [_score(registry, buyer, s, k) for s in eligible]
    within = [c for c in scores if c.within_k]
    if not within:
        smallest = min(c.difference for c in scores)
        return Unmatched(buyer=buyer.name, reason=f"smallest D_sb {smallest:.4g} exceeds k={k:g}")
    best = min(within, key=BROKER_MODES[mode])  # min keeps the first (earliest) of equals
    return Pairing(
        buyer=buyer.name,
        seller=best.seller,
        seller_profit=best.seller_profit,
        buyer_profit=best.buyer_profit,
        difference=best.difference,
        candidates=scores,
    )


def broker(registry: Registry, k: float, mode: str = "neutral") -> BrokerResult:
    """Run seed 001's brokering procedure over the registry.

    Args:
        registry: buyers and sellers in registration order.
        k: the threshold: only pairs with ``0 ≤ D_sb ≤ k`` qualify.
        mode: ``neutral``, ``seller-favouring`` or ``buyer-favouring``.

    Raises:
        UnknownKeyError: unknown mode (the message lists the valid ones).
        UsageError: negative ``k``.

    Example:
        >>> reg = Registry([AttributeDef(name="price", kind="continuous")])
        >>> _ = reg.register_buyer({"name": "b", "ranges": {"price": {"low": 8000,
        ...     "high": 13000}}, "weights": {"price": 1}})
        >>> _ = reg.register_seller({"name": "s", "ranges": {"price": {"low": 9500,
        ...     "high": 15000}}, "weights": {"price": 1}})
        >>> broker(reg, k=0.1).pairings[0].seller
        's'
    """
    lookup(BROKER_MODES, mode, "brokering mode")
    if k < 0:
        raise UsageError(f"k must be >= 0, got {k}")
    pool = list(registry.sellers)
    pairings: list[Pairing] = []
    unmatched: list[Unmatched] = []
    for buyer in registry.buyers:
        outcome = _pair(registry, buyer, pool, k, mode)
        if isinstance(outcome, Unmatched):
            unmatched.append(outcome)
            continue
        pairings.append(outcome)
        pool = [s for s in pool if s.name != outcome.seller]
    return BrokerResult(mode=mode, k=k, pairings=pairings, unmatched=unmatched)
