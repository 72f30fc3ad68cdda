"""Self-contained rules of the wire models, each error located at its field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import rfc8785
from pydantic import ValidationError

from negotiator.money import Money
from negotiator.trust import derive_key
from negotiator.wire import (
    PRIVACY_RANK,
    Answer,
    Award,
    Bid,
    CancellationCompensation,
    Comparator,
    CompensationMethod,
    Contract,
    MonitoringAgreement,
    Offer,
    OfferType,
    Payment,
    PaymentReason,
    Predicate,
    PrivacyLevel,
    ProgressReport,
    ReportStatus,
    Settlement,
    Signature,
    TaskSpec,
    Terms,
    WireModel,
    canonical_json,
    privacy_satisfies,
    sha256_hex,
)

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def locs(model: type[WireModel], data: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [e["loc"] for e in caught.value.errors()]


def dump(obj: WireModel) -> dict[str, Any]:
    return obj.model_dump()


def test_models_are_frozen_and_closed(sample: dict[str, WireModel]) -> None:
    bid = sample["bid"]
    assert isinstance(bid, Bid)
    with pytest.raises(ValidationError):
        bid.price = usdc("1")  # type: ignore[misc]
    assert locs(type(bid), dump(bid) | {"colour": "red"}) == [("colour",)]


def test_seed_task_is_expressible(sample: dict[str, WireModel]) -> None:
    task = sample["task"]
    assert isinstance(task, TaskSpec)
    (req,) = task.performance_requirements
    assert (req.metric, req.comparator, req.threshold, req.unit) == (
        "lighthouse_performance_delta",
        Comparator.GE,
        20.0,
        "percent",
    )
    assert task.min_bond.currency == task.budget.currency == "USDC"


def test_task_currencies_must_agree(sample: dict[str, WireModel]) -> None:
    data = dump(sample["task"]) | {"min_bond": Money(amount=Decimal(1), currency="EUR")}
    assert locs(TaskSpec, data) == [("min_bond", "currency")]


def test_bid_expiry_needs_a_time_zone(sample: dict[str, WireModel]) -> None:
    data = dump(sample["bid"]) | {"expiry": datetime(2026, 10, 1)}
    assert locs(type(sample["bid"]), data) == [("expiry",)]


def test_privacy_order() -> None:
    assert [PRIVACY_RANK[p] for p in PrivacyLevel] == [0, 1, 2, 3, 4]
    assert privacy_satisfies(PrivacyLevel.TEE, PrivacyLevel.LOCAL)
    assert privacy_satisfies(PrivacyLevel.TEE, PrivacyLevel.TEE)
    assert not privacy_satisfies(PrivacyLevel.LOCAL, PrivacyLevel.TEE)


@pytest.mark.parametrize(
    ("op", "value", "threshold", "expected"),
    [
        (">=", 20.0, 20.0, True),
        (">", 20.0, 20.0, False),
        ("<=", 19.9, 20.0, True),
        ("<", 20.0, 20.0, False),
        ("==", False, False, True),
        ("!=", True, False, True),
    ],
)
def test_comparator(op: str, value: float, threshold: float, expected: bool) -> None:
    assert Comparator(op).apply(value, threshold) is expected


def test_boolean_predicate_only_with_equality() -> None:
    assert Predicate(subject="ok", comparator=Comparator.NE, threshold=True).threshold is True
    assert Predicate(subject="x", comparator=Comparator.GE, threshold=1).threshold == 1.0
    with pytest.raises(ValidationError, match="only be compared with == or !="):
        Predicate(subject="ok", comparator=Comparator.GE, threshold=True)


def test_cancellation_milestones_follow_the_method() -> None:
    with pytest.raises(ValidationError, match="needs at least one milestone"):
        CancellationCompensation(method=CompensationMethod.MILESTONES)
    with pytest.raises(ValidationError, match="strictly increasing"):
        CancellationCompensation.model_validate(
            {
                "method": "milestones",
                "milestones": [
                    {"progress": 0.5, "payout_fraction": 0.6},
                    {"progress": 0.5, "payout_fraction": 0.7},
                ],
            }
        )


def test_contract_signatures_bind_the_terms(sample: dict[str, WireModel]) -> None:
    contract = sample["contract"]
    assert isinstance(contract, Contract)
    assert contract.fully_signed
    assert {s.terms_sha256 for s in contract.signatures} == {contract.terms_hash()}
    assert contract.terms_hash() == sha256_hex(contract.terms_json())
    assert '"signatures"' not in contract.terms_json()
    assert contract.terms_json().encode() == rfc8785.dumps(
        {k: v for k, v in contract.model_dump(mode="json").items() if k != "signatures"}
    )
    changed = dump(contract) | {"wording": "Different words."}
    assert locs(Contract, changed) == [
        ("signatures", 0, "terms_sha256"),
        ("signatures", 1, "terms_sha256"),
    ]


def test_contract_signers_must_be_the_parties(sample: dict[str, WireModel]) -> None:
    contract = sample["contract"]
    assert isinstance(contract, Contract)
    unsigned = contract.model_copy(update={"signatures": ()})
    with pytest.raises(ValidationError, match="not a party"):
        unsigned.signed_by(derive_key("did:web:intruder.example", 0), T0)
    once = unsigned.signed_by(derive_key(contract.delegator_id, 0), T0)
    assert not once.fully_signed
    with pytest.raises(ValidationError, match="signed twice"):
        once.signed_by(derive_key(contract.delegator_id, 0), T0)
    forged = Signature(
        party_id=contract.contractor_id, terms_sha256="0" * 64, signed_at=T0, value="A" * 86
    )
    assert locs(Contract, dump(once) | {"signatures": (*once.signatures, forged)}) == [
        ("signatures", 1, "terms_sha256")
    ]


def test_contract_unique_clause_kinds_and_currency(sample: dict[str, WireModel]) -> None:
    contract = sample["contract"]
    assert isinstance(contract, Contract)
    extra = MonitoringAgreement(report_interval_seconds=60, max_missed_reports=1)
    data = dump(contract) | {"clauses": (*contract.clauses, extra), "signatures": ()}
    with pytest.raises(ValidationError, match="more than one monitoring clause"):
        Contract.model_validate(data)
    data = dump(contract) | {"bond": Money(amount=Decimal(1), currency="EUR"), "signatures": ()}
    assert locs(Contract, data) == [("bond", "currency")]


def test_canonical_json_is_order_independent() -> None:
    assert (
        canonical_json({"b": [1, {"d": 1, "c": 2}], "a": "é"}) == '{"a":"é","b":[1,{"c":2,"d":1}]}'
    )


def test_canonical_json_of_a_frozen_model_is_remembered_and_always_its_own() -> None:
    money = Money(amount=Decimal("5.00"), currency="USDC")
    text = canonical_json(money)
    assert text == '{"amount":"5.00","currency":"USDC"}'
    assert canonical_json(money) is text  # the same model: remembered
    other = Money(amount=Decimal("6.00"), currency="USDC")
    assert canonical_json(other) == '{"amount":"6.00","currency":"USDC"}'
    assert canonical_json(money.model_copy(update={"currency": "EUR"})) == (
        '{"amount":"5.00","currency":"EUR"}'
    )


def test_answer_rejects_repeated_question_ids() -> None:
    with pytest.raises(ValidationError, match="must not repeat"):
        Answer(task_id="t", question_ids=("q1", "q1"), text="yes", answered_by="d")


def test_offer_rules() -> None:
    base: dict[str, Any] = {"negotiation_id": "n", "round": 0, "sender": "a", "receiver": "b"}
    assert locs(Offer, base | {"message_type": "make_offer", "terms": Terms()}) == [("terms",)]
    assert locs(Offer, base | {"message_type": "accept_offer", "receiver": "a"}) == [("receiver",)]
    eur = Money(amount=Decimal(1), currency="EUR")
    assert locs(Terms, {"price": usdc("1"), "reputation_bond": eur}) == [
        ("reputation_bond", "currency")
    ]
    offer = Offer.model_validate(
        base | {"message_type": OfferType.LAST_OFFER, "terms": {"attributes": {"delivery": -1}}}
    )
    assert offer.terms is not None
    assert not offer.terms.is_empty()


def test_award_consistency(sample: dict[str, WireModel]) -> None:
    award = sample["award"]
    assert isinstance(award, Award)
    data = dump(award) | {"winner_id": "someone-else", "pareto_front": ("ghost",)}
    assert sorted(locs(Award, data)) == [
        ("pareto_front", 0),
        ("winner_id",),
        ("winning_bid", "bidder_id"),
    ]


def test_report_rules() -> None:
    base: dict[str, Any] = {"contract_id": "c", "sequence": 0, "timestamp": T0}
    report = ProgressReport.model_validate(
        base | {"progress": 0.4, "metrics": {"speed": 1.5}, "checks": {"tests_pass": False}}
    )
    assert report.value_of("speed") == 1.5
    assert report.value_of("tests_pass") is False
    assert report.value_of("absent") is None
    assert locs(ProgressReport, base | {"progress": 0.4, "status": ReportStatus.COMPLETED}) == [
        ("progress",)
    ]
    both = base | {"progress": 0.1, "metrics": {"x": 1.0}, "checks": {"x": True}}
    assert locs(ProgressReport, both) == [("checks", "x")]
    assert locs(ProgressReport, base | {"progress": 0.1, "metrics": {"x": float("nan")}}) == [
        ("metrics", "x")
    ]


def test_settlement_totals_and_nets() -> None:
    pay = Payment(
        from_account="escrow:c1", to_account="b", amount=usdc("5"), reason=PaymentReason.PAYMENT
    )
    back = Payment(
        from_account="bond:c1", to_account="b", amount=usdc("0.5"), reason=PaymentReason.BOND_RETURN
    )
    base: dict[str, Any] = {
        "id": "s1",
        "contract_id": "c1",
        "outcome": "completed",
        "settled_at": T0,
        "payments": (pay, back),
    }
    settlement = Settlement.model_validate(base | {"total": usdc("5.5")})
    assert settlement.net_by_account() == {
        "escrow:c1": Decimal("-5"),
        "bond:c1": Decimal("-0.5"),
        "b": Decimal("5.5"),
    }
    assert sum(settlement.net_by_account().values()) == 0
    assert locs(Settlement, base | {"total": usdc("5")}) == [("total", "amount")]
    eur = Money(amount=Decimal("5.5"), currency="EUR")
    assert locs(Settlement, base | {"total": eur}) == [
        ("payments", 0, "amount", "currency"),
        ("payments", 1, "amount", "currency"),
    ]
    breach = base | {"total": usdc("5.5"), "breached_clause_index": 1}
    assert locs(Settlement, breach) == [("breached_clause_index",)]


def test_payment_rules() -> None:
    data: dict[str, Any] = {
        "from_account": "a",
        "to_account": "a",
        "amount": usdc("0"),
        "reason": "refund",
    }
    assert locs(Payment, data) == [("to_account",), ("amount", "amount")]
