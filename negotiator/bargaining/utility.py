"""Multi-attribute additive utility (seed 002's f = Σ Gᵢ·Wᵢ), evaluated over whole spaces at once.

A party's utility of an outcome is ``Σ_i w_i · g_i(x_i)`` with non-negative weights summing to 1
and one value function ``g_i`` per issue:

* :class:`TableValue` — a categorical issue's value → utility table;
* :class:`LinearValue` — linear over a range, clipped (seed 001's continuous formula: the buyer's
  profit on a price ``x`` is ``(b_max − x) / (b_max − b_min)``, i.e. ``LinearValue(low=b_min,
  high=b_max, increasing=False)``);
* :class:`BinaryValue` — seed 001's ±1 attribute: +1 for the party's preferred value, −1 otherwise;
* :class:`PiecewiseLinearValue` — linear interpolation between points (flat outside);
* :class:`CurveValue` — a non-linear power curve ``((x − low)/(high − low))^exponent``.

:meth:`AdditiveUtility.evaluate_space` evaluates every outcome of an :class:`OutcomeSpace` with one
broadcast sum of per-issue tables (no Python loop per outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negotiator.bargaining.issues import CategoricalIssue, Issue, OutcomeSpace, Scalar
from negotiator.errors import FieldError, InvalidInputError

__all__ = [
    "AdditiveUtility",
    "BinaryValue",
    "CurveValue",
    "LinearValue",
    "PiecewiseLinearValue",
    "TableValue",
    "ValueFunction",
    "additive_space",
]

FloatArray = NDArray[np.float64]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TableValue(_Frozen):
    """Utility of each value of a categorical issue.

    Example:
        >>> TableValue(table={"red": 1.0, "blue": 0.25}).table["blue"]
        0.25
    """

    kind: Literal["table"] = "table"
    table: dict[str, float] = Field(min_length=1, description="Value name → utility.")

    def on(self, points: Sequence[Scalar] | FloatArray) -> FloatArray:
        """Utilities of the given values.

        Raises:
            KeyError: a value missing from the table (reported by :meth:`AdditiveUtility.check`).
        """
        return np.array([self.table[str(p)] for p in points], dtype=np.float64)


class LinearValue(_Frozen):
    """Linear utility over ``[low, high]`` rising 0 → 1 (or falling 1 → 0), clipped outside.

    Example:
        >>> LinearValue(low=8000, high=13000, increasing=False).on(np.array([8000.0, 13000.0]))
        array([1., 0.])
    """

    kind: Literal["linear"] = "linear"
    low: float = Field(description="Value where utility is 0 (1 when decreasing).")
    high: float = Field(description="Value where utility is 1 (0 when decreasing); above low.")
    increasing: bool = Field(default=True, description="True when more is better.")

    @model_validator(mode="after")
    def _range(self) -> LinearValue:
        if not self.high > self.low:
            raise ValueError(f"high {self.high} must exceed low {self.low}")
        return self

    def on(self, points: Sequence[Scalar] | FloatArray) -> FloatArray:
        """Utilities of the given numeric values."""
        x = np.clip(
            (np.asarray(points, dtype=np.float64) - self.low) / (self.high - self.low), 0, 1
        )
        return x if self.increasing else 1.0 - x


class CurveValue(_Frozen):
    """Non-linear power curve over ``[low, high]``: ``s^exponent`` with ``s`` the clipped share.

    Example:
        >>> CurveValue(low=0, high=10, exponent=2.0).on(np.array([5.0])).tolist()
        [0.25]
    """

    kind: Literal["curve"] = "curve"
    low: float = Field(description="Start of the range.")
    high: float = Field(description="End of the range; above low.")
    exponent: float = Field(gt=0, description=">1 convex (slow start), <1 concave.")
    increasing: bool = Field(default=True, description="True when more is better.")

    @model_validator(mode="after")
    def _range(self) -> CurveValue:
        if not self.high > self.low:
            raise ValueError(f"high {self.high} must exceed low {self.low}")
        return self

    def on(self, points: Sequence[Scalar] | FloatArray) -> FloatArray:
        """Utilities of the given numeric values."""
        s = np.clip(
            (np.asarray(points, dtype=np.float64) - self.low) / (self.high - self.low), 0, 1
        )
        s = s if self.increasing else 1.0 - s
        return np.asarray(s**self.exponent, dtype=np.float64)


class PiecewiseLinearValue(_Frozen):
    """Linear interpolation through ``(x, utility)`` points with increasing x; flat outside.

    Example:
        >>> PiecewiseLinearValue(points=((0, 0), (1, 1), (2, 0))).on(np.array([0.5, 1.5])).tolist()
        [0.5, 0.5]
    """

    kind: Literal["piecewise"] = "piecewise"
    points: tuple[tuple[float, float], ...] = Field(min_length=2, description="(x, u), x rising.")

    @model_validator(mode="after")
    def _rising(self) -> PiecewiseLinearValue:
        xs = [p[0] for p in self.points]
        if any(b <= a for a, b in pairwise(xs)):
            raise ValueError(f"x coordinates must strictly increase, got {xs}")
        return self

    def on(self, points: Sequence[Scalar] | FloatArray) -> FloatArray:
        """Utilities of the given numeric values."""
        xs, us = zip(*self.points, strict=True)
        return np.asarray(np.interp(np.asarray(points, dtype=np.float64), xs, us), dtype=np.float64)


class BinaryValue(_Frozen):
    """Seed 001's binary attribute: +1 for the preferred value, −1 for any other.

    Example:
        >>> BinaryValue(preferred="yes").on(("yes", "no")).tolist()
        [1.0, -1.0]
    """

    kind: Literal["binary"] = "binary"
    preferred: str | float = Field(description="The value to the party's advantage.")

    def on(self, points: Sequence[Scalar] | FloatArray) -> FloatArray:
        """+1 where the value equals the preferred one, −1 elsewhere."""
        return np.array([1.0 if p == self.preferred else -1.0 for p in points])


ValueFunction = Annotated[
    TableValue | LinearValue | CurveValue | PiecewiseLinearValue | BinaryValue,
    Field(discriminator="kind"),
]
_NUMERIC_ONLY = (LinearValue, CurveValue, PiecewiseLinearValue)


class AdditiveUtility(_Frozen):
    """A party's additive multi-attribute utility with a reservation value and optional discount.

    Example:
        >>> from negotiator.bargaining.issues import CategoricalIssue, OutcomeSpace
        >>> space = OutcomeSpace(issues=(CategoricalIssue(name="c", values=("a", "b")),))
        >>> u = AdditiveUtility(weights=(1.0,), values=(TableValue(table={"a": 0.2, "b": 1}),))
        >>> u.evaluate_space(space).tolist()
        [0.2, 1.0]
    """

    weights: tuple[float, ...] = Field(min_length=1, description="Issue weights, ≥0, sum 1.")
    values: tuple[ValueFunction, ...] = Field(min_length=1, description="One per issue.")
    reservation: float = Field(default=0.0, description="Utility of no agreement.")
    discount: float | None = Field(
        default=None, gt=0, le=1, description="Per unit of relative time: u·discount^t."
    )

    @model_validator(mode="after")
    def _weights(self) -> AdditiveUtility:
        if len(self.weights) != len(self.values):
            raise ValueError(f"{len(self.weights)} weights for {len(self.values)} value functions")
        if any(w < 0 for w in self.weights):
            raise ValueError(f"weights must be non-negative, got {self.weights}")
        if abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1, got {sum(self.weights):.6f}")
        return self

    def check(self, space: OutcomeSpace) -> None:
        """Check that every value function fits its issue.

        Raises:
            InvalidInputError: with the JSON path of each misfit (``$.values[i]``).
        """
        errors: list[FieldError] = []
        if len(self.values) != len(space.issues):
            errors.append(
                FieldError("$.values", f"{len(self.values)} for {len(space.issues)} issues")
            )
        for i, (vf, issue) in enumerate(zip(self.values, space.issues, strict=False)):
            problem = _misfit(vf, issue)
            if problem:
                errors.append(FieldError(f"$.values[{i}]", problem))
        if errors:
            raise InvalidInputError("utility", errors)

    def issue_tables(self, space: OutcomeSpace) -> list[FloatArray]:
        """Weighted utility of every value of every issue (``w_i · g_i(v)``).

        Raises:
            InvalidInputError: if a value function does not fit its issue.
        """
        self.check(space)
        return [
            w * vf.on(issue.points())
            for w, vf, issue in zip(self.weights, self.values, space.issues, strict=True)
        ]

    def evaluate_space(self, space: OutcomeSpace) -> FloatArray:
        """Utility of every outcome of ``space``, in outcome order, by one broadcast sum.

        Raises:
            InvalidInputError: if a value function does not fit its issue.
        """
        return additive_space(self.issue_tables(space))

    def evaluate(self, outcome: Sequence[Scalar]) -> float:
        """Utility of one outcome given as issue values (numbers need not be enumeration points)."""
        return float(
            sum(
                w * float(vf.on([v])[0])
                for w, vf, v in zip(self.weights, self.values, outcome, strict=True)
            )
        )

    def discounted(self, utility: float, t: float) -> float:
        """Apply the time discount at relative time ``t`` (no-op without a discount)."""
        return utility if self.discount is None else utility * self.discount**t


def additive_space(tables: Sequence[FloatArray]) -> FloatArray:
    """Sum per-issue utility tables over the Cartesian product, C order, shape ``(Π sizes,)``.

    Example:
        >>> additive_space([np.array([0.0, 1.0]), np.array([0.0, 0.5])]).tolist()
        [0.0, 0.5, 1.0, 1.5]
    """
    total = np.zeros(())
    for table in tables:
        total = np.add.outer(total, table)
    return np.asarray(total, dtype=np.float64).ravel()


def _misfit(vf: BaseModel, issue: Issue) -> str | None:
    categorical = isinstance(issue, CategoricalIssue)
    if categorical and isinstance(vf, _NUMERIC_ONLY):
        return f"a {type(vf).__name__} cannot value categorical issue {issue.name!r}"
    if isinstance(vf, TableValue):
        if not isinstance(issue, CategoricalIssue):
            return f"a table cannot value numeric issue {issue.name!r}"
        missing = [v for v in issue.values if v not in vf.table]
        if missing:
            return f"no utility for {missing} of issue {issue.name!r}"
    return None
