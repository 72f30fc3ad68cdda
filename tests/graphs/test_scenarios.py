"""The three demo scenarios end to end with the deterministic client: every number asserted."""

from __future__ import annotations

from typing import Any

from .conftest import run_demo

D = "did:web:acme-analytics.example"
W = "did:web:fast-coder.ai"
ESCROW = "escrow:t-run"
BOND = "bond:t-run:"

OPENING = [
    ("did:web:cloud-agent.io", BOND + "did:web:cloud-agent.io", "0.50", "bond_escrow"),
    (W, BOND + W, "0.50", "bond_escrow"),
    ("did:web:local-llm.coop", BOND + "did:web:local-llm.coop", "0.50", "bond_escrow"),
    (D, ESCROW, "5.00", "escrow"),
    (BOND + "did:web:cloud-agent.io", "did:web:cloud-agent.io", "0.50", "bond_return"),
    (BOND + "did:web:local-llm.coop", "did:web:local-llm.coop", "0.50", "bond_return"),
]


def payments(outcome: Any) -> list[tuple[str, str, str, str]]:
    assert all(p["currency"] == "USDC" for p in outcome["payments"])
    return [(p["from"], p["to"], p["amount"], p["reason"]) for p in outcome["payments"]]


def common(outcome: Any) -> None:
    assert outcome["task_id"] == "task-react-dashboard"
    assert outcome["winner"]["bidder_id"] == W
    assert (outcome["winner"]["price"], outcome["winner"]["currency"]) == ("5.00", "USDC")
    assert "score 0.691 against did:web:local-llm.coop 0.473" in outcome["winner"]["reason"]
    assert outcome["clarifications"] == 3
    assert outcome["bids"] == {"received": 4, "rejected": 1}
    assert outcome["ledger_balanced"] is True
    assert (outcome["seam_calls"], outcome["model_calls"], outcome["fallbacks"]) == (20, 0, 0)


def test_success() -> None:
    out = run_demo("success").outcome
    common(out)
    assert (out["outcome"], out["a2a_state"]) == ("completed", "completed")
    assert payments(out) == [
        *OPENING,
        (ESCROW, W, "5.00", "payment"),
        (BOND + W, W, "0.50", "bond_return"),
    ]
    assert out["reputation"]["after"] == "0.9360"


def test_breach_penalty_and_forfeited_bond() -> None:
    out = run_demo("breach").outcome
    common(out)
    assert (out["outcome"], out["a2a_state"]) == ("breached", "failed")
    assert payments(out) == [
        *OPENING,
        (ESCROW, D, "2.50", "penalty"),
        (ESCROW, W, "2.50", "payment"),
        (BOND + W, D, "0.50", "bond_forfeit"),
    ]
    assert out["breach"].startswith("clause 1 (penalty): report 4: existing_tests_pass = false")
    assert out["reputation"]["after"] == "0.7360"


def test_cancel_pro_rata_compensation() -> None:
    out = run_demo("cancel").outcome
    common(out)
    assert (out["outcome"], out["a2a_state"]) == ("cancelled", "canceled")
    assert payments(out) == [
        *OPENING,
        (ESCROW, W, "2.00", "compensation"),
        (ESCROW, D, "3.00", "refund"),
        (BOND + W, W, "0.50", "bond_return"),
    ]
    assert out["reputation"]["after"] == "0.92"


def test_seed_question_and_answer_come_out_of_the_demo() -> None:
    events = run_demo("success").events
    faq = next(e.payload for e in events if e.kind == "faq")
    first = faq["entries"][0]
    assert first["question"] == "Should the optimisation target bundle size or runtime rendering?"
    assert (
        first["answer"] == "Runtime rendering, especially virtual scrolling of large data tables."
    )
    assert len(first["question_ids"]) == 4  # asked by four bidders, answered once
    kinds = [
        e.kind
        for e in events
        if e.kind not in {"model_request", "model_response", "fallback", "head"}
    ]
    assert kinds[:1] == ["announcement"] and kinds[-3:] == ["settlement", "reputation", "outcome"]
