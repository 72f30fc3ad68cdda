"""Sample wire objects: the seed-000 React-dashboard delegation, one valid object per kind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from negotiator.money import Money
from negotiator.trust import KeyRegistry, derive_did_key, keyring
from negotiator.wire import (
    Answer,
    Autonomy,
    AutonomyLevel,
    Award,
    Bid,
    BidScore,
    CancellationCompensation,
    Comparator,
    CompensationMethod,
    Contract,
    DefaultPenalty,
    Faq,
    FaqEntry,
    Level,
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
    ResourceBounds,
    Settlement,
    SettlementOutcome,
    TaskSpec,
    Terms,
    WireModel,
    sign,
)

T0 = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
FAST_CODER = "did:web:fast-coder.ai"
DELEGATOR = "did:web:acme.example"
KEYS = keyring([FAST_CODER, DELEGATOR], seed=0)
"""Demo signing keys of the sample agents."""
HUB = derive_did_key("hub", seed=0)
"""The sample hub: its id is its did:key."""
REGISTRY = KeyRegistry.of(KEYS.values())
"""Public keys of the sample agents (the hub's is in its id)."""


def usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def seed_task() -> TaskSpec:
    """Seed 000's task: optimise a React dashboard's performance."""
    return TaskSpec(
        id="task-react-dashboard",
        delegator_id=DELEGATOR,
        title="Optimise a React dashboard's performance",
        description="The analytics dashboard is slow; make it faster without breaking it.",
        input_requirements=("read access to the dashboard repository",),
        output_requirements=("a pull request", "a Lighthouse report before and after"),
        role="frontend performance engineer",
        resource_bounds=ResourceBounds(max_cpu_seconds=3600.0, max_memory_mb=4096),
        budget=usdc("10.00"),
        deadline_seconds=3600,
        reporting_interval_seconds=300,
        required_capabilities=("react", "profiling"),
        required_certifications=("secure-code-review",),
        min_reputation=0.6,
        criticality=Level.HIGH,
        uncertainty=Level.HIGH,
        privacy_requirement=PrivacyLevel.LOCAL,
        min_bond=usdc("0.50"),
        performance_requirements=(
            PerformanceRequirement(
                metric="lighthouse_performance_delta",
                comparator=Comparator.GE,
                threshold=20.0,
                unit="percent",
            ),
        ),
    )


def seed_bid() -> Bid:
    """Seed 000's example bid."""
    return Bid(
        bidder_id=FAST_CODER,
        task_id="task-react-dashboard",
        price=usdc("5.00"),
        estimated_duration_seconds=300,
        claimed_quality=0.9,
        privacy_guarantee=PrivacyLevel.TEE,
        reputation_bond=usdc("0.50"),
        expiry=datetime(2026, 10, 1, 12, 0, tzinfo=UTC),
        offered_reporting_interval_seconds=300,
        rationale="Profiling first, then virtual scrolling for the large tables.",
    )


def seed_contract() -> Contract:
    """Seed 000's contract table as typed clauses, signed by both parties."""
    contract = Contract(
        id="contract-1",
        task_id="task-react-dashboard",
        delegator_id=DELEGATOR,
        contractor_id=FAST_CODER,
        price=usdc("5.00"),
        bond=usdc("0.50"),
        deadline_seconds=3600,
        created_at=T0,
        clauses=(
            PerformanceRequirement(
                metric="lighthouse_performance_delta",
                comparator=Comparator.GE,
                threshold=20.0,
                unit="percent",
            ),
            PenaltyClause(
                trigger=Predicate(
                    subject="existing_tests_pass", comparator=Comparator.EQ, threshold=False
                ),
                forfeit_fraction=0.5,
            ),
            CancellationCompensation(method=CompensationMethod.PRO_RATA),
            MonitoringAgreement(report_interval_seconds=300, max_missed_reports=3),
            AutonomyLevel(level=Autonomy.METHOD_DELEGATED, note="The technique is yours."),
            DefaultPenalty(bond_forfeited=True, replacement_price_difference_charged=True),
        ),
        wording="The contractor improves the Lighthouse performance score by at least 20 %.",
    )
    return contract.signed_by(KEYS[DELEGATOR], T0).signed_by(KEYS[FAST_CODER], T0)


def samples() -> dict[str, WireModel]:
    """One valid object of every wire kind."""
    bid = seed_bid()
    return {
        "task": seed_task(),
        "question": Question(
            id="q-1",
            task_id="task-react-dashboard",
            bidder_id=FAST_CODER,
            text="Bundle size or runtime rendering?",
            about_field="description",
        ),
        "answer": Answer(
            task_id="task-react-dashboard",
            question_ids=("q-1", "q-2"),
            text="Runtime rendering, especially virtual scrolling of large data tables.",
            answered_by=DELEGATOR,
        ),
        "faq": Faq(
            task_id="task-react-dashboard",
            entries=(
                FaqEntry(
                    question="Bundle size or runtime rendering?",
                    answer="Runtime rendering, especially virtual scrolling of large data tables.",
                    question_ids=("q-1", "q-2"),
                ),
            ),
        ),
        "bid": bid,
        "offer": Offer(
            negotiation_id="n-1",
            task_id="task-react-dashboard",
            round=2,
            sender=DELEGATOR,
            receiver=FAST_CODER,
            message_type=OfferType.MAKE_OFFER,
            terms=Terms(price=usdc("4.50"), attributes={"delivery": 1.0}),
        ),
        "award": Award(
            task_id="task-react-dashboard",
            winner_id=FAST_CODER,
            winning_bid=bid,
            scores=(
                BidScore(
                    bidder_id=FAST_CODER,
                    objectives={"price": 5.0, "quality": 0.9},
                    on_pareto_front=True,
                    score=0.8,
                    rank=1,
                ),
            ),
            pareto_front=(FAST_CODER,),
            reason="Cheapest bid on the Pareto front with a TEE.",
            awarded_at=T0,
        ),
        "contract": seed_contract(),
        "report": ProgressReport(
            contract_id="contract-1",
            sequence=3,
            timestamp=T0,
            progress=0.5,
            metrics={"lighthouse_performance_delta": 12.5},
            checks={"existing_tests_pass": True},
            notes="Virtual scrolling in place for the orders table.",
        ),
        "settlement": Settlement(
            id="settlement-1",
            contract_id="contract-1",
            outcome=SettlementOutcome.COMPLETED,
            payments=(
                Payment(
                    from_account="escrow:contract-1",
                    to_account=FAST_CODER,
                    amount=usdc("5.00"),
                    reason=PaymentReason.PAYMENT,
                ),
                Payment(
                    from_account="bond:contract-1",
                    to_account=FAST_CODER,
                    amount=usdc("0.50"),
                    reason=PaymentReason.BOND_RETURN,
                ),
            ),
            total=usdc("5.50"),
            settled_at=T0,
        ),
    }


SIGNERS = {"bid": FAST_CODER, "offer": DELEGATOR, "award": DELEGATOR, "report": FAST_CODER}
"""Who signs each singly-signed sample (the settlement: the hub; the contract: both parties)."""


def signed_samples() -> dict[str, WireModel]:
    """Every signed wire kind, signed by its author (the award's winning bid signed too)."""
    plain = samples()
    bid = sign(plain["bid"], KEYS[FAST_CODER], T0)
    award = plain["award"].model_copy(update={"winning_bid": bid})
    return {
        "bid": bid,
        "offer": sign(plain["offer"], KEYS[DELEGATOR], T0),
        "award": sign(Award.model_validate(award.model_dump()), KEYS[DELEGATOR], T0),
        "contract": plain["contract"],
        "report": sign(plain["report"], KEYS[FAST_CODER], T0),
        "settlement": sign(plain["settlement"], HUB, T0),
    }


@pytest.fixture
def sample() -> dict[str, WireModel]:
    """One valid object of every wire kind."""
    return samples()


@pytest.fixture(scope="session")
def signed_sample() -> dict[str, WireModel]:
    """Every signed wire kind, signed by its author (see :func:`signed_samples`)."""
    return signed_samples()
