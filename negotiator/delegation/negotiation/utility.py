"""Each side's utility over the contract terms, and its reservation.

Both utilities are linear in every issue (so the GA mediator's per-attribute curves describe them
exactly) and evaluated over the whole grid at once with numpy.

**The delegator** (:class:`DelegatorUtility`) scores a contract with its award weights: each
award objective's weight is split over the terms that serve it, and each term's value lies in
``[0, 1]``:

==========  ===========================================  =========================================
objective   terms and share of its weight                value of a term
==========  ===========================================  =========================================
price       price (all)                                  ``(budget − price) / budget``
duration    duration (all)                               ``(deadline − duration) / deadline``
quality     bidder's claimed quality (1/2), reporting    quality; ``1 − cadence / (2 · task
            cadence (1/4), penalty share (1/4)           cadence)``; penalty share
risk        bidder's reputation (1/2), bond (1/4),       reputation; ``bond / budget``;
            cancellation rate (1/4)                      ``1 − cancellation rate``
privacy     the bid's privacy guarantee (all)            privacy rank / 4
==========  ===========================================  =========================================

The bidder's quality, reputation and privacy are not negotiated: they make a per-bidder
constant, so agreements with different bidders compare on one scale. A price above the budget is
never acceptable. Lexicographic preferences become weights ``n, n − 1, …, 1`` (normalised) in their
priority order. The delegator's reservation is its utility of the best sealed bid.

**The bidder** (:class:`BidderCosts`, private: it is never sent to anyone) measures profit per
unit of its sealed price: ``(price − cost(terms)) / sealed price``, where ``cost`` starts from its
cost of the sealed terms and moves linearly with each term: an earlier deadline costs ``rush`` per
second, a shorter reporting interval ``oversight`` per second, a larger penalty share its breach
risk times the sealed price, a larger bond its capital rate, a smaller cancellation rate half its
cancellation risk times the sealed price. A deadline before its own estimate, a reporting
interval below its cadence,
or with a bond above its funds a term is infeasible (utility ``-inf``). Its reservation is 0: the
cost floor, a price that just covers the cost of the terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from negotiator.delegation.award import (
    LexicographicPreferences,
    Objective,
    WeightedPreferences,
)
from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.wire.common import PRIVACY_RANK, PrivacyLevel
from negotiator.wire.task import TaskSpec

__all__ = [
    "BidderCosts",
    "BidderUtility",
    "DelegatorUtility",
    "objective_weights",
]

FloatArray = npt.NDArray[np.float64]
_MAX_PRIVACY = max(PRIVACY_RANK.values())

#: objective -> shares of its weight per negotiated term (see the module table).
_SPLIT: Mapping[Objective, tuple[float, ...]] = MappingProxyType(
    {
        Objective.PRICE: (1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        Objective.DURATION: (0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
        Objective.QUALITY: (0.0, 0.0, 0.25, 0.25, 0.0, 0.0),
        Objective.RISK: (0.0, 0.0, 0.0, 0.0, 0.25, 0.25),
        Objective.PRIVACY: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    }
)


def objective_weights(
    prefs: WeightedPreferences | LexicographicPreferences,
) -> dict[Objective, float]:
    """The delegator's weight per award objective, summing to 1 (see the module doc).

    Example:
        >>> objective_weights(LexicographicPreferences(order=("privacy", "price")))
        {<Objective.PRIVACY: 'privacy'>: 0.666667, <Objective.PRICE: 'price'>: 0.333333}
    """
    if isinstance(prefs, WeightedPreferences):
        raw = {Objective(o): w for o, w in prefs.weights.items()}
    else:
        n = len(prefs.order)
        raw = {o: float(n - i) for i, o in enumerate(prefs.order)}
    total = sum(raw.values())
    return {o: round(w / total, 6) for o, w in raw.items()}


@dataclass(frozen=True)
class DelegatorUtility:
    """The delegator's linear utility ``constant + slopes · terms`` for one bidder.

    Build with :meth:`for_bidder`; evaluate single terms with :meth:`of` or a whole grid with
    :meth:`evaluate`.
    """

    constant: float
    slopes: FloatArray
    budget: float

    @classmethod
    def for_bidder(
        cls,
        prefs: WeightedPreferences | LexicographicPreferences,
        task: TaskSpec,
        quality: float,
        reputation: float,
        privacy: PrivacyLevel,
    ) -> DelegatorUtility:
        """The delegator's utility of contracts with a bidder of the given public profile.

        Example:
            >>> from negotiator.delegation.demo import demo_task
            >>> from negotiator.delegation.request import DEFAULT_PREFERENCES
            >>> u = DelegatorUtility.for_bidder(DEFAULT_PREFERENCES, demo_task(), 0.9, 0.9, "tee")
            >>> round(u.constant, 3)
            0.8
        """
        w = objective_weights(prefs)
        share = {o: w.get(o, 0.0) for o in Objective}
        budget = float(task.budget.amount)
        deadline = float(task.deadline_seconds)
        cadence = 2.0 * task.reporting_interval_seconds
        per_term = np.sum([np.array(_SPLIT[o]) * share[o] for o in Objective], axis=0)
        # value(x) = a + b x per term: price, duration, cadence, penalty, bond, cancellation
        intercept = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 1.0])
        slope = np.array([-1 / budget, -1 / deadline, -1 / cadence, 1.0, 1 / budget, -1.0])
        fixed = (
            share[Objective.QUALITY] * 0.5 * quality
            + share[Objective.RISK] * 0.5 * reputation
            + share[Objective.PRIVACY] * PRIVACY_RANK[PrivacyLevel(privacy)] / _MAX_PRIVACY
        )
        return cls(
            constant=float(fixed + per_term @ intercept),
            slopes=per_term * slope,
            budget=budget,
        )

    def evaluate(self, values: FloatArray) -> FloatArray:
        """Utility of every row of ``values`` (shape ``(n, 6)``); ``-inf`` over the budget."""
        u = self.constant + values @ self.slopes
        return np.where(values[:, 0] <= self.budget + 1e-9, u, -np.inf)

    def of(self, terms: ContractTerms) -> float:
        """Utility of one set of terms."""
        return float(self.evaluate(terms.vector()[None, :])[0])


@dataclass(frozen=True)
class BidderCosts:
    """A bidder's private cost model over the terms (see the module doc).

    Attributes:
        cost: its cost of delivering the sealed terms (its price floor).
        rush: extra cost per second the deadline comes earlier.
        oversight: extra cost per second of shorter reporting interval.
        breach_risk: probability it expects to breach (prices the penalty share).
        capital: cost per unit of bond held in escrow.
        cancel_risk: probability it expects the delegator to cancel.
        min_duration: the earliest deadline it accepts (its own estimate), seconds.
        min_cadence: its shortest reporting interval, seconds.
        funds: the most bond it can stake (None: no limit known).
    """

    cost: float
    rush: float
    oversight: float
    breach_risk: float
    capital: float
    cancel_risk: float
    min_duration: float
    min_cadence: float
    funds: float | None = None

    @classmethod
    def of_profile(
        cls,
        profile: BidderProfile,
        sealed: ContractTerms,
        estimate_seconds: int,
        funds: Decimal | None = None,
    ) -> BidderCosts:
        """The cost model the flow's bidder derives from its own profile.

        Moving the deadline earlier by the whole sealed deadline would cost a fifth of its
        cost; each report costs 1 % of its cost; breach risk is one minus its quality (at
        least 2 %); capital costs 10 %; cancellation risk is 10 %. It accepts no deadline
        before its own estimate ``estimate_seconds`` (its bid's duration).

        Example:
            >>> from negotiator.delegation.demo import demo_bidders
            >>> t = ContractTerms(price=Decimal("5.00"), duration_seconds=3600, cadence_seconds=300,
            ...     penalty_share=0.5, bond=Decimal("0.50"), cancellation_rate=1.0)
            >>> BidderCosts.of_profile(demo_bidders()[0], t, 368).min_duration
            368.0
        """
        cost = float(profile.cost)
        reports_per_second = estimate_seconds / sealed.cadence_seconds**2
        return cls(
            cost=cost,
            rush=0.2 * cost / sealed.duration_seconds,
            oversight=0.01 * cost * reports_per_second,
            breach_risk=max(0.02, 1.0 - profile.quality),
            capital=0.1,
            cancel_risk=0.1,
            min_duration=float(min(estimate_seconds, sealed.duration_seconds)),
            min_cadence=float(min(profile.reporting_interval_seconds, sealed.cadence_seconds)),
            funds=None if funds is None else float(max(funds, sealed.bond)),
        )


@dataclass(frozen=True)
class BidderUtility:
    """A bidder's utility ``(price − cost(terms)) / sealed price``; reservation 0."""

    costs: BidderCosts
    sealed: FloatArray

    @property
    def scale(self) -> float:
        """The sealed price, the unit of the bidder's utility."""
        return float(self.sealed[0])

    @property
    def slopes(self) -> FloatArray:
        """Utility per unit of each term (linear)."""
        c, p = self.costs, self.scale
        per_unit = np.array(
            [1.0, c.rush, c.oversight, -c.breach_risk * p, -c.capital, 0.5 * c.cancel_risk * p]
        )
        return per_unit / p

    @property
    def constant(self) -> float:
        """Utility at all-zero terms (so that ``constant + slopes · sealed`` is the sealed one)."""
        at_sealed = (self.scale - self.costs.cost) / self.scale
        return float(at_sealed - self.sealed @ self.slopes)

    def feasible(self, values: FloatArray) -> npt.NDArray[np.bool_]:
        """Rows of ``values`` the bidder can deliver at all."""
        ok = (values[:, 1] >= self.costs.min_duration - 1e-9) & (
            values[:, 2] >= self.costs.min_cadence - 1e-9
        )
        if self.costs.funds is not None:
            ok &= values[:, 4] <= self.costs.funds + 1e-9
        return ok

    def evaluate(self, values: FloatArray) -> FloatArray:
        """Utility of every row of ``values``; ``-inf`` where infeasible."""
        u = self.constant + values @ self.slopes
        return np.where(self.feasible(values), u, -np.inf)

    def of(self, terms: ContractTerms) -> float:
        """Utility of one set of terms."""
        return float(self.evaluate(terms.vector()[None, :])[0])
