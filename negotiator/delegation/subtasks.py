"""Sub-delegations as data: what a transcript header holds so a nested run can be re-run.

A :class:`SubTaskSetup` is the JSON form of a :class:`~negotiator.delegation.subdelegation.SubTask`
whose sub-contractor is the seeded simulated executor (and which may itself sub-delegate). The
``delegation`` flow reads a list of them from its ``subtasks`` input, wraps the contractor's
executor with :func:`sub_delegating`, and so ``negotiator replay --check`` re-runs the nested
delegations too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.execution import AnyExecutor
from negotiator.delegation.monitoring import ExecutorScript, SimulatedExecutor
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.subdelegation import Delegate, SubDelegatingExecutor, SubTask
from negotiator.llm.protocol import ModelClient
from negotiator.money import Money

__all__ = ["SubTaskSetup", "sub_delegating"]


class SubTaskSetup(BaseModel):
    """One sub-task posted by the parent's contractor, with a simulated sub-contractor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request: DelegationRequest = Field(
        description="The sub-delegation (delegator: the contractor)."
    )
    bidders: tuple[BidderProfile, ...] = Field(description="The agents in the sub-market.")
    funding: dict[str, Money] = Field(
        default_factory=dict, description="Opening balances of the sub-market's parties."
    )
    script: ExecutorScript = Field(description="What the simulated sub-contractor does.")
    required: bool = Field(default=True, description="The contractor cannot deliver without it.")
    subtasks: tuple[SubTaskSetup, ...] = Field(
        default=(), description="The sub-contractor's own sub-tasks (one level deeper)."
    )

    def to_subtask(
        self,
        seed: int,
        *,
        delegate: Delegate,
        client: ModelClient | None = None,
        runs_dir: str | Path | None = None,
    ) -> SubTask:
        """Return the :class:`SubTask` (its executor seeded with ``seed``; ``delegate`` runs its
        own sub-tasks, if any).

        Raises:
            InvalidInputError: the nested sub-tasks are invalid (see ``SubDelegatingExecutor``).
        """
        executor: AnyExecutor = SimulatedExecutor(self.script, seed)
        if self.subtasks:
            executor = sub_delegating(
                executor,
                self.subtasks,
                self.bidders,
                seed,
                delegate=delegate,
                client=client,
                runs_dir=runs_dir,
            )
        return SubTask(self.request, self.bidders, executor, self.funding, self.required)


def sub_delegating(
    inner: AnyExecutor,
    setups: Sequence[SubTaskSetup],
    bidders: Sequence[BidderProfile],
    seed: int,
    *,
    delegate: Delegate,
    client: ModelClient | None = None,
    runs_dir: str | Path | None = None,
) -> SubDelegatingExecutor:
    """Wrap ``inner`` so that whichever of ``bidders`` wins posts ``setups`` as sub-tasks.

    The margins come from the bidders' profiles; ``client`` serves the contractor and the
    sub-bidders alike; ``delegate`` runs every nested delegation (``negotiator.adelegate``).

    Raises:
        InvalidInputError: see :class:`~negotiator.delegation.subdelegation.SubDelegatingExecutor`.
    """
    return SubDelegatingExecutor(
        inner,
        [s.to_subtask(seed, delegate=delegate, client=client, runs_dir=runs_dir) for s in setups],
        margins={b.bidder_id: b.margin for b in bidders},
        delegate=delegate,
        client=client,
        runs_dir=runs_dir,
        seed=seed,
    )
