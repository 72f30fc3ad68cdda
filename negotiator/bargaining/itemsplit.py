"""Item-split preference pairs: the multi-issue bargaining of human negotiation studies.

A :class:`ItemSplitPair` is what such a study records per negotiation: how many units of each
item are on the table, each side's points per unit, and each side's walk-away points.
:meth:`ItemSplitPair.scenario` turns it into a :class:`~negotiator.bargaining.Scenario` with one
:class:`~negotiator.bargaining.ItemIssue` per item (the value is side A's units) and a
:class:`~negotiator.bargaining.PointsUtility` per side, analysed exactly in points.

:func:`synthetic_pairs` draws pairs in two styles seen in such studies (no human data ships
with the project):

* ``"priorities"`` — 3 items of 3 units; each side's points per unit are a random permutation of
  (5, 4, 3) (high / medium / low priority); walk-away 5 points;
* ``"values"`` — 3 items of 1–4 units (5–7 units in all); each side's points per unit are
  non-negative integers that make the whole pool worth exactly 10 points to it; every item is
  worth something to at least one side and some item to both; walk-away 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from negotiator.bargaining.domains import Scenario
from negotiator.bargaining.issues import ItemIssue, OutcomeSpace
from negotiator.bargaining.points import MAX_POINTS, PointsUtility
from negotiator.errors import FieldError, InvalidInputError, lookup

__all__ = ["PAIR_STYLES", "ItemSplitPair", "item_split_scenario", "synthetic_pairs"]

Number = int | float


class ItemSplitPair(BaseModel):
    """One item-split negotiation's preferences: counts, points per unit, walk-away points.

    Example:
        >>> pair = ItemSplitPair(counts=(3, 3, 3), points_a=(5, 4, 3), points_b=(3, 4, 5),
        ...                      walk_away_a=5, walk_away_b=5)
        >>> pair.scenario().space.size
        64
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    counts: tuple[int, ...] = Field(min_length=1, description="Units of each item (≥ 0).")
    points_a: tuple[Number, ...] = Field(description="Side A's points per unit of each item.")
    points_b: tuple[Number, ...] = Field(description="Side B's points per unit of each item.")
    walk_away_a: Number = Field(default=0, description="Side A's points without a deal.")
    walk_away_b: Number = Field(default=0, description="Side B's points without a deal.")
    names: tuple[str, ...] | None = Field(default=None, description="Item names (item0, …).")

    @model_validator(mode="after")
    def _consistent(self) -> ItemSplitPair:
        n = len(self.counts)
        for field in ("points_a", "points_b", "names"):
            value = getattr(self, field)
            if value is not None and len(value) != n:
                raise ValueError(f"{field} has {len(value)} entries for {n} items")
        if any(c < 0 for c in self.counts):
            raise ValueError(f"counts must be ≥ 0, got {self.counts}")
        return self

    @field_validator("points_a", "points_b")
    @classmethod
    def _points(cls, v: tuple[Number, ...]) -> tuple[Number, ...]:
        bad = [p for p in v if not 0 <= p <= MAX_POINTS]
        if bad:
            raise ValueError(f"points per unit must lie in 0..{MAX_POINTS:g}, got {bad}")
        return v

    @field_validator("walk_away_a", "walk_away_b")
    @classmethod
    def _walk_away(cls, v: Number) -> Number:
        if not -MAX_POINTS <= v <= MAX_POINTS:
            raise ValueError(f"walk-away points must lie in ±{MAX_POINTS:g}, got {v}")
        return v

    def scenario(self, name: str = "item-split") -> Scenario:
        """The scenario: one item issue per item, points utilities for A (side 0) and B."""
        names = self.names or tuple(f"item{k}" for k in range(len(self.counts)))
        space = OutcomeSpace(
            issues=tuple(
                ItemIssue(name=n, units=c) for n, c in zip(names, self.counts, strict=True)
            )
        )
        return Scenario(
            name=name,
            space=space,
            utilities=(
                PointsUtility(points=self.points_a, side=0, reservation=self.walk_away_a),
                PointsUtility(points=self.points_b, side=1, reservation=self.walk_away_b),
            ),
        )


def item_split_scenario(data: Mapping[str, object], name: str = "item-split") -> Scenario:
    """Build a scenario from plain data (e.g. parsed JSON), reporting problems by JSON path.

    Raises:
        InvalidInputError: one ``$.field: reason`` per problem (never a raw validation error).

    Example:
        >>> item_split_scenario({"counts": [0, 2], "points_a": [1, 2], "points_b": [2, 1]}
        ...                     ).space.shape
        (1, 3)
    """
    try:
        return ItemSplitPair.model_validate(data).scenario(name)
    except ValidationError as exc:
        errors = [
            FieldError(
                "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]),
                str(e["msg"]).removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise InvalidInputError("item-split pair", errors) from None


def _priorities(rng: np.random.Generator) -> ItemSplitPair:
    a, b = (tuple(int(x) for x in rng.permutation([5, 4, 3])) for _ in range(2))
    return ItemSplitPair(counts=(3, 3, 3), points_a=a, points_b=b, walk_away_a=5, walk_away_b=5)


def _values_side(rng: np.random.Generator, counts: tuple[int, ...]) -> tuple[int, ...]:
    while True:
        points = tuple(int(x) for x in rng.integers(0, 11, size=len(counts)))
        if sum(p * c for p, c in zip(points, counts, strict=True)) == 10:
            return points


def _values(rng: np.random.Generator) -> ItemSplitPair:
    while True:
        counts = tuple(int(x) for x in rng.integers(1, 5, size=3))
        if 5 <= sum(counts) <= 7:
            break
    while True:
        a, b = _values_side(rng, counts), _values_side(rng, counts)
        each = all(x > 0 or y > 0 for x, y in zip(a, b, strict=True))
        if each and any(x > 0 and y > 0 for x, y in zip(a, b, strict=True)):
            return ItemSplitPair(counts=counts, points_a=a, points_b=b)


#: Synthetic pair generators by style (module docstring).
PAIR_STYLES: Mapping[str, Callable[[np.random.Generator], ItemSplitPair]] = MappingProxyType(
    {"priorities": _priorities, "values": _values}
)


def synthetic_pairs(style: str, n: int, seed: int) -> list[ItemSplitPair]:
    """``n`` synthetic preference pairs of a style, drawn from ``default_rng(seed)``.

    Raises:
        UnknownKeyError: for an unknown style.

    Example:
        >>> [p.counts for p in synthetic_pairs("priorities", 2, seed=0)]
        [(3, 3, 3), (3, 3, 3)]
    """
    draw = lookup(PAIR_STYLES, style, "pair style")
    rng = np.random.default_rng(seed)
    return [draw(rng) for _ in range(n)]
