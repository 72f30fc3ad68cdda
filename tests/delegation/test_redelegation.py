"""The flow's side of re-optimisation: reading a report as an observation, the standing bids,
the funds check and the choice when the best replacement cannot be funded."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from negotiator.delegation.ledger import FUNDING_ACCOUNT, Ledger
from negotiator.delegation.redelegation import (
    FlowLoop,
    fundable,
    observe,
    reconsider,
    start_loop,
)
from negotiator.delegation.reoptimise import (
    Candidate,
    LoopState,
    Observation,
    SwitchPolicy,
    estimate,
)
from negotiator.delegation.settlement import escrow_account
from negotiator.money import Money
from negotiator.wire.bid import Bid
from negotiator.wire.clauses import (
    CancellationCompensation,
    MonitoringAgreement,
    PerformanceRequirement,
)
from negotiator.wire.common import PrivacyLevel
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport

AT = datetime(2026, 10, 1, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def contract(*requirements: PerformanceRequirement, contractor: str = "a") -> Contract:
    return Contract(
        id="c1",
        task_id="t1",
        delegator_id="d",
        contractor_id=contractor,
        price=usd("5.00"),
        bond=usd("0.50"),
        deadline_seconds=3000,
        created_at=AT,
        clauses=(
            *requirements,
            CancellationCompensation(method="pro_rata"),
            MonitoringAgreement(report_interval_seconds=300, max_missed_reports=2),
        ),
    )


GAIN = PerformanceRequirement(metric="gain", comparator=">=", threshold=20)
SIZE = PerformanceRequirement(metric="size_kb", comparator="<=", threshold=100)


def report(progress: float, **metrics: float) -> ProgressReport:
    return ProgressReport(
        contract_id="c1", sequence=0, timestamp=AT, progress=progress, metrics=metrics
    )


def test_a_lower_bound_is_read_against_its_pro_rata_share_capped_at_one() -> None:
    c = contract(GAIN)
    assert observe(c, report(0.5, gain=5.0), 4, progress=0.5, belief=0.9).quality == 0.5
    assert observe(c, report(0.5, gain=40.0), 4, progress=0.5, belief=0.9).quality == 1.0


def test_other_requirements_count_whether_they_hold_now_and_are_averaged() -> None:
    c = contract(GAIN, SIZE)
    obs = observe(c, report(0.5, gain=10.0, size_kb=150.0), 0, progress=0.5, belief=0.9)
    assert obs.quality == pytest.approx((1.0 + 0.0) / 2)


def test_the_schedule_is_the_contracts_cadence_over_its_deadline() -> None:
    obs = observe(contract(GAIN), report(0.2, gain=4.0), 4, progress=0.2, belief=0.9)
    assert (obs.progress, obs.expected_progress) == (0.2, 0.5)  # 5 x 300 s of 3000 s


@pytest.mark.parametrize(
    "made",
    [None, report(0.3), report(0.3, other=1.0)],
    ids=["missed", "nothing measured", "unrelated metric"],
)
def test_a_report_without_quality_evidence_leaves_only_the_pace(
    made: ProgressReport | None,
) -> None:
    obs = observe(contract(GAIN), made, 1, progress=0.3, belief=0.7)
    assert obs.quality == 0.7 and obs.progress == 0.3


def bid(who: str, price: str, quality: float) -> Bid:
    return Bid(
        bidder_id=who,
        task_id="t1",
        price=usd(price),
        estimated_duration_seconds=600,
        claimed_quality=quality,
        privacy_guarantee=PrivacyLevel.NONE,
        reputation_bond=usd("0.50"),
        expiry=datetime(2027, 1, 1, tzinfo=UTC),
        offered_reporting_interval_seconds=300,
    )


BIDS = [bid("c", "4.00", 0.85), bid("a", "9.00", 0.9), bid("b", "4.50", 0.95)]
REPS = {"a": 0.9, "b": 0.9, "c": 0.9}


def test_the_loop_starts_from_the_contract_and_every_valid_bid_stands() -> None:
    policy = SwitchPolicy()
    flow = start_loop(contract(GAIN), BIDS, REPS, policy)
    assert [c.bidder_id for c in flow.standing] == ["a", "b", "c"]
    current = flow.loop.contractor
    assert (current.price, current.claimed_quality) == (usd("5.00"), 0.9)  # contract's price
    assert flow.loop.belief == estimate(current, policy)


BAD = Observation(quality=0.0, progress=0.2, expected_progress=0.2)


def _flow() -> FlowLoop:
    flow = start_loop(contract(GAIN), BIDS, REPS, SwitchPolicy())
    return flow.model_copy(update={"loop": flow.loop.model_copy(update={"since_switch": 5})})


def test_a_replacement_that_cannot_be_funded_is_set_aside_for_the_next_best() -> None:
    policy = SwitchPolicy(damping=1.0)
    value = Decimal(12)
    _, best = reconsider(_flow(), BAD, 3, policy=policy, value=value, fits=lambda c, f: True)
    assert best.switch is not None and best.switch.hired == "b"
    flow, d = reconsider(
        _flow(), BAD, 3, policy=policy, value=value, fits=lambda c, f: c.bidder_id != "b"
    )
    assert d.switch is not None and d.switch.hired == "c"
    assert d.reason.startswith("cannot fund b; ")
    assert flow.dropped == ("a",) and flow.loop.contractor.bidder_id == "c"


def test_a_dropped_contractor_is_never_hired_again() -> None:
    flow = _flow().model_copy(update={"dropped": ("b", "c")})
    _, d = reconsider(
        flow, BAD, 3, policy=SwitchPolicy(damping=1.0), value=Decimal(12), fits=lambda c, f: True
    )
    assert d.switch is None and d.reason == "no standing bid to switch to"


def _books(spare: str, bidder: str) -> Ledger:
    """The delegator funded with the first price plus ``spare``, the price escrowed."""
    ledger = Ledger(":memory:")
    wallet = usd(str(Decimal("5.00") + Decimal(spare)))
    ledger.transfer("r/fund/d", FUNDING_ACCOUNT, "d", wallet, "funding")
    ledger.transfer("r/fund/b", FUNDING_ACCOUNT, "b", usd(bidder), "funding")
    ledger.transfer("r/escrow", "d", escrow_account("r"), usd("5.00"), "escrow")
    return ledger


CANDIDATE = Candidate(
    bidder_id="b", price=usd("4.50"), bond=usd("0.50"), claimed_quality=0.95, reputation=0.9
)


@pytest.mark.parametrize(
    ("spare", "bidder", "fee", "expected"),
    [
        ("0.00", "1.00", "0.25", True),  # 0 spare + 5.00 refunded at 0 % covers 4.50 + 0.25
        ("0.00", "1.00", "0.60", False),  # 4.50 + 0.60 is more than the 5.00 refunded
        ("0.10", "1.00", "0.60", True),  # ... unless 0.10 more was spare
        ("0.00", "0.40", "0.25", False),  # the bidder cannot stake its 0.50 bond
    ],
)
def test_the_funds_check_reads_the_wallets_as_the_run_began(
    spare: str, bidder: str, fee: str, expected: bool
) -> None:
    c = contract(GAIN)
    with _books(spare, bidder) as ledger:
        ok = fundable(
            ledger,
            "r",
            first=c,
            switches=(),
            current=c,
            progress=0.0,
            candidate=CANDIDATE,
            fee=Decimal(fee),
        )
    assert ok is expected


def test_the_funds_check_counts_only_the_least_refund() -> None:
    c = contract(GAIN)
    with _books("0.00", "1.00") as ledger:
        # at 60 % the cancellation pays 3.00 of the 5.00: only 2.00 comes back for 4.75
        late = fundable(
            ledger,
            "r",
            first=c,
            switches=(),
            current=c,
            progress=0.6,
            candidate=CANDIDATE,
            fee=Decimal("0.25"),
        )
    assert late is False


def test_the_loop_state_round_trips_through_json() -> None:
    flow = _flow()
    assert FlowLoop.model_validate(flow.model_dump(mode="json")) == flow
    assert isinstance(flow.loop, LoopState)
