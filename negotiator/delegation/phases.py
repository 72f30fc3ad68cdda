"""The phases of one delegation and the one transition table that both guards and graph edges read.

Every step of the flow moves the run from one :class:`Phase` to the next. :data:`TRANSITIONS`
lists, for each phase, the phases it may move to; :func:`advance` is the guard every step calls,
and the LangGraph builder (``negotiator.graphs.delegation``) derives its edges from the same
table, so the diagram and the guards cannot disagree.

Mapping onto A2A task states (for hosts that speak the Agent2Agent protocol), see
:data:`A2A_STATE`:

=============  ==================  ===============================================================
phase          A2A task state      why
=============  ==================  ===============================================================
announce       ``submitted``       the task has been posted, nobody works on it yet
ask            ``working``         bidders read the task and ask questions
answer         ``input-required``  the delegator must answer; with a human answerer the run
                                   pauses here (LangGraph ``interrupt()``) until the answer comes
bid            ``working``         the call for bids is open
screen         ``working``         sealed bids are opened and validated together
award          ``working``         the Pareto front is ranked and a winner chosen
negotiate      ``working``         terms are negotiated with the front's top-k (only when the
                                   request asks for it; the sealed bid stays the fallback)
contract       ``working``         terms are drafted from numbers and signed
monitor        ``working``         the contractor executes and reports progress
settle         ``working``         the escrow ledger pays out
completed      ``completed``       the contract was fulfilled and settled
breached       ``failed``          a clause was breached; penalties were settled
cancelled      ``canceled``        the delegator cancelled; compensation was settled
failed         ``failed``          nothing could be awarded (no eligible bidder or no valid bid)
=============  ==================  ===============================================================
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from negotiator.errors import IllegalTransitionError

__all__ = ["A2A_STATE", "TERMINAL", "TRANSITIONS", "A2ATaskState", "Phase", "advance"]


class Phase(StrEnum):
    """One step of a delegation (the value doubles as the graph node's name)."""

    ANNOUNCE = "announce"
    ASK = "ask"
    ANSWER = "answer"
    BID = "bid"
    SCREEN = "screen"
    AWARD = "award"
    NEGOTIATE = "negotiate"
    CONTRACT = "contract"
    MONITOR = "monitor"
    SETTLE = "settle"
    COMPLETED = "completed"
    BREACHED = "breached"
    CANCELLED = "cancelled"
    FAILED = "failed"


class A2ATaskState(StrEnum):
    """The task states of the A2A protocol that a delegation phase maps onto."""

    SUBMITTED = "submitted"
    WORKING = "working"
    INPUT_REQUIRED = "input-required"
    COMPLETED = "completed"
    CANCELED = "canceled"
    FAILED = "failed"
    REJECTED = "rejected"


P = Phase

#: phase -> phases it may move to (the only source of the flow's shape).
TRANSITIONS: MappingProxyType[Phase, frozenset[Phase]] = MappingProxyType(
    {
        P.ANNOUNCE: frozenset({P.ASK, P.FAILED}),
        P.ASK: frozenset({P.ANSWER, P.BID}),
        P.ANSWER: frozenset({P.ASK, P.BID}),
        P.BID: frozenset({P.SCREEN}),
        P.SCREEN: frozenset({P.AWARD}),
        P.AWARD: frozenset({P.NEGOTIATE, P.CONTRACT, P.FAILED}),
        P.NEGOTIATE: frozenset({P.CONTRACT, P.FAILED}),
        P.CONTRACT: frozenset({P.MONITOR}),
        P.MONITOR: frozenset({P.MONITOR, P.SETTLE}),
        P.SETTLE: frozenset({P.COMPLETED, P.BREACHED, P.CANCELLED}),
        P.COMPLETED: frozenset(),
        P.BREACHED: frozenset(),
        P.CANCELLED: frozenset(),
        P.FAILED: frozenset(),
    }
)

#: phases a run ends in.
TERMINAL: frozenset[Phase] = frozenset(p for p, nxt in TRANSITIONS.items() if not nxt)

#: phase -> A2A task state (see the module docstring for the reasoning).
A2A_STATE: MappingProxyType[Phase, A2ATaskState] = MappingProxyType(
    {
        P.ANNOUNCE: A2ATaskState.SUBMITTED,
        P.ASK: A2ATaskState.WORKING,
        P.ANSWER: A2ATaskState.INPUT_REQUIRED,
        P.BID: A2ATaskState.WORKING,
        P.SCREEN: A2ATaskState.WORKING,
        P.AWARD: A2ATaskState.WORKING,
        P.NEGOTIATE: A2ATaskState.WORKING,
        P.CONTRACT: A2ATaskState.WORKING,
        P.MONITOR: A2ATaskState.WORKING,
        P.SETTLE: A2ATaskState.WORKING,
        P.COMPLETED: A2ATaskState.COMPLETED,
        P.BREACHED: A2ATaskState.FAILED,
        P.CANCELLED: A2ATaskState.CANCELED,
        P.FAILED: A2ATaskState.FAILED,
    }
)


def advance(current: Phase, nxt: Phase) -> Phase:
    """Check that the flow may move from ``current`` to ``nxt`` and return ``nxt``.

    Raises:
        IllegalTransitionError: the transition table does not allow the step.

    Example:
        >>> advance(Phase.BID, Phase.SCREEN)
        <Phase.SCREEN: 'screen'>
    """
    allowed = TRANSITIONS[current]
    if nxt not in allowed:
        expected = ", ".join(sorted(allowed)) or "nothing (terminal phase)"
        raise IllegalTransitionError(
            f"delegation cannot move from {current.value!r} to {nxt.value!r}; "
            f"allowed next phases: {expected}"
        )
    return nxt
