"""The negotiate scenario: offers after the award, a contract built from the agreed terms."""

from __future__ import annotations

import asyncio
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from negotiator.cli.story import story_printer
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.phases import A2A_STATE, TRANSITIONS, Phase
from negotiator.flows import arun_flow, check_transcript
from negotiator.graphs.runner import FLOW_NAME, DelegationEnvironment, delegation_flow_in
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.money import Money

from . import conftest
from .conftest import run_demo


def _contract(events: Any) -> dict[str, Any]:
    return next(e.payload for e in events if e.kind == "contract")


def _clause(contract: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in contract["clauses"] if c["kind"] == kind)


def test_the_phase_sits_between_award_and_contract() -> None:
    assert Phase.NEGOTIATE in TRANSITIONS[Phase.AWARD]
    assert TRANSITIONS[Phase.NEGOTIATE] == {Phase.CONTRACT, Phase.FAILED}
    assert A2A_STATE[Phase.NEGOTIATE].value == "working"


def test_negotiated_contract_carries_the_agreed_terms(tmp_path: Path) -> None:
    record = run_demo("negotiate", path=tmp_path / "n.jsonl")
    out = record.outcome
    assert out["outcome"] == "completed" and out["ledger_balanced"] is True
    n: Any = out["negotiation"]
    assert n["mechanism"] == "bilateral" and n["rounds"] >= 2 and n["stall_reason"] is None
    agreed = n["agreed"]
    c = _contract(record.events)
    assert c["contractor_id"] == n["contractor"]
    assert (c["price"]["amount"], c["bond"]["amount"]) == (agreed["price"], agreed["bond"])
    assert c["deadline_seconds"] == agreed["duration_seconds"]
    assert _clause(c, "monitoring")["report_interval_seconds"] == agreed["cadence_seconds"]
    assert _clause(c, "penalty")["forfeit_fraction"] == agreed["penalty_share"]
    assert _clause(c, "cancellation_compensation").get("rate", 1.0) == agreed["cancellation_rate"]
    assert n["delegator_gain"] >= 0
    kinds = [o["kind"] for o in n["offers"]]
    assert kinds[0] == "make_offer" and "accept_offer" in kinds
    assert all(set(o) >= {"from", "terms", "text"} for o in n["offers"])


def test_the_ledger_pays_the_agreed_price_and_holds_the_agreed_bond(tmp_path: Path) -> None:
    out = run_demo("negotiate").outcome
    n: Any = out["negotiation"]
    who = n["contractor"]
    lines: Any = out["payments"]
    escrow = [p for p in lines if p["reason"] == "escrow"]
    paid = [p for p in lines if p["reason"] == "payment"]
    assert [p["amount"] for p in escrow] == [n["agreed"]["price"]] == [p["amount"] for p in paid]
    bond_back = [p for p in lines if p["reason"] == "bond_return" and p["to"] == who]
    assert sum(Decimal(p["amount"]) for p in bond_back) == Decimal(n["agreed"]["bond"])


def test_offers_are_transcript_events_and_replay_reproduces_the_run(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    record = run_demo("negotiate", path=path)
    offers = [e for e in record.events if e.kind == "offer"]
    n: Any = record.outcome["negotiation"]
    assert len(offers) == len(n["offers"]) and all(e.step == "negotiate" for e in offers)
    kinds = [e.kind for e in record.events]
    assert kinds.index("award") < kinds.index("offer") < kinds.index("contract")
    check = check_transcript(path)
    assert check.ok, check.diff


def test_without_negotiation_the_outcome_has_no_negotiation() -> None:
    assert "negotiation" not in run_demo("success").outcome


def test_with_a_mocked_model_offers_are_its_choices_and_numbers_stay_bounded(
    mocked_model: OpenAICompatibleClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "model.jsonl"
    loud = run_demo("negotiate", client=mocked_model, path=path)
    n: Any = loud.outcome["negotiation"]
    assert loud.outcome["outcome"] == "completed" and loud.outcome["ledger_balanced"] is True
    sources = {o["source"] for o in n["offers"]}
    assert "model" in sources  # the models chose (option 2) and worded the offers
    assert any(o["text"] == conftest.OFFER_NOTE[0] for o in n["offers"])
    price = Decimal(n["agreed"]["price"])
    assert Decimal("0.01") < price <= Decimal("12.00") and n["delegator_gain"] >= 0
    monkeypatch.setattr(conftest, "OFFER_NOTE", ["A fair step towards you."])
    quiet = run_demo("negotiate", client=mocked_model)
    assert quiet.outcome["negotiation"]["agreed"] == n["agreed"]  # type: ignore[index]
    check = check_transcript(path)
    assert check.ok, check.diff


def _run_with_delegator_funds(amount: str, story: list[str] | None = None) -> Any:
    setup = demo_setup("negotiate")
    funding = dict(setup.funding) | {
        setup.request.task.delegator_id: Money(amount=Decimal(amount), currency="USDC")
    }
    payload = {"setup": setup.model_copy(update={"funding": funding}).model_dump(mode="json")}
    console = Console(file=io.StringIO(), width=200)
    env = DelegationEnvironment(on_update=story_printer(console))
    flow = delegation_flow_in(env)
    record = asyncio.run(
        arun_flow(
            FLOW_NAME, payload, client=DeterministicClient(), seed=7, run_id="t-run", flow=flow
        )
    )
    if story is not None:
        story.extend(console.file.getvalue().splitlines())  # type: ignore[attr-defined]
    return record.outcome


@pytest.mark.parametrize("amount", ["5.00", "5.90"])
def test_an_agreed_price_the_delegator_cannot_pay_falls_back_to_the_sealed_award(
    amount: str,
) -> None:
    story: list[str] = []
    out = _run_with_delegator_funds(amount, story)  # the deal agrees 6.00; the sealed bid 5.00
    assert out["outcome"] == "completed" and out["ledger_balanced"] is True
    escrowed = [p["amount"] for p in out["payments"] if p["reason"] == "escrow"]
    assert escrowed == ["5.00"]
    # the negotiation stays on record, with why its terms did not become the contract
    n = out["negotiation"]
    assert n["agreed"]["price"] == "6.00"
    assert n["unfunded"].startswith("the agreed terms: ")
    assert "Not funded (the agreed terms: " in "\n".join(story)
    assert any(line.startswith("Contract ") for line in story)


def test_a_delegator_who_cannot_pay_either_fails_with_every_bond_returned() -> None:
    out = _run_with_delegator_funds("4.00")
    assert out["outcome"] == "failed" and out["ledger_balanced"] is True
    assert "cannot fund the winning price" in out["failure"]
    lines = out["payments"]
    staked = sum(Decimal(p["amount"]) for p in lines if p["reason"] == "bond_escrow")
    returned = sum(Decimal(p["amount"]) for p in lines if p["reason"] == "bond_return")
    assert staked == returned > 0
    assert not [p for p in lines if p["reason"] == "escrow"]
