"""Multi-objective award: the Pareto front of the valid bids, then the delegator's preferences.

Objectives (seed 000's trade-offs), each turned "higher is better" for the dominance test:

=========  ====================================  ==========
objective  value                                 better
=========  ====================================  ==========
price      the bid's price amount                lower
duration   estimated seconds to delivery         lower
quality    the bid's claimed quality in [0, 1]   higher
risk       1 - the bidder's reputation           lower
privacy    rank of the privacy guarantee (0-4)   higher
=========  ====================================  ==========

A bid is on the Pareto front when no other valid bid is at least as good on every objective and
strictly better on one. Front bids rank before dominated ones; within each group the
delegator's preferences order them: :class:`WeightedPreferences` (each objective min-max
normalised over the valid bids to [0, 1], 1 = best, then a weighted sum) or
:class:`LexicographicPreferences` (compare objective by objective, e.g. privacy first).

Ties break on the documented key :func:`tie_break_key`: score (higher first), then price, then
duration (lower first), then quality (higher first), then bidder id (alphabetical). Only numbers
enter the decision: a bid's free-text rationale is never read here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from negotiator.bargaining.analysis import pareto_mask
from negotiator.errors import NoValidBidError
from negotiator.wire.award import Award, BidRejection, BidScore
from negotiator.wire.bid import Bid
from negotiator.wire.common import PRIVACY_RANK

__all__ = [
    "LexicographicPreferences",
    "Objective",
    "Preferences",
    "WeightedPreferences",
    "make_award",
    "objective_values",
    "tie_break_key",
]


class Objective(StrEnum):
    """An objective compared in the award."""

    PRICE = "price"
    DURATION = "duration"
    QUALITY = "quality"
    RISK = "risk"
    PRIVACY = "privacy"


#: +1 when a higher value is better, -1 when a lower one is.
_SENSE: Mapping[Objective, float] = {
    Objective.PRICE: -1.0,
    Objective.DURATION: -1.0,
    Objective.QUALITY: 1.0,
    Objective.RISK: -1.0,
    Objective.PRIVACY: 1.0,
}
_ORDER = tuple(Objective)


class WeightedPreferences(BaseModel):
    """Weights per objective (non-negative, not all zero); normalised to sum to 1."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["weights"] = "weights"
    weights: dict[Objective, float] = Field(
        description="Weight of each objective; missing objectives weigh 0."
    )

    @model_validator(mode="after")
    def _positive(self) -> WeightedPreferences:
        if any(not math.isfinite(w) or w < 0 for w in self.weights.values()):
            raise ValueError("weights must be non-negative numbers")
        if sum(self.weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def describe(self) -> str:
        """Return a short human description, e.g. ``weights price 0.40, quality 0.30``."""
        total = sum(self.weights.values())
        parts = [f"{o.value} {self.weights[o] / total:.2f}" for o in _ORDER if self.weights.get(o)]
        return "weights " + ", ".join(parts)


class LexicographicPreferences(BaseModel):
    """Objectives in priority order, e.g. privacy first, then price (seed 000's patient data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["lexicographic"] = "lexicographic"
    order: tuple[Objective, ...] = Field(
        min_length=1, description="Objectives, most important first."
    )

    def describe(self) -> str:
        """Return a short human description, e.g. ``lexicographic privacy > price``."""
        return "lexicographic " + " > ".join(o.value for o in self.order)


Preferences = Annotated[WeightedPreferences | LexicographicPreferences, Field(discriminator="kind")]


def objective_values(bid: Bid, reputation: float) -> dict[str, float]:
    """Return the objective values of ``bid`` (see the module table).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> s = demo_setup()
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> bid = deterministic_bid(s.bidders[0], s.request.task, [], [], s.start)
        >>> objective_values(bid, reputation=0.9)
        {'price': 6.13, 'duration': 368.0, 'quality': 0.9, 'risk': 0.1, 'privacy': 2.0}
    """
    return {
        Objective.PRICE.value: float(bid.price.amount),
        Objective.DURATION.value: float(bid.estimated_duration_seconds),
        Objective.QUALITY.value: float(bid.claimed_quality),
        Objective.RISK.value: round(1.0 - reputation, 6),
        Objective.PRIVACY.value: float(PRIVACY_RANK[bid.privacy_guarantee]),
    }


def _normalised(better: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    low, high = better.min(axis=0), better.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    out = (better - low) / span
    return np.asarray(np.where(high > low, out, 1.0))


def _scores(
    better: npt.NDArray[np.float64], prefs: WeightedPreferences | LexicographicPreferences
) -> list[float]:
    norm = _normalised(better)
    if isinstance(prefs, WeightedPreferences):
        total = sum(prefs.weights.values())
        w = np.array([prefs.weights.get(o, 0.0) / total for o in _ORDER])
        return [round(float(x), 9) for x in norm @ w]
    # lexicographic: order by the normalised objectives in priority order; the score is the
    # bid's place among the distinct keys, 1.0 for the best, equal keys sharing a score.
    cols = [_ORDER.index(o) for o in prefs.order]
    keys = [tuple(-round(float(row[c]), 9) for c in cols) for row in norm]
    distinct = sorted(set(keys))
    return [round(1.0 - distinct.index(k) / len(distinct), 9) for k in keys]


def tie_break_key(score: float, bid: Bid) -> tuple[float, float, int, float, str]:
    """The documented total order of bids: score desc, price asc, duration asc, quality desc, id."""
    return (
        -score,
        float(bid.price.amount),
        bid.estimated_duration_seconds,
        -bid.claimed_quality,
        bid.bidder_id,
    )


def make_award(
    task_id: str,
    bids: Sequence[Bid],
    reputations: Mapping[str, float],
    preferences: WeightedPreferences | LexicographicPreferences,
    now: datetime,
    *,
    rejected: Sequence[BidRejection] = (),
) -> Award:
    """Award ``task_id`` to the best valid bid and record why it won.

    Args:
        bids: the valid (screened) bids, at most one per bidder.
        reputations: bidder id -> reputation in [0, 1] (the hub's book).
        preferences: the delegator's weights or lexicographic order.
        now: the award time.
        rejected: the bids screened out, copied into the award for the record.

    Raises:
        NoValidBidError: ``bids`` is empty.
    """
    if not bids:
        raise NoValidBidError(f"task {task_id!r}: no valid bid to award ({len(rejected)} rejected)")
    values = [objective_values(b, reputations.get(b.bidder_id, 0.0)) for b in bids]
    better = np.array([[v[o.value] * _SENSE[o] for o in _ORDER] for v in values])
    front = pareto_mask(better.T)  # rows of `better` are bids; pareto_mask wants columns
    scores = _scores(better, preferences)
    order = sorted(
        range(len(bids)), key=lambda i: (not front[i], *tie_break_key(scores[i], bids[i]))
    )
    rank = {i: r + 1 for r, i in enumerate(order)}
    table = tuple(
        BidScore(
            bidder_id=bids[i].bidder_id,
            objectives=values[i],
            on_pareto_front=bool(front[i]),
            score=scores[i],
            rank=rank[i],
        )
        for i in order
    )
    winner = bids[order[0]]
    return Award(
        task_id=task_id,
        winner_id=winner.bidder_id,
        winning_bid=winner,
        scores=table,
        pareto_front=tuple(s.bidder_id for s in table if s.on_pareto_front),
        rejected=tuple(rejected),
        reason=_reason(table, preferences, winner.price.currency),
        awarded_at=now,
    )


def _reason(
    table: Sequence[BidScore], prefs: WeightedPreferences | LexicographicPreferences, currency: str
) -> str:
    first = table[0]
    front = sum(s.on_pareto_front for s in table)
    text = (
        f"{first.bidder_id} won: on the Pareto front ({front} of {len(table)} valid bids) and "
        f"first by the delegator's {prefs.describe()} with score {first.score:.3f}"
    )
    if len(table) == 1:
        return text + " (the only valid bid)."
    second = table[1]
    a, b = first.objectives, second.objectives
    return (
        f"{text} against {second.bidder_id} {second.score:.3f} "
        f"(price {a['price']:.2f} vs {b['price']:.2f} {currency}, "
        f"duration {a['duration']:.0f} vs {b['duration']:.0f} s, "
        f"quality {a['quality']:.2f} vs {b['quality']:.2f}, "
        f"risk {a['risk']:.2f} vs {b['risk']:.2f}, "
        f"privacy rank {a['privacy']:.0f} vs {b['privacy']:.0f})."
    )
