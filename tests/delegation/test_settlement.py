from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.contracting import ContractPolicy
from negotiator.delegation.ledger import Ledger
from negotiator.delegation.monitoring import Verdict, VerdictKind
from negotiator.delegation.settlement import (
    compensation,
    escrow_bonds,
    escrow_negotiated,
    escrow_payment,
    fund,
    run_payments,
    settle,
)
from negotiator.errors import InsufficientFundsError
from negotiator.wire.bid import Bid
from negotiator.wire.clauses import Milestone

from .conftest import NOW, make_bid, make_contract, usdc

D, C, L = "did:web:acme-analytics.example", "did:web:a.ai", "did:web:b.ai"
ESCROW, BOND = "escrow:r", "bond:r:did:web:a.ai"


def verdict(
    kind: str, progress: float = 1.0, clause: int | None = None, ck: str | None = None
) -> Verdict:
    return Verdict(
        kind=VerdictKind(kind),
        tick=0,
        at=NOW,
        progress=progress,
        clause_index=clause,
        clause_kind=ck,
        evidence="e",
    )


def ledger_after_award() -> Ledger:
    ledger = Ledger(":memory:")
    fund(ledger, "r", {D: usdc("50"), C: usdc("5")})
    escrow_bonds(ledger, "r", [make_bid(C)])
    escrow_payment(ledger, "r", D, make_bid(C))
    return ledger


def flows(s: object) -> list[tuple[str, str, str, str]]:
    return [
        (p.from_account, p.to_account, str(p.amount.amount), p.reason.value) for p in s.payments
    ]  # type: ignore[attr-defined]


def test_completion_pays_and_returns_the_bond() -> None:
    ledger = ledger_after_award()
    s = settle(ledger, "r", make_contract(), verdict("completed"), NOW)
    assert flows(s) == [(ESCROW, C, "5.00", "payment"), (BOND, C, "0.50", "bond_return")]
    assert ledger.balance(C, "USDC") == Decimal("10.00")
    assert ledger.balance(ESCROW, "USDC") == 0 and ledger.is_balanced()


def test_penalty_breach_splits_the_price_and_forfeits_the_bond() -> None:
    ledger = ledger_after_award()
    s = settle(ledger, "r", make_contract(), verdict("breached", 1.0, 1, "penalty"), NOW)
    assert flows(s) == [
        (ESCROW, D, "2.50", "penalty"),
        (ESCROW, C, "2.50", "payment"),
        (BOND, D, "0.50", "bond_forfeit"),
    ]
    assert s.breached_clause_index == 1 and s.total.amount == Decimal("5.50")
    assert ledger.balance(D, "USDC") == Decimal("48.00") and ledger.is_balanced()


def test_default_breach_refunds_forfeits_and_charges_the_replacement() -> None:
    ledger = ledger_after_award()
    s = settle(
        ledger,
        "r",
        make_contract(),
        verdict("breached", 0.4, 3, "monitoring"),
        NOW,
        replacement=usdc("6.00"),
    )
    assert flows(s) == [
        (ESCROW, D, "5.00", "refund"),
        (BOND, D, "0.50", "bond_forfeit"),
        (C, D, "1.00", "replacement_difference"),
    ]
    assert ledger.balance(C, "USDC") == Decimal("3.50")  # 5 - 0.50 bond - 1.00 difference
    assert ledger.is_balanced()


def test_cheaper_replacement_charges_nothing() -> None:
    ledger = ledger_after_award()
    s = settle(
        ledger,
        "r",
        make_contract(),
        verdict("breached", 0.4, 3, "monitoring"),
        NOW,
        replacement=usdc("3.00"),
    )
    assert [f[3] for f in flows(s)] == ["refund", "bond_forfeit"]


def test_cancellation_pays_pro_rata_and_returns_the_bond() -> None:
    ledger = ledger_after_award()
    s = settle(ledger, "r", make_contract(), verdict("cancelled", 0.4), NOW)
    assert flows(s) == [
        (ESCROW, C, "2.00", "compensation"),
        (ESCROW, D, "3.00", "refund"),
        (BOND, C, "0.50", "bond_return"),
    ]


def test_milestone_compensation() -> None:
    policy = ContractPolicy(
        milestones=(
            Milestone(progress=0.3, payout_fraction=0.25),
            Milestone(progress=0.8, payout_fraction=0.7),
        )
    )
    c = make_contract(policy=policy)
    assert compensation(c, 0.2) == 0
    assert compensation(c, 0.5) == Decimal("1.25")
    assert compensation(c, 0.9) == Decimal("3.50")


def test_settling_twice_pays_once() -> None:
    ledger = ledger_after_award()
    first = settle(ledger, "r", make_contract(), verdict("completed"), NOW)
    second = settle(ledger, "r", make_contract(), verdict("completed"), NOW)
    assert first == second
    assert ledger.balance(C, "USDC") == Decimal("10.00")
    assert len(run_payments(ledger, "r")) == 4  # bond escrow, escrow, payment, bond return


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("12"), places=2),
    st.decimals(min_value=Decimal("0.50"), max_value=Decimal("2"), places=2),
    st.sampled_from(["completed", "cancelled", "penalty", "default"]),
    st.floats(min_value=0, max_value=1),
    st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2)),
)
def test_every_outcome_empties_escrow_and_conserves_money(
    price: Decimal, bond: Decimal, kind: str, progress: float, replacement: Decimal | None
) -> None:
    contract = make_contract(str(price), str(bond))
    bid = make_bid(C, price=usdc(str(price)), reputation_bond=usdc(str(bond)))
    with Ledger(":memory:") as ledger:
        fund(ledger, "r", {D: usdc("50"), C: usdc("5")})
        escrow_bonds(ledger, "r", [bid])
        escrow_payment(ledger, "r", D, bid)
        v = {
            "completed": verdict("completed"),
            "cancelled": verdict("cancelled", round(progress, 4)),
            "penalty": verdict("breached", 1.0, 1, "penalty"),
            "default": verdict("breached", round(progress, 4), 3, "monitoring"),
        }[kind]
        settle(
            ledger,
            "r",
            contract,
            v,
            NOW,
            replacement=usdc(str(replacement)) if replacement else None,
        )
        balances = ledger.balances("USDC")
        assert ledger.is_balanced()
        assert balances.get(ESCROW, Decimal(0)) == 0 and balances.get(BOND, Decimal(0)) == 0
        assert balances[D] + balances[C] == Decimal("55")  # nothing created or lost
        assert balances[C] >= Decimal("5") - bond - max(Decimal(0), (replacement or 0) - price)


def _negotiation_ledger(delegator: str, contractor: str) -> tuple[Ledger, list[Bid]]:
    ledger = Ledger(":memory:")
    bids = [make_bid(C), make_bid(L)]
    fund(ledger, "r", {D: usdc(delegator), C: usdc(contractor), L: usdc("1")})
    escrow_bonds(ledger, "r", bids)
    return ledger, bids


def test_negotiated_price_and_bond_are_escrowed_and_losers_paid_back() -> None:
    ledger, bids = _negotiation_ledger("10", "1")
    escrow_negotiated(ledger, "r", D, bids, C, usdc("6.00"), usdc("1.00"))
    assert ledger.balance(ESCROW, "USDC") == Decimal("6.00")
    assert ledger.balance(BOND, "USDC") == Decimal("1.00")
    assert ledger.balance(C, "USDC") == 0 and ledger.balance(L, "USDC") == Decimal("1")
    assert ledger.is_balanced()


def test_a_delegator_who_cannot_pay_the_agreed_price_posts_nothing() -> None:
    ledger, bids = _negotiation_ledger("5.50", "1")
    with pytest.raises(InsufficientFundsError):
        escrow_negotiated(ledger, "r", D, bids, C, usdc("6.00"), usdc("0.50"))
    assert ledger.balance(D, "USDC") == Decimal("5.50")
    assert ledger.balance(ESCROW, "USDC") == 0
    escrow_payment(ledger, "r", D, bids[0])  # the sealed award can still be escrowed
    assert ledger.balance(ESCROW, "USDC") == Decimal("5.00")


def test_a_contractor_who_cannot_raise_its_bond_leaves_no_price_in_escrow() -> None:
    ledger, bids = _negotiation_ledger("10", "0.70")  # 0.20 left after its 0.50 bond
    with pytest.raises(InsufficientFundsError):
        escrow_negotiated(ledger, "r", D, bids, C, usdc("6.00"), usdc("1.00"))
    assert ledger.balance(D, "USDC") == Decimal("10")
    assert ledger.balance(ESCROW, "USDC") == 0
    assert ledger.balance(C, "USDC") == Decimal("0.20")
    assert ledger.balance(BOND, "USDC") == Decimal("0.50") and ledger.is_balanced()
