"""Escrow movements of one delegation and the final settlement, exactly once.

Accounts: a party's wallet is its agent id; the delegator's payment waits in ``escrow:<run>``;
each bidder's bond waits in ``bond:<run>:<bidder>``; money enters from ``external:funding``.
Escrow and bond accounts belong to one run, never to a task, so concurrent runs of one task on
shared books never count or pay out each other's stakes. Every debit is funds-checked by the
ledger in the posting's own transaction (any :class:`~negotiator.delegation.ledger.Books`:
SQLite or PostgreSQL).

Movements (every one a balanced ledger posting with an idempotency key ``<run>/<step>/...``, so
re-running a step after a crash and resume moves nothing twice):

* at bid opening, each valid bidder's bond is escrowed (``bond_escrow``);
* at award, the losers' bonds come back (``bond_return``) and the price is escrowed (``escrow``);
  after a negotiation the agreed price is escrowed instead and the contractor's bond moved to the
  agreed one (:func:`escrow_negotiated`);
* at settlement, by outcome (:data:`PLANNERS`):

  - **completed**: price to the contractor (``payment``), bond back (``bond_return``);
  - **cancelled**: the compensation — progress × price pro rata, or the last milestone's share —
    to the contractor (``compensation``), the rest back to the delegator (``refund``), bond back
    when the clause says so;
  - **breached, penalty clause**: the forfeited share of the price to the delegator
    (``penalty``), the rest to the contractor (``payment``: the work was delivered), the bond
    forfeited to the delegator (``bond_forfeit``) when the default-penalty clause says so;
  - **breached otherwise** (missed reports, unmet requirement, failure, deadline): the whole
    price back to the delegator (``refund``), the bond forfeited, and the price difference of the
    replacement (the next-ranked valid bid) paid by the contractor (``replacement_difference``)
    up to what its wallet holds (a wallet never goes below zero).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from negotiator.delegation.ledger import FUNDING_ACCOUNT, Books
from negotiator.delegation.monitoring import Verdict, VerdictKind
from negotiator.errors import InsufficientFundsError, lookup
from negotiator.money import Money, quantize
from negotiator.wire.bid import Bid
from negotiator.wire.clauses import (
    CancellationCompensation,
    CompensationMethod,
    DefaultPenalty,
    PenaltyClause,
)
from negotiator.wire.contract import Contract
from negotiator.wire.settlement import Payment, PaymentReason, Settlement, SettlementOutcome

__all__ = [
    "FUNDING_REASON",
    "PLANNERS",
    "Planned",
    "bond_account",
    "bond_key",
    "compensation",
    "escrow_account",
    "escrow_bonds",
    "escrow_negotiated",
    "escrow_payment",
    "fund",
    "return_losing_bonds",
    "run_payments",
    "settle",
]

FUNDING_REASON = "funding"


def escrow_account(run_id: str) -> str:
    """The escrow account holding the delegator's payment in run ``run_id``."""
    return f"escrow:{run_id}"


def bond_key(run_id: str, bidder_id: str) -> str:
    """The idempotency key of ``bidder_id``'s bond escrow in run ``run_id``."""
    return f"{run_id}/bond/{bidder_id}"


def bond_account(run_id: str, bidder_id: str) -> str:
    """The escrow account holding ``bidder_id``'s bond in run ``run_id``."""
    return f"bond:{run_id}:{bidder_id}"


@dataclass(frozen=True)
class Planned:
    """A payment the settlement will post (nothing is posted for a zero amount)."""

    source: str
    target: str
    amount: Money
    reason: PaymentReason
    memo: str = ""
    up_to: bool = False
    """Charge at most what ``source`` holds (instead of refusing when it holds less)."""


def _post(ledger: Books, key: str, p: Planned) -> Payment | None:
    if p.amount.amount <= 0:
        return None
    amount = p.amount
    if p.up_to:
        moved = ledger.transfer_up_to(key, p.source, p.target, amount, p.reason.value)
        if moved <= 0:
            return None
        amount = Money(amount=moved, currency=amount.currency)
    else:
        ledger.transfer(key, p.source, p.target, amount, p.reason.value)
    return Payment(
        from_account=p.source, to_account=p.target, amount=amount, reason=p.reason, memo=p.memo
    )


def _in(contract: Contract, amount: Decimal) -> Money:
    """``amount`` in the contract's currency."""
    return Money(amount=amount, currency=contract.price.currency)


def fund(ledger: Books, run_id: str, balances: Mapping[str, Money]) -> None:
    """Give each party its opening balance from ``external:funding`` (idempotent)."""
    for party, money in sorted(balances.items()):
        if money.amount > 0:
            ledger.transfer(f"{run_id}/fund/{party}", FUNDING_ACCOUNT, party, money, FUNDING_REASON)


def escrow_bonds(ledger: Books, run_id: str, bids: Sequence[Bid]) -> list[Payment]:
    """Escrow the bond of every valid bid (idempotent).

    Raises:
        InsufficientFundsError: a bidder cannot pay its bond (the bonds before it stay escrowed,
            each under its own key, so calling again after dropping that bid is safe).
    """
    out = []
    for bid in bids:
        p = Planned(
            bid.bidder_id,
            bond_account(run_id, bid.bidder_id),
            bid.reputation_bond,
            PaymentReason.BOND_ESCROW,
            "bond staked with bid",
        )
        pay = _post(ledger, bond_key(run_id, bid.bidder_id), p)
        out.extend([pay] if pay else [])
    return out


def return_losing_bonds(
    ledger: Books, run_id: str, bids: Sequence[Bid], winner_id: str | None
) -> list[Payment]:
    """Return the bonds of every valid bid that did not win (all of them when ``winner_id`` is
    ``None``: nothing was awarded) (idempotent)."""
    out = []
    for bid in bids:
        if bid.bidder_id == winner_id:
            continue
        p = Planned(
            bond_account(run_id, bid.bidder_id),
            bid.bidder_id,
            bid.reputation_bond,
            PaymentReason.BOND_RETURN,
            "bid not awarded",
        )
        pay = _post(ledger, f"{run_id}/bond-back/{bid.bidder_id}", p)
        out.extend([pay] if pay else [])
    return out


def escrow_payment(ledger: Books, run_id: str, delegator_id: str, bid: Bid) -> Payment | None:
    """Escrow the winning price from the delegator at award (idempotent).

    Raises:
        InsufficientFundsError: the delegator cannot pay the price (nothing was posted).
    """
    p = Planned(
        delegator_id,
        escrow_account(run_id),
        bid.price,
        PaymentReason.ESCROW,
        f"price of {bid.bidder_id}'s winning bid",
    )
    return _post(ledger, f"{run_id}/escrow", p)


def escrow_negotiated(  # noqa: PLR0917 - the negotiation's postings, spelled out
    ledger: Books,
    run_id: str,
    delegator_id: str,
    bids: Sequence[Bid],
    contractor_id: str,
    price: Money,
    bond: Money,
) -> list[Payment]:
    """After a negotiation: escrow the agreed price, move the contractor's escrowed bond to the
    agreed bond, and return every other bond (idempotent, like the award's postings).

    Every debit is funds-checked in its posting's transaction. The agreed price is escrowed under
    its own key (``<run>/escrow-negotiated``), so when a party cannot pay nothing of the deal
    stays posted (a price already escrowed goes back to the delegator, ``refund``) and the caller
    can still escrow the sealed award (:func:`escrow_payment`) instead.

    Args:
        bids: the valid bids (their bonds were escrowed when the bids were opened).
        contractor_id: who the contract goes to.
        price: the contract's price; ``bond``: the contract's bond.

    Raises:
        InsufficientFundsError: the delegator cannot pay the agreed price, or the contractor
            cannot raise its bond to the agreed one (no bond was returned yet).
    """
    sealed = next(b for b in bids if b.bidder_id == contractor_id)
    escrow = escrow_account(run_id)
    agreed = Planned(
        delegator_id, escrow, price, PaymentReason.ESCROW, f"price agreed with {contractor_id}"
    )
    paid = _post(ledger, f"{run_id}/escrow-negotiated", agreed)
    account = bond_account(run_id, contractor_id)
    diff = bond.amount - sealed.reputation_bond.amount
    change = Money(amount=abs(diff), currency=bond.currency)
    adjust = (
        Planned(contractor_id, account, change, PaymentReason.BOND_ESCROW, "bond raised")
        if diff > 0
        else Planned(account, contractor_id, change, PaymentReason.BOND_RETURN, "bond lowered")
    )
    try:
        moved = _post(ledger, f"{run_id}/bond-adjust/{contractor_id}", adjust)
    except InsufficientFundsError:
        back = Planned(escrow, delegator_id, price, PaymentReason.REFUND, "agreed bond not staked")
        _post(ledger, f"{run_id}/escrow-negotiated-back", back)
        raise
    out = [p for p in (paid, moved) if p]
    return out + return_losing_bonds(ledger, run_id, bids, contractor_id)


def _clause(contract: Contract, kind: type) -> object | None:
    return next((c for c in contract.clauses if isinstance(c, kind)), None)


def compensation(contract: Contract, progress: float) -> Decimal:
    """Return what a cancellation at ``progress`` pays the contractor under the contract.

    Example:
        >>> from datetime import UTC
        >>> from negotiator.money import Money
        >>> c = Contract(id="c1", task_id="t1", delegator_id="d", contractor_id="c",
        ...     price=Money(amount=Decimal("5.00"), currency="USDC"),
        ...     bond=Money(amount=Decimal("0.50"), currency="USDC"), deadline_seconds=3600,
        ...     created_at=datetime(2026, 1, 1, tzinfo=UTC),
        ...     clauses=(CancellationCompensation(method="pro_rata"),))
        >>> compensation(c, 0.4)
        Decimal('2.00')
    """
    clause = _clause(contract, CancellationCompensation)
    if not isinstance(clause, CancellationCompensation):
        return Decimal(0)
    if clause.method is CompensationMethod.PRO_RATA:
        share = Decimal(str(progress))
    else:
        reached = [m.payout_fraction for m in clause.milestones if m.progress <= progress]
        share = Decimal(str(reached[-1])) if reached else Decimal(0)
    return quantize(contract.price.amount * share * Decimal(str(clause.rate)))


def _bond_back(contract: Contract, run_id: str, memo: str) -> Planned:
    bond = bond_account(run_id, contract.contractor_id)
    return Planned(bond, contract.contractor_id, contract.bond, PaymentReason.BOND_RETURN, memo)


def _bond_forfeit(contract: Contract, run_id: str, memo: str) -> Planned:
    bond = bond_account(run_id, contract.contractor_id)
    return Planned(bond, contract.delegator_id, contract.bond, PaymentReason.BOND_FORFEIT, memo)


def _plan_completed(
    c: Contract, v: Verdict, replacement: Money | None, run_id: str
) -> list[Planned]:
    escrow = escrow_account(run_id)
    return [
        Planned(escrow, c.contractor_id, c.price, PaymentReason.PAYMENT, "work accepted"),
        _bond_back(c, run_id, "contract fulfilled"),
    ]


def _plan_cancelled(
    c: Contract, v: Verdict, replacement: Money | None, run_id: str
) -> list[Planned]:
    escrow = escrow_account(run_id)
    clause = _clause(c, CancellationCompensation)
    paid = compensation(c, v.progress)
    memo = f"cancelled at progress {v.progress:.0%}"
    plan = [
        Planned(escrow, c.contractor_id, _in(c, paid), PaymentReason.COMPENSATION, memo),
        Planned(escrow, c.delegator_id, _in(c, c.price.amount - paid), PaymentReason.REFUND, memo),
    ]
    returned = not isinstance(clause, CancellationCompensation) or clause.bond_returned
    plan.append(_bond_back(c, run_id, memo) if returned else _bond_forfeit(c, run_id, memo))
    return plan


def _bond_on_breach(c: Contract, run_id: str, memo: str) -> Planned:
    default = _clause(c, DefaultPenalty)
    forfeit = not isinstance(default, DefaultPenalty) or default.bond_forfeited
    return _bond_forfeit(c, run_id, memo) if forfeit else _bond_back(c, run_id, memo)


def _plan_breached(
    c: Contract, v: Verdict, replacement: Money | None, run_id: str
) -> list[Planned]:
    escrow = escrow_account(run_id)
    memo = f"breach of clause {v.clause_index} ({v.clause_kind}): {v.evidence}"
    clause = c.clauses[v.clause_index] if v.clause_index is not None else None
    if isinstance(clause, PenaltyClause):
        penalty = quantize(c.price.amount * Decimal(str(clause.forfeit_fraction)))
        return [
            Planned(escrow, c.delegator_id, _in(c, penalty), PaymentReason.PENALTY, memo),
            Planned(
                escrow,
                c.contractor_id,
                _in(c, c.price.amount - penalty),
                PaymentReason.PAYMENT,
                "work delivered, less the penalty",
            ),
            _bond_on_breach(c, run_id, memo),
        ]
    plan = [
        Planned(escrow, c.delegator_id, c.price, PaymentReason.REFUND, memo),
        _bond_on_breach(c, run_id, memo),
    ]
    default = _clause(c, DefaultPenalty)
    if (
        isinstance(default, DefaultPenalty)
        and default.replacement_price_difference_charged
        and replacement is not None
        and replacement.amount > c.price.amount
    ):
        plan.append(
            Planned(
                c.contractor_id,
                c.delegator_id,
                _in(c, replacement.amount - c.price.amount),
                PaymentReason.REPLACEMENT_DIFFERENCE,
                "replacement costs more",
                up_to=True,
            )
        )
    return plan


Planner = Callable[[Contract, Verdict, Money | None, str], list[Planned]]
"""(contract, final verdict, replacement price, run id) -> the payments to post."""

#: verdict kind -> the payments it settles with.
PLANNERS: Mapping[str, Planner] = MappingProxyType(
    {
        VerdictKind.COMPLETED.value: _plan_completed,
        VerdictKind.CANCELLED.value: _plan_cancelled,
        VerdictKind.BREACHED.value: _plan_breached,
    }
)


def settle(
    ledger: Books,
    run_id: str,
    contract: Contract,
    verdict: Verdict,
    now: datetime,
    *,
    replacement: Money | None = None,
) -> Settlement:
    """Post the settlement of ``contract`` for the final ``verdict``, exactly once.

    Args:
        replacement: the price of the next-ranked valid bid (for the default penalty).

    Raises:
        UnknownKeyError: ``verdict`` is not final (``continue``).

    Example:
        >>> from datetime import UTC
        >>> c = Contract(id="c1", task_id="t1", delegator_id="d", contractor_id="c",
        ...     price=Money(amount=Decimal("5.00"), currency="USDC"),
        ...     bond=Money(amount=Decimal("0.50"), currency="USDC"), deadline_seconds=3600,
        ...     created_at=datetime(2026, 1, 1, tzinfo=UTC))
        >>> from negotiator.delegation.ledger import Ledger
        >>> done = Verdict(kind="completed", tick=4, at=c.created_at, progress=1.0)
        >>> with Ledger(":memory:") as ledger:
        ...     fund(ledger, "run-1", {"d": c.price, "c": c.bond})
        ...     _ = ledger.transfer("e", "d", escrow_account("run-1"), c.price, "escrow")
        ...     _ = ledger.transfer("b", "c", bond_account("run-1", "c"), c.bond, "bond_escrow")
        ...     first = settle(ledger, "run-1", c, done, c.created_at)
        ...     again = settle(ledger, "run-1", c, done, c.created_at)
        ...     ledger.balance("c", "USDC"), len(ledger.postings())
        (Decimal('5.50'), 6)
    """
    planner = lookup(PLANNERS, verdict.kind.value, "final verdict")
    plan = planner(contract, verdict, replacement, run_id)
    payments = []
    for i, p in enumerate(plan):
        pay = _post(ledger, f"{run_id}/settle/{i}/{p.reason.value}", p)
        payments.extend([pay] if pay else [])
    total = sum((p.amount.amount for p in payments), Decimal(0))
    currency = contract.price.currency
    return Settlement(
        id=f"settlement-{contract.id}",
        contract_id=contract.id,
        outcome=SettlementOutcome(verdict.kind.value),
        payments=tuple(payments),
        total=Money(amount=total, currency=currency),
        breached_clause_index=verdict.clause_index
        if verdict.kind is VerdictKind.BREACHED
        else None,
        reason=verdict.evidence,
        settled_at=now,
    )


def run_payments(ledger: Books, run_id: str) -> list[Payment]:
    """Every payment of run ``run_id`` in posting order (opening balances excluded)."""
    prefix = f"{run_id}/"
    return [
        Payment(
            from_account=t.source,
            to_account=t.target,
            amount=t.amount,
            reason=PaymentReason(t.reason),
        )
        for t in ledger.transfers(prefix)
        if t.reason != FUNDING_REASON
    ]
