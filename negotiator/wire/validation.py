"""The one validation entry point for raw wire input: :func:`validate_raw`.

Raw input (JSON text, bytes, or an already-parsed mapping) goes through the one validation core
(:func:`negotiator.wire.raw.to_typed`: JSON syntax, the committed JSON Schema of the kind, the
pydantic model in strict mode — one currency per object, time zones, signatures matching the
terms, ...), then the semantic checks that need context (:mod:`negotiator.wire.semantics`): the
task the object answers and the current time, when given. The first gate that fails reports
**every** error it found, each with its JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar

from jsonschema import Draft202012Validator

from negotiator.errors import FieldError, InvalidInputError, UsageError
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Question
from negotiator.wire.common import WireModel
from negotiator.wire.contract import Contract
from negotiator.wire.kinds import KINDS, kind_of, model_for
from negotiator.wire.paths import make_validator
from negotiator.wire.raw import RawInput, to_typed
from negotiator.wire.schemas import load_schema
from negotiator.wire.semantics import check_bid, check_bid_expiry, check_contract, check_question
from negotiator.wire.task import TaskSpec

__all__ = ["KINDS", "Context", "validate_model", "validate_raw"]

M = TypeVar("M", bound=WireModel)


@dataclass(frozen=True)
class Context:
    """What the semantic checks compare an object with; either part may be absent."""

    task: TaskSpec | None = None
    now: datetime | None = None


def _bid_rules(obj: WireModel, ctx: Context) -> list[FieldError]:
    assert isinstance(obj, Bid)
    if ctx.task is not None:
        if ctx.now is None:
            raise UsageError("checking a bid against a task needs the current time (now)")
        return check_bid(obj, ctx.task, ctx.now)
    return check_bid_expiry(obj, ctx.now) if ctx.now is not None else []


def _question_rules(obj: WireModel, ctx: Context) -> list[FieldError]:
    assert isinstance(obj, Question)
    return check_question(obj, ctx.task) if ctx.task is not None else []


def _contract_rules(obj: WireModel, ctx: Context) -> list[FieldError]:
    assert isinstance(obj, Contract)
    return check_contract(obj, ctx.task) if ctx.task is not None else []


_SEMANTIC: Mapping[str, Callable[[WireModel, Context], list[FieldError]]] = {
    "bid": _bid_rules,
    "contract": _contract_rules,
    "question": _question_rules,
}
"""Kind -> its context checks; kinds not listed have none beyond the schema and model."""


@cache
def _validator(kind: str) -> Draft202012Validator:
    return make_validator(load_schema(kind))


def validate_raw(
    kind: str, data: RawInput, *, task: TaskSpec | None = None, now: datetime | None = None
) -> WireModel:
    """Validate raw input as a wire ``kind`` and return the model.

    Args:
        kind: a wire kind name (see :data:`KINDS`), e.g. ``"bid"``.
        data: JSON text, UTF-8 bytes, or a mapping of JSON-like values.
        task: the task the object answers; enables the task rules (budget, bond, deadline...).
        now: the current time (timezone-aware); enables the time rules (bid expiry).

    Raises:
        UnknownKeyError: ``kind`` is not a wire kind.
        InvalidInputError: the input is invalid; ``errors`` lists every problem with its JSON
            path, sorted by path.
        UsageError: a bid is checked against a task without ``now``.

    Example:
        >>> validate_raw("bid", '{"price": {"amount": -5}}')
        Traceback (most recent call last):
        ...
        negotiator.errors.InvalidInputError: invalid bid (10 error(s)):
          $.bidder_id: required field is missing
          $.claimed_quality: required field is missing
          $.estimated_duration_seconds: required field is missing
          $.expiry: required field is missing
          $.offered_reporting_interval_seconds: required field is missing
          $.price.amount: -5 is less than the minimum of 0
          $.price.currency: required field is missing
          $.privacy_guarantee: required field is missing
          $.reputation_bond: required field is missing
          $.task_id: required field is missing
    """
    obj = to_typed(model_for(kind), data, _validator(kind))
    if isinstance(obj, list):
        raise InvalidInputError(kind, obj)
    check = _SEMANTIC.get(kind)
    if check is not None and (task is not None or now is not None):
        if now is not None and now.utcoffset() is None:
            raise UsageError("now must be a timezone-aware datetime")
        problems = check(obj, Context(task, now))
        if problems:
            raise InvalidInputError(kind, problems)
    return obj


def validate_model(
    model: type[M], data: RawInput, *, task: TaskSpec | None = None, now: datetime | None = None
) -> M:
    """Typed twin of :func:`validate_raw`: validate raw input as ``model`` (a wire kind's class).

    Raises:
        UnknownKeyError: ``model`` is not a top-level wire kind.
        InvalidInputError: as :func:`validate_raw`.

    Example:
        >>> validate_model(Bid, "[]")
        Traceback (most recent call last):
        ...
        negotiator.errors.InvalidInputError: invalid bid (1 error(s)):
          $: [] is not of type 'object'
    """
    obj = validate_raw(kind_of(model), data, task=task, now=now)
    assert isinstance(obj, model)
    return obj
