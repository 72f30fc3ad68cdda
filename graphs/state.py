"""The state of the delegation graph: plain JSON, so checkpoints serialise without custom types.

List-valued keys accumulate with an append reducer (``operator.add``); every other key is
replaced by the node that writes it. Wire objects are stored dumped in JSON mode and validated
again by the node that reads them.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel

from negotiator.delegation.request import DelegationRequest

__all__ = ["BID_LATENCY_RANGE", "BidTask", "DelegationState", "Json", "dump", "initial_state"]

Json = dict[str, Any]

#: seconds (low, high) a simulated bidder's envelope takes to reach the hub (seeded draw).
BID_LATENCY_RANGE = (5, 120)


class DelegationState(TypedDict, total=False):
    """The graph's state: plain JSON, list-valued keys with an append reducer."""

    run_id: str
    request: Json
    phase: str
    announcement: Json
    faq: Json
    round: int
    questions: Annotated[list[Json], operator.add]
    pending: list[Json]
    answers: Annotated[list[Json], operator.add]
    opened_at: str
    sealed: Annotated[list[Json], operator.add]
    committed: Annotated[list[Json], operator.add]
    screened: Json
    award: Json
    negotiation: Json
    failure: str
    contract: Json
    monitor: Json
    reports: Annotated[list[Json], operator.add]
    refused_reports: Annotated[list[Json], operator.add]
    verdicts: Annotated[list[Json], operator.add]
    loop: Json
    switches: Annotated[list[Json], operator.add]
    settlement: Json
    reputation: Json
    calls: Annotated[list[Json], operator.add]


class BidTask(TypedDict):
    """What one ``submit_bid`` branch receives through ``Send``."""

    bidder_id: str
    request: Json
    faq: Json
    opened_at: str


def initial_state(run_id: str, request: DelegationRequest) -> DelegationState:
    """Return the input state of a delegation run."""
    return {"run_id": run_id, "request": request.model_dump(mode="json"), "phase": "announce"}


def dump(model: BaseModel) -> Json:
    """A wire object as the state stores it (JSON mode)."""
    return model.model_dump(mode="json")
