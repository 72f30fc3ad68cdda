from __future__ import annotations

from datetime import timedelta
from typing import Any

from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.screening import open_bids
from negotiator.wire.task import TaskSpec

from .conftest import NOW, make_bid, usdc

DEADLINE = NOW + timedelta(seconds=600)


def env(sender: str, payload: dict[str, Any], after: int = 10) -> SealedBid:
    return SealedBid(sender_id=sender, received_at=NOW + timedelta(seconds=after), payload=payload)


def good(bidder: str, **changes: Any) -> dict[str, Any]:
    return make_bid(bidder, **changes).model_dump(mode="json")


def reasons(result: Any) -> dict[str, list[str]]:
    return {r.bidder_id: [f"{x.path}: {x.message}" for x in r.reasons] for r in result.rejected}


def test_opened_together_in_id_order_whatever_the_arrival(task: TaskSpec) -> None:
    envelopes = [
        env("did:web:z.ai", good("did:web:z.ai"), after=5),
        env("did:web:a.ai", good("did:web:a.ai"), after=500),
    ]
    result = open_bids(task, envelopes, DEADLINE, DEADLINE)
    assert [b.bidder_id for b in result.valid] == ["did:web:a.ai", "did:web:z.ai"]
    assert result.rejected == ()


def test_semantic_rejections_have_paths(task: TaskSpec) -> None:
    over = good("did:web:o.ai", price=usdc("14.30"), reputation_bond=usdc("0.10"))
    stale = good("did:web:s.ai", expiry=NOW)
    result = open_bids(
        task, [env("did:web:o.ai", over), env("did:web:s.ai", stale)], DEADLINE, DEADLINE
    )
    assert result.valid == ()
    got = reasons(result)
    assert got["did:web:o.ai"] == [
        "$.price.amount: 14.30 exceeds the budget 12.00 USDC",
        "$.reputation_bond.amount: 0.10 is below the task's minimum bond 0.50 USDC",
    ]
    assert got["did:web:s.ai"][0].startswith("$.expiry: 2026-10-01T09:00:00+00:00 is not after")


def test_schema_rejections_have_paths(task: TaskSpec) -> None:
    broken = good("did:web:b.ai") | {"price": {"amount": "-5", "currency": "USDC"}}
    del broken["expiry"]
    result = open_bids(task, [env("did:web:b.ai", broken)], DEADLINE, DEADLINE)
    paths = [x.path for x in result.rejected[0].reasons]
    assert "$.price.amount" in paths and "$.expiry" in paths


def test_late_impostor_and_second_bids(task: TaskSpec) -> None:
    envelopes = [
        env("did:web:late.ai", good("did:web:late.ai"), after=601),
        env("did:web:x.ai", good("did:web:someone-else.ai")),
        env("did:web:d.ai", good("did:web:d.ai"), after=1),
        env("did:web:d.ai", good("did:web:d.ai", price=usdc("1.00")), after=2),
    ]
    result = open_bids(task, envelopes, DEADLINE, DEADLINE)
    assert [b.bidder_id for b in result.valid] == ["did:web:d.ai"]
    assert result.valid[0].price.amount == 5  # the first envelope; the second is refused
    got = reasons(result)
    assert got["did:web:late.ai"][0].startswith("$: received at 2026-10-01T09:10:01+00:00, after")
    assert got["did:web:x.ai"] == [
        "$.bidder_id: 'did:web:someone-else.ai' is not the sender 'did:web:x.ai'"
    ]
    assert got["did:web:d.ai"] == ["$: a second bid from this sender"]
