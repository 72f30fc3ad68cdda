"""Recursive delegation: the contractor posts sub-tasks through the same flow, pays for them from
its own wallet into the same ledger, and the sub-runs' outcomes decide the parent's through the
parent's own clauses."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.contracting import ContractPolicy
from negotiator.delegation.demo import demo_setup, demo_sub_task, demo_subtasks
from negotiator.delegation.execution import AnyExecutor
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import ExecutorScript, SimulatedCrash, SimulatedExecutor
from negotiator.delegation.outcome import BidCounts, DelegationOutcome
from negotiator.delegation.reputation_store import MemoryReputationStore
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.subdelegation import (
    MAX_DEPTH,
    SUBCONTRACTS_CHECK,
    SubDelegatingExecutor,
    SubRun,
    SubTask,
    check_subtasks,
    fold_report,
    spending_limit,
)
from negotiator.delegation.subtasks import SubTaskSetup
from negotiator.errors import InvalidInputError
from negotiator.graphs.api import adelegate
from negotiator.money import Money
from negotiator.wire.clauses import Predicate
from negotiator.wire.common import Comparator
from negotiator.wire.report import ProgressReport, ReportStatus

from .conftest import make_contract, usdc

PARENT = demo_setup("subdelegate")
FAST, ACME, GRID = (
    "did:web:fast-coder.ai",
    "did:web:acme-analytics.example",
    "did:web:grid-smith.dev",
)
MARGINS = {b.bidder_id: b.margin for b in PARENT.bidders}
SUB_BREACH = ExecutorScript(
    steps=3, final_metric="scroll_fps", final_low=55.0, final_high=60.0, tests_fail_from=1
)


def wrap(
    subtasks: Sequence[SubTask], inner: AnyExecutor | None = None, runs_dir: Path | None = None
) -> SubDelegatingExecutor:
    return SubDelegatingExecutor(
        inner or SimulatedExecutor(PARENT.script, 7),
        subtasks,
        margins=MARGINS,
        delegate=adelegate,
        seed=7,
        runs_dir=runs_dir,
    )


def run_parent(
    executor: AnyExecutor,
    ledger: Ledger | None = None,
    *,
    request: DelegationRequest | None = None,
    run_id: str = "p",
    runs_dir: Path | None = None,
    funding: dict[str, Money] | None = None,
) -> DelegationOutcome:
    return asyncio.run(
        adelegate(
            request or PARENT.request,
            bidders=PARENT.bidders,
            funding=PARENT.funding if funding is None else funding,
            executor=executor,
            clock=FixedClock(PARENT.start),
            run_id=run_id,
            runs_dir=runs_dir,
            ledger=ledger,
            reputation=MemoryReputationStore(),
        )
    )


def lines(outcome: DelegationOutcome) -> list[tuple[str, str, str, str]]:
    return [
        (p.from_account, p.to_account, str(p.amount.amount), p.reason.value)
        for p in outcome.payments
    ]


def test_two_levels_pay_at_both_levels_into_one_balanced_ledger() -> None:
    executor = wrap([t.to_subtask(seed=7, delegate=adelegate) for t in demo_subtasks()])
    with Ledger(":memory:") as ledger:
        parent = run_parent(executor, ledger)
        (sub,) = executor.finished("p")
        assert parent.outcome == "completed" and parent.ledger_balanced
        assert (sub.run_id, sub.outcome.outcome) == ("p.task-virtual-table", "completed")
        assert sub.outcome.winner is not None
        assert (sub.outcome.winner.bidder_id, str(sub.outcome.winner.price)) == (GRID, "1.92 USDC")
        # level 1: the demo's delegator pays fast-coder 5.00 and returns its bond
        assert lines(parent)[-2:] == [
            ("escrow:p", FAST, "5.00", "payment"),
            (f"bond:p:{FAST}", FAST, "0.50", "bond_return"),
        ]
        # level 2: fast-coder is the delegator and pays grid-smith from its own wallet
        assert lines(sub.outcome) == [
            (GRID, f"bond:p.task-virtual-table:{GRID}", "0.20", "bond_escrow"),
            (
                "did:web:table-tuner.ai",
                "bond:p.task-virtual-table:did:web:table-tuner.ai",
                "0.20",
                "bond_escrow",
            ),
            (FAST, "escrow:p.task-virtual-table", "1.92", "escrow"),
            (
                "bond:p.task-virtual-table:did:web:table-tuner.ai",
                "did:web:table-tuner.ai",
                "0.20",
                "bond_return",
            ),
            ("escrow:p.task-virtual-table", GRID, "1.92", "payment"),
            (f"bond:p.task-virtual-table:{GRID}", GRID, "0.20", "bond_return"),
        ]
        balances = ledger.balances("USDC")
        assert balances[FAST] == Decimal("8.08")  # 5.00 funding + 5.00 price - 1.92 sub-price
        assert balances[GRID] == Decimal("3.92") and balances[ACME] == Decimal("45.00")
        assert ledger.is_balanced() and sum(balances.values()) == 0
    assert sub.outcome.reputation is not None and sub.outcome.reputation.agent_id == GRID


def test_three_levels_nest_the_same_flow() -> None:
    forge = BidderProfile(
        bidder_id="did:web:fixture-forge.dev",
        name="Fixture Forge",
        capabilities=("react",),
        reputation=0.8,
        quality=0.8,
        privacy="none",
        cost=Decimal("0.50"),
        margin=Decimal("0.20"),
        uncertainty_premium=Decimal("0.10"),
        base_duration_seconds=300,
        bond_fraction=Decimal("0.10"),
        reporting_interval_seconds=300,
    )
    fixtures = demo_sub_task().model_copy(
        update={"id": "task-table-fixtures", "budget": usdc("1.00"), "deadline_seconds": 900}
    )
    deepest = SubTaskSetup(
        request=DelegationRequest(task=fixtures),
        bidders=(forge,),
        funding={forge.bidder_id: usdc("1.00")},
        script=demo_subtasks()[0].script,
    )
    (middle,) = demo_subtasks()
    executor = wrap(
        [middle.model_copy(update={"subtasks": (deepest,)}).to_subtask(seed=7, delegate=adelegate)]
    )
    assert executor.depth == 2
    with Ledger(":memory:") as ledger:
        parent = run_parent(executor, ledger)
        (sub,) = executor.finished("p")
        assert parent.outcome == sub.outcome.outcome == "completed"
        nested = [t for t in ledger.transfers() if t.key.startswith("p.task-virtual-table.")]
        # level 3: grid-smith (the middle contractor) pays the fixture forge from its wallet
        assert [(t.source, t.target, str(t.amount.amount), t.reason) for t in nested] == [
            ("external:funding", forge.bidder_id, "1.00", "funding"),
            (
                forge.bidder_id,
                f"bond:p.task-virtual-table.task-table-fixtures:{forge.bidder_id}",
                "0.20",
                "bond_escrow",
            ),
            (GRID, "escrow:p.task-virtual-table.task-table-fixtures", "0.60", "escrow"),
            ("escrow:p.task-virtual-table.task-table-fixtures", forge.bidder_id, "0.60", "payment"),
            (
                f"bond:p.task-virtual-table.task-table-fixtures:{forge.bidder_id}",
                forge.bidder_id,
                "0.20",
                "bond_return",
            ),
        ]
        assert ledger.balance(forge.bidder_id, "USDC") == Decimal("1.60")
        assert ledger.balance(GRID, "USDC") == Decimal("2.00") + Decimal("1.92") - Decimal("0.60")
        assert ledger.is_balanced()


def test_a_breached_required_subcontract_breaches_the_parent_by_its_default_clause() -> None:
    executor = wrap([demo_subtasks(SUB_BREACH)[0].to_subtask(seed=7, delegate=adelegate)])
    with Ledger(":memory:") as ledger:
        parent = run_parent(executor, ledger)
        (sub,) = executor.finished("p")
        # the sub-contract: existing tests failed at report 1 -> 50 % penalty, bond forfeited
        assert sub.outcome.outcome == "breached"
        assert lines(sub.outcome)[-3:] == [
            ("escrow:p.task-virtual-table", FAST, "0.96", "penalty"),
            ("escrow:p.task-virtual-table", GRID, "0.96", "payment"),
            (f"bond:p.task-virtual-table:{GRID}", FAST, "0.20", "bond_forfeit"),
        ]
        # the parent: fast-coder cannot deliver, its report 0 says failed with the evidence
        assert parent.outcome == "breached"
        assert parent.breach is not None
        assert parent.breach.startswith("clause 5 (default_penalty): report 0: the contractor ")
        assert "sub-task task-virtual-table: breached by did:web:grid-smith.dev" in parent.breach
        assert "existing_tests_pass = false" in parent.breach
        assert lines(parent)[-2:] == [
            ("escrow:p", ACME, "5.00", "refund"),
            (f"bond:p:{FAST}", ACME, "0.50", "bond_forfeit"),
        ]
        # fast-coder: 5.00 - 0.50 bond - 1.92 sub-price + 0.96 penalty + 0.20 forfeited bond
        assert ledger.balance(FAST, "USDC") == Decimal("3.74")
        assert ledger.is_balanced()


def test_an_optional_subcontract_is_evidence_for_the_parents_clauses() -> None:
    optional = replace(
        demo_subtasks(SUB_BREACH)[0].to_subtask(seed=7, delegate=adelegate), required=False
    )
    # with the default terms the parent's clauses ignore the check: the parent completes
    executor = wrap([optional])
    done = run_parent(executor, run_id="p1")
    assert done.outcome == "completed"
    # with a penalty on the check, the parent's penalty clause decides: 50 % of 5.00
    policy = ContractPolicy(
        penalty_trigger=Predicate(
            subject=SUBCONTRACTS_CHECK, comparator=Comparator.EQ, threshold=False
        )
    )
    strict = PARENT.request.model_copy(update={"policy": policy})
    penalised = run_parent(wrap([optional]), request=strict, run_id="p2")
    assert penalised.outcome == "breached"
    assert penalised.breach == (
        "clause 1 (penalty): report 0: subcontracts_ok = false "
        "(subcontracts_ok == false triggers the penalty)"
    )
    assert lines(penalised)[-3:] == [
        ("escrow:p2", ACME, "2.50", "penalty"),
        ("escrow:p2", FAST, "2.50", "payment"),
        (f"bond:p2:{FAST}", ACME, "0.50", "bond_forfeit"),
    ]


def test_spending_limit_keeps_the_contractors_margin() -> None:
    assert spending_limit(usdc("5.00"), Decimal("0.22")) == usdc("4.09")
    assert spending_limit(usdc("5.00"), Decimal(0)) == usdc("5.00")


def _sub(task_id: str = "task-sub", budget: str = "2.00", deadline: int = 1800) -> SubTask:
    (setup,) = demo_subtasks()
    task = setup.request.task.model_copy(
        update={"id": task_id, "budget": usdc(budget), "deadline_seconds": deadline}
    )
    return SubTask(DelegationRequest(task=task), setup.bidders, SimulatedExecutor(setup.script, 1))


def paths(exc: pytest.ExceptionInfo[InvalidInputError]) -> dict[str, str]:
    return {e.path: e.message for e in exc.value.errors}


def test_budget_and_deadline_errors_are_path_precise() -> None:
    contract = make_contract(price="5.00")  # deadline 3600 s
    with pytest.raises(InvalidInputError) as exc:
        check_subtasks(
            contract,
            [_sub("a", "6.00"), _sub("task-react-dashboard"), _sub("c", deadline=3500)],
            Decimal("0.22"),
        )
    assert paths(exc) == {
        "$.subtasks[0].request.task.budget.amount": "6.00 exceeds the 5.00 USDC the contractor "
        "is paid",
        "$.subtasks[1].request.task.id": "'task-react-dashboard' is the parent task's own id",
        "$.subtasks[2].request.task.deadline_seconds": "bidding (600 s) plus the deadline "
        "(3500 s) is 4100 s, past the parent contract's deadline of 3600 s",
        "$.subtasks": "sub-task budgets total 10.00 USDC, more than the 4.09 USDC the contractor "
        "may spend (its price 5.00 USDC less its margin 0.22)",
    }
    with pytest.raises(InvalidInputError) as exc:
        check_subtasks(contract, [_sub("a", "2.50"), _sub("b", "2.00")], Decimal("0.22"))
    assert list(paths(exc)) == ["$.subtasks"]
    check_subtasks(contract, [_sub("a", "2.09"), _sub("b", "2.00")], Decimal("0.22"))


def test_an_oversized_subtask_breaches_and_settles_instead_of_aborting() -> None:
    # M5: found over budget once the winner is known -> the contractor failed; the run settles
    executor = wrap([_sub("task-sub", "6.00")])
    with Ledger(":memory:") as ledger:
        out = run_parent(executor, ledger)
        assert out.outcome == "breached"
        assert out.breach is not None and "$.subtasks[0].request.task.budget.amount" in out.breach
        assert not [t for t in ledger.transfers() if t.key.startswith("p.")]  # no sub-run money
        assert ledger.balance("escrow:p", "USDC") == 0
        assert ledger.balance(f"bond:p:{FAST}", "USDC") == 0
        assert lines(out)[-2:] == [
            ("escrow:p", ACME, "5.00", "refund"),
            (f"bond:p:{FAST}", ACME, "0.50", "bond_forfeit"),
        ]
        assert ledger.is_balanced()
        again = run_parent(executor, ledger)  # re-running changes nothing
        assert again.payments == out.payments


def test_an_unknown_contractor_margin_is_the_contractors_failure() -> None:
    executor = SubDelegatingExecutor(
        SimulatedExecutor(PARENT.script, 7),
        [_sub()],
        margins={"did:web:other": Decimal(0)},
        delegate=adelegate,
    )
    out = run_parent(executor)
    assert out.outcome == "breached"
    assert out.breach is not None and "contractor margin" in out.breach


def _nest(levels: int) -> SubDelegatingExecutor:
    executor = wrap([_sub("level-1")])
    for level in range(2, levels + 1):
        sub = _sub(f"level-{level}")
        executor = wrap([SubTask(sub.request, sub.bidders, executor)])
    return executor


def test_depth_is_limited() -> None:
    assert _nest(MAX_DEPTH).depth == MAX_DEPTH
    with pytest.raises(InvalidInputError) as exc:
        _nest(MAX_DEPTH + 1)
    assert paths(exc) == {
        "$.subtasks[0].executor.subtasks[0].executor.subtasks[0].executor.subtasks": (
            f"sub-delegation nested {MAX_DEPTH + 1} levels deep; at most {MAX_DEPTH} allowed"
        )
    }


def test_static_errors() -> None:
    with pytest.raises(InvalidInputError) as exc:
        wrap([])
    assert paths(exc) == {"$.subtasks": "at least one sub-task is needed"}
    human = _sub("b")
    human = SubTask(
        human.request.model_copy(update={"answerer": "human"}), human.bidders, human.executor
    )
    with pytest.raises(InvalidInputError) as exc:
        wrap([_sub("a"), _sub("a"), human])
    assert paths(exc) == {
        "$.subtasks[1].request.task.id": "duplicate 'a'",
        "$.subtasks[2].request.answerer": "a sub-delegation cannot pause for a human inside a "
        "progress report",
    }


def test_a_crashed_parent_resumes_and_finds_its_finished_subrun(tmp_path: Path) -> None:
    subtasks = [t.to_subtask(seed=7, delegate=adelegate) for t in demo_subtasks()]
    crashing = wrap(subtasks, SimulatedExecutor(PARENT.script, 7, crash_after=2), tmp_path)
    with pytest.raises(SimulatedCrash):
        run_parent(crashing, runs_dir=tmp_path)
    # a new process: a fresh executor that has not seen the sub-run
    fresh = wrap(subtasks, runs_dir=tmp_path)
    done = run_parent(fresh, runs_dir=tmp_path)
    assert done.outcome == "completed" and done.ledger_balanced
    (sub,) = fresh.finished("p")
    assert sub.outcome == crashing.finished("p")[0].outcome
    with Ledger(tmp_path / "p" / "ledger.sqlite") as ledger:
        moved = [t for t in ledger.transfers() if t.key.startswith("p.task-virtual-table/")]
        # the sub-run's 2 fundings and 6 movements, each once; fast-coder paid 1.92 once
        assert len(moved) == 8 and [t.reason for t in moved].count("payment") == 1
        assert ledger.balance(FAST, "USDC") == Decimal("8.08")
    assert (tmp_path / "p.task-virtual-table" / "checkpoints.sqlite").exists()


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    st.decimals(min_value=Decimal(0), max_value=Decimal(3), places=2),
)
def test_the_spending_limit_is_the_largest_cent_amount_that_keeps_the_margin(
    price: Decimal, margin: Decimal
) -> None:
    limit = spending_limit(usdc(str(price)), margin).amount
    assert limit * (1 + margin) <= price < (limit + Decimal("0.01")) * (1 + margin)


def _report(status: str = "working", progress: float = 0.4) -> ProgressReport:
    return ProgressReport(
        contract_id="c1",
        sequence=1,
        timestamp=PARENT.start,
        progress=progress,
        status=status,
        checks={"existing_tests_pass": True},
        notes="step 2 of 5",
    )


def _subrun(outcome: str, required: bool) -> SubRun:
    result = DelegationOutcome(
        run_id="p.t",
        task_id="t",
        phase=outcome,
        a2a_state="completed",
        outcome=outcome,
        winner=None,
        clarifications=0,
        bids=BidCounts(received=0, rejected=0),
        payments=(),
        ledger_balanced=True,
        breach=None if outcome == "completed" else "clause 1 (penalty): tests failed",
        seam_calls=0,
        model_calls=0,
        fallbacks=0,
        prompt_tokens=0,
        completion_tokens=0,
    )
    return SubRun("t", "p.t", required, result)


@given(
    st.lists(
        st.tuples(st.sampled_from(["completed", "breached", "cancelled", "failed"]), st.booleans()),
        min_size=1,
        max_size=4,
    )
)
def test_folding_fails_the_report_iff_a_required_subtask_was_not_delivered(
    runs: list[tuple[str, bool]],
) -> None:
    subruns = [_subrun(outcome, required) for outcome, required in runs]
    folded = fold_report(_report(), subruns)
    assert folded is not None
    delivered = [o == "completed" for o, _ in runs]
    assert folded.checks == {"existing_tests_pass": True, SUBCONTRACTS_CHECK: all(delivered)}
    failed = any(req and not ok for (_, req), ok in zip(runs, delivered, strict=True))
    assert (folded.status is ReportStatus.FAILED) == failed
    assert folded.progress == 0.4 and folded.notes.startswith("step 2 of 5; sub-task t: ")
    assert fold_report(None, subruns) is None


# H3: a sub-delegating contractor whose wallet cannot pay the sub-price never goes negative
def test_a_contractor_that_cannot_fund_its_subtask_breaches_without_overdraft() -> None:
    executor = wrap([t.to_subtask(seed=7, delegate=adelegate) for t in demo_subtasks()])
    with Ledger(":memory:") as ledger:
        funding = PARENT.funding | {FAST: usdc("0.60")}  # the bond (0.50), not the sub-price
        parent = run_parent(executor, ledger, funding=funding)
        (sub,) = executor.finished("p")
        assert sub.outcome.outcome == "failed"
        assert sub.outcome.failure is not None and "cannot fund" in sub.outcome.failure
        assert parent.outcome == "breached"
        balances = ledger.balances("USDC")
        assert all(b >= 0 for a, b in balances.items() if not a.startswith("external:"))
        assert all(b == 0 for a, b in balances.items() if a.startswith(("escrow:", "bond:")))
        assert ledger.is_balanced()
