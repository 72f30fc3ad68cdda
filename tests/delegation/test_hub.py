from __future__ import annotations

from typing import Any

import pytest

from negotiator.delegation.hub import MarketHub, eligibility_reasons
from negotiator.errors import InvalidInputError, UnknownKeyError
from negotiator.wire.task import TaskSpec


def test_demo_announcement_filters_budget_bot_with_reasons(task: TaskSpec, bidders: Any) -> None:
    ann = MarketHub(bidders).announce(task)
    assert ann.eligible == (
        "did:web:cloud-agent.io",
        "did:web:fast-coder.ai",
        "did:web:local-llm.coop",
        "did:web:premium-labs.ai",
    )
    [out] = ann.ineligible
    assert out.bidder_id == "did:web:budget-bot.dev"
    assert out.reasons == (
        "missing capability 'typescript'",
        "reputation 0.45 is below the task's minimum 0.60",
    )


def test_certification_and_privacy_rules(task: TaskSpec, bidders: Any) -> None:
    strict = TaskSpec.model_validate(
        task.model_dump() | {"required_certifications": ("soc2",), "privacy_requirement": "tee"}
    )
    fast = next(b for b in bidders if b.bidder_id == "did:web:fast-coder.ai")
    cloud = next(b for b in bidders if b.bidder_id == "did:web:cloud-agent.io")
    assert eligibility_reasons(strict, fast) == ("missing certification 'soc2'",)
    assert eligibility_reasons(strict, cloud) == (
        "missing certification 'soc2'",
        "privacy guarantee 'none' is weaker than the required 'tee'",
    )


def test_duplicate_ids_and_unknown_bidder(bidders: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"\$.bidders\[1\].bidder_id: duplicate"):
        MarketHub([bidders[0], bidders[0]])
    with pytest.raises(UnknownKeyError, match="unknown bidder 'did:web:nobody'"):
        MarketHub(bidders).bidder("did:web:nobody")
