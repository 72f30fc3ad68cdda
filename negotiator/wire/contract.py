"""The agreement drafted after the award: :class:`Contract` with typed clauses and signatures.

Signing: each party signs the contract's *terms* — every field except ``signatures`` — with its
Ed25519 key (:mod:`negotiator.wire.signature`): ``terms_sha256`` is the SHA-256 of their
RFC 8785 canonical JSON. A signature whose hash does not match the terms is rejected here, so a
signed contract cannot be altered silently; whether the signature itself verifies needs the
parties' public keys (:func:`negotiator.wire.signing.signature_errors`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, Field, model_validator

from negotiator.money import Money
from negotiator.trust.canonical import canonical_bytes, sha256_of
from negotiator.wire.clauses import Clause
from negotiator.wire.common import (
    SCHEMA_VERSION,
    AgentId,
    Identifier,
    Loc,
    LongText,
    WireModel,
    check_currencies,
    rule_error,
)
from negotiator.wire.signature import SIGNATURE_FIELD, Signature, make_signature

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey

__all__ = ["Contract", "Signature"]

_UNIQUE_CLAUSES = frozenset(
    {"cancellation_compensation", "monitoring", "autonomy", "default_penalty"}
)


class Contract(WireModel):
    """A contract between a delegator and a contractor (seed 000, step 4).

    Example:
        >>> from datetime import datetime, timezone
        >>> from decimal import Decimal
        >>> usdc = lambda a: Money(amount=Decimal(a), currency="USDC")
        >>> c = Contract(id="c1", task_id="t1", delegator_id="acme",
        ...     contractor_id="did:web:fast-coder.ai", price=usdc("5.00"), bond=usdc("0.50"),
        ...     deadline_seconds=3600, created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> from negotiator.trust.keys import derive_key
        >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> acme, coder = derive_key("acme", 7), derive_key("did:web:fast-coder.ai", 7)
        >>> c.signed_by(acme, at).signed_by(coder, at).fully_signed
        True
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    id: Identifier = Field(description="Unique id of the contract.")
    task_id: Identifier = Field(description="Id of the task contracted.")
    delegator_id: AgentId = Field(description="Id of the party paying for the work.")
    contractor_id: AgentId = Field(description="Id of the party doing the work.")
    price: Money = Field(description="Reward paid on completion (escrowed at award).")
    bond: Money = Field(description="Contractor's reputation bond held in escrow.")
    deadline_seconds: int = Field(
        gt=0, le=31_536_000, description="Seconds from created_at to delivery."
    )
    created_at: AwareDatetime = Field(description="When the contract was drafted (RFC 3339).")
    clauses: tuple[Clause, ...] = Field(
        default=(),
        max_length=32,
        description="Machine-checkable clauses; at most one each of the non-performance kinds.",
    )
    wording: LongText = Field(default="", description="The contract in plain language.")
    signatures: tuple[Signature, ...] = Field(
        default=(),
        max_length=2,
        json_schema_extra=SIGNATURE_FIELD,
        description="Signatures of the delegator and the contractor over the terms.",
    )

    def terms(self) -> dict[str, object]:
        """Everything but the signatures, as JSON: the content both parties sign."""
        return self.model_dump(mode="json", exclude={"signatures"})

    def terms_json(self) -> str:
        """RFC 8785 canonical JSON of :meth:`terms`."""
        return canonical_bytes(self.terms()).decode("utf-8")

    def terms_hash(self) -> str:
        """Hex SHA-256 of :meth:`terms_json`."""
        return sha256_of(self.terms())

    def signed_by(self, key: AgentKey, at: datetime) -> Contract:
        """Return a copy with the signature of ``key``'s agent added.

        Raises:
            pydantic.ValidationError: the agent is not a party to the contract, or already signed.
        """
        signature = make_signature(self.terms(), key, at)
        data = self.model_dump()
        data["signatures"] = (*self.signatures, signature)
        return Contract.model_validate(data)

    @property
    def fully_signed(self) -> bool:
        """Whether both parties have signed."""
        return {s.party_id for s in self.signatures} == {self.delegator_id, self.contractor_id}

    @model_validator(mode="after")
    def _consistent(self) -> Contract:
        check_currencies("Contract", ("price",), {("price",): self.price, ("bond",): self.bond})
        problems: list[tuple[Loc, str, object]] = []
        if self.delegator_id == self.contractor_id:
            problems.append((("contractor_id",), "must differ from delegator_id", None))
        counts: Counter[str] = Counter(c.kind for c in self.clauses)
        problems.extend(
            (("clauses",), f"more than one {kind} clause", kind)
            for kind in sorted(_UNIQUE_CLAUSES)
            if counts[kind] > 1
        )
        problems.extend(self._signature_problems())
        if problems:
            raise rule_error("Contract", problems)
        return self

    def _signature_problems(self) -> list[tuple[Loc, str, object]]:
        parties = {self.delegator_id, self.contractor_id}
        expected = self.terms_hash() if self.signatures else ""
        problems: list[tuple[Loc, str, object]] = []
        seen: set[str] = set()
        for i, sig in enumerate(self.signatures):
            if sig.party_id not in parties:
                problems.append((("signatures", i, "party_id"), "not a party", sig.party_id))
            elif sig.party_id in seen:
                problems.append((("signatures", i, "party_id"), "signed twice", sig.party_id))
            seen.add(sig.party_id)
            if sig.terms_sha256 != expected:
                problems.append(
                    (("signatures", i, "terms_sha256"), "does not match the terms", expected)
                )
        return problems
