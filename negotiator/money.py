"""Money: a ``Decimal`` amount with its ISO-4217-like currency code. Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CENT", "Money", "quantize"]

CENT = Decimal("0.01")

CurrencyCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9]{2,9}$",
        description="Currency code in capitals, e.g. USD, EUR, USDC.",
        examples=["USDC"],
    ),
]


def quantize(amount: Decimal, step: Decimal = CENT) -> Decimal:
    """Round ``amount`` to ``step`` with banker's rounding (the ledger's one rounding rule)."""
    return amount.quantize(step, rounding=ROUND_HALF_EVEN)


class Money(BaseModel):
    """An amount of money in one currency.

    Example:
        >>> Money(amount=Decimal("5.00"), currency="USDC").amount
        Decimal('5.00')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal = Field(
        ge=0,
        max_digits=18,
        decimal_places=6,
        description="Non-negative amount, at most 6 decimal places, e.g. 5.00.",
    )
    currency: CurrencyCode

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
