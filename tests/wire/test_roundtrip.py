"""Every wire model round-trips through JSON and validates against its committed schema."""

from __future__ import annotations

import json
import operator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.money import Money
from negotiator.trust import KeyRegistry, derive_key
from negotiator.wire import (
    Answer,
    Autonomy,
    AutonomyLevel,
    Award,
    Bid,
    BidRejection,
    BidScore,
    CancellationCompensation,
    Comparator,
    CompensationMethod,
    Contract,
    DefaultPenalty,
    Faq,
    FaqEntry,
    Level,
    Milestone,
    MonitoringAgreement,
    Offer,
    OfferType,
    Payment,
    PaymentReason,
    PenaltyClause,
    PerformanceRequirement,
    Predicate,
    PrivacyLevel,
    ProgressReport,
    Question,
    RejectionReason,
    ReportStatus,
    ResourceBounds,
    Settlement,
    SettlementOutcome,
    TaskSpec,
    Terms,
    WireModel,
    sign,
    signature_errors,
)
from negotiator.wire.kinds import KINDS
from negotiator.wire.paths import make_validator
from negotiator.wire.schemas import load_schema
from negotiator.wire.signing import SIGNER_FIELD
from negotiator.wire.validation import validate_raw

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + _LOWER.upper() + "0123456789"


def _word(first: str, rest: str, max_size: int) -> st.SearchStrategy[str]:
    return st.builds(operator.add, st.sampled_from(first), st.text(rest, max_size=max_size))


ids = _word(_ALNUM, _ALNUM + "._:-", 24)
agents = st.one_of(
    st.builds("did:web:{}.ai".format, st.text(_LOWER + "0123456789-", min_size=1, max_size=12)),
    _word(_ALNUM, _ALNUM + "._-", 24),
)
names = _word(_LOWER, _LOWER + "0123456789_", 20)
fractions = st.floats(min_value=0, max_value=1)
finite = st.floats(allow_nan=False, allow_infinity=False)
currencies = st.sampled_from(["USDC", "USD", "EUR", "KRW"])
zones = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))])
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
seconds = st.integers(min_value=1, max_value=86_400)


_BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_PRINTABLE = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=_BIDI_CONTROLS)


def texts(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Free text without control characters (the wire's text patterns forbid them)."""
    return st.text(_PRINTABLE, min_size=min_size, max_size=max_size)


@st.composite
def amounts(draw: st.DrawFn, whole_digits: int = 12) -> Decimal:
    places = draw(st.integers(0, 6))
    whole = draw(st.integers(0, 10**whole_digits - 1))
    if places == 0:
        return Decimal(whole)
    return Decimal(f"{whole}.{draw(st.integers(0, 10**places - 1)):0{places}d}")


def money(currency: str, whole_digits: int = 12) -> st.SearchStrategy[Money]:
    return st.builds(Money, amount=amounts(whole_digits), currency=st.just(currency))


@st.composite
def predicates(draw: st.DrawFn) -> Predicate:
    if draw(st.booleans()):
        comparator = draw(st.sampled_from([Comparator.EQ, Comparator.NE]))
        return Predicate(subject=draw(names), comparator=comparator, threshold=draw(st.booleans()))
    return Predicate(
        subject=draw(names), comparator=draw(st.sampled_from(Comparator)), threshold=draw(finite)
    )


performance = st.builds(
    PerformanceRequirement,
    metric=names,
    comparator=st.sampled_from(Comparator),
    threshold=finite,
    unit=texts(20),
)


@st.composite
def milestones(draw: st.DrawFn) -> tuple[Milestone, ...]:
    progress = sorted(draw(st.sets(fractions, min_size=1, max_size=4)))
    payouts = sorted(draw(st.lists(fractions, min_size=len(progress), max_size=len(progress))))
    return tuple(
        Milestone(progress=p, payout_fraction=f) for p, f in zip(progress, payouts, strict=True)
    )


@st.composite
def cancellations(draw: st.DrawFn) -> CancellationCompensation:
    if draw(st.booleans()):
        return CancellationCompensation(
            method=CompensationMethod.MILESTONES,
            milestones=draw(milestones()),
            bond_returned=draw(st.booleans()),
        )
    return CancellationCompensation(
        method=CompensationMethod.PRO_RATA, bond_returned=draw(st.booleans())
    )


@st.composite
def clause_sets(draw: st.DrawFn) -> tuple[Any, ...]:
    clauses: list[Any] = draw(st.lists(performance, max_size=3))
    clauses += draw(
        st.lists(
            st.builds(PenaltyClause, trigger=predicates(), forfeit_fraction=fractions), max_size=2
        )
    )
    optional = [
        cancellations(),
        st.builds(
            MonitoringAgreement,
            report_interval_seconds=seconds,
            max_missed_reports=st.integers(1, 10),
        ),
        st.builds(AutonomyLevel, level=st.sampled_from(Autonomy), note=texts(50)),
        st.builds(
            DefaultPenalty,
            bond_forfeited=st.booleans(),
            replacement_price_difference_charged=st.booleans(),
        ),
    ]
    for strategy in optional:
        if draw(st.booleans()):
            clauses.append(draw(strategy))
    return tuple(draw(st.permutations(clauses)))


@st.composite
def tasks(draw: st.DrawFn) -> TaskSpec:
    cur = draw(currencies)
    return TaskSpec(
        id=draw(ids),
        delegator_id=draw(agents),
        title=draw(texts(200, 1)),
        description=draw(texts(300, 1)),
        input_requirements=tuple(draw(st.lists(texts(50, 1), max_size=3))),
        output_requirements=tuple(draw(st.lists(texts(50, 1), max_size=3))),
        role=draw(texts(50, 1)),
        resource_bounds=ResourceBounds(
            max_cpu_seconds=draw(st.none() | st.floats(min_value=0.001, max_value=1e9)),
            max_memory_mb=draw(st.none() | st.integers(1, 10**6)),
            max_tokens=draw(st.none() | st.integers(1, 10**9)),
        ),
        budget=draw(money(cur)),
        deadline_seconds=draw(st.integers(1, 31_536_000)),
        reporting_interval_seconds=draw(seconds),
        required_capabilities=tuple(draw(st.lists(texts(30, 1), max_size=3))),
        required_certifications=tuple(draw(st.lists(texts(30, 1), max_size=3))),
        min_reputation=draw(fractions),
        criticality=draw(st.sampled_from(Level)),
        uncertainty=draw(st.sampled_from(Level)),
        privacy_requirement=draw(st.sampled_from(PrivacyLevel)),
        min_bond=draw(money(cur)),
        performance_requirements=tuple(draw(st.lists(performance, max_size=2))),
        faq=tuple(draw(st.lists(faq_entries, max_size=2))),
        notes=tuple(draw(st.lists(texts(60), max_size=2))),
    )


faq_entries = st.builds(
    FaqEntry,
    question=texts(80, 1),
    answer=texts(80, 1),
    question_ids=st.lists(ids, max_size=3).map(tuple),
)


@st.composite
def bids(draw: st.DrawFn, bidder: str | None = None, task_id: str | None = None) -> Bid:
    cur = draw(currencies)
    return Bid(
        bidder_id=bidder if bidder is not None else draw(agents),
        task_id=task_id if task_id is not None else draw(ids),
        price=draw(money(cur)),
        estimated_duration_seconds=draw(st.integers(1, 31_536_000)),
        claimed_quality=draw(fractions),
        privacy_guarantee=draw(st.sampled_from(PrivacyLevel)),
        reputation_bond=draw(money(cur)),
        expiry=draw(times),
        offered_reporting_interval_seconds=draw(seconds),
        rationale=draw(texts(200)),
    )


@st.composite
def offers(draw: st.DrawFn) -> Offer:
    sender, receiver = draw(st.lists(agents, min_size=2, max_size=2, unique=True))
    kind = draw(st.sampled_from(OfferType))
    cur = draw(currencies)
    terms = Terms(
        price=draw(money(cur)),
        estimated_duration_seconds=draw(st.none() | st.integers(1, 10**6)),
        claimed_quality=draw(st.none() | fractions),
        reputation_bond=draw(st.none() | money(cur)),
        reporting_interval_seconds=draw(st.none() | seconds),
        attributes=draw(st.dictionaries(names, finite, max_size=3)),
    )
    return Offer(
        negotiation_id=draw(ids),
        task_id=draw(st.none() | ids),
        round=draw(st.integers(0, 1000)),
        sender=sender,
        receiver=receiver,
        message_type=kind,
        terms=draw(st.none() | st.just(terms))
        if kind.value.endswith(("accept_offer", "broken"))
        else terms,
        message=draw(texts(100)),
    )


@st.composite
def awards(draw: st.DrawFn) -> Award:
    bidders = draw(st.lists(agents, min_size=1, max_size=4, unique=True))
    winner = draw(st.sampled_from(bidders))
    task_id = draw(ids)
    scores = tuple(
        BidScore(
            bidder_id=b,
            objectives=draw(st.dictionaries(names, finite, max_size=3)),
            on_pareto_front=draw(st.booleans()),
            score=draw(finite),
            rank=i + 1,
        )
        for i, b in enumerate(bidders)
    )
    rejected = BidRejection(
        bidder_id=draw(agents),
        reasons=(RejectionReason(path="$.price.amount", message=draw(texts(50))),),
    )
    return Award(
        task_id=task_id,
        winner_id=winner,
        winning_bid=draw(bids(bidder=winner, task_id=task_id)),
        scores=scores,
        pareto_front=tuple(draw(st.lists(st.sampled_from(bidders), unique=True))),
        rejected=draw(st.sampled_from([(), (rejected,)])),
        reason=draw(texts(100)),
        awarded_at=draw(times),
    )


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    delegator, contractor = draw(st.lists(agents, min_size=2, max_size=2, unique=True))
    cur = draw(currencies)
    contract = Contract(
        id=draw(ids),
        task_id=draw(ids),
        delegator_id=delegator,
        contractor_id=contractor,
        price=draw(money(cur)),
        bond=draw(money(cur)),
        deadline_seconds=draw(st.integers(1, 31_536_000)),
        created_at=draw(times),
        clauses=draw(clause_sets()),
        wording=draw(texts(300)),
    )
    for party in draw(st.sampled_from([(), (delegator,), (delegator, contractor)])):
        contract = contract.signed_by(derive_key(party, 0), draw(times))
    return contract


@st.composite
def reports(draw: st.DrawFn) -> ProgressReport:
    metric_names = draw(st.lists(names, max_size=6, unique=True))
    split = draw(st.integers(0, len(metric_names)))
    status = draw(st.sampled_from(ReportStatus))
    progress = 1.0 if status is ReportStatus.COMPLETED else draw(fractions)
    return ProgressReport(
        contract_id=draw(ids),
        sequence=draw(st.integers(0, 10_000)),
        timestamp=draw(times),
        progress=progress,
        status=status,
        metrics={n: draw(finite) for n in metric_names[:split]},
        checks={n: draw(st.booleans()) for n in metric_names[split:]},
        notes=draw(texts(100)),
    )


@st.composite
def settlements(draw: st.DrawFn) -> Settlement:
    cur = draw(currencies)
    accounts = st.lists(agents, min_size=2, max_size=2, unique=True)
    payments = []
    for _ in range(draw(st.integers(0, 4))):
        source, target = draw(accounts)
        amount = draw(money(cur, whole_digits=10).filter(lambda m: m.amount > 0))
        reason = draw(st.sampled_from(PaymentReason))
        payments.append(
            Payment(from_account=source, to_account=target, amount=amount, reason=reason)
        )
    outcome = draw(st.sampled_from(SettlementOutcome))
    breached = (
        draw(st.none() | st.integers(0, 5)) if outcome is SettlementOutcome.BREACHED else None
    )
    return Settlement(
        id=draw(ids),
        contract_id=draw(ids),
        outcome=outcome,
        payments=tuple(payments),
        total=Money(amount=sum((p.amount.amount for p in payments), Decimal(0)), currency=cur),
        breached_clause_index=breached,
        reason=draw(texts(100)),
        settled_at=draw(times),
    )


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "answer": st.builds(
        Answer,
        task_id=ids,
        question_ids=st.lists(ids, min_size=1, max_size=4, unique=True).map(tuple),
        text=texts(200, 1),
        answered_by=agents,
    ),
    "award": awards(),
    "bid": bids(),
    "contract": contracts(),
    "faq": st.builds(Faq, task_id=ids, entries=st.lists(faq_entries, max_size=3).map(tuple)),
    "offer": offers(),
    "question": st.builds(
        Question,
        id=ids,
        task_id=ids,
        bidder_id=agents,
        text=texts(200, 1),
        about_field=st.none() | texts(30),
    ),
    "report": reports(),
    "settlement": settlements(),
    "task": tasks(),
}

KIND_NAMES = sorted(STRATEGIES)


def test_every_kind_has_a_strategy() -> None:
    assert set(STRATEGIES) == set(KINDS)


@pytest.mark.parametrize("kind", KIND_NAMES)
@given(data=st.data())
def test_round_trip_through_json_and_schema(kind: str, data: st.DataObject) -> None:
    """JSON text -> model is exact, the dump is schema-valid, and validate_raw accepts it."""
    obj: WireModel = data.draw(STRATEGIES[kind])
    text = obj.model_dump_json()
    again = KINDS[kind].model_validate_json(text, strict=True)
    assert again == obj
    assert again.model_dump_json() == text
    errors = list(make_validator(load_schema(kind)).iter_errors(obj.model_dump(mode="json")))
    assert [e.message for e in errors] == []
    assert validate_raw(kind, text) == obj


SIGNED_KIND_NAMES = ["award", "bid", "contract", "offer", "report", "settlement"]
_RECEIVER_NAMED = {"award": "did:web:delegator.example", "report": "did:web:contractor.example"}


def _signed(kind: str, obj: WireModel, at: datetime) -> tuple[WireModel, KeyRegistry, str | None]:
    """``obj`` signed by its author (an award's winning bid by its bidder, a contract by both)."""
    if isinstance(obj, Contract):
        both = obj.model_copy(update={"signatures": ()})
        for party in (obj.delegator_id, obj.contractor_id):
            both = both.signed_by(derive_key(party, 0), at)
        keys = [derive_key(p, 0) for p in (obj.delegator_id, obj.contractor_id)]
        return both, KeyRegistry.of(keys), None
    if isinstance(obj, Award):
        bid = sign(obj.winning_bid, derive_key(obj.winning_bid.bidder_id, 0), at)
        obj = obj.model_copy(update={"winning_bid": bid})
    author = SIGNER_FIELD[type(obj)]
    signer = getattr(obj, author) if author else _RECEIVER_NAMED.get(kind, "did:web:hub.example")
    keys = {signer, getattr(getattr(obj, "winning_bid", None), "bidder_id", signer)}
    return (
        sign(obj, derive_key(signer, 0), at),
        KeyRegistry.of(derive_key(k, 0) for k in keys),
        signer,
    )


@pytest.mark.parametrize("kind", SIGNED_KIND_NAMES)
@settings(max_examples=25)
@given(data=st.data())
def test_signatures_verify_after_a_json_round_trip_of_any_object(
    kind: str, data: st.DataObject
) -> None:
    """Any generated object of a signed kind, signed, verifies after JSON text -> model."""
    obj, registry, signer = _signed(kind, data.draw(STRATEGIES[kind]), data.draw(times))
    again = KINDS[kind].model_validate_json(
        obj.model_dump_json(indent=data.draw(st.sampled_from([None, 1])))
    )
    assert signature_errors(again, registry, signer=signer) == []
    assert (
        signature_errors(
            validate_raw(kind, json.loads(obj.model_dump_json())), registry, signer=signer
        )
        == []
    )
