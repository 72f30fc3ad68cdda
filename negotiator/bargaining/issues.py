"""Issues (negotiable attributes) and the enumerable outcome space they span.

Four kinds of issue: categorical (named values), integer (a closed range), continuous (a
closed real range) and item splits (``k ≥ 0`` units of an item divided between two sides; the
value is the number of units the *first* side receives, the second side gets the rest). Every
issue is *enumerable*: a continuous issue is sampled at ``levels`` evenly spaced points for the
exact analysis and for offer search (a protocol may still trade arbitrary reals, e.g. seed 001's
multiplicative rule). Outcomes are numbered in C order: the first
issue varies slowest, so outcome ``i`` has value indices ``numpy.unravel_index(i, shape)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negotiator.errors import InvalidInputError

__all__ = [
    "CategoricalIssue",
    "ContinuousIssue",
    "IntegerIssue",
    "Issue",
    "ItemIssue",
    "OutcomeSpace",
    "SpaceLayout",
]

Scalar = str | int | float


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CategoricalIssue(_Frozen):
    """An issue with a finite list of named values (Genius ``discrete``).

    Example:
        >>> CategoricalIssue(name="colour", values=("red", "blue")).size
        2
    """

    kind: Literal["categorical"] = "categorical"
    name: str = Field(min_length=1, description="Issue name, unique within a space.")
    values: tuple[str, ...] = Field(min_length=1, description="The values, distinct, in order.")

    @model_validator(mode="after")
    def _distinct(self) -> CategoricalIssue:
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"issue {self.name!r}: values must be distinct")
        return self

    @property
    def size(self) -> int:
        """Number of values."""
        return len(self.values)

    def points(self) -> NDArray[np.float64] | tuple[str, ...]:
        """The enumerated values (the strings themselves for a categorical issue)."""
        return self.values


class IntegerIssue(_Frozen):
    """An integer issue ranging over ``low..high`` inclusive.

    Example:
        >>> IntegerIssue(name="days", low=1, high=5).size
        5
    """

    kind: Literal["integer"] = "integer"
    name: str = Field(min_length=1, description="Issue name, unique within a space.")
    low: int = Field(description="Smallest value (inclusive).")
    high: int = Field(description="Largest value (inclusive), at least ``low``.")

    @model_validator(mode="after")
    def _ordered(self) -> IntegerIssue:
        if self.high < self.low:
            raise ValueError(f"issue {self.name!r}: high {self.high} is below low {self.low}")
        return self

    @property
    def size(self) -> int:
        """Number of values."""
        return self.high - self.low + 1

    def points(self) -> NDArray[np.float64]:
        """The enumerated values as floats."""
        return np.arange(self.low, self.high + 1, dtype=np.float64)


class ContinuousIssue(_Frozen):
    """A real issue over ``[low, high]``, enumerated at ``levels`` evenly spaced points.

    Example:
        >>> ContinuousIssue(name="price", low=0.0, high=1.0, levels=3).points().tolist()
        [0.0, 0.5, 1.0]
    """

    kind: Literal["continuous"] = "continuous"
    name: str = Field(min_length=1, description="Issue name, unique within a space.")
    low: float = Field(description="Lower bound (inclusive).")
    high: float = Field(description="Upper bound (inclusive), above ``low``.")
    levels: int = Field(default=11, ge=2, description="Sample points used for enumeration.")

    @model_validator(mode="after")
    def _ordered(self) -> ContinuousIssue:
        if not self.high > self.low:
            raise ValueError(f"issue {self.name!r}: high {self.high} must exceed low {self.low}")
        return self

    @property
    def size(self) -> int:
        """Number of enumeration points."""
        return self.levels

    def points(self) -> NDArray[np.float64]:
        """The enumeration points."""
        return np.linspace(self.low, self.high, self.levels)


class ItemIssue(_Frozen):
    """``units`` units of one item split between two sides (value: the first side's units).

    ``units`` may be 0 (an item nobody can get: one outcome value, 0).

    Example:
        >>> ItemIssue(name="food", units=3).points().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """

    kind: Literal["items"] = "items"
    name: str = Field(min_length=1, description="Item name, unique within a space.")
    units: int = Field(ge=0, description="Units of the item to divide (0 or more).")

    @property
    def size(self) -> int:
        """Number of possible splits (``units + 1``)."""
        return self.units + 1

    @property
    def low(self) -> int:
        """Fewest units the first side can get (0)."""
        return 0

    @property
    def high(self) -> int:
        """Most units the first side can get."""
        return self.units

    def points(self) -> NDArray[np.float64]:
        """The first side's possible unit counts as floats."""
        return np.arange(self.units + 1, dtype=np.float64)


AnyIssue = CategoricalIssue | IntegerIssue | ContinuousIssue | ItemIssue
Issue = Annotated[AnyIssue, Field(discriminator="kind")]


@dataclass(frozen=True)
class SpaceLayout:
    """Index arrays of an enumerated space, built once and shared by every negotiator on it.

    Attributes:
        shape: number of values per issue.
        grid: value index of each issue for every outcome, shape ``(outcomes, issues)``.
        starts: offset of each issue's first value in one flat vector of all (issue, value) slots.
        slots: ``grid + starts``: the flat slot of each issue value of every outcome.
        issue_of: the issue of each flat slot.
    """

    shape: tuple[int, ...]
    grid: NDArray[np.intp]
    starts: NDArray[np.intp]
    slots: NDArray[np.intp]
    issue_of: NDArray[np.intp]

    @classmethod
    def of_shape(cls, shape: Sequence[int]) -> SpaceLayout:
        """The layout of the full Cartesian product with the given issue sizes (C order).

        Example:
            >>> SpaceLayout.of_shape((2, 3)).slots[-1].tolist()
            [1, 4]
        """
        sizes = np.asarray(shape, dtype=np.intp)
        grid = np.ascontiguousarray(np.indices(tuple(shape)).reshape(len(sizes), -1).T)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        return cls(
            shape=tuple(int(k) for k in sizes),
            grid=grid.astype(np.intp),
            starts=starts,
            slots=grid + starts,
            issue_of=np.repeat(np.arange(sizes.size), sizes),
        )


class OutcomeSpace(_Frozen):
    """The Cartesian product of issues, numbered in C order (first issue slowest).

    Example:
        >>> space = OutcomeSpace(issues=(IntegerIssue(name="a", low=0, high=1),
        ...                              CategoricalIssue(name="b", values=("x", "y", "z"))))
        >>> space.size, space.outcome(4)
        (6, (1, 'y'))
    """

    issues: tuple[Issue, ...] = Field(min_length=1, description="The issues, in order.")

    @model_validator(mode="after")
    def _unique_names(self) -> OutcomeSpace:
        names = [i.name for i in self.issues]
        if len(set(names)) != len(names):
            raise ValueError(f"issue names must be unique, got {names}")
        return self

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values per issue."""
        return tuple(i.size for i in self.issues)

    @property
    def size(self) -> int:
        """Number of outcomes."""
        return math.prod(self.shape)

    @cached_property
    def layout(self) -> SpaceLayout:
        """The index arrays of this space (computed once)."""
        return SpaceLayout.of_shape(self.shape)

    @property
    def grid(self) -> NDArray[np.intp]:
        """Value indices of every outcome, shape ``(size, n_issues)``, in outcome order."""
        return self.layout.grid

    def outcome(self, index: int) -> tuple[Scalar, ...]:
        """The issue values of outcome ``index``.

        Raises:
            InvalidInputError: if ``index`` is outside ``0..size-1``.
        """
        if not 0 <= index < self.size:
            raise InvalidInputError.single(
                "outcome", "$", f"index {index} outside 0..{self.size - 1}"
            )
        parts = np.unravel_index(index, self.shape)
        return tuple(_value(issue, int(k)) for issue, k in zip(self.issues, parts, strict=True))

    def index_of(self, values: Sequence[Scalar]) -> int:
        """The outcome number of a tuple of issue values (continuous: the nearest level).

        Raises:
            InvalidInputError: on a wrong length or a value the issue does not hold.
        """
        if len(values) != len(self.issues):
            raise InvalidInputError.single(
                "outcome", "$", f"expected {len(self.issues)} values, got {len(values)}"
            )
        ks = [
            _position(issue, v, f"$[{n}]")
            for n, (issue, v) in enumerate(zip(self.issues, values, strict=True))
        ]
        return int(np.ravel_multi_index(ks, self.shape))

    def as_dict(self, index: int) -> dict[str, Scalar]:
        """Outcome ``index`` as ``{issue name: value}``."""
        return {i.name: v for i, v in zip(self.issues, self.outcome(index), strict=True)}


def _value(issue: AnyIssue, k: int) -> Scalar:
    if isinstance(issue, CategoricalIssue):
        return issue.values[k]
    if isinstance(issue, IntegerIssue | ItemIssue):
        return issue.low + k
    return float(issue.points()[k])


def _position(issue: AnyIssue, value: Scalar, path: str) -> int:
    if isinstance(issue, CategoricalIssue):
        if value not in issue.values:
            raise InvalidInputError.single(
                "outcome", path, f"{value!r} is not a value of issue {issue.name!r}"
            )
        return issue.values.index(str(value))
    if isinstance(value, str):
        raise InvalidInputError.single("outcome", path, f"{value!r} is not a number")
    if not issue.low <= value <= issue.high:
        raise InvalidInputError.single(
            "outcome", path, f"{value} outside [{issue.low}, {issue.high}] of {issue.name!r}"
        )
    if isinstance(issue, IntegerIssue | ItemIssue):
        return round(value) - issue.low
    return int(np.abs(issue.points() - value).argmin())
