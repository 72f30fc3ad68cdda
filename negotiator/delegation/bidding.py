"""One bidder's sealed bid: from its model, or from its private cost model as the fallback.

The bid leaves the bidder as raw JSON inside a :class:`SealedBid` envelope stamped with the time
the hub received it; nobody reads it before the bidding deadline, when
:mod:`negotiator.delegation.screening` opens all envelopes together.

The model does not write the bid's numbers: the bidder's cost model computes up to three
feasible bids (:func:`bid_options`: its own price, a sharper one 5 % lower but never below its
cost, a firmer one 5 % higher but never over the budget), each checked against the task's rules
as they will apply at the deadline (:func:`~negotiator.wire.semantics.check_bid`), its own id and
its own policy (:func:`~negotiator.delegation.bidders.check_against_profile`: price floor,
quality, privacy, duration, reporting cadence, and the bond within its funds when known). The
model answers a :class:`BidChoice` — the option's number, bounded by the JSON grammar, and a
rationale — through :func:`~negotiator.llm.guard.ask_structured` (nothing a model or client
returns or raises gets past it: wrong types, control characters, an option out of range or a
chosen bid failing the self-check become the fallback), so even a 135M model's answer is a valid
bid (a deterministic core with the model narrating raised an LLM buyer's deal rate from 26.67 %
to 88.88 % in OG-Narrator, arXiv 2402.15813). An invalid answer is re-asked once with the
problems, then falls back to option 1 (the cost model's bid). When no option is feasible (a
bidder over budget at every price it may ask) the cost model's own bid is the only option, and
screening rejects it as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import (
    BidderProfile,
    check_against_profile,
    deterministic_bid,
    price_floor,
)
from negotiator.delegation.clarify import resolved_topics
from negotiator.llm.guard import ask_structured
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import (
    ChatMessage,
    ModelClient,
    ModelResult,
    ResultSource,
    StructuredCall,
)
from negotiator.money import Money, quantize
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Faq
from negotiator.wire.common import Text, canonical_json
from negotiator.wire.semantics import check_bid
from negotiator.wire.task import TaskSpec

__all__ = ["BidChoice", "SealedBid", "bid_options", "bid_self_check", "submit_bid"]


class SealedBid(BaseModel):
    """A bid as the hub holds it until the deadline: sender, arrival time, raw JSON payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sender_id: str = Field(description="The bidder that sent the envelope (known to the hub).")
    received_at: AwareDatetime = Field(description="When the hub received it.")
    payload: dict[str, Any] = Field(description="The bid as raw JSON, validated only at opening.")


def bid_self_check(
    profile: BidderProfile, task: TaskSpec, now: datetime, funds: Decimal | None = None
) -> Callable[[Bid], list[str]]:
    """Return the check a bidder's model bid must pass, as feedback lines ``$.path: problem``.

    Args:
        now: when the bid will be judged (the bidding deadline).
        funds: the bidder's available balance in the task's currency (``None``: unknown).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> s = demo_setup()
        >>> fast, task = s.bidders[0], s.request.task
        >>> check = bid_self_check(fast, task, s.start, Decimal("5.00"))
        >>> check(deterministic_bid(fast, task, [], [], s.start))
        []
    """

    def check(bid: Bid) -> list[str]:
        problems = [str(e) for e in check_bid(bid, task, now)]
        if bid.bidder_id != profile.bidder_id:
            problems.append(f"$.bidder_id: must be your own id {profile.bidder_id!r}")
        problems += [str(e) for e in check_against_profile(bid, profile, funds)]
        return problems

    return check


class BidChoice(BaseModel):
    """A bidder model's answer: which feasible bid to submit, and why, for the delegator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: int = Field(ge=1, le=3, description="Number of the bid to submit: 1, 2 or 3.")
    rationale: Text = Field(
        max_length=300, description="One or two plain sentences for the delegator."
    )


_VARIANTS = (Decimal("0.95"), Decimal("1.05"))


def bid_options(base: Bid, floor: Decimal, check: Callable[[Bid], list[str]]) -> list[Bid]:
    """The feasible bids a bidder's model chooses among: ``base`` (the cost model's) first, then
    5 % lower (never below ``floor``) and 5 % higher; each must pass ``check`` (may be empty).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> s = demo_setup()
        >>> fast, task = s.bidders[0], s.request.task
        >>> bid = deterministic_bid(fast, task, [], [], s.start)
        >>> [str(b.price.amount) for b in bid_options(bid, fast.cost, lambda b: [])]
        ['6.13', '5.82', '6.44']
    """
    bids = [base]
    for factor in _VARIANTS:
        amount = max(floor, quantize(base.price.amount * factor))
        price = Money(amount=amount, currency=base.price.currency)
        bid = base.model_copy(update={"price": price})
        if all(b.price != price for b in bids):
            bids.append(bid)
    return [b for b in bids if not check(b)]


def _options_text(options: list[Bid]) -> str:
    return "\n".join(
        f"{i}. price {b.price.amount} {b.price.currency}, {b.estimated_duration_seconds} s, "
        f"quality {b.claimed_quality:g}, privacy {b.privacy_guarantee.value}, bond "
        f"{b.reputation_bond.amount} {b.reputation_bond.currency}, reports every "
        f"{b.offered_reporting_interval_seconds} s"
        for i, b in enumerate(options, 1)
    )


async def submit_bid(
    client: ModelClient,
    profile: BidderProfile,
    task: TaskSpec,
    faq: Faq,
    now: datetime,
    *,
    latency_seconds: int = 0,
    closes_at: datetime | None = None,
    funds: Decimal | None = None,
) -> tuple[SealedBid, ModelResult[Bid]]:
    """Make ``profile``'s bid for ``task`` given the published ``faq`` and seal it.

    Args:
        now: when bidding opened; the bid's expiry counts from it.
        latency_seconds: how long after ``now`` the envelope reaches the hub.
        closes_at: when bidding closes and the bids are opened; a model's bid is checked (and
            re-asked) against the rules as they will apply then (default: ``now``).
        funds: the bidder's available balance in the task's currency; a model's bond above it
            is re-asked (``None``: unknown, not checked here; screening checks it again).
    """
    answers = [e.answer for e in faq.entries]
    resolved = resolved_topics(faq)
    base = deterministic_bid(profile, task, answers, resolved, now)
    check = bid_self_check(profile, task, closes_at or now, funds)
    feasible = bid_options(base, price_floor(profile), check)
    options = feasible or [base]
    messages = render_prompt(
        "bid",
        {
            "bidder_id": profile.bidder_id,
            "task": canonical_json(task),
            "faq": canonical_json(faq),
            "style": profile.style or profile.name,
            "options": _options_text(options),
        },
    )
    bid_check = check if feasible else _no_problems
    result = await _choose_bid(client, messages, base, options, bid_check, profile.bidder_id)
    sealed = SealedBid(
        sender_id=profile.bidder_id,
        received_at=now + timedelta(seconds=latency_seconds),
        payload=result.value.model_dump(mode="json"),
    )
    return sealed, result


def _no_problems(bid: Bid) -> list[str]:
    return []


def _with_rationale(bid: Bid, rationale: str) -> Bid:
    return bid.model_copy(update={"rationale": rationale})


async def _choose_bid(  # noqa: PLR0917 - one call's parts, spelled out
    client: ModelClient,
    messages: list[ChatMessage],
    base: Bid,
    options: list[Bid],
    bid_check: Callable[[Bid], list[str]],
    agent: str,
) -> ModelResult[Bid]:
    """Ask the model, through the guard, to choose among ``options`` (at least one); the chosen
    bid carries its rationale and must pass ``bid_check`` (the bidder's self-check)."""

    def check(choice: BidChoice) -> list[str]:
        if choice.option > len(options):
            return [f"$.option: {choice.option} is not one of the {len(options)} options"]
        return bid_check(_with_rationale(options[choice.option - 1], choice.rationale))

    call = StructuredCall(
        step="bid",
        messages=messages,
        output_type=BidChoice,
        fallback=lambda: BidChoice(option=1, rationale=base.rationale[:300]),
        check=check,
        agent=agent,
    )
    result = await ask_structured(client, call)
    choice = result.value if not check(result.value) else BidChoice(option=1, rationale="")
    chosen = options[choice.option - 1]
    rationale = choice.rationale if result.source is ResultSource.MODEL else chosen.rationale
    bid = _with_rationale(chosen, rationale)
    return ModelResult(
        bid, result.source, result.usage, result.attempts, result.fallback_reason, result.meta
    )
