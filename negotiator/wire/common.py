"""Shared building blocks of the wire models: the base class, id and text types, enums, hashing.

Every wire object is a frozen pydantic model that forbids unknown fields. Field descriptions
are written for two readers: a person reading the JSON Schema, and a language model asked to
produce the object.
"""

from __future__ import annotations

import hashlib
import json
import operator
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from negotiator.money import Money

__all__ = [
    "AGENT_ID_PATTERN",
    "IDENTIFIER_PATTERN",
    "LINE_PATTERN",
    "METRIC_NAME_PATTERN",
    "PRIVACY_RANK",
    "SCHEMA_VERSION",
    "TEXT_PATTERN",
    "AgentId",
    "Comparator",
    "FiniteFloat",
    "Fraction",
    "Identifier",
    "Level",
    "Loc",
    "LongText",
    "MetricName",
    "PrivacyLevel",
    "ShortText",
    "Text",
    "WireModel",
    "canonical_json",
    "check_currencies",
    "privacy_satisfies",
    "rule_error",
    "sha256_hex",
]

SCHEMA_VERSION: Final = 1
"""Version of the wire format; every top-level wire object carries it as ``schema_version``."""

AGENT_ID_PATTERN = r"^(did:[a-z0-9]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9][A-Za-z0-9._-]*)$"
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
METRIC_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

AgentId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=AGENT_ID_PATTERN,
        description="Agent identifier: a DID such as did:web:fast-coder.ai, or a plain id.",
        examples=["did:web:fast-coder.ai", "delegator-1"],
    ),
]

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=IDENTIFIER_PATTERN,
        description="Identifier: letters, digits, '.', '_', ':' or '-', starting alphanumeric.",
        examples=["task-react-dashboard"],
    ),
]

MetricName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=METRIC_NAME_PATTERN,
        description="Metric or check name in snake_case, e.g. lighthouse_performance_delta.",
        examples=["lighthouse_performance_delta", "existing_tests_pass"],
    ),
]

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A number in [0, 1] (a probability, a progress, a share of a payment)."""
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""Any finite number (a metric value, a threshold)."""

LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
"""One line of text: no control characters at all (C0, DEL and C1: no newline, no tab, no 8-bit
terminal escapes) and no bidirectional embedding, override or isolate characters, which make text
read differently from what it holds."""
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
"""Free text: as :data:`LINE_PATTERN`, except that tab, newline and carriage return are allowed."""

ShortText = Annotated[str, Field(max_length=200, pattern=LINE_PATTERN)]
"""A title, a role, a capability name: one line."""
Text = Annotated[str, Field(max_length=2000, pattern=TEXT_PATTERN)]
"""A question, an answer, a rationale: a paragraph or two."""
LongText = Annotated[str, Field(max_length=8000, pattern=TEXT_PATTERN)]
"""A task description or a contract's wording."""


class WireModel(BaseModel):
    """Base of every wire object: frozen, unknown fields forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(StrEnum):
    """A three-step ordinal level (criticality, uncertainty)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PrivacyLevel(StrEnum):
    """How the executor protects the task's data, weakest first.

    Order (see :data:`PRIVACY_RANK`): ``none`` (no guarantee) < ``local`` (data stays on the
    executor's own machine, no third-party service) < ``tee`` (runs inside a trusted execution
    environment) < ``zkp`` (results come with zero-knowledge proofs) < ``he`` (computes on
    homomorphically encrypted data). The order is this project's reading of seed 000, where
    ZKP/HE are the strongest and most expensive guarantees.
    """

    NONE = "none"
    LOCAL = "local"
    TEE = "tee"
    ZKP = "zkp"
    HE = "he"


PRIVACY_RANK: Mapping[PrivacyLevel, int] = {level: i for i, level in enumerate(PrivacyLevel)}
"""Rank of each privacy level (0 = weakest); a guarantee meets any requirement of lower rank."""


def privacy_satisfies(guarantee: PrivacyLevel, requirement: PrivacyLevel) -> bool:
    """Whether a bid's privacy ``guarantee`` meets a task's ``requirement``.

    Example:
        >>> privacy_satisfies(PrivacyLevel.TEE, PrivacyLevel.LOCAL)
        True
    """
    return PRIVACY_RANK[guarantee] >= PRIVACY_RANK[requirement]


_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


class Comparator(StrEnum):
    """A comparison between an observed value and a threshold (``value OP threshold``)."""

    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"
    EQ = "=="
    NE = "!="

    def apply(self, value: float | bool, threshold: float | bool) -> bool:
        """Evaluate ``value OP threshold``.

        Example:
            >>> Comparator.GE.apply(25.0, 20.0)
            True
        """
        return _COMPARE[self.value](value, threshold)


def canonical_json(data: BaseModel | Mapping[str, Any]) -> str:
    """Canonical JSON of a model or mapping: JSON mode, sorted keys, no whitespace, UTF-8 text.

    Two equal objects always give byte-identical text, so the text can be hashed and signed.
    The text of a frozen model is remembered by the model's identity (the most recent few
    hundred): a flow renders the same task and FAQ into the prompt of every bidder.

    Example:
        >>> canonical_json({"b": 1, "a": [1, 2]})
        '{"a":[1,2],"b":1}'
    """
    if isinstance(data, BaseModel) and data.model_config.get("frozen"):
        return _frozen_canonical_json(data)
    return _canonical_text(data.model_dump(mode="json") if isinstance(data, BaseModel) else data)


def _canonical_text(plain: object) -> str:
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_CANONICAL_REMEMBERED = 256
_canonical: OrderedDict[int, tuple[BaseModel, str]] = OrderedDict()
_canonical_lock = threading.Lock()


def _frozen_canonical_json(model: BaseModel) -> str:
    """The canonical JSON of a frozen model, remembered by its identity (the entry holds the
    model, so its id cannot be reused by another object while the entry lives)."""
    with _canonical_lock:
        hit = _canonical.get(id(model))
        if hit is not None and hit[0] is model:
            _canonical.move_to_end(id(model))
            return hit[1]
    text = _canonical_text(model.model_dump(mode="json"))
    with _canonical_lock:
        _canonical[id(model)] = (model, text)
        if len(_canonical) > _CANONICAL_REMEMBERED:
            _canonical.popitem(last=False)
    return text


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of UTF-8 ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


Loc = tuple[str | int, ...]
"""A location inside an object, e.g. ``("price", "currency")`` for ``$.price.currency``."""


def rule_error(title: str, problems: Sequence[tuple[Loc, str, object]]) -> ValidationError:
    """Build a pydantic ``ValidationError`` whose errors point at the given fields.

    Raised from a model validator, each error keeps its precise location (pydantic prefixes
    the location of the enclosing object), so a consistency rule reports ``$.price.currency``
    instead of the whole object.

    Args:
        title: the model's name.
        problems: ``(location, message, offending value)`` triples.
    """
    details = [
        InitErrorDetails(
            type=PydanticCustomError("wire_rule", "{reason}", {"reason": message}),
            loc=loc,
            input=value,
        )
        for loc, message, value in problems
    ]
    return ValidationError.from_exception_data(title, details)


def check_currencies(title: str, reference: Loc, money: Mapping[Loc, Money | None]) -> None:
    """Raise if any amount in ``money`` is in another currency than the one at ``reference``.

    Raises:
        ValidationError: one error per mismatching amount, located at its ``currency``.
    """
    expected = money[reference]
    if expected is None:
        return
    where = ".".join(str(p) for p in reference)
    problems: list[tuple[Loc, str, object]] = [
        (
            (*loc, "currency"),
            f"currency {m.currency} differs from {where} currency {expected.currency}",
            m.currency,
        )
        for loc, m in money.items()
        if m is not None and m.currency != expected.currency
    ]
    if problems:
        raise rule_error(title, problems)
