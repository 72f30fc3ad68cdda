"""The broker's registry (seed 001): buyers and sellers with mandatory conditions and preferences.

Attributes are declared once for the market (:class:`AttributeDef`): *continuous* ones (price)
where each party states the range it can move over, and *binary* ones (delivery yes/no) where a
seller lists a value and each party says which value is to its advantage. Buyers add mandatory
conditions on the sellers' listed features. The registry numbers every party in registration
order, which is the order the broker serves buyers in (seed 001, step 1).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from negotiator.errors import FieldError, InvalidInputError, lookup
from negotiator.wire.paths import json_path

__all__ = [
    "CONDITION_OPERATORS",
    "AttributeDef",
    "Buyer",
    "Condition",
    "Range",
    "Registry",
    "Seller",
]

WEIGHT_TOLERANCE = 1e-6
M = TypeVar("M", bound=BaseModel)
Feature = bool | float | str

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: Operators a mandatory condition may use (lookup table, not an elif chain).
CONDITION_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_ORDERING = frozenset({"lt", "le", "gt", "ge"})


class AttributeDef(BaseModel):
    """One attribute of the traded product.

    ``buyer_concedes`` says which way the buyer moves on a continuous attribute: ``"up"`` for a
    price (the buyer raises its offer, the seller lowers its own — seed 001's case), ``"down"``
    for something the buyer wants much of (warranty months).
    """

    model_config = _FROZEN

    name: str = Field(min_length=1, description="Unique attribute name.")
    kind: Literal["continuous", "binary"] = Field(description="Continuous range or ±1 binary.")
    buyer_concedes: Literal["up", "down"] = Field("up", description="Buyer's concession way.")


class Range(BaseModel):
    """The range a party can move over on a continuous attribute (``low < high``)."""

    model_config = _FROZEN

    low: float = Field(description="Lower end.")
    high: float = Field(description="Upper end.")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Condition(BaseModel):
    """A buyer's mandatory condition on a seller's listed feature."""

    model_config = _FROZEN

    feature: str = Field(min_length=1, description="The seller feature tested.")
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"] = Field(description="Comparison.")
    value: Feature = Field(description="Value compared with (a number for lt/le/gt/ge).")

    @model_validator(mode="after")
    def _orderable(self) -> Condition:
        if self.op in _ORDERING and (isinstance(self.value, bool | str)):
            raise ValueError(f"op {self.op!r} needs a number, got {self.value!r}")
        return self

    def holds(self, features: Mapping[str, Feature]) -> bool:
        """Whether ``features`` meet the condition (a missing feature never does)."""
        if self.feature not in features:
            return False
        have = features[self.feature]
        if self.op in _ORDERING and isinstance(have, bool | str):
            return False
        return bool(lookup(CONDITION_OPERATORS, self.op, "condition operator")(have, self.value))


class _PartyBase(BaseModel):
    model_config = _FROZEN

    name: str = Field(min_length=1, description="Unique name among parties of the same side.")
    ranges: dict[str, Range] = Field(default_factory=dict, description="Continuous attributes.")
    prefers: dict[str, bool] = Field(
        default_factory=dict, description="Binary attribute -> the value to this party's advantage."
    )
    weights: dict[str, float] = Field(description="Attribute -> weight; they sum to 1.")
    concession: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="Seed 001's concession weight per own offer, Offer·(1 ± concession).",
    )


class Buyer(_PartyBase):
    """A registered buyer; its ``ranges`` run from its opening to its reservation value."""

    mandatory: list[Condition] = Field(
        default_factory=list, description="Conditions every candidate seller must meet."
    )


class Seller(_PartyBase):
    """A registered seller with its listing's ``features`` (binary attributes are bools there).

    A binary attribute missing from ``prefers`` counts the listed value as the seller's
    advantage.
    """

    features: dict[str, Feature] = Field(default_factory=dict, description="Listed features.")


class Registry:
    """Buyers and sellers in registration order, checked against the attribute catalogue.

    Raises:
        InvalidInputError: (from the constructor) duplicate attribute names.

    Example:
        >>> reg = Registry([AttributeDef(name="price", kind="continuous")])
        >>> reg.register_buyer({"name": "b", "ranges": {"price": {"low": 1, "high": 2}},
        ...                     "weights": {"price": 1}})
        0
    """

    def __init__(self, attributes: Sequence[AttributeDef]) -> None:
        names = [a.name for a in attributes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidInputError.single("registry", "$.attributes", f"duplicates: {dupes}")
        self.attributes: dict[str, AttributeDef] = {a.name: a for a in attributes}
        self.buyers: list[Buyer] = []
        self.sellers: list[Seller] = []

    def register_buyer(self, data: Buyer | Mapping[str, object]) -> int:
        """Validate and append a buyer; return its registration number (0-based).

        Raises:
            InvalidInputError: every problem with its JSON path.
        """
        buyer = data if isinstance(data, Buyer) else _validate(Buyer, data, "buyer")
        self._check(buyer, "buyer", [b.name for b in self.buyers])
        self.buyers.append(buyer)
        return len(self.buyers) - 1

    def register_seller(self, data: Seller | Mapping[str, object]) -> int:
        """Validate and append a seller; return its registration number (0-based).

        Raises:
            InvalidInputError: every problem with its JSON path.
        """
        seller = data if isinstance(data, Seller) else _validate(Seller, data, "seller")
        errors = self._party_errors(seller, [s.name for s in self.sellers])
        for name, attr in self.attributes.items():
            if attr.kind == "binary" and not isinstance(seller.features.get(name), bool):
                errors.append(FieldError(f"$.features.{name}", "binary attribute: list a bool"))
        if errors:
            raise InvalidInputError("seller", errors)
        self.sellers.append(seller)
        return len(self.sellers) - 1

    def _check(self, party: _PartyBase, what: str, taken: list[str]) -> None:
        errors = self._party_errors(party, taken)
        if errors:
            raise InvalidInputError(what, errors)

    def _party_errors(self, party: _PartyBase, taken: list[str]) -> list[FieldError]:
        errors: list[FieldError] = []
        if party.name in taken:
            errors.append(FieldError("$.name", f"{party.name!r} is already registered"))
        kinds = {"ranges": "continuous", "prefers": "binary"}
        for field, kind in kinds.items():
            given: dict[str, object] = getattr(party, field)
            for name in given:
                attr = self.attributes.get(name)
                if attr is None or attr.kind != kind:
                    errors.append(FieldError(f"$.{field}.{name}", f"not a {kind} attribute"))
        for name in self.attributes:
            if name not in party.weights:
                errors.append(FieldError("$.weights", f"missing attribute {name!r}"))
        for name, attr in self.attributes.items():
            if attr.kind == "continuous" and name not in party.ranges:
                errors.append(FieldError("$.ranges", f"missing continuous attribute {name!r}"))
        errors.extend(_weight_errors(party.weights, self.attributes))
        return errors


def _weight_errors(weights: Mapping[str, float], known: Mapping[str, object]) -> list[FieldError]:
    errors = [
        FieldError(f"$.weights.{n}", "unknown attribute" if n not in known else f"{w} is below 0")
        for n, w in weights.items()
        if n not in known or w < 0
    ]
    total = sum(weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        errors.append(FieldError("$.weights", f"weights sum to {total:g}, expected 1"))
    return errors


def _validate(model: type[M], data: Mapping[str, object], what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [FieldError(json_path(e["loc"]), e["msg"]) for e in exc.errors()]
        raise InvalidInputError(what, errors) from None
