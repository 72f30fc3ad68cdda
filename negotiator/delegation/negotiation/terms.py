"""The negotiated contract terms and the grid of terms a negotiation moves on.

Six issues, each with its place in the contract (see :func:`negotiator.delegation.contracting`):

=======================  ===========  =========================================  ==================
issue                    unit         contract field                             sealed-bid value
=======================  ===========  =========================================  ==================
``price``                money        ``Contract.price``                         the bid's price
``duration_seconds``     seconds      ``Contract.deadline_seconds``              the task's deadline
``cadence_seconds``      seconds      ``MonitoringAgreement.report_interval``    min(bid, task)
``penalty_share``        [0, 1]       ``PenaltyClause.forfeit_fraction``         the policy's
``bond``                 money        ``Contract.bond``                          the bid's bond
``cancellation_rate``    [0, 1]       ``CancellationCompensation.rate``          1 (full pro rata)
=======================  ===========  =========================================  ==================

:class:`TermGrid` enumerates a small Cartesian product of levels around the sealed-bid terms
(every level list contains the sealed value, so the sealed bid is itself a point of the grid),
never above the task's budget or deadline, never below its minimum bond.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from negotiator.bargaining.issues import SpaceLayout
from negotiator.money import Money, quantize
from negotiator.wire.offer import Terms
from negotiator.wire.task import TaskSpec

__all__ = ["ISSUES", "ContractTerms", "TermGrid", "build_grid"]

FloatArray = npt.NDArray[np.float64]

#: The negotiated issues, in vector order.
ISSUES = (
    "price",
    "duration_seconds",
    "cadence_seconds",
    "penalty_share",
    "bond",
    "cancellation_rate",
)

#: Multipliers of the sealed value that make each issue's levels (the sealed value is 1).
_PRICE_STEPS = (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2)
_DURATION_STEPS = (0.7, 0.85, 1.0, 1.15, 1.3)
_CADENCE_STEPS = (0.5, 0.75, 1.0, 1.5, 2.0)
_BOND_STEPS = (0.5, 1.0, 1.5, 2.0, 3.0)
_SHARES = (0.25, 0.5, 0.75, 1.0)
_RATES = (0.5, 0.75, 1.0)
_MAX_CADENCE = 86_400


class ContractTerms(BaseModel):
    """One point of the term space: what a contract built from an agreement carries.

    Example:
        >>> t = ContractTerms(price=Decimal("5.00"), duration_seconds=300, cadence_seconds=300,
        ...     penalty_share=0.5, bond=Decimal("0.50"), cancellation_rate=1.0)
        >>> t.vector().tolist()
        [5.0, 300.0, 300.0, 0.5, 0.5, 1.0]
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: Decimal = Field(ge=0, description="Price of the whole task.")
    duration_seconds: int = Field(gt=0, description="Delivery deadline, seconds from signing.")
    cadence_seconds: int = Field(gt=0, le=_MAX_CADENCE, description="Seconds between reports.")
    penalty_share: float = Field(ge=0, le=1, description="Share of the price forfeited on breach.")
    bond: Decimal = Field(ge=0, description="Reputation bond held in escrow.")
    cancellation_rate: float = Field(
        ge=0, le=1, description="Share of the pro-rata compensation paid on cancellation."
    )

    def vector(self) -> FloatArray:
        """The terms as floats in :data:`ISSUES` order (for utility evaluation only)."""
        return np.array(
            [
                float(self.price),
                float(self.duration_seconds),
                float(self.cadence_seconds),
                self.penalty_share,
                float(self.bond),
                self.cancellation_rate,
            ]
        )

    @classmethod
    def from_wire(cls, terms: Terms) -> ContractTerms:
        """The terms of a wire offer that carries all six issues.

        Raises:
            pydantic.ValidationError: an issue is missing from the offer.
        """
        return cls.model_validate(
            {
                "price": None if terms.price is None else terms.price.amount,
                "duration_seconds": terms.estimated_duration_seconds,
                "cadence_seconds": terms.reporting_interval_seconds,
                "penalty_share": terms.penalty_fraction,
                "bond": None if terms.reputation_bond is None else terms.reputation_bond.amount,
                "cancellation_rate": terms.cancellation_rate,
            }
        )

    def to_wire(self, currency: str) -> Terms:
        """The terms as the wire :class:`~negotiator.wire.offer.Terms` of an offer."""
        return Terms(
            price=Money(amount=self.price, currency=currency),
            estimated_duration_seconds=self.duration_seconds,
            reporting_interval_seconds=self.cadence_seconds,
            penalty_fraction=self.penalty_share,
            reputation_bond=Money(amount=self.bond, currency=currency),
            cancellation_rate=self.cancellation_rate,
        )

    def describe(self, currency: str) -> str:
        """One line for people, e.g. ``price 5.00 USDC, 300 s, report every 300 s, ...``."""
        return (
            f"price {self.price} {currency}, delivery {self.duration_seconds} s, "
            f"report every {self.cadence_seconds} s, penalty {self.penalty_share:.0%}, "
            f"bond {self.bond} {currency}, cancellation pays {self.cancellation_rate:.0%} "
            "of pro rata"
        )


@dataclass(frozen=True)
class TermGrid:
    """The enumerated term space: per-issue levels and their Cartesian product.

    Attributes:
        levels: per issue (in :data:`ISSUES` order), its values as floats, ascending.
        layout: the index arrays of the product (shared by both negotiators).
        values: shape ``(outcomes, 6)``: the terms of every outcome as floats.
        sealed_index: the outcome holding the sealed terms the grid was built around.
    """

    levels: tuple[FloatArray, ...]
    layout: SpaceLayout
    values: FloatArray
    sealed_index: int

    @property
    def size(self) -> int:
        """Number of outcomes."""
        return int(self.values.shape[0])

    def terms(self, outcome: int) -> ContractTerms:
        """The :class:`ContractTerms` of outcome ``outcome``."""
        v = self.values[outcome]
        return ContractTerms(
            price=quantize(Decimal(str(v[0]))),
            duration_seconds=round(v[1]),
            cadence_seconds=round(v[2]),
            penalty_share=float(v[3]),
            bond=quantize(Decimal(str(v[4]))),
            cancellation_rate=float(v[5]),
        )


def _levels(sealed: float, steps: tuple[float, ...], low: float, high: float) -> FloatArray:
    raw = np.clip(np.array([sealed * s for s in steps] + [sealed]), low, high)
    return np.unique(raw)


def _money_levels(
    sealed: Decimal, steps: tuple[float, ...], low: Decimal, high: Decimal
) -> FloatArray:
    values = {min(max(quantize(sealed * Decimal(str(s))), low), high) for s in steps}
    return np.array(sorted(float(v) for v in values | {sealed}))


def build_grid(sealed: ContractTerms, task: TaskSpec) -> TermGrid:
    """The grid of terms around ``sealed`` within the task's bounds (see the module doc).

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> t = ContractTerms(price=Decimal("5.00"), duration_seconds=300, cadence_seconds=300,
        ...     penalty_share=0.5, bond=Decimal("0.50"), cancellation_rate=1.0)
        >>> grid = build_grid(t, demo_task())
        >>> grid.terms(grid.sealed_index) == t, grid.size > 1000
        (True, True)
    """
    budget = task.budget.amount
    bond_base = sealed.bond if sealed.bond > 0 else quantize(budget * Decimal("0.05"))
    raw = (
        _money_levels(sealed.price, _PRICE_STEPS, Decimal("0.01"), max(budget, sealed.price)),
        _levels(
            sealed.duration_seconds,
            _DURATION_STEPS,
            1,
            max(task.deadline_seconds, sealed.duration_seconds),
        ).round(),
        _levels(sealed.cadence_seconds, _CADENCE_STEPS, 1, _MAX_CADENCE).round(),
        np.unique(np.array([*_SHARES, sealed.penalty_share])),
        _money_levels(bond_base, _BOND_STEPS, task.min_bond.amount, max(budget, sealed.bond))
        if sealed.bond > 0
        else np.unique(
            np.array([0.0, *(_money_levels(bond_base, _BOND_STEPS, Decimal(0), budget))])
        ),
        np.unique(np.array([*_RATES, sealed.cancellation_rate])),
    )
    levels: tuple[FloatArray, ...] = tuple(np.unique(lv).astype(np.float64) for lv in raw)
    layout = SpaceLayout.of_shape([lv.size for lv in levels])
    values = np.column_stack([lv[layout.grid[:, i]] for i, lv in enumerate(levels)])
    hit = np.flatnonzero(np.all(np.isclose(values, sealed.vector()), axis=1))
    return TermGrid(levels=levels, layout=layout, values=values, sealed_index=int(hit[0]))
