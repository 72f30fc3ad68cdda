"""The registry of wire kinds: the name used on the command line and in schema file names."""

from __future__ import annotations

from collections.abc import Mapping

from negotiator.errors import lookup
from negotiator.wire.award import Award
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Answer, Faq, Question
from negotiator.wire.common import WireModel
from negotiator.wire.contract import Contract
from negotiator.wire.offer import Offer
from negotiator.wire.report import ProgressReport
from negotiator.wire.settlement import Settlement
from negotiator.wire.task import TaskSpec

__all__ = ["KINDS", "kind_of", "model_for"]

KINDS: Mapping[str, type[WireModel]] = {
    "answer": Answer,
    "award": Award,
    "bid": Bid,
    "contract": Contract,
    "faq": Faq,
    "offer": Offer,
    "question": Question,
    "report": ProgressReport,
    "settlement": Settlement,
    "task": TaskSpec,
}
"""Wire kind name -> model. Each kind has a schema file ``contracts/schemas/<kind>.json``."""

_NAMES: Mapping[type[WireModel], str] = {model: name for name, model in KINDS.items()}


def model_for(kind: str) -> type[WireModel]:
    """The model of a wire kind.

    Raises:
        UnknownKeyError: ``kind`` is not a wire kind (the message lists the valid ones).

    Example:
        >>> model_for("bid").__name__
        'Bid'
    """
    return lookup(KINDS, kind, "wire kind")


def kind_of(model: type[WireModel]) -> str:
    """The wire kind name of a model class.

    Raises:
        UnknownKeyError: the model is not a top-level wire kind.
    """
    return lookup({m.__name__: n for m, n in _NAMES.items()}, model.__name__, "wire model")
