from __future__ import annotations

import asyncio
from pathlib import Path

from negotiator.delegation import FixedClock, SimulatedExecutor, demo_setup
from negotiator.delegation.clarify import HumanAnswers
from negotiator.delegation.outcome import DelegationOutcome
from negotiator.graphs.api import adelegate, delegate


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


def test_async_twin_pauses_for_a_human() -> None:
    setup = demo_setup("cancel")
    request = setup.request.model_copy(update={"answerer": "human"})
    paused = asyncio.run(
        adelegate(
            request,
            bidders=setup.bidders,
            executor=SimulatedExecutor(setup.script, 7),
            clock=FixedClock(setup.start),
            run_id="api-2",
            runs_dir=None,
        )
    )
    assert (paused.outcome, paused.a2a_state) == ("pending", "input-required")
    assert paused.pending_questions[0].text.startswith("Should the optimisation")


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
