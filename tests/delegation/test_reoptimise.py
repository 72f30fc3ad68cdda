"""Continuous re-optimisation: belief update, re-scoring, switching with the stability devices,
settlement of the dropped contractor, money conservation and replay."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.delegation.ledger import FUNDING_ACCOUNT, Ledger
from negotiator.delegation.reoptimise import (
    FEE_ACCOUNT,
    Candidate,
    LoopState,
    Observation,
    SwitchEvent,
    SwitchPolicy,
    complete,
    contract_for,
    decide,
    hire,
    post_switch,
    replay_switches,
    run_loop,
    switch_fee,
)
from negotiator.delegation.settlement import bond_account, escrow_account
from negotiator.errors import ReplayMismatchError
from negotiator.money import Money
from negotiator.wire.contract import Contract

AT = datetime(2026, 10, 1, tzinfo=UTC)
VALUE = Decimal(20)


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def bid(who: str, price: str = "5.00", quality: float = 0.9, rep: float = 0.9) -> Candidate:
    return Candidate(
        bidder_id=who, price=usd(price), bond=usd("0.50"), claimed_quality=quality, reputation=rep
    )


A, B, C = bid("a"), bid("b", "5.50", 0.85, 0.95), bid("c", "6.00", 0.95, 0.8)
STANDING = (A, B, C)
BAD = Observation(quality=0.2, progress=0.3, expected_progress=0.3)
GOOD = Observation(quality=0.9, progress=0.3, expected_progress=0.3)


def state(belief: float = 0.9, switches: int = 0, since: int = 10) -> LoopState:
    return LoopState(contractor=A, belief=belief, switches=switches, since_switch=since)


def test_good_reports_keep_the_contractor() -> None:
    d = decide(state(), GOOD, 3, STANDING, policy=SwitchPolicy(), value=VALUE)
    assert d.switch is None and "does not exceed the fee" in d.reason


def test_damping_makes_one_bad_report_move_the_belief_only_part_way() -> None:
    policy = SwitchPolicy(damping=0.3, base_fee=Decimal(100))
    d = decide(state(), BAD, 3, STANDING, policy=policy, value=VALUE)
    assert d.state.belief == pytest.approx(0.9 + 0.3 * (0.2 - 0.9))


def test_being_behind_schedule_counts_against_the_contractor() -> None:
    late = Observation(quality=0.9, progress=0.1, expected_progress=0.4)
    policy = SwitchPolicy(damping=1.0, base_fee=Decimal(100))
    d = decide(state(), late, 3, STANDING, policy=policy, value=VALUE)
    assert d.state.belief == pytest.approx(0.9 * 0.25)


def test_a_clear_gain_switches_and_the_dropped_one_is_at_fault() -> None:
    d = decide(state(), BAD, 3, STANDING, policy=SwitchPolicy(damping=1.0), value=VALUE)
    assert d.switch is not None
    assert (d.switch.dropped, d.switch.at_fault, d.switch.fee) == ("a", True, Decimal("0.25"))
    assert d.state.contractor.bidder_id == d.switch.hired != "a"
    assert d.state.switches == 1 and d.state.since_switch == 0


def test_the_cooldown_blocks_a_switch_that_would_pay() -> None:
    policy = SwitchPolicy(damping=1.0, cooldown_ticks=5)
    d = decide(state(since=2), BAD, 3, STANDING, policy=policy, value=VALUE)
    assert d.switch is None and d.reason.startswith("cooldown")


def test_the_switch_cap_blocks_a_switch_that_would_pay() -> None:
    policy = SwitchPolicy(damping=1.0, max_switches=1)
    d = decide(state(switches=1), BAD, 3, STANDING, policy=policy, value=VALUE)
    assert d.switch is None and "cap" in d.reason


def test_fees_rise_with_every_switch() -> None:
    fees = [switch_fee(SwitchPolicy(), k) for k in range(4)]
    assert fees == [Decimal("0.25"), Decimal("0.50"), Decimal("1.00"), Decimal("2.00")]


def test_a_fee_above_the_gain_blocks_the_switch() -> None:
    policy = SwitchPolicy(damping=1.0, base_fee=Decimal(100))
    assert decide(state(), BAD, 3, STANDING, policy=policy, value=VALUE).switch is None


def contract(c: Candidate, n: int) -> Contract:
    return contract_for(c, contract_id=f"contract-{n}", task_id="t", delegator_id="d", at=AT)


def _books(*who: str) -> Ledger:
    ledger = Ledger(":memory:")
    for w in ("d", *who):
        ledger.transfer(f"fund/{w}", FUNDING_ACCOUNT, w, usd("100"), "funding")
    return ledger


def test_a_contractor_not_at_fault_is_paid_pro_rata_and_gets_its_bond_back() -> None:
    ledger = _books("a", "b")
    hire(ledger, "r", "d", c=A, n=0)
    event = _switch(at_fault=False, progress=0.4)
    post_switch(ledger, "r", event=event, dropped=contract(A, 0), hired=B, n=1, at=AT)
    assert ledger.balance("a", "USDC") == Decimal("102.00")  # 40 % of 5.00, bond back
    assert ledger.balance(escrow_account("r/c1"), "USDC") == Decimal("5.50")  # b's price
    assert ledger.balance(FEE_ACCOUNT, "USDC") == Decimal("0.25")


def test_a_defaulting_contractor_loses_its_bond_and_pays_the_price_difference() -> None:
    ledger = _books("a", "b")
    hire(ledger, "r", "d", c=A, n=0)
    event = _switch(at_fault=True, progress=0.4)
    post_switch(ledger, "r", event=event, dropped=contract(A, 0), hired=B, n=1, at=AT)
    # a: bond 0.50 forfeited, 0.50 difference (5.50 - 5.00) charged, nothing paid
    assert ledger.balance("a", "USDC") == Decimal("99.00")
    assert ledger.balance(bond_account("r", "a"), "USDC") == 0


def _switch(at_fault: bool, progress: float) -> SwitchEvent:
    return SwitchEvent(
        tick=2,
        dropped="a",
        hired="b",
        at_fault=at_fault,
        progress=progress,
        belief=0.3,
        expected_gain=Decimal("3"),
        fee=Decimal("0.25"),
    )


observations = st.lists(
    st.builds(
        Observation,
        quality=st.floats(0, 1),
        progress=st.floats(0, 1),
        expected_progress=st.floats(0, 1),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(obs=observations, cooldown=st.integers(0, 3), cap=st.integers(0, 4))
def test_money_is_conserved_across_any_sequence_of_switches(
    obs: list[Observation], cooldown: int, cap: int
) -> None:
    policy = SwitchPolicy(damping=0.8, cooldown_ticks=cooldown, max_switches=cap)
    final, events = run_loop(A, obs, STANDING, policy=policy, value=VALUE)
    assert len(events) <= cap
    assert [e.fee for e in events] == [switch_fee(policy, k) for k in range(len(events))]
    by_id = {c.bidder_id: c for c in STANDING}
    ledger = _books("a", "b", "c")
    hire(ledger, "r", "d", c=A, n=0)
    for n, e in enumerate(events, start=1):
        dropped = contract(by_id[e.dropped], n - 1)
        post_switch(ledger, "r", event=e, dropped=dropped, hired=by_id[e.hired], n=n, at=AT)
    last = contract(final.contractor, len(events))
    complete(ledger, "r", contract=last, n=len(events), at=AT)
    balances = ledger.balances("USDC")
    assert ledger.is_balanced()
    assert all(v == 0 for k, v in balances.items() if k.startswith(("escrow:", "bond:")))
    parties = sum((balances.get(p, Decimal(0)) for p in ("d", "a", "b", "c")), Decimal(0))
    assert parties + balances.get(FEE_ACCOUNT, Decimal(0)) == Decimal(400)
    assert balances.get(FEE_ACCOUNT, Decimal(0)) == sum((e.fee for e in events), Decimal(0))


def test_recorded_switches_replay_and_a_tampered_record_is_caught() -> None:
    obs = [BAD] * 4 + [GOOD] * 6 + [BAD] * 6
    policy = SwitchPolicy(damping=0.6, cooldown_ticks=2)
    _, events = run_loop(A, obs, STANDING, policy=policy, value=VALUE)
    assert events
    assert replay_switches(events, A, obs, STANDING, policy=policy, value=VALUE) == events
    tampered = (events[0].model_copy(update={"hired": "zz"}), *events[1:])
    with pytest.raises(ReplayMismatchError, match="switch 0"):
        replay_switches(tampered, A, obs, STANDING, policy=policy, value=VALUE)
    with pytest.raises(ReplayMismatchError, match="recorded 0 switches"):
        replay_switches((), A, obs, STANDING, policy=policy, value=VALUE)
