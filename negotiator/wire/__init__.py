"""Wire models: the JSON objects agents exchange, each a frozen, documented pydantic model.

The stages read in order: :class:`TaskSpec` → :class:`Question` / :class:`Answer` /
:class:`Faq` → :class:`Bid` → :class:`Offer` → :class:`Award` → :class:`Contract` (with typed
clauses) → :class:`ProgressReport` → :class:`Settlement`.
"""

from negotiator.wire.award import Award, BidRejection, BidScore, RejectionReason
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Answer, Faq, FaqEntry, Question
from negotiator.wire.clauses import (
    Autonomy,
    AutonomyLevel,
    CancellationCompensation,
    Clause,
    CompensationMethod,
    DefaultPenalty,
    Milestone,
    MonitoringAgreement,
    PenaltyClause,
    PerformanceRequirement,
    Predicate,
)
from negotiator.wire.common import (
    PRIVACY_RANK,
    SCHEMA_VERSION,
    AgentId,
    Comparator,
    Identifier,
    Level,
    PrivacyLevel,
    WireModel,
    canonical_json,
    privacy_satisfies,
    sha256_hex,
)
from negotiator.wire.contract import Contract, Signature
from negotiator.wire.kinds import KINDS, kind_of, model_for
from negotiator.wire.offer import Offer, OfferType, Terms
from negotiator.wire.report import ProgressReport, ReportStatus
from negotiator.wire.semantics import (
    BID_RULES,
    DEFAULT_BID_LIMITS,
    BidLimits,
    check_bid,
    check_bid_expiry,
    check_contract,
    check_question,
)
from negotiator.wire.settlement import Payment, PaymentReason, Settlement, SettlementOutcome
from negotiator.wire.signing import SIGNED_KINDS, SIGNER_FIELD, sign, signature_errors
from negotiator.wire.task import ResourceBounds, TaskSpec

__all__ = [
    "BID_RULES",
    "DEFAULT_BID_LIMITS",
    "KINDS",
    "PRIVACY_RANK",
    "SCHEMA_VERSION",
    "SIGNED_KINDS",
    "SIGNER_FIELD",
    "AgentId",
    "Answer",
    "Autonomy",
    "AutonomyLevel",
    "Award",
    "Bid",
    "BidLimits",
    "BidRejection",
    "BidScore",
    "CancellationCompensation",
    "Clause",
    "Comparator",
    "CompensationMethod",
    "Contract",
    "DefaultPenalty",
    "Faq",
    "FaqEntry",
    "Identifier",
    "Level",
    "Milestone",
    "MonitoringAgreement",
    "Offer",
    "OfferType",
    "Payment",
    "PaymentReason",
    "PenaltyClause",
    "PerformanceRequirement",
    "Predicate",
    "PrivacyLevel",
    "ProgressReport",
    "Question",
    "RejectionReason",
    "ReportStatus",
    "ResourceBounds",
    "Settlement",
    "SettlementOutcome",
    "Signature",
    "TaskSpec",
    "Terms",
    "WireModel",
    "canonical_json",
    "check_bid",
    "check_bid_expiry",
    "check_contract",
    "check_question",
    "kind_of",
    "model_for",
    "privacy_satisfies",
    "sha256_hex",
    "sign",
    "signature_errors",
]
