"""The delegation with a (respx-mocked) OpenAI-compatible model: the real openai client code
runs, the model talks, and the numbers still decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from negotiator.flows import check_transcript
from negotiator.llm.openai_client import OpenAICompatibleClient

from . import conftest
from .conftest import INJECTION, run_demo

W = "did:web:fast-coder.ai"
ESCROW = "escrow:t-run"


BOND = "bond:t-run:" + W
D = "did:web:acme-analytics.example"
CLOUD_BOND = "bond:t-run:did:web:cloud-agent.io"
LOCAL_BOND = "bond:t-run:did:web:local-llm.coop"
# the bidders' models chose among their cost models' bids: fast-coder 5 % below its 7.25,
# local-llm 5 % above its price; the bonds are the cost models' (a share of the price)
OPENING = [
    ("did:web:cloud-agent.io", CLOUD_BOND, "0.50", "bond_escrow"),
    (W, BOND, "0.72", "bond_escrow"),
    ("did:web:local-llm.coop", LOCAL_BOND, "0.59", "bond_escrow"),
    (D, ESCROW, "6.89", "escrow"),
    (CLOUD_BOND, "did:web:cloud-agent.io", "0.50", "bond_return"),
    (LOCAL_BOND, "did:web:local-llm.coop", "0.59", "bond_return"),
]
SETTLEMENTS = {
    "success": [(ESCROW, W, "6.89", "payment"), (BOND, W, "0.72", "bond_return")],
    "breach": [
        (ESCROW, D, "3.44", "penalty"),
        (ESCROW, W, "3.45", "payment"),
        (BOND, D, "0.72", "bond_forfeit"),
    ],
    "cancel": [
        (ESCROW, W, "2.76", "compensation"),
        (ESCROW, D, "4.13", "refund"),
        (BOND, W, "0.72", "bond_return"),
    ],
}


@pytest.mark.parametrize("scenario", ["success", "breach", "cancel"])
def test_mocked_model_every_payment(
    scenario: str, mocked_model: OpenAICompatibleClient, tmp_path: Path
) -> None:
    path = tmp_path / "model.jsonl"
    record = run_demo(scenario, client=mocked_model, path=path)
    out = record.outcome
    assert out["winner"]["bidder_id"] == W and out["winner"]["price"] == "6.89"
    assert out["bids"] == {"received": 4, "rejected": 1}
    # one question round with a question, one FAQ entry, then a round where nobody asks
    assert out["clarifications"] == 1
    # 4 + 4 question calls, 1 answer, 4 bids, 1 contract wording; premium-labs is over budget
    # at every price: its one option is its cost model's bid, which screening rejects
    assert (out["seam_calls"], out["model_calls"], out["fallbacks"]) == (14, 14, 0)
    # 100 prompt / 20 completion tokens per completion
    assert (out["prompt_tokens"], out["completion_tokens"]) == (1400, 280)
    assert [(p["from"], p["to"], p["amount"], p["reason"]) for p in out["payments"]] == [
        *OPENING,
        *SETTLEMENTS[scenario],
    ]
    assert out["ledger_balanced"] is True
    contract = next(e.payload for e in record.events if e.kind == "contract")
    assert contract["wording"].startswith("Contract (model wording)")
    text = path.read_text(encoding="utf-8")
    assert "sk-test-SECRET" not in text
    rejected = next(e.payload for e in record.events if e.kind == "screening")["rejected"]
    assert rejected[0]["reasons"][0]["path"] == "$.price.amount"
    # offline, the recorded run replays with an identical outcome
    check = check_transcript(path)
    assert check.ok, check.diff


def test_injected_rationale_changes_nothing(
    mocked_model: OpenAICompatibleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    attacked = run_demo("success", client=mocked_model, run_id="attacked")
    award = next(e.payload for e in attacked.events if e.kind == "award")
    cloud = next(s for s in award["scores"] if s["bidder_id"] == "did:web:cloud-agent.io")
    sealed = next(
        e.payload
        for e in attacked.events
        if e.kind == "sealed_bid" and e.role == "did:web:cloud-agent.io"
    )
    assert sealed["payload"]["rationale"] == INJECTION
    monkeypatch.setattr(conftest, "CLOUD_RATIONALE", ["Scales out on a public cloud."])
    plain = run_demo("success", client=mocked_model, run_id="attacked")
    plain_award = next(e.payload for e in plain.events if e.kind == "award")
    assert award["winner_id"] == plain_award["winner_id"] == W
    assert award["scores"] == plain_award["scores"]
    assert cloud["rank"] == 2
    assert attacked.outcome["payments"] == plain.outcome["payments"]
