"""Seed 001's price negotiation (table 3): settings as data, one function to run a setting.

**Reading of a condition** such as ``"15000-9500, 13000-8000 (0.05)"``: the seller opens at
15000 and will not go below its reservation 9500; the buyer opens at 8000 and will not go above
its reservation 13000; both concede multiplicatively by the weight per own offer — the seller's
price is multiplied by ``1 − 0.05``, the buyer's by ``1 + 0.05`` (seed 001's
``Offer_{n+1}(x) = Offer_n(x)·(1 + Weight(x))`` with a negative weight for the seller), each
stopped at its reservation, where the party sends a last-offer. The seller opens. Rows 5–8
read ``"13000-10000, 12000-9500"`` the same way (seller 13000 → 10000, buyer 9500 → 12000).

Utilities are seed 001's linear profit over each party's own range: the seller's
``LinearValue(low=reservation, high=opening)``, the buyer's decreasing
``LinearValue(low=opening, high=reservation)``; so the agreement zone is
``[seller reservation, buyer reservation]``.

* Protocol I ends as soon as an offer enters the receiver's zone (the buyer's offer reaches the
  seller's reservation or the seller's offer falls to the buyer's reservation).
* Protocol II needs an explicit accept-offer: a party accepts an offer at least as good as its
  own next offer (the offers have crossed), or any acceptable last-offer.

"Rounds" below are messages exchanged (each party's offer counts one), which is how the paper's
7 rounds for setting 1 under Protocol I come out. The paper's printed figures are not all
mutually consistent; the reproduction keeps their shape (see ``bench/seed001_protocols.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiator.bargaining.negotiators import Seed001Party
from negotiator.bargaining.protocols import Negotiation, NegotiationResult
from negotiator.bargaining.utility import AdditiveUtility, LinearValue

__all__ = ["TABLE3", "PriceSetting", "run_price_setting"]


@dataclass(frozen=True)
class PriceSetting:
    """One row of seed 001's table 3 with the paper's figures.

    Attributes:
        run: row number.
        seller_open: seller's opening price.
        seller_reservation: lowest price the seller accepts.
        buyer_open: buyer's opening price.
        buyer_reservation: highest price the buyer accepts.
        weight: concession weight per own offer (multiplicative).
        paper: ``(I rounds, I result, II rounds, II result)`` as printed.
    """

    run: int
    seller_open: float
    seller_reservation: float
    buyer_open: float
    buyer_reservation: float
    weight: float
    paper: tuple[int, float, int, float]

    @property
    def condition(self) -> str:
        """The condition as the paper writes it."""
        return (
            f"{self.seller_open:.0f}-{self.seller_reservation:.0f}, "
            f"{self.buyer_reservation:.0f}-{self.buyer_open:.0f} ({self.weight:g})"
        )


_A = (15000.0, 9500.0, 8000.0, 13000.0)
_B = (13000.0, 10000.0, 9500.0, 12000.0)
#: Table 3 of seed 001 (price only), with the paper's rounds and results.
TABLE3: tuple[PriceSetting, ...] = (
    PriceSetting(1, *_A, 0.05, (7, 9500, 14, 11250)),
    PriceSetting(2, *_A, 0.03, (12, 9639, 16, 11715)),
    PriceSetting(3, *_A, 0.01, (32, 9519, 69, 11328)),
    PriceSetting(4, *_A, 0.001, (151, 9500, 701, 11500)),
    PriceSetting(5, *_B, 0.05, (1, 9500, 1, 9500)),
    PriceSetting(6, *_B, 0.03, (8, 10008, 22, 11054)),
    PriceSetting(7, *_B, 0.01, (22, 10004, 61, 10940)),
    PriceSetting(8, *_B, 0.003, (12, 11932, 220, 11029)),
)


def run_price_setting(
    setting: PriceSetting, protocol: str, max_rounds: int = 5000
) -> NegotiationResult[tuple[float, ...]]:
    """Run one table-3 setting under ``"protocol1"`` or ``"protocol2"`` (seller opens).

    Raises:
        UnknownKeyError: for an unknown protocol.

    Example:
        >>> r = run_price_setting(TABLE3[0], "protocol1")
        >>> r.status, r.messages, round(r.agreement[0])
        (<Status.AGREED: 'agreed'>, 7, 12861)
    """
    seller = Seed001Party(
        AdditiveUtility(
            weights=(1.0,),
            values=(LinearValue(low=setting.seller_reservation, high=setting.seller_open),),
        ),
        opening=[setting.seller_open],
        weights=[-setting.weight],
        limits=[setting.seller_reservation],
    )
    buyer = Seed001Party(
        AdditiveUtility(
            weights=(1.0,),
            values=(
                LinearValue(
                    low=setting.buyer_open, high=setting.buyer_reservation, increasing=False
                ),
            ),
        ),
        opening=[setting.buyer_open],
        weights=[setting.weight],
        limits=[setting.buyer_reservation],
    )
    return Negotiation(protocol, (seller, buyer), max_rounds).run()
