"""The complexity floor: should_delegate and the flow's short-circuit (seed 000)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.delegation.demo import demo_setup, demo_task
from negotiator.delegation.floor import NOT_DELEGATED, FloorModel, should_delegate
from negotiator.delegation.monitoring import SimulatedExecutor
from negotiator.flows import arun_flow, check_transcript
from negotiator.graphs.api import delegate
from negotiator.graphs.runner import FLOW_NAME
from negotiator.llm.deterministic import DeterministicClient
from negotiator.money import Money
from negotiator.wire.common import Level
from negotiator.wire.task import TaskSpec

ORDER = (Level.LOW, Level.MEDIUM, Level.HIGH)


def timestamp_task() -> TaskSpec:
    """Seed 000's example of a task not worth delegating."""
    usd = Money(amount=Decimal("2"), currency="USDC")
    return TaskSpec(
        id="task-convert-timestamps",
        delegator_id="did:web:acme-analytics.example",
        title="Convert the timestamps in a log file to RFC 3339",
        description="Rewrite every timestamp of app.log from epoch seconds to RFC 3339.",
        role="scripter",
        budget=usd,
        min_bond=Money(amount=Decimal("0.10"), currency="USDC"),
        deadline_seconds=300,
        reporting_interval_seconds=300,
        criticality=Level.LOW,
        uncertainty=Level.LOW,
    )


def test_converting_timestamps_is_done_directly_and_says_why() -> None:
    advice = should_delegate(timestamp_task())
    assert not advice.delegate
    assert advice.direct_cost_seconds < advice.delegated_cost_seconds
    assert advice.reasons[-1].startswith("do it yourself")
    assert "bid window 600 s" in advice.reasons[1]
    assert "low criticality" in advice.reasons[0]


def test_the_dashboard_task_is_delegated() -> None:
    advice = should_delegate(demo_task())
    assert advice.delegate
    assert advice.reasons[-1].startswith("delegate")


def test_a_cheaper_market_moves_the_floor() -> None:
    instant = FloorModel(bid_window_seconds=0, contracting_seconds=0, review_seconds_per_report=0)
    assert should_delegate(timestamp_task(), instant).delegate


@settings(max_examples=60)
@given(
    crit=st.integers(0, 1),
    unc=st.integers(0, 2),
    seconds=st.integers(60, 86_400),
)
def test_more_criticality_never_argues_for_doing_it_yourself(
    crit: int, unc: int, seconds: int
) -> None:
    base = timestamp_task().model_copy(
        update={"deadline_seconds": seconds, "uncertainty": ORDER[unc]}
    )
    lower = should_delegate(base.model_copy(update={"criticality": ORDER[crit]}))
    higher = should_delegate(base.model_copy(update={"criticality": ORDER[crit + 1]}))
    assert higher.delegate or not lower.delegate
    gap = higher.delegated_cost_seconds - higher.direct_cost_seconds
    assert gap <= lower.delegated_cost_seconds - lower.direct_cost_seconds


def test_the_flow_short_circuits_below_the_floor() -> None:
    s = demo_setup()
    request = s.request.model_copy(update={"task": timestamp_task()})
    out = delegate(
        request,
        bidders=s.bidders,
        executor=SimulatedExecutor(s.script, 7),
        funding=s.funding,
        runs_dir=None,
        run_id="floor-1",
    )
    assert out.outcome == NOT_DELEGATED
    assert out.a2a_state == "rejected"
    assert out.winner is None and out.payments == () and out.bids.received == 0
    assert out.failure is not None and "do it yourself" in out.failure


def test_without_a_floor_the_same_task_goes_to_the_market() -> None:
    s = demo_setup()
    request = s.request.model_copy(update={"task": timestamp_task(), "complexity_floor": None})
    out = delegate(
        request,
        bidders=s.bidders,
        executor=SimulatedExecutor(s.script, 7),
        funding=s.funding,
        runs_dir=None,
        run_id="floor-2",
    )
    assert out.outcome != NOT_DELEGATED
    assert out.bids.received > 0


def test_the_short_circuit_is_a_recorded_event_that_replays(tmp_path: Path) -> None:
    s = demo_setup()
    setup = s.model_copy(
        update={"request": s.request.model_copy(update={"task": timestamp_task()})}
    )
    path = tmp_path / "floor.jsonl"
    record = asyncio.run(
        arun_flow(
            FLOW_NAME,
            {"setup": setup.model_dump(mode="json")},
            client=DeterministicClient(),
            seed=7,
            run_id="floor-3",
            path=path,
        )
    )
    (advice,) = [e for e in record.events if e.kind == "advice"]
    assert advice.payload["delegate"] is False
    assert record.outcome["outcome"] == NOT_DELEGATED
    assert check_transcript(path).ok
