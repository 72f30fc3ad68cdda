"""negotiator — LLM-mediated negotiation and contracting between software agents.

The model talks, the numbers decide. Import everything from ``negotiator``.
"""

from negotiator.errors import (
    FieldError,
    IllegalTransitionError,
    InvalidInputError,
    ModelUnavailableError,
    NegotiatorError,
    NoValidBidError,
    ProtocolViolationError,
    ReplayMismatchError,
    RetryableModelOutput,
    RuntimeFailure,
    UnknownKeyError,
    UsageError,
)
from negotiator.money import Money

__version__ = "0.1.0"

__all__ = [
    "FieldError",
    "IllegalTransitionError",
    "InvalidInputError",
    "ModelUnavailableError",
    "Money",
    "NegotiatorError",
    "NoValidBidError",
    "ProtocolViolationError",
    "ReplayMismatchError",
    "RetryableModelOutput",
    "RuntimeFailure",
    "UnknownKeyError",
    "UsageError",
    "__version__",
]
