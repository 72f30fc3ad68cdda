"""One bidder's sealed bid: from its model, or from its private cost model as the fallback.

The bid leaves the bidder as raw JSON inside a :class:`SealedBid` envelope stamped with the time
the hub received it; nobody reads it before the bidding deadline, when
:mod:`negotiator.delegation.screening` opens all envelopes together.

A model's bid is checked before it is sealed, and re-asked with the problems (each starting with
its JSON path) when it fails: the task's rules as they will apply at the deadline
(:func:`~negotiator.wire.semantics.check_bid`), the bidder's own id, and the bidder's own policy
(:func:`~negotiator.delegation.bidders.check_against_profile`: price floor, quality, privacy,
duration, reporting cadence, and the bond within its funds when they are known). A bid that
still fails falls back to the cost model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import BidderProfile, check_against_profile, deterministic_bid
from negotiator.delegation.clarify import resolved_topics
from negotiator.llm.guard import ask_structured
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Faq
from negotiator.wire.common import canonical_json
from negotiator.wire.semantics import check_bid
from negotiator.wire.task import TaskSpec

__all__ = ["SealedBid", "bid_self_check", "submit_bid"]


class SealedBid(BaseModel):
    """A bid as the hub holds it until the deadline: sender, arrival time, raw JSON payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sender_id: str = Field(description="The bidder that sent the envelope (known to the hub).")
    received_at: AwareDatetime = Field(description="When the hub received it.")
    payload: dict[str, Any] = Field(description="The bid as raw JSON, validated only at opening.")


def _profile_json(profile: BidderProfile) -> str:
    return json.dumps(profile.model_dump(mode="json", exclude={"reputation"}), sort_keys=True)


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
    messages = render_prompt(
        "bid",
        {
            "bidder_id": profile.bidder_id,
            "task": canonical_json(task),
            "faq": canonical_json(faq),
            "profile": _profile_json(profile),
            "now": now.isoformat(),
        },
    )
    call = StructuredCall(
        step="bid",
        messages=messages,
        output_type=Bid,
        fallback=lambda: deterministic_bid(profile, task, answers, resolved, now),
        check=bid_self_check(profile, task, closes_at or now, funds),
        agent=profile.bidder_id,
    )
    result = await ask_structured(client, call)
    sealed = SealedBid(
        sender_id=profile.bidder_id,
        received_at=now + timedelta(seconds=latency_seconds),
        payload=result.value.model_dump(mode="json"),
    )
    return sealed, result
