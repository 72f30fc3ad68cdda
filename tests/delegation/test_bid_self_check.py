"""The bidder's own policy bounds its model's bid (issue 7: the model talks, the numbers decide).

Values marked "row N" are what a real 135M model produced for the demo's bids (project note
"model-nonsense"); they pass the task's rules and only the bidder's profile can refuse them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_httpx2  # noqa: F401 — registers respx's "httpcore2" mocker
import respx
from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.bidders import (
    BidderProfile,
    check_against_profile,
    deterministic_bid,
    price_floor,
)
from negotiator.delegation.bidding import bid_options, bid_self_check, submit_bid
from negotiator.delegation.demo import demo_bidders, demo_setup
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.openai_client import OpenAICompatibleClient, RetryPolicy
from negotiator.llm.protocol import ResultSource
from negotiator.money import Money, quantize
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Faq
from negotiator.wire.common import Level, PrivacyLevel
from negotiator.wire.task import TaskSpec

from ..llm.conftest import ok
from .conftest import NOW, make_bid, usdc

BASE_URL = "http://model.test/v1"
DEADLINE = NOW + timedelta(seconds=600)
BIDDERS = {b.bidder_id: b for b in demo_bidders()}
FAST = BIDDERS["did:web:fast-coder.ai"]
LOCAL = BIDDERS["did:web:local-llm.coop"]
PREMIUM = BIDDERS["did:web:premium-labs.ai"]
CLOUD = BIDDERS["did:web:cloud-agent.io"]


def own_bid(profile: BidderProfile, **changes: Any) -> Bid:
    """The bid the profile's policy would make (nothing open), with ``changes`` applied."""
    bid: Bid = make_bid(
        profile.bidder_id,
        price=usdc(str(quantize(profile.cost * (1 + profile.margin)))),
        estimated_duration_seconds=profile.base_duration_seconds,
        claimed_quality=profile.quality,
        privacy_guarantee=profile.privacy,
        offered_reporting_interval_seconds=profile.reporting_interval_seconds,
    )
    return bid.model_copy(update=changes)


def problems(profile: BidderProfile, funds: str | None = None, **changes: Any) -> list[str]:
    bid = own_bid(profile, **changes)
    return [
        str(e)
        for e in check_against_profile(bid, profile, None if funds is None else Decimal(funds))
    ]


def test_the_policys_own_bids_pass(task: TaskSpec) -> None:
    for profile in BIDDERS.values():
        assert problems(profile, "5.00") == []
        for resolved in ([], ["performance-focus", "table-size", "resource-limits"]):
            bid = deterministic_bid(profile, task, [], resolved, NOW)
            assert check_against_profile(bid, profile, Decimal("5.00")) == []


@given(
    cost=st.decimals(min_value="0.01", max_value="500", places=2),
    margin=st.decimals(min_value=0, max_value=2, places=2),
    premium=st.decimals(min_value=0, max_value=1, places=2),
    base=st.integers(min_value=1, max_value=10_000),
    uncertainty=st.sampled_from(list(Level)),
)
def test_a_deterministic_bid_never_breaks_its_own_profile(
    cost: Decimal, margin: Decimal, premium: Decimal, base: int, uncertainty: Level
) -> None:
    profile = FAST.model_copy(
        update={
            "cost": cost,
            "margin": margin,
            "uncertainty_premium": premium,
            "base_duration_seconds": base,
        }
    )
    task = demo_setup().request.task.model_copy(update={"uncertainty": uncertainty})
    bid = deterministic_bid(profile, task, [], [], NOW)
    assert check_against_profile(bid, profile) == []


# row 1: prices far below the bidder's own cost
@pytest.mark.parametrize(
    ("profile", "price"),
    [(PREMIUM, "0.5"), (LOCAL, "0.5"), (FAST, "0.000001"), (CLOUD, "2.59")],
)
def test_row1_price_below_cost(profile: BidderProfile, price: str) -> None:
    assert problems(profile, price=usdc(price)) == [
        f"$.price.amount: {price} is below your cost of {profile.cost} USDC: never bid at a loss"
    ]


def test_row1_the_floor_is_the_cost_and_margin_may_be_given_up() -> None:
    assert price_floor(FAST) == Decimal("4.10")
    assert problems(FAST, price=usdc("4.10")) == []
    assert problems(FAST, price=usdc("4.90")) == []  # below cost x (1 + margin) = 5.00


# row 7: quality is an award objective; over-claiming would buy the award
def test_row7_quality_above_the_profile() -> None:
    assert problems(LOCAL, claimed_quality=1.0) == [
        "$.claimed_quality: 1.0 exceeds your profile's quality 0.82: claim what you deliver"
    ]
    assert problems(FAST, claimed_quality=0.0) == []  # under-claiming only hurts the bidder


# row 8: privacy is an award objective too
def test_row8_privacy_stronger_than_the_profile() -> None:
    assert problems(CLOUD, privacy_guarantee=PrivacyLevel.HE) == [
        "$.privacy_guarantee: he is stronger than your profile's none: "
        "promise only the guarantee you run"
    ]
    assert problems(FAST, privacy_guarantee=PrivacyLevel.NONE) == []  # the task's rule judges it


# rows 5 and 6: faster than its own clear-task time; reports more often than it reports
def test_rows5_6_duration_and_cadence_below_the_profile() -> None:
    assert problems(LOCAL, estimated_duration_seconds=240) == [
        "$.estimated_duration_seconds: 240 is below your base duration of 900 s for a clear task"
    ]
    assert problems(FAST, offered_reporting_interval_seconds=73) == [
        "$.offered_reporting_interval_seconds: 73 s is shorter than your reporting cadence of 300 s"
    ]


# row 2: a bond the bidder cannot fund
def test_row2_bond_beyond_the_funds() -> None:
    assert problems(FAST, "5.00", reputation_bond=usdc("5.00")) == []
    assert problems(FAST, "3.00", reputation_bond=usdc("4.00")) == [
        "$.reputation_bond.amount: 4.00 exceeds your available funds of 3.00 USDC"
    ]
    assert problems(FAST, None, reputation_bond=usdc("4.00")) == []  # funds unknown


def test_the_self_check_joins_task_rules_identity_and_profile(task: TaskSpec) -> None:
    check = bid_self_check(PREMIUM, task, DEADLINE, Decimal("5.00"))
    nonsense = own_bid(
        PREMIUM,
        bidder_id="did:web:acme-analytics.example",
        price=usdc("0.5"),
        reputation_bond=usdc("19.3"),
        estimated_duration_seconds=2,
        claimed_quality=1.0,
        rationale="{{{",
    )
    got = check(nonsense)
    assert all(line.startswith("$.") for line in got)
    assert [line.split(":", 1)[0] for line in got] == [
        "$.reputation_bond.amount",  # the task's rules, at the deadline
        "$.estimated_duration_seconds",
        "$.rationale",
        "$.bidder_id",  # its own id
        "$.price.amount",  # its own policy
        "$.claimed_quality",
        "$.estimated_duration_seconds",
        "$.reputation_bond.amount",
    ]


# --- through the real OpenAI-compatible client: re-asked with the feedback, or fallen back ----


def _completion(content: str) -> httpx.Response:
    """One completion with the token counts these tests assert (100 in, 20 out)."""
    return ok(content, prompt_tokens=100, completion_tokens=20)


@pytest.fixture
def server() -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """A scripted model server: answers ``answers`` in turn; ``bodies`` holds every request."""
    answers: list[str] = []
    bodies: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return _completion(answers[min(len(bodies), len(answers)) - 1])

    with respx.mock(base_url=BASE_URL, using="httpcore2") as router:
        router.post("/chat/completions").mock(side_effect=reply)
        yield answers, bodies


def _client() -> OpenAICompatibleClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return OpenAICompatibleClient(
        model="test-model", base_url=BASE_URL, retry=RetryPolicy(sleep=no_sleep), max_reasks=1
    )


def _submit(profile: BidderProfile, task: TaskSpec, funds: str) -> Any:
    faq = Faq(task_id=task.id, entries=())
    return asyncio.run(
        submit_bid(_client(), profile, task, faq, NOW, closes_at=DEADLINE, funds=Decimal(funds))
    )


def _choice(option: object, rationale: str = "We profile first.") -> str:
    return json.dumps({"option": option, "rationale": rationale})


def test_the_model_chooses_a_feasible_bid_and_words_it(
    task: TaskSpec, server: tuple[list[str], list[dict[str, Any]]]
) -> None:
    answers, bodies = server
    answers.append(_choice(2, "Sharp price, same quality."))
    sealed, result = _submit(LOCAL, task, "5.00")
    assert result.source is ResultSource.MODEL
    faq = Faq(task_id=task.id, entries=())
    base, _ = asyncio.run(submit_bid(DeterministicClient(), LOCAL, task, faq, NOW))
    options = bid_options(Bid.model_validate(base.payload), LOCAL.cost, lambda b: [])
    assert sealed.payload["price"] == options[1].price.model_dump(mode="json")
    assert sealed.payload["rationale"] == "Sharp price, same quality."
    prompt = bodies[0]["messages"][-1]["content"]
    assert "1. price" in prompt and "2. price" in prompt


def test_an_absurd_option_is_reasked_with_the_path(
    task: TaskSpec, server: tuple[list[str], list[dict[str, Any]]]
) -> None:
    answers, bodies = server
    answers += [_choice(983720516), _choice(1)]
    _, result = _submit(LOCAL, task, "5.00")
    assert result.source is ResultSource.MODEL and result.attempts == 2
    feedback = bodies[1]["messages"][-1]["content"]
    assert "option" in feedback and "983720516" in feedback


def test_persistent_nonsense_falls_back_to_the_cost_model(
    task: TaskSpec, server: tuple[list[str], list[dict[str, Any]]]
) -> None:
    answers, _ = server
    answers.append(_choice("cheapest"))
    sealed, result = _submit(FAST, task, "5.00")
    assert result.source is ResultSource.FALLBACK
    faq = Faq(task_id=task.id, entries=())
    expected, _ = asyncio.run(
        submit_bid(DeterministicClient(), FAST, task, faq, NOW, closes_at=DEADLINE)
    )
    assert sealed.payload == expected.payload  # the numbers decide


def test_every_option_passes_the_self_check(task: TaskSpec) -> None:
    check = bid_self_check(FAST, task, DEADLINE, Decimal("5.00"))
    base = own_bid(FAST)
    options = bid_options(base, FAST.cost, check)
    assert len(options) == 3 and all(not check(b) for b in options)
    assert min(b.price.amount for b in options) >= FAST.cost


def test_without_a_feasible_option_the_cost_models_bid_is_the_only_one(
    task: TaskSpec, server: tuple[list[str], list[dict[str, Any]]]
) -> None:
    answers, bodies = server
    answers.append(_choice(3))  # there is no third option: re-asked, then option 1
    sealed, result = _submit(PREMIUM, task, "5.00")  # over budget at any of its prices
    prompt = bodies[0]["messages"][-1]["content"]
    assert "1. price" in prompt and "2. price" not in prompt
    assert result.source is ResultSource.FALLBACK
    assert Decimal(sealed.payload["price"]["amount"]) > task.budget.amount  # screening rejects it


def test_money_amounts_in_feedback_are_exact() -> None:
    bid = own_bid(FAST, price=Money(amount=Decimal("4.099999"), currency="USDC"))
    (error,) = check_against_profile(bid, FAST)
    assert error.message.startswith("4.099999 is below your cost of 4.10 USDC")
