"""A continuous double auction's limit order book with price-time priority.

Seed 004 (CoDABot): all bids are visible at once; Q^b (the buyers' quote) is the best bid and
Q^s (the sellers' quote) the best ask; normally Q^s > Q^b, and a trade happens as soon as
Q^b >= Q^s. Rules chosen here:

* **Priority.** Better price first; at equal prices, the earlier order (lower sequence number).
* **Trade price.** The *resting* order's price (the order that was already on the book), the
  usual rule of continuous markets. So a buyer never pays more than its bid and a seller never
  receives less than its ask.
* **Prices** are floats, validated on entry: finite and ``>= 0``; quantities are integers
  ``>= 1``. A bad order raises :class:`~negotiator.errors.InvalidInputError` naming the field,
  *before* anything on the book changes.
* **Data structure.** One binary heap per side keyed by (price, sequence) (bids negated), with
  lazy deletion: a cancelled order is marked dead and dropped when it reaches the top. Submit and
  cancel are O(log n).

After every operation the book is never crossed: an incoming order trades until it is filled or
no longer crosses, and only then rests.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Literal

from negotiator.errors import FieldError, InvalidInputError

__all__ = ["Fill", "Order", "OrderBook", "Side", "Submission", "validate_order"]

Side = Literal["buy", "sell"]
_SIDES = ("buy", "sell")


@dataclass(slots=True)
class Order:
    """A live order. ``quantity`` is what remains; 0 means filled or cancelled."""

    id: int
    trader: str
    side: Side
    price: float
    quantity: int


@dataclass(frozen=True, slots=True)
class Fill:
    """One trade between a resting order and an incoming one, at the resting order's price."""

    buy_order: int
    sell_order: int
    buyer: str
    seller: str
    price: float
    quantity: int


def validate_order(side: object, price: object, quantity: object) -> list[FieldError]:
    """Every problem with an order's fields, as JSON-path errors (empty when valid).

    Example:
        >>> [str(e) for e in validate_order("buy", -5, 1)]
        ['$.price: -5 is below 0']
    """
    errors: list[FieldError] = []
    if side not in _SIDES:
        errors.append(FieldError("$.side", f"{side!r} is not one of 'buy', 'sell'"))
    if isinstance(price, bool) or not isinstance(price, int | float):
        errors.append(FieldError("$.price", f"{price!r} is not a number"))
    elif math.isnan(price):
        errors.append(FieldError("$.price", "NaN is not a price"))
    elif math.isinf(price):
        errors.append(FieldError("$.price", f"{price} is not a finite price"))
    elif price < 0:
        errors.append(FieldError("$.price", f"{price} is below 0"))
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        errors.append(FieldError("$.quantity", f"{quantity!r} is not an integer"))
    elif quantity < 1:
        errors.append(FieldError("$.quantity", f"{quantity} is below 1"))
    return errors


class OrderBook:
    """Limit order book: submit, cancel, quotes; trades at the resting order's price.

    Example:
        >>> book = OrderBook()
        >>> book.submit("s1", "sell", 10.0).fills
        []
        >>> [f.price for f in book.submit("b1", "buy", 12.0).fills]
        [10.0]
    """

    def __init__(self) -> None:
        self._bids: list[tuple[float, int, Order]] = []  # (-price, id, order)
        self._asks: list[tuple[float, int, Order]] = []  # (price, id, order)
        self._live: dict[int, Order] = {}
        self._next_id = 0

    def submit(self, trader: str, side: Side, price: float, quantity: int = 1) -> Submission:
        """Match an order against the book, then rest whatever is left.

        Raises:
            InvalidInputError: side, price or quantity is invalid (the book is unchanged).
        """
        valid = (  # fast path for the common case; anything else gets the full check
            type(price) is float
            and 0.0 <= price < math.inf
            and type(quantity) is int
            and quantity >= 1
            and side in _SIDES
        )
        if not valid:
            errors = validate_order(side, price, quantity)
            if errors:
                raise InvalidInputError("order", errors)
        order = Order(self._next_id, trader, side, float(price), quantity)
        self._next_id += 1
        fills = self._match(order)
        if order.quantity:
            self._live[order.id] = order
            if side == "buy":
                heapq.heappush(self._bids, (-order.price, order.id, order))
            else:
                heapq.heappush(self._asks, (order.price, order.id, order))
        return Submission(order.id, fills, order.quantity)

    def _match(self, order: Order) -> list[Fill]:
        fills: list[Fill] = []
        buying = order.side == "buy"
        heap = self._asks if buying else self._bids
        while order.quantity:
            head = self._head(heap)
            if head is None or (head.price > order.price if buying else head.price < order.price):
                break
            qty = min(order.quantity, head.quantity)
            order.quantity -= qty
            head.quantity -= qty
            buy, sell = (order, head) if buying else (head, order)
            fills.append(Fill(buy.id, sell.id, buy.trader, sell.trader, head.price, qty))
            if not head.quantity:
                heapq.heappop(heap)
                del self._live[head.id]
        return fills

    def _head(self, heap: list[tuple[float, int, Order]]) -> Order | None:
        while heap and not heap[0][2].quantity:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def cancel(self, order_id: int) -> bool:
        """Withdraw a live order; False when it is unknown, filled or already cancelled."""
        order = self._live.pop(order_id, None)
        if order is None:
            return False
        order.quantity = 0
        return True

    def clear(self) -> None:
        """Withdraw every order (end of a trading period)."""
        self._bids.clear()
        self._asks.clear()
        for order in self._live.values():
            order.quantity = 0
        self._live.clear()

    @property
    def best_bid(self) -> float | None:
        """Q^b: the highest live bid, or None."""
        head = self._head(self._bids)
        return head.price if head else None

    @property
    def best_ask(self) -> float | None:
        """Q^s: the lowest live ask, or None."""
        head = self._head(self._asks)
        return head.price if head else None

    def order(self, order_id: int) -> Order | None:
        """The live order with this id, or None."""
        return self._live.get(order_id)

    def orders(self) -> list[Order]:
        """Every live order, in submission order."""
        return sorted(self._live.values(), key=lambda o: o.id)

    def __len__(self) -> int:
        return len(self._live)


@dataclass(frozen=True, slots=True)
class Submission:
    """What a submit did: the new order's id, its fills, and the quantity left resting."""

    order_id: int
    fills: list[Fill]
    resting: int
