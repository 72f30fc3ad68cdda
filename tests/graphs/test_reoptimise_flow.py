"""Re-optimisation inside the delegation flow: a slacking contractor is switched, the dropped
contract is settled by its clauses, the devices hold, money is conserved, a crash mid-switch
posts nothing twice, and the recorded run replays and verifies."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langgraph.checkpoint.memory import InMemorySaver

from negotiator.cli import main as cli
from negotiator.delegation.clock import FixedClock
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.ledger import FUNDING_ACCOUNT, Books, Ledger
from negotiator.delegation.monitoring import SimulatedCrash, SimulatedExecutor
from negotiator.delegation.reoptimise import FEE_ACCOUNT, SwitchPolicy, switch_fee
from negotiator.delegation.reputation_store import MemoryReputationStore
from negotiator.delegation.request import DelegationSetup
from negotiator.flows import check_transcript
from negotiator.graphs.api import RunResult, execute
from negotiator.graphs.runner import run_keys
from negotiator.llm.deterministic import DeterministicClient
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport, ReportStatus

from .conftest import KILLED_CLI

FAST, LOCAL, CLOUD = "did:web:fast-coder.ai", "did:web:local-llm.coop", "did:web:cloud-agent.io"
DELEGATOR = "did:web:acme-analytics.example"
TRANSCRIPT = Path(__file__).resolve().parents[1] / "transcripts" / "delegation-switch.jsonl"
GOLDEN = Path(__file__).resolve().parent / "golden"


DEFAULT = SwitchPolicy()


def _setup(policy: SwitchPolicy | None = DEFAULT) -> DelegationSetup:
    setup = demo_setup("switch")
    request = setup.request.model_copy(update={"reoptimise": policy})
    return setup.model_copy(update={"request": request})


def _run(
    setup: DelegationSetup,
    *,
    executor: Any = None,
    ledger: Books | CrashingBooks | None = None,
    saver: InMemorySaver | None = None,
    store: MemoryReputationStore | None = None,
) -> RunResult:
    async def go(books: Any) -> RunResult:
        return await execute(
            setup.request,
            bidders=setup.bidders,
            funding=setup.funding,
            run_id="r",
            delegator_client=DeterministicClient(),
            bidder_clients=DeterministicClient(),
            executor=executor or SimulatedExecutor(setup.script, 7),
            clock=FixedClock(setup.start),
            rng=random.Random(7),
            checkpointer=saver or InMemorySaver(),
            ledger=books,
            reputation=store,
            keys=run_keys(setup, 7),
        )

    if ledger is not None:
        return asyncio.run(go(ledger))
    with Ledger(":memory:") as fresh:
        return asyncio.run(go(fresh))


def _reasons(result: RunResult) -> list[str]:
    return [p.reason.value for p in result.outcome.payments]


def test_a_slacking_contractor_is_dropped_at_fault_and_the_next_bid_completes() -> None:
    result = _run(_setup())
    out = result.outcome
    assert out.outcome == "completed" and out.ledger_balanced
    [switch] = out.switches
    assert (switch.dropped, switch.hired, switch.at_fault, switch.settled) == (
        FAST,
        LOCAL,
        True,
        "breached",
    )
    assert switch.tick == 2 and switch.fee == Decimal("0.25")  # cooldown of 3 reports
    assert out.contract is not None and out.contract.contractor_id == LOCAL
    assert out.contract.id == "contract-task-react-dashboard-r1"
    # the original contract ran 900 s of its 3600: the replacement has what was left
    assert out.contract.deadline_seconds == 2700
    assert out.settlement is not None and out.settlement.outcome.value == "completed"
    assert out.reputation is not None and out.reputation.agent_id == LOCAL
    # the dropped contract: price refunded, bond forfeited (the replacement is cheaper: no
    # price difference to charge), the fee paid once, the replacement escrowed and paid
    reasons = _reasons(result)
    assert reasons.count("refund") == 1 and reasons.count("bond_forfeit") == 1
    assert reasons.count("redelegation_fee") == 1 and "replacement_difference" not in reasons
    assert result.state["switches"][0]["reputation"]["outcome"] == "breached"
    # reports after the switch are the replacement's, numbered from 0 again
    assert [(r["contract_id"][-3:], r["sequence"]) for r in result.state["reports"]] == [
        ("ard", 0),
        ("ard", 1),
        ("ard", 2),
        ("-r1", 0),
        ("-r1", 1),
        ("-r1", 2),
        ("-r1", 3),
        ("-r1", 4),
    ]


def test_a_contractor_not_at_fault_is_paid_pro_rata_and_keeps_its_bond() -> None:
    result = _run(_setup(SwitchPolicy(fault_tolerance=1.0)))
    [switch] = result.outcome.switches
    assert not switch.at_fault and switch.settled == "cancelled"
    dropped = result.state["switches"][0]["settlement"]["payments"]
    moves = {(p["to_account"], p["reason"]): p["amount"]["amount"] for p in dropped}
    assert moves == {
        (FAST, "compensation"): "0.75",  # 15 % progress x 5.00
        (DELEGATOR, "refund"): "4.25",
        (FAST, "bond_return"): "0.50",
    }
    assert result.state["switches"][0]["reputation"]["outcome"] == "cancelled"


def test_with_re_optimisation_off_the_slacker_keeps_the_contract_and_misses_the_deadline() -> None:
    result = _run(_setup(None))
    assert not result.outcome.switches and "loop" not in result.state
    assert result.outcome.outcome == "breached"
    assert result.outcome.breach is not None and "deadline" in result.outcome.breach


def test_the_cooldown_holds_the_switch_back() -> None:
    [switch] = _run(_setup(SwitchPolicy(cooldown_ticks=6))).outcome.switches
    assert switch.tick == 5


def test_a_switch_cap_of_zero_never_switches() -> None:
    result = _run(_setup(SwitchPolicy(max_switches=0)))
    assert not result.outcome.switches and result.outcome.outcome == "breached"


@dataclass
class Scripted:
    """Every contractor reports from one script: ``pace`` x the on-time progress and
    ``quality[k]`` x the required metric at report ``k``."""

    quality: list[float]
    pace: float = 1.0

    def report(self, contract: Contract, sequence: int, at: datetime) -> ProgressReport:
        progress = min(1.0, round((sequence + 1) * self.pace / 5, 6))
        q = self.quality[sequence % len(self.quality)]
        done = progress >= 1.0
        return ProgressReport(
            contract_id=contract.id,
            sequence=sequence,
            timestamp=at,
            progress=progress,
            status=ReportStatus.COMPLETED if done else ReportStatus.WORKING,
            metrics={"lighthouse_performance_delta": round(25 * q * progress, 3)},
            checks={"existing_tests_pass": True},
        )


def test_every_contractor_slacking_switches_up_to_the_cap_with_rising_fees() -> None:
    slacking = Scripted([0.3], pace=0.25)
    result = _run(_setup(SwitchPolicy(max_switches=2)), executor=slacking)
    switches = result.outcome.switches
    assert [(s.dropped, s.hired) for s in switches] == [(FAST, LOCAL), (LOCAL, CLOUD)]
    assert [s.fee for s in switches] == [Decimal("0.25"), Decimal("0.50")]
    assert all(s.tick >= 2 for s in switches)  # 3 reports of each contract, at least
    assert result.outcome.outcome == "breached"  # the last one misses the deadline
    one = _run(_setup(SwitchPolicy(max_switches=1)), executor=slacking)
    assert len(one.outcome.switches) == 1


def _total(ledger: Ledger) -> Decimal:
    return sum((v for k, v in ledger.balances("USDC").items() if k != FUNDING_ACCOUNT), Decimal(0))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    quality=st.lists(st.floats(0, 1.5), min_size=1, max_size=6),
    pace=st.sampled_from([0.25, 0.5, 1.0]),
    cap=st.integers(0, 3),
    cooldown=st.integers(0, 3),
)
def test_money_is_conserved_across_any_number_of_switches(
    quality: list[float], pace: float, cap: int, cooldown: int
) -> None:
    policy = SwitchPolicy(max_switches=cap, cooldown_ticks=cooldown)
    setup = _setup(policy)
    funded = sum((m.amount for m in setup.funding.values()), Decimal(0))
    with Ledger(":memory:") as ledger:
        result = _run(setup, executor=Scripted(quality, pace), ledger=ledger)
        switches = result.outcome.switches
        assert len(switches) <= cap
        assert [s.fee for s in switches] == [switch_fee(policy, k) for k in range(len(switches))]
        balances = ledger.balances("USDC")
        assert ledger.is_balanced() and _total(ledger) == funded
        assert all(v >= 0 for k, v in balances.items() if k != FUNDING_ACCOUNT)
        assert all(v == 0 for k, v in balances.items() if k.startswith(("escrow:", "bond:")))
        assert balances.get(FEE_ACCOUNT, Decimal(0)) == sum((s.fee for s in switches), Decimal(0))
        held = {result.state["contract"]["contractor_id"]}
        assert held.isdisjoint(s.dropped for s in switches)


class CrashingBooks:
    """The ledger, dying just before the posting whose key ends with ``at`` (once)."""

    def __init__(self, inner: Ledger, at: str) -> None:
        self.inner, self.at, self.crashed = inner, at, False

    def transfer(self, key: str, *args: Any) -> bool:
        if key.endswith(self.at) and not self.crashed:
            self.crashed = True
            raise SimulatedCrash(f"died before posting {key}")
        return self.inner.transfer(key, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("at", ["/c1/fee", "/c1/escrow", "/c1/bond"])
def test_a_crash_mid_switch_resumes_and_posts_every_movement_once(at: str) -> None:
    clean = _run(_setup())
    saver, store = InMemorySaver(), MemoryReputationStore()
    with Ledger(":memory:") as ledger:
        books = CrashingBooks(ledger, at)
        with pytest.raises(SimulatedCrash):
            _run(_setup(), ledger=books, saver=saver, store=store)
        resumed = _run(_setup(), ledger=books, saver=saver, store=store)
        again = _run(_setup(), ledger=books, saver=saver, store=store)
        keys = [p.key for p in ledger.postings()]
    assert len(keys) == len(set(keys))
    assert resumed.outcome == clean.outcome == again.outcome
    assert [agent for _, u in store.updates() for agent in [u.agent_id]] == [FAST, LOCAL]


def test_a_crash_after_the_switch_resumes_with_the_replacement() -> None:
    clean = _run(_setup())
    saver = InMemorySaver()
    setup = _setup()
    with Ledger(":memory:") as ledger:
        with pytest.raises(SimulatedCrash):
            # the replacement's contract numbers its reports from 0: it dies before its third
            _run(setup, executor=_crashing(setup, LOCAL, 2), ledger=ledger, saver=saver)
        resumed = _run(setup, ledger=ledger, saver=saver)
        keys = [p.key for p in ledger.postings()]
    assert len(keys) == len(set(keys))
    assert resumed.outcome == clean.outcome


def _crashing(setup: DelegationSetup, who: str, after: int) -> Any:
    inner = SimulatedExecutor(setup.script, 7)

    class Crashing:
        def report(self, contract: Contract, sequence: int, at: datetime) -> Any:
            if contract.contractor_id == who and sequence >= after:
                raise SimulatedCrash(f"died before report {sequence} of {contract.id}")
            return inner.report(contract, sequence, at)

    return Crashing()


def test_the_recorded_switch_replays_and_verifies(tmp_path: Path) -> None:
    check = check_transcript(TRANSCRIPT)
    assert check.ok, check.diff
    assert [e.kind for e in check.replayed].count("switch") == 1
    args = ["demo", "--offline", "--scenario", "switch", "--run-id", "s", "--json"]
    assert cli([*args, "--runs-dir", str(tmp_path)]) == 0
    assert cli(["verify", str(tmp_path / "s"), "--replay"]) == 0


@pytest.mark.slow
def test_a_killed_process_after_the_switch_resumes_and_verifies(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    demo = ["demo", "--json", "--scenario", "switch", "--runs-dir", str(tmp_path), "--run-id", "k"]
    # the process ends (no cleanup) before report 3 of the replacement's contract
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_CLI, "3", *demo], capture_output=True, env=env, check=False
    )
    assert killed.returncode == 70
    resume = [sys.executable, "-m", "negotiator", "resume", "k", "--runs-dir", str(tmp_path)]
    resumed = subprocess.run(
        [*resume, "--json"], capture_output=True, text=True, env=env, check=True
    )
    out = json.loads(resumed.stdout)
    golden = json.loads((GOLDEN / "switch.json").read_text(encoding="utf-8"))
    assert out["switches"] == golden["switches"] and out["outcome"] == "completed"
    assert [p["reason"] for p in out["payments"]] == [p["reason"] for p in golden["payments"]]
    assert cli(["verify", str(tmp_path / "k"), "--replay"]) == 0


def test_the_replayed_story_tells_the_switch_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["replay", str(TRANSCRIPT)]) == 0
    story = capsys.readouterr().out
    told = story.index("Switch 1: did:web:fast-coder.ai → did:web:local-llm.coop after report 2")
    assert "at fault: settled under the default penalty" in story
    assert story.index("report 2: progress 15%") < told < story.index("Settled (breached)")
    assert told < story.index("contract-task-react-dashboard-r1") < story.index("completed")
