"""Money: a ``Decimal`` amount with its ISO-4217-like currency code. Never a float.

Wire representation (the choice, and why):

* **Output** is always a JSON *string* decimal such as ``"5.00"``: exact for every amount, with
  no binary floating point anywhere between two parties.
* **Input** accepts either that string (pattern ``^[0-9]{1,12}(\\.[0-9]{1,6})?$``: ASCII digits
  only — ``"٥.٠٠"`` or ``"５"`` are not amounts) or a plain JSON *number* ``>= 0`` (what people
  and models naturally write), so a negative amount is reported as
  ``$.price.amount: -5 is less than the minimum of 0``. A negative zero (``-0.0``, ``"-0"``) is
  read as ``0``. Raw wire text is read by :func:`negotiator.wire.jsontext.read_json` (through
  ``validate_raw`` and the model clients), which checks each number's *literal*: one whose exact
  value differs from the float it parses to (``1e-1000``, ``4.999999999999999999``) is rejected,
  never rounded. A number with more than 15 significant digits, or more than 6 decimal places,
  is rejected too.

Limits: at most 12 integer digits and 6 decimal places.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

__all__ = ["AMOUNT_PATTERN", "CENT", "CURRENCY_PATTERN", "Amount", "Money", "quantize"]

CENT = Decimal("0.01")
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"
CURRENCY_PATTERN = r"^[A-Z][A-Z0-9]{2,9}$"
_FLOAT_EXACT_DIGITS = 15
_PLACES = 6
_DECIMAL_TEXT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

CurrencyCode = Annotated[
    str,
    Field(
        pattern=CURRENCY_PATTERN,
        description="Currency code in capitals, e.g. USD, EUR, USDC.",
        examples=["USDC"],
    ),
]


def _amount_from_wire(value: Any) -> Any:
    """Turn a JSON number or decimal string into an exact ``Decimal``; leave other types alone."""
    if isinstance(value, str):
        if not _DECIMAL_TEXT.match(value):
            raise ValueError(f'{value!r} is not a decimal amount such as "5.00"')
        return _no_negative_zero(Decimal(value))
    if isinstance(value, bool):
        return value  # left for the Decimal validator to reject
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        exact = Decimal(repr(value))
        exponent = exact.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -_PLACES:
            raise ValueError(f"{value!r} has more than {_PLACES} decimal places")
        if len(exact.as_tuple().digits) > _FLOAT_EXACT_DIGITS:
            raise ValueError(
                f"a JSON number with more than {_FLOAT_EXACT_DIGITS} significant digits cannot "
                'be read exactly; send the amount as a JSON string such as "123.45"'
            )
        return _no_negative_zero(exact)
    return value


def _no_negative_zero(amount: Decimal) -> Decimal:
    """``-0`` and ``-0.0`` are zero: keep the value, drop the sign (it would re-serialise as
    ``"-0.0"``, which the wire pattern rejects)."""
    return amount.copy_abs() if amount.is_zero() else amount


_AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": AMOUNT_PATTERN},
    ],
    "description": (
        "Non-negative amount with at most 6 decimal places, preferably a decimal string such as "
        '"5.00" (a JSON number such as 5.0 is accepted too).'
    ),
    "examples": ["5.00"],
}

Amount = Annotated[
    Decimal,
    BeforeValidator(_amount_from_wire),
    Field(ge=0, max_digits=18, decimal_places=_PLACES),
    WithJsonSchema(_AMOUNT_SCHEMA),
]
"""A non-negative exact amount (see the module docstring for its wire form)."""


def quantize(amount: Decimal, step: Decimal = CENT) -> Decimal:
    """Round ``amount`` to ``step`` with banker's rounding (the ledger's one rounding rule)."""
    return amount.quantize(step, rounding=ROUND_HALF_EVEN)


class Money(BaseModel):
    """An amount of money in one currency.

    Example:
        >>> Money(amount=Decimal("5.00"), currency="USDC").amount
        Decimal('5.00')
        >>> Money.model_validate_json('{"amount": 5.5, "currency": "USDC"}').amount
        Decimal('5.5')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Amount
    currency: CurrencyCode

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
