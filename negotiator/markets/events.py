"""CoDABot's auction message protocol as typed trace events (seed 004).

The auctioneer sends ``start_bid`` to every bidding agent; each answers ``ready_bid`` and then
sends a ``bid``; the auctioneer checks it against the rules and answers ``accept`` or
``reject``; when a clearing happens it sends ``notify_clearing`` to all (winners and price) and
then ``dispose_winneragents``, after which the winners retire. Each event records the trading
period and the step within it, so a trace reads in order and serialises to JSON.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Accept",
    "AuctionEvent",
    "Bid",
    "DisposeWinnerAgents",
    "NotifyClearing",
    "ReadyBid",
    "Reject",
    "StartBid",
]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    period: int = Field(ge=0, description="Trading period, from 0.")
    step: int = Field(ge=0, description="Step within the period (a CDA shout or a PDA round).")


class StartBid(_Event):
    """Auctioneer to all: bidding is open.

    Example:
        >>> StartBid(period=0, step=0, traders=("b0", "s0")).kind
        'start_bid'
    """

    kind: Literal["start_bid"] = "start_bid"
    traders: tuple[str, ...] = Field(description="Bidding agents invited.")


class ReadyBid(_Event):
    """Bidding agent to auctioneer: ready to bid."""

    kind: Literal["ready_bid"] = "ready_bid"
    trader: str


class Bid(_Event):
    """Bidding agent to auctioneer: a bid (buyer) or ask (seller) at a price."""

    kind: Literal["bid"] = "bid"
    trader: str
    side: Literal["buy", "sell"]
    price: float = Field(description="The price as sent; the rule check comes next.")


class Accept(_Event):
    """Auctioneer to bidder: the bid passed the rule check and is on the book."""

    kind: Literal["accept"] = "accept"
    trader: str
    order_id: int = Field(ge=-1, description="Book order id (-1 for a PDA sealed bid).")


class Reject(_Event):
    """Auctioneer to bidder: the bid broke a rule; the reason says which."""

    kind: Literal["reject"] = "reject"
    trader: str
    reason: str


class NotifyClearing(_Event):
    """Auctioneer to all: a clearing happened, with its winners (pairwise) and price."""

    kind: Literal["notify_clearing"] = "notify_clearing"
    price: float
    buyers: tuple[str, ...]
    sellers: tuple[str, ...]


class DisposeWinnerAgents(_Event):
    """Auctioneer to winners: retire (their unit is traded for this period)."""

    kind: Literal["dispose_winneragents"] = "dispose_winneragents"
    traders: tuple[str, ...]


AuctionEvent = Annotated[
    StartBid | ReadyBid | Bid | Accept | Reject | NotifyClearing | DisposeWinnerAgents,
    Field(discriminator="kind"),
]
