from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from negotiator.delegation.clock import FixedClock
from negotiator.delegation.execution import RunContext, collect_report
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import (
    SCRIPTS,
    CancelPolicy,
    MonitorState,
    SimulatedCrash,
    SimulatedExecutor,
    VerdictKind,
    evaluate,
    tick_time,
)
from negotiator.delegation.reputation_store import MemoryReputationStore
from negotiator.wire.report import ProgressReport, ReportStatus

from .conftest import NOW, make_contract


def run(script: str, cancel: CancelPolicy | None = None, seed: int = 7) -> list:
    contract = make_contract()
    ex = SimulatedExecutor(SCRIPTS[script], seed)
    state, verdicts = MonitorState(), []
    while True:
        report = ex.report(contract, state.tick, tick_time(contract, state.tick))
        state, verdict = evaluate(contract, state, report, cancel or CancelPolicy())
        verdicts.append(verdict)
        if verdict.kind is not VerdictKind.CONTINUE:
            return verdicts


def test_success_completes_on_the_fifth_report() -> None:
    verdicts = run("success")
    assert [v.kind.value for v in verdicts] == ["continue"] * 4 + ["completed"]
    assert verdicts[-1].progress == 1.0
    assert verdicts[-1].at == NOW + timedelta(seconds=1500)
    # every clause is evaluated on every report; the requirement waits for the final report
    assert verdicts[0].clause_status == ("pending", "ok", "ok", "ok", "ok", "ok")
    assert verdicts[-1].clause_status == ("ok",) * 6


def test_failing_tests_trigger_the_penalty_clause_with_evidence() -> None:
    last = run("breach")[-1]
    assert last.kind is VerdictKind.BREACHED
    assert (last.clause_index, last.clause_kind) == (1, "penalty")
    assert last.evidence == (
        "report 4: existing_tests_pass = false (existing_tests_pass == false triggers the penalty)"
    )


def test_k_missed_reports_breach_the_monitoring_agreement() -> None:
    verdicts = run("silent")
    assert [v.kind.value for v in verdicts] == ["continue"] * 3 + ["breached"]
    assert verdicts[-1].clause_kind == "monitoring"
    assert verdicts[-1].evidence.startswith("2 consecutive reports missed (limit 2")


def test_delegator_cancels_at_forty_percent() -> None:
    last = run("success", CancelPolicy(at_progress=0.4, reason="changed plans"))[-1]
    assert (last.kind, last.progress, last.tick) == (VerdictKind.CANCELLED, 0.4, 1)
    assert "changed plans" in last.evidence


def test_unmet_performance_requirement_is_a_breach() -> None:
    contract = make_contract()
    report = ProgressReport(
        contract_id=contract.id,
        sequence=0,
        timestamp=NOW,
        progress=1.0,
        status=ReportStatus.COMPLETED,
        metrics={"lighthouse_performance_delta": 12.5},
        checks={"existing_tests_pass": True},
    )
    _, verdict = evaluate(contract, MonitorState(), report, CancelPolicy())
    assert (verdict.kind, verdict.clause_kind) == (VerdictKind.BREACHED, "performance_requirement")
    assert "lighthouse_performance_delta = 12.5, required >= 20" in verdict.evidence


def test_deadline_passes_without_completion() -> None:
    contract = make_contract()
    report = ProgressReport(
        contract_id=contract.id,
        sequence=12,
        timestamp=NOW,
        progress=0.5,
        checks={"existing_tests_pass": True},
    )
    _, verdict = evaluate(contract, MonitorState(tick=12), report, CancelPolicy())
    assert (verdict.kind, verdict.clause_kind) == (VerdictKind.BREACHED, "default_penalty")
    assert verdict.evidence.startswith("deadline of 3600 s passed")


def test_simulated_executor_is_stateless_and_seeded() -> None:
    contract = make_contract()
    a = SimulatedExecutor(SCRIPTS["success"], 7).report(contract, 3, NOW)
    b = SimulatedExecutor(SCRIPTS["success"], 7).report(contract, 3, NOW)
    c = SimulatedExecutor(SCRIPTS["success"], 8).report(contract, 3, NOW)
    assert a == b and a != c
    with pytest.raises(SimulatedCrash, match="before report 2"):
        SimulatedExecutor(SCRIPTS["success"], 7, crash_after=2).report(contract, 2, NOW)


# M2: a report that omits the penalty's trigger is never better than one that reports it false
@pytest.mark.parametrize("status", [ReportStatus.WORKING, ReportStatus.COMPLETED])
def test_a_report_omitting_the_penalty_trigger_is_a_breach(status: ReportStatus) -> None:
    contract = make_contract()
    report = ProgressReport(
        contract_id=contract.id,
        sequence=0,
        timestamp=NOW,
        progress=1.0 if status is ReportStatus.COMPLETED else 0.2,
        status=status,
        metrics={"lighthouse_performance_delta": 25.0},
    )
    _, verdict = evaluate(contract, MonitorState(), report, CancelPolicy())
    assert (verdict.kind, verdict.clause_kind) == (VerdictKind.BREACHED, "penalty")
    assert verdict.evidence == (
        "report 0 does not report existing_tests_pass, the penalty's trigger "
        "(missing evidence counts as the trigger)"
    )


class _Reporting:
    def __init__(self, report: ProgressReport | None = None, error: Exception | None = None):
        self.answer, self.error = report, error

    def report(self, contract: object, sequence: int, at: object) -> ProgressReport | None:
        if self.error is not None:
            raise self.error
        return self.answer


def _collect(executor: _Reporting, sequence: int = 0) -> ProgressReport | None:

    contract = make_contract()
    with Ledger(":memory:") as ledger:
        ctx = RunContext("r", ledger, FixedClock(NOW), MemoryReputationStore())
        return asyncio.run(collect_report(executor, contract, sequence, NOW, ctx, progress=0.4))


# L3: a report is evidence only for its own contract and its own sequence number
@pytest.mark.parametrize("changes", [{"contract_id": "another-contract"}, {"sequence": 999}])
def test_a_report_for_another_contract_or_sequence_counts_as_missed(changes: dict) -> None:
    contract = make_contract()
    fields = {"contract_id": contract.id, "sequence": 0, **changes}
    report = ProgressReport(
        timestamp=NOW,
        progress=1.0,
        status=ReportStatus.COMPLETED,
        metrics={"lighthouse_performance_delta": 30.0},
        checks={"existing_tests_pass": True},
        **fields,
    )
    assert _collect(_Reporting(report)) is None


# M5: an executor that raises has failed; the run settles by the default clause
def test_an_executor_error_is_a_failed_report_not_an_abort() -> None:
    got = _collect(_Reporting(error=ValueError("sub-task over budget\x07")))
    assert got is not None and got.status is ReportStatus.FAILED and got.progress == 0.4
    assert got.notes == "the executor failed: ValueError: sub-task over budget "
    _, verdict = evaluate(make_contract(), MonitorState(), got, CancelPolicy())
    assert (verdict.kind, verdict.clause_kind) == (VerdictKind.BREACHED, "default_penalty")
    with pytest.raises(SimulatedCrash):  # the host's own crash still stops the run
        _collect(_Reporting(error=SimulatedCrash("host died")))
