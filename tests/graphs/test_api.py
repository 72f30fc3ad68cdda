from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from negotiator.cli import main
from negotiator.delegation import FixedClock, SimulatedExecutor, demo_setup
from negotiator.delegation.clarify import HumanAnswers
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.negotiation.mechanisms import NegotiationSettings
from negotiator.delegation.outcome import DelegationOutcome
from negotiator.errors import UsageError
from negotiator.graphs.api import adelegate, delegate, execute
from negotiator.graphs.delegation import shared_delegation_graph
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.replay import ReplayClient
from negotiator.transcript.reader import read_transcript


def test_delegate_plain_python_with_sqlite_default(tmp_path: Path) -> None:
    setup = demo_setup("success")
    out = delegate(
        setup.request,
        bidders=setup.bidders,
        executor=SimulatedExecutor(setup.script, 7),
        clock=FixedClock(setup.start),
        funding=setup.funding,
        run_id="api-1",
        runs_dir=tmp_path,
    )
    assert (out.outcome, out.winner and out.winner.bidder_id) == (
        "completed",
        "did:web:fast-coder.ai",
    )
    assert out.ledger_balanced
    assert (tmp_path / "api-1" / "checkpoints.sqlite").is_file()
    assert (tmp_path / "api-1" / "ledger.sqlite").is_file()
    # calling again with the same run id continues the (finished) run: nothing moves twice
    again = delegate(
        setup.request,
        bidders=setup.bidders,
        executor=SimulatedExecutor(setup.script, 7),
        clock=FixedClock(setup.start),
        funding=setup.funding,
        run_id="api-1",
        runs_dir=tmp_path,
    )
    assert again == out


def test_async_twin_pauses_for_a_human_and_continues_in_memory() -> None:
    setup = demo_setup("cancel")
    request = setup.request.model_copy(update={"answerer": "human"})
    saver = InMemorySaver()

    def step(answers: HumanAnswers | None) -> DelegationOutcome:
        return asyncio.run(
            adelegate(
                request,
                bidders=setup.bidders,
                funding=setup.funding,
                executor=SimulatedExecutor(setup.script, 7),
                clock=FixedClock(setup.start),
                run_id="api-2",
                runs_dir=None,
                checkpointer=saver,
                answers=answers,
            )
        )

    paused = step(None)
    assert (paused.outcome, paused.a2a_state) == ("pending", "input-required")
    assert paused.pending_questions[0].text.startswith("Should the optimisation")
    assert step(HumanAnswers(answers=())).outcome == "pending"
    done = step(HumanAnswers(answers=()))
    assert done.outcome == "cancelled" and done.ledger_balanced


def test_an_in_memory_human_run_without_a_checkpointer_is_refused_up_front() -> None:
    setup = demo_setup("cancel")
    request = setup.request.model_copy(update={"answerer": "human"})
    for answers in (None, HumanAnswers(answers=())):
        with pytest.raises(UsageError, match="must keep its checkpoints"):
            delegate(
                request,
                bidders=setup.bidders,
                executor=SimulatedExecutor(setup.script, 7),
                runs_dir=None,
                answers=answers,
            )


def test_answers_for_a_run_that_is_not_paused_are_refused(tmp_path: Path) -> None:
    setup = demo_setup("success")
    with pytest.raises(UsageError, match="is not waiting for answers"):
        delegate(
            setup.request,
            bidders=setup.bidders,
            executor=SimulatedExecutor(setup.script, 7),
            run_id="never-started",
            runs_dir=tmp_path,
            answers=HumanAnswers(answers=()),
        )


def test_human_resume_through_the_sync_twin(tmp_path: Path) -> None:
    setup = demo_setup("cancel")
    request = setup.request.model_copy(update={"answerer": "human"})

    def step(answers: HumanAnswers | None) -> DelegationOutcome:
        return delegate(
            request,
            bidders=setup.bidders,
            funding=setup.funding,
            executor=SimulatedExecutor(setup.script, 7),
            clock=FixedClock(setup.start),
            run_id="api-3",
            runs_dir=tmp_path,
            answers=answers,
        )

    first = step(None)
    assert first.outcome == "pending"
    second = step(HumanAnswers(answers=()))
    # round 2 asks about table sizes, so the run pauses once more
    assert second.outcome == "pending"
    assert [g.topic for g in second.pending_questions] == ["table-size"]
    third = step(HumanAnswers(answers=()))
    assert third.outcome == "cancelled"


def test_delegate_records_a_transcript_that_replays_and_tells_the_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = demo_setup("breach")
    path = tmp_path / "own.jsonl"

    def run(client: Any = None) -> DelegationOutcome:
        return delegate(
            setup.request,
            bidders=setup.bidders,
            executor=SimulatedExecutor(setup.script, 7),
            clock=FixedClock(setup.start),
            funding=setup.funding,
            run_id="rec-1",
            runs_dir=None,
            client=client,
            transcript=None if client is not None else path,
        )

    recorded = run()
    assert recorded.transcript == str(path)
    transcript = read_transcript(path)
    assert transcript.header.flow == "delegate" and transcript.summary().steps == 20
    *_, outcome, head = transcript.events
    assert outcome.payload == recorded.model_dump(mode="json", by_alias=True)
    assert head.kind == "head"  # sealed by the hub: `negotiator verify` checks the record
    roles = {e.role for e in transcript.events if e.kind == "model_request"}
    assert "did:web:fast-coder.ai" in roles and "model" not in roles
    replay = ReplayClient.from_transcript(transcript)
    again = run(replay)
    assert again.model_dump(exclude={"transcript"}) == recorded.model_dump(exclude={"transcript"})
    assert replay.unused() == ()
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "── settle" in out and "Settled (breached):" in out


def test_the_outcome_says_why() -> None:
    setup = demo_setup("breach")
    out = delegate(
        setup.request,
        bidders=setup.bidders,
        executor=SimulatedExecutor(setup.script, 7),
        clock=FixedClock(setup.start),
        funding=setup.funding,
        runs_dir=None,
    )
    assert [(r.stage, r.bidder_id) for r in out.rejections] == [
        ("announce", "did:web:budget-bot.dev"),
        ("screen", "did:web:premium-labs.ai"),
    ]
    assert out.rejections[1].reasons == ("$.price.amount: 14.30 exceeds the budget 12.00 USDC",)
    assert out.award_scores[0].bidder_id == "did:web:fast-coder.ai"
    assert out.award_rule is not None and "price 0.30" in out.award_rule
    assert out.contract is not None and len(out.contract.signatures) == 2
    assert out.settlement is not None and out.settlement.outcome.value == "breached"


def test_a_mediated_negotiation_through_delegate_signs_with_the_mediators_key() -> None:
    """delegate() without keys gives the GA mediator its key, so the mediated phase can sign."""
    s = demo_setup("negotiate")
    request = s.request.model_copy(
        update={"negotiation": NegotiationSettings(mechanism="mediated", top_k=2)}
    )
    out = delegate(
        request,
        bidders=s.bidders,
        runs_dir=None,
        funding=s.funding,
        executor=SimulatedExecutor(s.script, 7),
        clock=FixedClock(s.start),
    )
    assert out.outcome.value == "completed"
    assert out.ledger_balanced


def test_a_negotiated_run_run_again_from_scratch_pays_once() -> None:
    """Re-running a settled negotiated run negotiates as the first time: nothing new is posted."""
    s = demo_setup("negotiate")
    scarce = s.funding["did:web:fast-coder.ai"].model_copy(update={"amount": Decimal("0.80")})
    funding = {**s.funding, "did:web:fast-coder.ai": scarce}  # the bond term is bound by funds
    with Ledger(":memory:") as ledger:

        def run() -> DelegationOutcome:
            return delegate(
                s.request,
                bidders=s.bidders,
                runs_dir=None,
                funding=funding,
                executor=SimulatedExecutor(s.script, 7),
                clock=FixedClock(s.start),
                ledger=ledger,
                run_id="again-1",
            )

        first = run()
        before = len(ledger.postings())
        again = run()
        assert len(ledger.postings()) == before
    assert first.outcome.value == again.outcome.value == "completed"
    assert again.payments == first.payments


@pytest.mark.parametrize("scenario", ["success", "breach", "cancel", "negotiate"])
def test_the_returned_state_is_the_checkpointed_state(scenario: str) -> None:
    """The run's state is taken from the stream (no checkpoint round trip) and is exactly what
    the checkpointer holds; running the finished thread again reads the same state back."""
    setup, saver, client = demo_setup(scenario), InMemorySaver(), DeterministicClient()

    async def run() -> Any:
        return await execute(
            setup.request,
            bidders=(),
            funding=setup.funding,
            run_id="same-state",
            delegator_client=client,
            bidder_clients=client,
            executor=SimulatedExecutor(setup.script, 7),
            clock=FixedClock(setup.start),
            rng=random.Random(7),
            checkpointer=saver,
            ledger=ledger,
            hub=MarketHub(setup.bidders),
        )

    with Ledger(":memory:") as ledger:
        first = asyncio.run(run())
        config: Any = {"configurable": {"thread_id": "same-state"}}
        stored = asyncio.run(shared_delegation_graph(saver).aget_state(config))
        assert first.state == dict(stored.values)
        again = asyncio.run(run())
    assert again.state == first.state and again.outcome == first.outcome
