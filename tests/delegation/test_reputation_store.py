"""Reputation persisted: the hub reads it, settlement updates it once per contract, and the next
delegation sees it (also across a crash and resume, which never updates twice)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.monitoring import SimulatedCrash, SimulatedExecutor
from negotiator.delegation.outcome import DelegationOutcome
from negotiator.delegation.reputation_store import (
    MemoryReputationStore,
    ReputationStore,
    SqliteReputationStore,
    reputation_key,
)
from negotiator.errors import UnknownKeyError
from negotiator.graphs.api import delegate

FAST = "did:web:fast-coder.ai"


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ReputationStore:
    if request.param == "memory":
        return MemoryReputationStore()
    opened = SqliteReputationStore(tmp_path / "rep.sqlite")
    request.addfinalizer(opened.close)
    return opened


def test_an_update_applies_once_per_key(store: ReputationStore) -> None:
    first = store.apply("run-1/reputation/c", "a", "breached", Decimal("0.9"))
    again = store.apply("run-1/reputation/c", "a", "breached", Decimal("0.9"))
    assert first == again and first.after == Decimal("0.7200")
    assert store.score("a") == Decimal("0.7200")
    # a second contract starts from the stored score, not from the initial one
    second = store.apply("run-2/reputation/c", "a", "completed", Decimal("0.9"))
    assert second.before == Decimal("0.7200") and second.after == Decimal("0.7760")
    assert [k for k, _ in store.updates()] == ["run-1/reputation/c", "run-2/reputation/c"]
    assert store.score("never-scored") is None


def test_a_bad_outcome_changes_nothing(store: ReputationStore) -> None:
    with pytest.raises(UnknownKeyError):
        store.apply("k", "a", "exploded", Decimal("0.5"))
    assert store.score("a") is None and store.updates() == []


def test_sqlite_scores_survive_reopening(tmp_path: Path) -> None:
    with SqliteReputationStore(tmp_path / "rep.sqlite") as store:
        store.apply("k", "a", "breached", Decimal("0.5"))
    with SqliteReputationStore(tmp_path / "rep.sqlite") as store:
        assert store.score("a") == Decimal("0.4000")
        assert store.apply("k", "a", "breached", Decimal("0.5")).after == Decimal("0.4000")
        assert len(store.updates()) == 1


@given(st.lists(st.sampled_from(["completed", "breached", "cancelled"]), max_size=12))
def test_replaying_every_key_again_changes_nothing(outcomes: list[str]) -> None:
    store = MemoryReputationStore()
    for i, outcome in enumerate(outcomes):
        store.apply(f"k{i}", "a", outcome, Decimal("0.5"))
    score = store.score("a")
    for i, outcome in enumerate(outcomes):
        store.apply(f"k{i}", "a", outcome, Decimal("0.5"))
    assert store.score("a") == score and len(store.updates()) == len(outcomes)


def test_the_hub_reads_eligibility_and_risk_from_the_store() -> None:
    setup = demo_setup()
    store = MemoryReputationStore()
    hub = MarketHub(setup.bidders, store)
    assert hub.reputation(FAST) == 0.92  # never scored: the profile's
    for i in range(3):
        hub.record_outcome(f"r{i}/reputation/c", FAST, "breached")
    # 0.92 -> 0.736 -> 0.5888 -> 0.4710: below the task's minimum of 0.60
    assert hub.reputations()[FAST] == pytest.approx(0.471)
    ann = hub.announce(setup.request.task)
    assert FAST not in ann.eligible
    reasons = {i.bidder_id: i.reasons for i in ann.ineligible}
    assert reasons[FAST] == ("reputation 0.47 is below the task's minimum 0.60",)


def _run(store: ReputationStore, scenario: str, run_id: str, **kw: object) -> DelegationOutcome:
    setup = demo_setup(scenario)
    return delegate(
        setup.request,
        bidders=setup.bidders,
        funding=setup.funding,
        executor=SimulatedExecutor(setup.script, 7, **kw),  # type: ignore[arg-type]
        clock=FixedClock(setup.start),
        run_id=run_id,
        runs_dir=None,
        reputation=store,
    )


def test_two_successive_delegations_see_the_updated_reputation(
    store: ReputationStore,
) -> None:
    first = _run(store, "breach", "rep-1")
    assert first.winner is not None and first.winner.bidder_id == FAST
    assert first.reputation is not None
    assert (first.reputation.before, first.reputation.after) == (
        Decimal("0.92"),
        Decimal("0.7360"),
    )
    assert store.score(FAST) == Decimal("0.7360")
    # the next delegation ranks fast-coder with the risk of its stored reputation (1 - 0.736),
    # and the co-op (0.80) now wins
    second = _run(store, "success", "rep-2")
    assert second.winner is not None
    assert second.winner.bidder_id == "did:web:local-llm.coop"
    assert "risk 0.20 vs 0.26" in second.winner.reason
    assert second.reputation is not None
    assert (second.reputation.before, second.reputation.after) == (
        Decimal("0.8"),
        Decimal("0.8400"),
    )
    # and the third starts from the co-op's improved score
    third = _run(store, "success", "rep-3")
    assert third.reputation is not None and third.reputation.before == Decimal("0.8400")
    assert third.winner is not None and "risk 0.16 vs 0.26" in third.winner.reason
    assert store.score(FAST) == Decimal("0.7360")
    assert len(store.updates()) == 3


def test_a_resumed_run_updates_reputation_once(tmp_path: Path) -> None:
    setup = demo_setup("breach")
    with SqliteReputationStore(tmp_path / "reputation.sqlite") as store:

        def go(**kw: object) -> DelegationOutcome:
            return delegate(
                setup.request,
                bidders=setup.bidders,
                funding=setup.funding,
                executor=SimulatedExecutor(setup.script, 7, **kw),  # type: ignore[arg-type]
                clock=FixedClock(setup.start),
                run_id="rep-resume",
                runs_dir=tmp_path,
                reputation=store,
            )

        with pytest.raises(SimulatedCrash):
            go(crash_after=3)
        assert store.updates() == []
        done = go()
        again = go()  # the finished run, called once more
        assert done == again and done.outcome == "breached"
        assert [k for k, _ in store.updates()] == [
            reputation_key("rep-resume", "contract-task-react-dashboard")
        ]
        assert store.score(FAST) == Decimal("0.7360")
        # the update itself is idempotent too: settling the contract again changes nothing
        hub = MarketHub(setup.bidders, store)
        key = reputation_key("rep-resume", "contract-task-react-dashboard")
        assert hub.record_outcome(key, FAST, "breached") == done.reputation
        assert store.score(FAST) == Decimal("0.7360")


def test_a_run_folder_keeps_its_store_beside_the_ledger(tmp_path: Path) -> None:
    setup = demo_setup("breach")
    out = delegate(
        setup.request,
        bidders=setup.bidders,
        funding=setup.funding,
        executor=SimulatedExecutor(setup.script, 7),
        clock=FixedClock(setup.start),
        run_id="rep-folder",
        runs_dir=tmp_path,
    )
    with SqliteReputationStore(tmp_path / "rep-folder" / "ledger.sqlite") as store:
        assert [u for _, u in store.updates()] == [out.reputation]
