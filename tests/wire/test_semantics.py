"""Context rules for bids, questions and contracts: pure functions returning located errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UsageError
from negotiator.money import Money
from negotiator.wire import Bid, Contract, PrivacyLevel, Question, TaskSpec, WireModel
from negotiator.wire.semantics import (
    BID_RULES,
    check_bid,
    check_bid_expiry,
    check_contract,
    check_question,
)

NOW = datetime(2026, 9, 15, tzinfo=UTC)


def usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def pair(sample: dict[str, WireModel]) -> tuple[Bid, TaskSpec]:
    bid, task = sample["bid"], sample["task"]
    assert isinstance(bid, Bid)
    assert isinstance(task, TaskSpec)
    return bid, task


def paths(bid: Bid, task: TaskSpec, now: datetime = NOW) -> list[str]:
    return [e.path for e in check_bid(bid, task, now)]


def test_the_seed_bid_passes_the_seed_task(sample: dict[str, WireModel]) -> None:
    assert check_bid(*pair(sample), NOW) == []
    assert len(BID_RULES) == 14


@pytest.mark.parametrize(
    ("bid_changes", "task_changes", "path"),
    [
        ({"task_id": "other"}, {}, "$.task_id"),
        ({"price": usdc("10.01")}, {}, "$.price.amount"),
        ({"reputation_bond": usdc("0.49")}, {}, "$.reputation_bond.amount"),
        ({"estimated_duration_seconds": 3601}, {}, "$.estimated_duration_seconds"),
        ({"privacy_guarantee": PrivacyLevel.NONE}, {}, "$.privacy_guarantee"),
        ({"offered_reporting_interval_seconds": 301}, {}, "$.offered_reporting_interval_seconds"),
        ({"expiry": NOW}, {}, "$.expiry"),
        ({}, {"budget": usdc("4.99")}, "$.price.amount"),
        ({}, {"privacy_requirement": PrivacyLevel.HE}, "$.privacy_guarantee"),
    ],
)
def test_each_rule_names_its_field(
    sample: dict[str, WireModel],
    bid_changes: dict[str, Any],
    task_changes: dict[str, Any],
    path: str,
) -> None:
    bid, task = pair(sample)
    assert paths(bid.model_copy(update=bid_changes), task.model_copy(update=task_changes)) == [path]


def test_boundaries_are_inclusive_where_the_rule_says_so(sample: dict[str, WireModel]) -> None:
    bid, task = pair(sample)
    at_limits = bid.model_copy(
        update={
            "price": task.budget,
            "reputation_bond": task.min_bond,
            "estimated_duration_seconds": task.deadline_seconds,
            "offered_reporting_interval_seconds": task.reporting_interval_seconds,
            "privacy_guarantee": task.privacy_requirement,
            "expiry": NOW + timedelta(microseconds=1),
        }
    )
    assert check_bid(at_limits, task, NOW) == []


def test_other_currency_is_one_error_not_three(sample: dict[str, WireModel]) -> None:
    bid, task = pair(sample)
    eur = Money(amount=Decimal("500"), currency="EUR")
    other = Bid.model_validate(bid.model_dump() | {"price": eur, "reputation_bond": eur})
    errors = check_bid(other, task, NOW)
    assert [str(e) for e in errors] == [
        "$.price.currency: EUR differs from the task budget's currency USDC"
    ]


@given(price=st.decimals(min_value=0, max_value=100, places=2))
def test_price_rule_is_above_zero_and_within_the_budget(price: Decimal) -> None:
    task = TaskSpec(
        id="t",
        delegator_id="d",
        title="t",
        description="d",
        role="r",
        budget=usdc("10.00"),
        min_bond=usdc("0"),
        deadline_seconds=60,
        reporting_interval_seconds=60,
    )
    bid = Bid(
        bidder_id="b",
        task_id="t",
        price=Money(amount=price, currency="USDC"),
        estimated_duration_seconds=60,
        claimed_quality=0.5,
        privacy_guarantee=PrivacyLevel.NONE,
        reputation_bond=usdc("0"),
        expiry=NOW + timedelta(days=1),
        offered_reporting_interval_seconds=60,
    )
    rejected = "$.price.amount" in paths(bid, task)
    assert rejected == (price > Decimal("10.00") or price == 0)


def test_expiry_alone_and_naive_clock(sample: dict[str, WireModel]) -> None:
    bid, _ = pair(sample)
    assert check_bid_expiry(bid, NOW) == []
    late = datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert [e.path for e in check_bid_expiry(bid, late)] == ["$.expiry"]
    with pytest.raises(UsageError, match="timezone-aware"):
        check_bid_expiry(bid, datetime(2026, 1, 1))


def test_question_must_be_about_the_task(sample: dict[str, WireModel]) -> None:
    question, task = sample["question"], sample["task"]
    assert isinstance(question, Question)
    assert isinstance(task, TaskSpec)
    assert check_question(question, task) == []
    moved = question.model_copy(update={"task_id": "elsewhere"})
    assert [e.path for e in check_question(moved, task)] == ["$.task_id"]


def test_contract_rules(sample: dict[str, WireModel]) -> None:
    task = sample["task"]
    assert isinstance(task, TaskSpec)
    contract = sample["contract"]
    assert isinstance(contract, Contract)
    assert check_contract(contract, task) == []
    strict_task = task.model_copy(
        update={
            "delegator_id": "someone-else",
            "budget": usdc("4"),
            "min_bond": usdc("1"),
            "deadline_seconds": 60,
        }
    )
    assert [e.path for e in check_contract(contract, strict_task)] == [
        "$.delegator_id",
        "$.price.amount",
        "$.bond.amount",
        "$.deadline_seconds",
    ]
