"""Bidder agents: public profile, private cost model, and their deterministic questions and bids.

A deterministic bidder prices a task from numbers only (all ``Decimal``):

* ``premium = uncertainty_premium * unresolved * level_factor`` — one step per applicable topic it
  cares about that the FAQ has not resolved, scaled by the task's uncertainty level
  (low 0.5, medium 1, high 1.5). Clarification lowers ``unresolved`` and so the price;
* ``price = cost * (1 + margin) * (1 + premium)``, rounded to cents;
* ``duration = ceil(base_duration * (1 + premium))`` seconds;
* ``bond = max(task.min_bond, price * bond_fraction)``, rounded to cents;
* ``expiry = now + validity_seconds``.

The model-driven variants (in :mod:`negotiator.delegation.clarify` and
:mod:`negotiator.delegation.bidding`) use these functions as their fallbacks, and a model's bid
is bounded by the same profile (:func:`check_against_profile`, issue 7: the model talks, the
numbers decide). A bid may be *less* attractive than the policy's, never more:

* price ≥ :func:`price_floor` — the bidder's cost, its reservation price (below it the contract
  loses money). The model may give up margin and premium, never sell at a loss; a real small
  model quoted 0.50 for an 11.00-cost bidder;
* claimed quality ≤ the profile's quality, and the privacy guarantee no stronger than the
  profile's (both are award objectives: an over-claim would buy the award);
* estimated duration ≥ the profile's base duration (its time for a clear task), and reporting
  interval ≥ the profile's cadence (promising more often than it reports is a breach waiting);
* bond ≤ the bidder's available funds, when the caller knows them (the bond is escrowed from
  its wallet when bids are opened).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.topics import Topic, applicable_topics
from negotiator.errors import FieldError
from negotiator.money import Money, quantize
from negotiator.wire.bid import Bid
from negotiator.wire.common import AgentId, Level, PrivacyLevel, privacy_satisfies
from negotiator.wire.task import TaskSpec

__all__ = [
    "LEVEL_FACTOR",
    "PROFILE_RULES",
    "BidderProfile",
    "bidder_questions",
    "check_against_profile",
    "deterministic_bid",
    "price_floor",
    "unresolved",
]

#: task uncertainty level -> multiplier of the uncertainty premium.
LEVEL_FACTOR: Mapping[Level, Decimal] = MappingProxyType(
    {Level.LOW: Decimal("0.5"), Level.MEDIUM: Decimal(1), Level.HIGH: Decimal("1.5")}
)


class BidderProfile(BaseModel):
    """A bidder agent: what the market sees (id, capabilities, reputation, privacy) and its
    private cost model (cost, margin, premium), which it never reveals.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    bidder_id: AgentId = Field(description="Public id, e.g. did:web:fast-coder.ai.")
    name: str = Field(description="Short display name.")
    capabilities: tuple[str, ...] = Field(default=(), description="What it can do, e.g. react.")
    certifications: tuple[str, ...] = Field(default=(), description="Certifications it holds.")
    reputation: float = Field(ge=0, le=1, description="Reputation in the hub's book, [0, 1].")
    quality: float = Field(ge=0, le=1, description="Quality it claims (and usually delivers).")
    privacy: PrivacyLevel = Field(description="Strongest privacy guarantee it offers.")
    cost: Decimal = Field(gt=0, description="Private: its own cost of doing the task.")
    margin: Decimal = Field(ge=0, description="Private: profit margin on top of cost.")
    uncertainty_premium: Decimal = Field(
        ge=0, description="Private: price/duration markup per unresolved topic."
    )
    base_duration_seconds: int = Field(gt=0, description="Its time for a clear task, seconds.")
    bond_fraction: Decimal = Field(ge=0, le=1, description="Bond it stakes, share of its price.")
    reporting_interval_seconds: int = Field(gt=0, description="Report cadence it offers, s.")
    validity_seconds: int = Field(default=86_400, gt=0, description="How long its bid holds.")
    concerns: tuple[str, ...] = Field(default=(), description="Topic keys it needs clarified.")
    style: str = Field(default="", description="How it describes itself in its rationale.")


def unresolved(
    profile: BidderProfile, task: TaskSpec, answers: Iterable[str], resolved: Collection[str]
) -> tuple[Topic, ...]:
    """Return the applicable topics ``profile`` cares about that are not resolved yet."""
    return tuple(
        t
        for t in applicable_topics(task, answers)
        if t.key in profile.concerns and t.key not in resolved
    )


def bidder_questions(
    profile: BidderProfile, task: TaskSpec, answers: Iterable[str], resolved: Collection[str]
) -> tuple[Topic, ...]:
    """Return the topics a deterministic bidder asks about (its unresolved concerns)."""
    return unresolved(profile, task, answers, resolved)


def deterministic_bid(
    profile: BidderProfile,
    task: TaskSpec,
    answers: Iterable[str],
    resolved: Collection[str],
    now: datetime,
) -> Bid:
    """Return the bid ``profile``'s private cost model gives for ``task`` (see module docstring).

    Args:
        answers: the FAQ answers published so far (they can make further topics apply).
        resolved: keys of the topics the FAQ has resolved.
        now: when the bid is made; the expiry counts from it.

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> s = demo_setup()
        >>> fast, task = s.bidders[0], s.request.task
        >>> str(deterministic_bid(fast, task, [], [], s.start).price)  # 4.10 * 1.22 * 1.225
        '6.13 USDC'
        >>> answer = "Runtime rendering, especially virtual scrolling."
        >>> str(deterministic_bid(fast, task, [answer], ["performance-focus", "table-size"],
        ...     s.start).price)
        '5.00 USDC'
    """
    open_topics = unresolved(profile, task, answers, resolved)
    premium = profile.uncertainty_premium * len(open_topics) * LEVEL_FACTOR[task.uncertainty]
    currency = task.budget.currency
    price = quantize(profile.cost * (1 + profile.margin) * (1 + premium))
    bond = max(task.min_bond.amount, quantize(price * profile.bond_fraction))
    duration = math.ceil(Decimal(profile.base_duration_seconds) * (1 + premium))
    return Bid(
        bidder_id=profile.bidder_id,
        task_id=task.id,
        price=Money(amount=price, currency=currency),
        estimated_duration_seconds=duration,
        claimed_quality=profile.quality,
        privacy_guarantee=profile.privacy,
        reputation_bond=Money(amount=bond, currency=currency),
        expiry=now + timedelta(seconds=profile.validity_seconds),
        offered_reporting_interval_seconds=profile.reporting_interval_seconds,
        rationale=_rationale(profile, open_topics, premium),
    )


def _rationale(profile: BidderProfile, open_topics: tuple[Topic, ...], premium: Decimal) -> str:
    head = profile.style or f"{profile.name} bids on its cost model."
    if not open_topics:
        return f"{head} The task is clear after clarification; no uncertainty premium."
    keys = ", ".join(t.key for t in open_topics)
    return f"{head} Uncertainty premium {premium:.0%} for unresolved topics: {keys}."


def price_floor(profile: BidderProfile) -> Decimal:
    """Return the lowest price ``profile`` may ask: its cost, its reservation price.

    Example:
        >>> from negotiator.delegation.demo import demo_bidders
        >>> price_floor(demo_bidders()[0])  # fast-coder
        Decimal('4.10')
    """
    return profile.cost


ProfileRule = Callable[[Bid, BidderProfile], FieldError | None]


def _floor(bid: Bid, p: BidderProfile) -> FieldError | None:
    floor = price_floor(p)
    if bid.price.amount >= floor:
        return None
    return FieldError(
        "$.price.amount",
        f"{bid.price.amount} is below your cost of {floor} {bid.price.currency}: "
        "never bid at a loss",
    )


def _quality(bid: Bid, p: BidderProfile) -> FieldError | None:
    if bid.claimed_quality <= p.quality:
        return None
    return FieldError(
        "$.claimed_quality",
        f"{bid.claimed_quality} exceeds your profile's quality {p.quality}: claim what you deliver",
    )


def _privacy(bid: Bid, p: BidderProfile) -> FieldError | None:
    if privacy_satisfies(p.privacy, bid.privacy_guarantee):
        return None
    return FieldError(
        "$.privacy_guarantee",
        f"{bid.privacy_guarantee.value} is stronger than your profile's {p.privacy.value}: "
        "promise only the guarantee you run",
    )


def _speed(bid: Bid, p: BidderProfile) -> FieldError | None:
    if bid.estimated_duration_seconds >= p.base_duration_seconds:
        return None
    return FieldError(
        "$.estimated_duration_seconds",
        f"{bid.estimated_duration_seconds} is below your base duration of "
        f"{p.base_duration_seconds} s for a clear task",
    )


def _cadence(bid: Bid, p: BidderProfile) -> FieldError | None:
    if bid.offered_reporting_interval_seconds >= p.reporting_interval_seconds:
        return None
    return FieldError(
        "$.offered_reporting_interval_seconds",
        f"{bid.offered_reporting_interval_seconds} s is shorter than your reporting cadence of "
        f"{p.reporting_interval_seconds} s",
    )


PROFILE_RULES: tuple[ProfileRule, ...] = (_floor, _quality, _privacy, _speed, _cadence)
"""The bidder's own bounds on a bid, in the order their errors are reported."""


def check_against_profile(
    bid: Bid, profile: BidderProfile, funds: Decimal | None = None
) -> list[FieldError]:
    """Every way ``bid`` promises more than ``profile``'s own policy allows (empty if none).

    Args:
        funds: the bidder's available balance in the bid's currency; ``None`` skips the bond
            check (the funds are unknown).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> s = demo_setup()
        >>> fast, task = s.bidders[0], s.request.task
        >>> bid = deterministic_bid(fast, task, [], [], s.start)
        >>> check_against_profile(bid, fast, Decimal("5.00"))
        []
        >>> cheap = bid.model_copy(update={"price": Money(amount=Decimal("0.5"), currency="USDC"),
        ...     "claimed_quality": 1.0})
        >>> errors = check_against_profile(cheap, fast, Decimal("0.20"))
        >>> [e.path for e in errors]
        ['$.price.amount', '$.claimed_quality', '$.reputation_bond.amount']
        >>> str(errors[0])
        '$.price.amount: 0.5 is below your cost of 4.10 USDC: never bid at a loss'
    """
    errors = [err for rule in PROFILE_RULES if (err := rule(bid, profile)) is not None]
    bond = bid.reputation_bond
    if funds is not None and bond.amount > funds:
        errors.append(
            FieldError(
                "$.reputation_bond.amount",
                f"{bond.amount} exceeds your available funds of {funds} {bond.currency}",
            )
        )
    return errors
