from __future__ import annotations

from decimal import Decimal
from typing import Any

from negotiator.delegation.bidders import deterministic_bid
from negotiator.wire.task import TaskSpec

from .conftest import NOW

ANSWER = "Runtime rendering, especially virtual scrolling of large data tables."


def fast(bidders: Any) -> Any:
    return next(b for b in bidders if b.bidder_id == "did:web:fast-coder.ai")


def test_unclarified_bid_carries_the_uncertainty_premium(task: TaskSpec, bidders: Any) -> None:
    bid = deterministic_bid(fast(bidders), task, [], [], NOW)
    # one open topic (performance-focus) x 0.15 x high uncertainty 1.5 = 22.5 % premium
    assert bid.price.amount == Decimal("6.13")  # 4.10 * 1.22 * 1.225
    assert bid.estimated_duration_seconds == 368  # ceil(300 * 1.225)
    assert bid.reputation_bond.amount == Decimal("0.61")
    assert "Uncertainty premium 22% for unresolved topics: performance-focus" in bid.rationale


def test_clarification_lowers_the_price(task: TaskSpec, bidders: Any) -> None:
    answers = [ANSWER, "The largest tables hold about 50,000 rows."]
    bid = deterministic_bid(fast(bidders), task, answers, ["performance-focus", "table-size"], NOW)
    assert bid.price.amount == Decimal("5.00")
    assert bid.estimated_duration_seconds == 300
    assert bid.reputation_bond.amount == Decimal("0.50")  # 10 % of 5.00, the task's minimum
    assert bid.expiry == NOW.replace(day=2)


def test_an_answer_can_raise_a_new_concern(task: TaskSpec, bidders: Any) -> None:
    # the answer mentions virtual scrolling: the table-size topic now applies and costs
    bid = deterministic_bid(fast(bidders), task, [ANSWER], ["performance-focus"], NOW)
    assert bid.price.amount == Decimal("6.13")
    assert "table-size" in bid.rationale
