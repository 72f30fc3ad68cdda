"""The in-process market hub: holds bidder agents and filters who may bid on an announced task.

Eligibility rules, each recorded as a reason when it excludes a bidder (seed 000's initial
filtering): every required capability, every required certification, reputation at least the
task's minimum, and a privacy guarantee at least the task's requirement.

Reputations come from the hub's :class:`~negotiator.delegation.reputation_store.ReputationStore`
(in memory unless one is injected): a bidder the store has never scored has the reputation of
its registered profile; settlement updates the store through :meth:`MarketHub.record_outcome`,
once per contract. Eligibility (the reputation floor) and the award's risk objective read the
store, so a breach in one delegation shows in the next.

With a :class:`~negotiator.delegation.trust.TrustPolicy` the hub shows each bidder the task with
its own trust-scaled bond (:meth:`MarketHub.personal_task`), and contracts follow the
contractor's reputation for cadence and autonomy. With a :class:`ReputationDecay` a bidder's
reputation decays toward the prior for every announcement since its last settled contract (the
count is this hub's, in this process).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.reputation import ReputationUpdate, decay_toward_prior
from negotiator.delegation.reputation_store import MemoryReputationStore, ReputationStore
from negotiator.delegation.trust import TrustPolicy, personal_task
from negotiator.errors import InvalidInputError, lookup
from negotiator.wire.common import privacy_satisfies
from negotiator.wire.task import TaskSpec

__all__ = [
    "Announcement",
    "Ineligible",
    "MarketHub",
    "ReputationDecay",
    "eligibility_reasons",
]


class Ineligible(BaseModel):
    """A bidder filtered out at announcement, with every reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bidder_id: str = Field(description="The bidder filtered out.")
    reasons: tuple[str, ...] = Field(description="Why, one reason per failed rule.")


class Announcement(BaseModel):
    """The result of posting a task to the hub: who may bid and who may not, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str = Field(description="The announced task.")
    eligible: tuple[str, ...] = Field(description="Ids of the bidders invited to bid, sorted.")
    ineligible: tuple[Ineligible, ...] = Field(description="Bidders filtered out, sorted by id.")


class ReputationDecay(BaseModel):
    """How an idle bidder's reputation decays toward a prior (per announcement it sits out)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prior: Decimal = Field(default=Decimal("0.5"), ge=0, le=1, description="Where it decays to.")
    half_life: float = Field(default=50, gt=0, description="Idle announcements to halve the gap.")


def _capabilities(task: TaskSpec, b: BidderProfile) -> list[str]:
    return [
        f"missing capability {c!r}" for c in task.required_capabilities if c not in b.capabilities
    ]


def _certifications(task: TaskSpec, b: BidderProfile) -> list[str]:
    return [
        f"missing certification {c!r}"
        for c in task.required_certifications
        if c not in b.certifications
    ]


def _reputation(task: TaskSpec, b: BidderProfile) -> list[str]:
    if b.reputation >= task.min_reputation:
        return []
    return [f"reputation {b.reputation:.2f} is below the task's minimum {task.min_reputation:.2f}"]


def _privacy(task: TaskSpec, b: BidderProfile) -> list[str]:
    if privacy_satisfies(b.privacy, task.privacy_requirement):
        return []
    return [
        f"privacy guarantee {b.privacy.value!r} is weaker than the required "
        f"{task.privacy_requirement.value!r}"
    ]


_RULES: tuple[Callable[[TaskSpec, BidderProfile], list[str]], ...] = (
    _capabilities,
    _certifications,
    _reputation,
    _privacy,
)


def eligibility_reasons(task: TaskSpec, bidder: BidderProfile) -> tuple[str, ...]:
    """Return every reason ``bidder`` may not bid on ``task`` (empty when it may)."""
    return tuple(reason for rule in _RULES for reason in rule(task, bidder))


class MarketHub:
    """An in-process market hub holding bidder agents, keyed by id.

    Args:
        bidders: the registered bidders (ids must be unique).
        reputation: where reputations are read and updated (default: a fresh in-memory store,
            so every bidder starts from its profile's reputation).
        trust: scales bonds, reporting cadence and autonomy with reputation (``None``: the
            task's flat minimum bond and the agreed cadence for everyone).
        decay: idle decay of reputations (``None``: none).

    Raises:
        InvalidInputError: two bidders share an id.

    Example:
        >>> MarketHub([]).bidder_ids()
        ()
    """

    def __init__(
        self,
        bidders: Sequence[BidderProfile],
        reputation: ReputationStore | None = None,
        *,
        trust: TrustPolicy | None = None,
        decay: ReputationDecay | None = None,
    ) -> None:
        self.reputation_store: ReputationStore = (
            reputation if reputation is not None else MemoryReputationStore()
        )
        self.trust = trust
        self.decay = decay
        self._announcements = 0
        self._last_active: dict[str, int] = {}
        seen: dict[str, BidderProfile] = {}
        for i, b in enumerate(bidders):
            if b.bidder_id in seen:
                raise InvalidInputError.single(
                    "market hub", f"$.bidders[{i}].bidder_id", f"duplicate id {b.bidder_id!r}"
                )
            seen[b.bidder_id] = b
        self._bidders: Mapping[str, BidderProfile] = dict(sorted(seen.items()))

    def bidder_ids(self) -> tuple[str, ...]:
        """Return every registered bidder id, sorted."""
        return tuple(self._bidders)

    def bidder(self, bidder_id: str) -> BidderProfile:
        """Return the profile of ``bidder_id``.

        Raises:
            UnknownKeyError: no such bidder.
        """
        return lookup(self._bidders, bidder_id, "bidder")

    def reputation(self, bidder_id: str) -> float:
        """Return the current reputation of ``bidder_id`` (the store's, else its profile's).

        Raises:
            UnknownKeyError: no such bidder.
        """
        stored = self.reputation_store.score(bidder_id)
        score = self.bidder(bidder_id).reputation if stored is None else float(stored)
        if self.decay is None:
            return score
        idle = self._announcements - self._last_active.get(bidder_id, 0)
        prior = self.decay.prior
        return float(decay_toward_prior(Decimal(str(score)), prior, idle, self.decay.half_life))

    def personal_task(self, task: TaskSpec, bidder_id: str) -> TaskSpec:
        """Return ``task`` as ``bidder_id`` sees it: with its trust-scaled bond, if any.

        Raises:
            UnknownKeyError: no such bidder.
        """
        if self.trust is None:
            return task
        return personal_task(task, self.reputation(bidder_id), self.trust)

    def reputations(self) -> dict[str, float]:
        """Return every bidder's current reputation, by id."""
        return {i: self.reputation(i) for i in self._bidders}

    def record_outcome(self, key: str, bidder_id: str, outcome: str) -> ReputationUpdate:
        """Update ``bidder_id``'s reputation for a contract ending in ``outcome``, once per ``key``.

        Raises:
            UnknownKeyError: no such bidder, or an unknown outcome.
        """
        initial = Decimal(str(self.bidder(bidder_id).reputation))
        current = None if self.decay is None else Decimal(str(self.reputation(bidder_id)))
        self._last_active[bidder_id] = self._announcements
        return self.reputation_store.apply(key, bidder_id, outcome, initial, current=current)

    def announce(self, task: TaskSpec) -> Announcement:
        """Post ``task``: split the bidders into eligible and ineligible (with reasons)."""
        self._announcements += 1
        eligible: list[str] = []
        ineligible: list[Ineligible] = []
        for bidder_id, bidder in self._bidders.items():
            current = bidder.model_copy(update={"reputation": self.reputation(bidder_id)})
            reasons = eligibility_reasons(task, current)
            if reasons:
                ineligible.append(Ineligible(bidder_id=bidder_id, reasons=reasons))
            else:
                eligible.append(bidder_id)
        return Announcement(task_id=task.id, eligible=tuple(eligible), ineligible=tuple(ineligible))
