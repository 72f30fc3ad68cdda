"""The money movements that close a contract: :class:`Settlement` with :class:`Payment` entries.

This is the wire record of a settlement; the escrow ledger that produces and persists it lives
elsewhere. Accounts are named strings: an agent id, or a ledger account such as
``escrow:c1`` or ``bond:c1``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.money import Money
from negotiator.wire.common import (
    SCHEMA_VERSION,
    Identifier,
    Loc,
    Text,
    WireModel,
    check_currencies,
    rule_error,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, unsigned

__all__ = ["Account", "Payment", "PaymentReason", "Settlement", "SettlementOutcome"]

Account = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:%/-]*$",
        description="Ledger account: an agent id or e.g. escrow:c1, bond:c1.",
        examples=["escrow:c1", "did:web:fast-coder.ai"],
    ),
]


class SettlementOutcome(StrEnum):
    """How the contract ended."""

    COMPLETED = "completed"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class PaymentReason(StrEnum):
    """Why money moved."""

    ESCROW = "escrow"  # delegator's payment placed in escrow at award
    BOND_ESCROW = "bond_escrow"  # contractor's bond placed in escrow at bid
    PAYMENT = "payment"  # reward paid to the contractor
    PENALTY = "penalty"  # share of the reward forfeited under a penalty clause
    COMPENSATION = "compensation"  # paid to the contractor on cancellation
    BOND_RETURN = "bond_return"
    BOND_FORFEIT = "bond_forfeit"
    REPLACEMENT_DIFFERENCE = "replacement_difference"  # default penalty: extra replacement cost
    REFUND = "refund"  # unspent escrow back to the delegator
    REDELEGATION_FEE = "redelegation_fee"  # paid by the delegator for a switch of contractor


class Payment(WireModel):
    """One movement of money from one account to another."""

    from_account: Account = Field(description="Account debited.")
    to_account: Account = Field(description="Account credited.")
    amount: Money = Field(description="Amount moved; greater than zero.")
    reason: PaymentReason = Field(description="Why the money moved.")
    memo: Text = Field(default="", description="Optional detail, e.g. the clause applied.")

    @model_validator(mode="after")
    def _proper(self) -> Payment:
        problems: list[tuple[Loc, str, object]] = []
        if self.from_account == self.to_account:
            problems.append((("to_account",), "must differ from from_account", self.to_account))
        if self.amount.amount <= 0:
            problems.append((("amount", "amount"), "must be greater than 0", self.amount.amount))
        if problems:
            raise rule_error("Payment", problems)
        return self


class Settlement(WireModel):
    """The final money movements of a contract and their total.

    Rules checked here: every payment is in ``total``'s currency; ``total`` is the sum of the
    payment amounts; ``breached_clause_index`` is given only for a breach.

    Example:
        >>> from datetime import datetime, timezone
        >>> s = Settlement(id="s1", contract_id="c1", outcome=SettlementOutcome.COMPLETED,
        ...     total=Money(amount=Decimal("0"), currency="USDC"),
        ...     settled_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> s.net_by_account()
        {}
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    id: Identifier = Field(description="Unique id; settling the same id twice pays once.")
    contract_id: Identifier = Field(description="Id of the contract settled.")
    outcome: SettlementOutcome = Field(description="completed, breached or cancelled.")
    payments: tuple[Payment, ...] = Field(
        default=(), max_length=256, description="Money movements, in the order applied."
    )
    total: Money = Field(description="Sum of all payment amounts.")
    breached_clause_index: int | None = Field(
        default=None, ge=0, description="Index in the contract's clauses of the clause breached."
    )
    reason: Text = Field(default="", description="Why it ended this way, with the evidence.")
    settled_at: AwareDatetime = Field(description="When the settlement was made (RFC 3339).")
    signature: Signature | None = Field(
        default=None,
        exclude_if=unsigned,
        json_schema_extra=SIGNATURE_FIELD,
        description="The escrow holder's (the hub's) signature (see negotiator.wire.signature).",
    )

    def net_by_account(self) -> dict[str, Decimal]:
        """Net amount received by each account (credits minus debits), in ``total``'s currency."""
        net: defaultdict[str, Decimal] = defaultdict(Decimal)
        for p in self.payments:
            net[p.from_account] -= p.amount.amount
            net[p.to_account] += p.amount.amount
        return dict(net)

    @model_validator(mode="after")
    def _consistent(self) -> Settlement:
        check_currencies(
            "Settlement",
            ("total",),
            {("total",): self.total}
            | {("payments", i, "amount"): p.amount for i, p in enumerate(self.payments)},
        )
        problems: list[tuple[Loc, str, object]] = []
        paid = sum((p.amount.amount for p in self.payments), Decimal(0))
        if paid != self.total.amount:
            problems.append((("total", "amount"), f"is not the sum of payments ({paid})", paid))
        if (
            self.breached_clause_index is not None
            and self.outcome is not SettlementOutcome.BREACHED
        ):
            problems.append(
                (("breached_clause_index",), "only a breach names a clause", self.outcome)
            )
        if problems:
            raise rule_error("Settlement", problems)
        return self
