"""The one exception tree of negotiator.

Three kinds, all rooted at :class:`NegotiatorError`:

* :class:`UsageError` — the caller's mistake (bad input, an illegal phase step or message, an
  unknown mechanism name). Fix the call; retrying will not help.
* :class:`RuntimeFailure` — something failed at run time (model unreachable, replay drift, no
  valid bid). The inputs may be fine.
* :class:`RetryableModelOutput` — a signal that a model's answer should be asked for again, with
  feedback. Never escapes the model clients.

A breach of contract is *data* (a monitoring verdict), never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

__all__ = [
    "FieldError",
    "HostFailure",
    "IllegalTransitionError",
    "InsufficientFundsError",
    "InvalidInputError",
    "ModelUnavailableError",
    "NegotiatorError",
    "NoValidBidError",
    "ProtocolViolationError",
    "ReplayMismatchError",
    "RetryableModelOutput",
    "RuntimeFailure",
    "UnknownKeyError",
    "UsageError",
    "lookup",
]

T = TypeVar("T")


class NegotiatorError(Exception):
    """Base class of every error negotiator raises on purpose."""


class UsageError(NegotiatorError):
    """The caller's mistake: bad input, an illegal step, an unknown name."""


class RuntimeFailure(NegotiatorError):
    """A failure at run time that is not the caller's mistake."""


class HostFailure(RuntimeFailure):
    """The host running the flow failed (its process, its disk) — not a model, a peer or a
    contractor. The flow absorbs what models and peers do; it never absorbs this."""


class RetryableModelOutput(NegotiatorError):
    """A model answer failed validation and should be asked for again.

    Args:
        feedback: text sent back to the model describing what was wrong.
    """

    def __init__(self, feedback: str) -> None:
        super().__init__(feedback)
        self.feedback = feedback


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of an input, located by a JSON path such as ``$.price.amount``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidInputError(UsageError):
    """Input failed validation; carries every error with its JSON path.

    Args:
        what: the kind of object or the file that was checked (e.g. ``"bid"``, ``"orders.json"``).
        errors: every problem found, each with its path.
    """

    def __init__(self, what: str, errors: Sequence[FieldError]) -> None:
        self.what = what
        self.errors = tuple(errors)
        lines = "\n".join(f"  {e}" for e in self.errors)
        super().__init__(f"invalid {what} ({len(self.errors)} error(s)):\n{lines}")

    @classmethod
    def single(cls, what: str, path: str, message: str) -> InvalidInputError:
        """Build the error for one field."""
        return cls(what, [FieldError(path, message)])


class UnknownKeyError(UsageError):
    """A name that is not in a lookup table; the message lists the valid ones."""

    def __init__(self, what: str, key: str, valid: Iterable[str]) -> None:
        self.what = what
        self.key = key
        self.valid = tuple(sorted(valid))
        super().__init__(f"unknown {what} {key!r}; expected one of: {', '.join(self.valid)}")


class IllegalTransitionError(UsageError):
    """A phase step the transition table does not allow."""


class ProtocolViolationError(UsageError):
    """A message a negotiation protocol does not allow at this point."""


class InsufficientFundsError(RuntimeFailure):
    """A ledger posting would take an account below zero; nothing was posted.

    Raised by every ledger (SQLite and PostgreSQL) from inside the posting's transaction.

    Args:
        account: the account that cannot pay.
        balance: what it holds.
        needed: what the posting takes from it.
        currency: the posting's currency.
    """

    def __init__(self, account: str, balance: Decimal, needed: Decimal, currency: str) -> None:
        super().__init__(
            f"{account} holds {balance} {currency}, cannot pay {needed} {currency} "
            "(a wallet or escrow account never goes below zero)"
        )
        self.account = account
        self.balance = balance
        self.needed = needed


class ModelUnavailableError(RuntimeFailure):
    """The model server could not be reached or kept failing after retries."""


class ReplayMismatchError(RuntimeFailure):
    """A replayed run asked for something the recording does not hold, or left turns unused."""


class NoValidBidError(RuntimeFailure):
    """Every bid was rejected (or none arrived), so nothing can be awarded."""


def lookup(table: Mapping[str, T], key: str, what: str) -> T:
    """Return ``table[key]`` or raise :class:`UnknownKeyError` listing the valid keys.

    Example:
        >>> lookup({"a": 1}, "a", "strategy")
        1
    """
    try:
        return table[key]
    except KeyError:
        raise UnknownKeyError(what, key, table.keys()) from None
