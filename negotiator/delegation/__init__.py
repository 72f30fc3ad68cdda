"""The delegation flow of seed 000 as a plain library (no LangGraph here).

Stages in order, each taking the previous stage's artefact: :mod:`~.hub` (announce, eligibility)
→ :mod:`~.clarify` (questions, one FAQ) → :mod:`~.bidding` / :mod:`~.screening` (sealed bids,
opened together) → :mod:`~.award` (Pareto front, preferences) → :mod:`~.contracting` (terms from
numbers, signatures) → :mod:`~.monitoring` (clauses checked on every report) →
:mod:`~.settlement` / :mod:`~.ledger` / :mod:`~.reputation` (escrow, exactly once). The phases
and their one transition table are in :mod:`~.phases`; the LangGraph state machine that runs
them, and ``negotiator.delegate`` that runs it all as plain Python, are the graph layer above
this package (it never imports them). A contractor may sub-delegate through the same flow
(:mod:`~.subdelegation`: recursive delegation, given the runner to use), and reputations persist
between delegations in a :mod:`~.reputation_store`. Market dynamics: :mod:`~.trust` (bonds,
cadence and autonomy scaled by reputation), :mod:`~.reoptimise` (switching contractors during
monitoring, with cooldown, damping and fees; :mod:`~.redelegation` runs it on the flow's reports
and carries a switch out by contract) and :mod:`~.floor` (whether a task is worth
delegating at all). Every binding object is signed and every receiving step verifies it
(:mod:`~.keys`); outside bidders bid by commitment in the open hub (:mod:`~.commitments`);
:mod:`~.audit` checks a recorded run offline.
"""

from negotiator.delegation.audit import audit_ledger, audit_record
from negotiator.delegation.award import (
    LexicographicPreferences,
    Objective,
    WeightedPreferences,
    make_award,
)
from negotiator.delegation.bidders import BidderProfile, deterministic_bid
from negotiator.delegation.clarify import HumanAnswer, HumanAnswers, QuestionGroup
from negotiator.delegation.clock import Clock, FixedClock, SystemClock
from negotiator.delegation.commitments import (
    BidCommitment,
    BidReveal,
    CommittedBid,
    commit,
    open_commitments,
)
from negotiator.delegation.contracting import ContractPolicy, draft_contract, sign
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.execution import AnyExecutor, AsyncExecutor, RunContext
from negotiator.delegation.floor import DelegationAdvice, FloorModel, should_delegate
from negotiator.delegation.hub import Announcement, MarketHub, ReputationDecay
from negotiator.delegation.keys import RunKeys, hub_key
from negotiator.delegation.ledger import Ledger, LedgerConflictError, Posting
from negotiator.delegation.monitoring import (
    CancelPolicy,
    Executor,
    ExecutorScript,
    SimulatedCrash,
    SimulatedExecutor,
    Verdict,
    evaluate,
)
from negotiator.delegation.outcome import DelegationOutcome, RunOutcome
from negotiator.delegation.phases import A2A_STATE, TRANSITIONS, A2ATaskState, Phase, advance
from negotiator.delegation.reoptimise import Candidate, Observation, SwitchPolicy, run_loop
from negotiator.delegation.reputation import damped_update, decay_toward_prior
from negotiator.delegation.reputation_store import (
    MemoryReputationStore,
    ReputationStore,
    SqliteReputationStore,
)
from negotiator.delegation.request import DelegationRequest, DelegationSetup
from negotiator.delegation.screening import ScreenResult, open_bids
from negotiator.delegation.settlement import settle
from negotiator.delegation.subdelegation import (
    MAX_DEPTH,
    Delegate,
    SubDelegatingExecutor,
    SubRun,
    SubTask,
    spending_limit,
)
from negotiator.delegation.subtasks import SubTaskSetup
from negotiator.delegation.trust import TrustPolicy, personal_task, required_bond

__all__ = [
    "A2A_STATE",
    "MAX_DEPTH",
    "TRANSITIONS",
    "A2ATaskState",
    "Announcement",
    "AnyExecutor",
    "AsyncExecutor",
    "BidCommitment",
    "BidReveal",
    "BidderProfile",
    "CancelPolicy",
    "Candidate",
    "Clock",
    "CommittedBid",
    "ContractPolicy",
    "Delegate",
    "DelegationAdvice",
    "DelegationOutcome",
    "DelegationRequest",
    "DelegationSetup",
    "Executor",
    "ExecutorScript",
    "FixedClock",
    "FloorModel",
    "HumanAnswer",
    "HumanAnswers",
    "Ledger",
    "LedgerConflictError",
    "LexicographicPreferences",
    "MarketHub",
    "MemoryReputationStore",
    "Objective",
    "Observation",
    "Phase",
    "Posting",
    "QuestionGroup",
    "ReputationDecay",
    "ReputationStore",
    "RunContext",
    "RunKeys",
    "RunOutcome",
    "ScreenResult",
    "SimulatedCrash",
    "SimulatedExecutor",
    "SqliteReputationStore",
    "SubDelegatingExecutor",
    "SubRun",
    "SubTask",
    "SubTaskSetup",
    "SwitchPolicy",
    "SystemClock",
    "TrustPolicy",
    "Verdict",
    "WeightedPreferences",
    "advance",
    "audit_ledger",
    "audit_record",
    "commit",
    "damped_update",
    "decay_toward_prior",
    "demo_setup",
    "deterministic_bid",
    "draft_contract",
    "evaluate",
    "hub_key",
    "make_award",
    "open_bids",
    "open_commitments",
    "personal_task",
    "required_bond",
    "run_loop",
    "settle",
    "should_delegate",
    "sign",
    "spending_limit",
]
