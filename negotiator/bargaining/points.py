"""Raw points over item splits: a side's score is the sum of its units times its points per unit.

A :class:`PointsUtility` scores every outcome of a space of :class:`ItemIssue` s in the units the
user gave (e.g. 5 points per unit of food, a walk-away worth 5 points) — nothing is normalised
here. Points are exact: integers stay integers, and decimals such as ``2.5`` are read as the
fractions they denote, so :meth:`PointsUtility.exact_space` returns integers scaled by a common
denominator (:attr:`PointsUtility.denominator`) and the analysis compares them without rounding.

:func:`item_split_scenario` builds the usual two-sided case from plain numbers and reports every
problem with its JSON path (never a raw validation error).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator

from negotiator.bargaining.issues import ItemIssue, OutcomeSpace
from negotiator.errors import FieldError, InvalidInputError

__all__ = ["MAX_POINTS", "PointsUtility", "exact_fraction"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
_MAX_DENOMINATOR = 10**6
#: Largest points value accepted (per unit, or walk-away, in absolute value).
MAX_POINTS = 1e12
_EXACT_LIMIT = 2**62  # outcome totals (times the denominator) must fit in int64


def exact_fraction(x: float) -> Fraction:
    """The decimal a number denotes, as a fraction (``2.5 → 5/2``, ``0.1 → 1/10``).

    Example:
        >>> exact_fraction(0.1)
        Fraction(1, 10)
    """
    return Fraction(repr(float(x))) if not isinstance(x, int) else Fraction(x)


@lru_cache(maxsize=4096)
def _points_fraction(x: float) -> Fraction:
    """The exact fraction of one points value, its denominator limited (shared by every
    scenario that uses the value: building it costs more than a scenario's arithmetic)."""
    return exact_fraction(x).limit_denominator(_MAX_DENOMINATOR)


def _scaled(x: int | float, denominator: int) -> int:
    """A points value times a denominator that makes it whole, exact (integers directly)."""
    if isinstance(x, int):
        return x * denominator
    return int(_points_fraction(x) * denominator)


@lru_cache(maxsize=256)
def _units(shape: tuple[int, ...], side: int) -> IntArray:
    """Units each side gets of every item in every outcome, ``(items, outcomes)`` in outcome
    (C) order, shared read-only by every space of that shape."""
    grid = np.indices(shape, dtype=np.int64).reshape(len(shape), -1)
    units = grid if side == 0 else np.array(shape, dtype=np.int64)[:, None] - 1 - grid
    units.flags.writeable = False
    return units


class PointsUtility(BaseModel):
    """One side's points per unit of each item, its walk-away points and an optional discount.

    Example:
        >>> space = OutcomeSpace(issues=(ItemIssue(name="food", units=2),))
        >>> PointsUtility(points=(5,), side=1, reservation=3).evaluate_space(space).tolist()
        [10.0, 5.0, 0.0]
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["points"] = "points"
    points: tuple[int | float, ...] = Field(min_length=1, description="Points per unit, ≥ 0.")
    side: Literal[0, 1] = Field(description="0 receives each issue's value, 1 the rest.")
    reservation: int | float = Field(default=0, description="Walk-away points.")
    discount: float | None = Field(
        default=None, gt=0, le=1, description="Per unit of relative time: u·discount^t."
    )

    @field_validator("points")
    @classmethod
    def _non_negative(cls, v: tuple[int | float, ...]) -> tuple[int | float, ...]:
        bad = [p for p in v if not (0 <= p <= MAX_POINTS)]
        if bad:
            raise ValueError(f"points per unit must lie in 0..{MAX_POINTS:g}, got {bad}")
        return v

    @field_validator("reservation")
    @classmethod
    def _finite(cls, v: int | float) -> int | float:
        if not -MAX_POINTS <= v <= MAX_POINTS:
            raise ValueError(f"walk-away points must lie in ±{MAX_POINTS:g}, got {v}")
        return v

    @property
    def denominator(self) -> int:
        """Smallest integer that makes every points value and the reservation whole."""
        values = [*self.points, self.reservation]
        return lcm(*(_points_fraction(x).denominator for x in values))

    def check(self, space: OutcomeSpace) -> None:
        """Check that the space holds only item issues, one points value each.

        Raises:
            InvalidInputError: with the JSON path of each misfit.
        """
        errors: list[FieldError] = []
        if len(self.points) != len(space.issues):
            errors.append(
                FieldError("$.points", f"{len(self.points)} for {len(space.issues)} issues")
            )
        for i, issue in enumerate(space.issues):
            if not isinstance(issue, ItemIssue):
                errors.append(FieldError(f"$.points[{i}]", f"{issue.name!r} is not an item"))
        if errors:
            raise InvalidInputError("points utility", errors)

    def exact_space(self, space: OutcomeSpace, denominator: int | None = None) -> IntArray:
        """Points of every outcome times ``denominator`` (default :attr:`denominator`), exact.

        Raises:
            InvalidInputError: if the space does not fit (see :meth:`check`).
        """
        self.check(space)
        d = denominator or self.denominator
        per = [_scaled(p, d) for p in self.points]
        most = sum(x * issue.size for x, issue in zip(per, space.issues, strict=True))
        if most + abs(self.exact_reservation(d)) >= _EXACT_LIMIT:
            raise InvalidInputError.single(
                "points utility", "$.points", "totals too large for exact arithmetic"
            )
        return np.asarray(np.array(per, dtype=np.int64) @ _units(space.shape, self.side))

    def exact_reservation(self, denominator: int | None = None) -> int:
        """Walk-away points times ``denominator`` (default :attr:`denominator`), exact."""
        d = denominator or self.denominator
        return _scaled(self.reservation, d)

    def evaluate_space(self, space: OutcomeSpace) -> FloatArray:
        """Points of every outcome as floats, in outcome order."""
        return self.exact_space(space) / float(self.denominator)

    def discounted(self, utility: float, t: float) -> float:
        """Apply the time discount at relative time ``t`` (no-op without a discount)."""
        return utility if self.discount is None else utility * self.discount**t
