"""The inputs of one delegation run, as one JSON-able object (what a transcript header holds)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from negotiator.delegation.award import Preferences, WeightedPreferences
from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.contracting import ContractPolicy
from negotiator.delegation.floor import FloorModel
from negotiator.delegation.monitoring import CancelPolicy, ExecutorScript
from negotiator.delegation.negotiation.mechanisms import NegotiationSettings
from negotiator.delegation.reoptimise import SwitchPolicy
from negotiator.money import Money
from negotiator.wire.task import TaskSpec

__all__ = ["DEFAULT_PREFERENCES", "DelegationRequest", "DelegationSetup"]

#: weights used when the delegator gives none (price and risk first, then quality).
DEFAULT_PREFERENCES = WeightedPreferences(
    weights={"price": 0.30, "quality": 0.25, "risk": 0.25, "duration": 0.10, "privacy": 0.10}
)


class DelegationRequest(BaseModel):
    """What the delegator brings to one delegation: the task and its own standing terms.

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> r = DelegationRequest(task=demo_task(), briefing={"performance-focus": "Runtime."})
        >>> r.max_rounds, r.answerer, r.preferences.kind
        (3, 'model', 'weights')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: TaskSpec = Field(description="The task to announce.")
    briefing: dict[str, str] = Field(
        default_factory=dict,
        description="What the delegator knows and will tell when asked: topic key -> answer.",
    )
    preferences: Preferences = Field(
        default=DEFAULT_PREFERENCES, description="How the delegator ranks the Pareto front."
    )
    policy: ContractPolicy = Field(
        default_factory=ContractPolicy, description="Standing contract terms."
    )
    cancel: CancelPolicy = Field(
        default_factory=CancelPolicy, description="When the delegator would cancel."
    )
    answerer: Literal["model", "human"] = Field(
        default="model",
        description="Who answers questions: the delegator's model (deterministic fallback), "
        "or a human through the graph's interrupt.",
    )
    max_rounds: int = Field(default=3, ge=0, le=10, description="Clarification rounds at most.")
    bid_window_seconds: int = Field(
        default=600, gt=0, description="Seconds bids are collected after bidding opens."
    )
    complexity_floor: FloorModel | None = Field(
        default_factory=FloorModel,
        description="Weighs delegating against doing the task directly before any market step "
        "(a task below the floor is not delegated); None: always delegate.",
    )
    negotiation: NegotiationSettings | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="How terms are negotiated with the award's top-k after the award; none "
        "(the default) or top_k 0 keeps the sealed bid as the contract's basis.",
    )
    reoptimise: SwitchPolicy | None = Field(
        default_factory=SwitchPolicy,
        exclude_if=lambda v: v == SwitchPolicy(),
        description="Re-optimisation during monitoring: each accepted report updates the belief "
        "in the contractor and the contract moves to a standing bid when the expected gain beats "
        "the re-delegation fee, the cooldown has passed and the switch cap allows (seed 000's "
        "devices, on by default; left out of the JSON when default); None: never switch.",
    )


class DelegationSetup(BaseModel):
    """A complete, self-contained delegation scenario (the demo's, or a test's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request: DelegationRequest = Field(description="The delegator's request.")
    bidders: tuple[BidderProfile, ...] = Field(description="The agents in the market hub.")
    funding: dict[str, Money] = Field(
        default_factory=dict, description="Opening balance of each party's wallet."
    )
    script: ExecutorScript = Field(description="What the simulated contractor does.")
    start: AwareDatetime = Field(description="The run's fixed clock instant.")
