"""Re-optimisation inside the delegation flow: every accepted report feeds seed 000's loop
(:mod:`~negotiator.delegation.reoptimise`) and a switch of contractor is carried out by contract.

**Reading a report** (:func:`observe`). A report does not state a quality; it is read from what
it carries against the contract:

* *observed quality* — the mean attainment of the contract's performance requirements the
  report measures. A lower bound (``>=``, ``>``) is read against its pro-rata share: a report at
  40 % progress is expected to show 40 % of the required value, and ``value / (threshold ×
  progress)`` is capped at 1; any other requirement counts 1 when it holds now and 0 when not.
  A report that measures none of them (or a missed or refused report) carries no quality
  evidence: the observed quality is the current belief, so only the pace moves it;
* *progress* — the reported progress (a missed report keeps the last one);
* *expected progress* — the contract's schedule: ``(tick + 1) × interval / deadline``.

**Standing bids** (:class:`FlowLoop`) are the screened valid bids, as candidates with the
reputations the hub held at the first report; a contractor dropped in this run is never hired
again. A perfect delivery is taken to be worth the task's budget (the most the delegator said
it would pay). A candidate is considered only if the delegator can fund it (:func:`fundable`):
its wallet as it stood when the run began, less what the run has committed so far, plus the
least the dropped contract refunds, must cover the fee and the candidate's price; and the
candidate's wallet must cover its bond. Both figures come from the run's own record, so a step
re-run after a crash decides exactly as the first time.

**A switch** (:func:`switch_contractor`) settles the dropped contract by its own clauses
(:func:`~negotiator.delegation.reoptimise.post_switch`: pro rata when not at fault, the default
penalty when at fault), charges the re-delegation fee, escrows the replacement's price and bond
in contract ``n``'s scope, records the dropped contractor's outcome in its reputation once
(``breached`` or ``cancelled``), and drafts the replacement's contract from its standing bid —
not re-negotiated: terms from the bid and the delegator's standing policy, the deadline the
original contract had left, worded from the clause templates (no model call mid-monitoring) and
signed by both parties. The :class:`SwitchRecord` holds all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.award import make_award
from negotiator.delegation.contracting import draft_contract, template_wording
from negotiator.delegation.contracting import sign as sign_contract
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.ledger import Books
from negotiator.delegation.monitoring import monitoring_clause
from negotiator.delegation.reoptimise import (
    Candidate,
    Decision,
    LoopState,
    Observation,
    SwitchEvent,
    SwitchPolicy,
    decide,
    estimate,
    post_switch,
)
from negotiator.delegation.reputation import ReputationUpdate
from negotiator.delegation.reputation_store import reputation_key
from negotiator.delegation.screening import funds_at_start
from negotiator.delegation.settlement import compensation
from negotiator.delegation.trust import permissions
from negotiator.errors import UsageError
from negotiator.wire.bid import Bid
from negotiator.wire.clauses import PerformanceRequirement
from negotiator.wire.common import Comparator
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport
from negotiator.wire.settlement import Settlement
from negotiator.wire.signing import sign

__all__ = [
    "FlowLoop",
    "SwitchRecord",
    "committed",
    "fundable",
    "observe",
    "reconsider",
    "start_loop",
    "switch_contractor",
]

if TYPE_CHECKING:
    from negotiator.delegation.request import DelegationRequest

_LOWER_BOUNDS = frozenset({Comparator.GE, Comparator.GT})


class FlowLoop(BaseModel):
    """The loop between two monitor ticks, as the run's state keeps it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    loop: LoopState = Field(description="Current contractor, belief, switches, cooldown.")
    standing: tuple[Candidate, ...] = Field(description="The screened valid bids.")
    dropped: tuple[str, ...] = Field(default=(), description="Contractors dropped in this run.")


class SwitchRecord(BaseModel):
    """One switch of contractor as the run records it (and its transcript replays)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int = Field(ge=1, description="The contract hired: 1 for the first switch.")
    after_verdicts: int = Field(
        ge=1, description="Monitoring verdicts of the run up to the one the switch followed."
    )
    event: SwitchEvent = Field(description="The loop's decision.")
    reason: str = Field(description="Why it switched (gain against the fee).")
    dropped_contract: Contract = Field(description="The contract dropped.")
    settlement: Settlement = Field(description="The dropped contract's settlement, hub-signed.")
    reputation: ReputationUpdate = Field(description="The dropped contractor's update.")
    contract: Contract = Field(description="The replacement's contract, signed by both.")


def _attainment(req: PerformanceRequirement, report: ProgressReport) -> float | None:
    value = report.value_of(req.metric)
    if value is None or isinstance(value, bool):
        return None
    if req.comparator in _LOWER_BOUNDS and req.threshold > 0:
        if report.progress <= 0:
            return None
        return min(1.0, max(0.0, float(value) / (req.threshold * report.progress)))
    return 1.0 if req.comparator.apply(float(value), req.threshold) else 0.0


def observe(
    contract: Contract,
    report: ProgressReport | None,
    tick: int,
    *,
    progress: float,
    belief: float,
) -> Observation:
    """Read report ``tick`` of ``contract`` (``None``: missed or refused) as an observation.

    Args:
        progress: the latest progress (kept when the report is missing).
        belief: the current belief (the observed quality when the report carries none).

    Example:
        >>> from datetime import UTC
        >>> from negotiator.money import Money
        >>> from negotiator.wire.clauses import MonitoringAgreement
        >>> usdc = Money(amount=Decimal("5"), currency="USDC")
        >>> c = Contract(id="c1", task_id="t1", delegator_id="d", contractor_id="c", price=usdc,
        ...     bond=usdc, deadline_seconds=3000, created_at=datetime(2026, 1, 1, tzinfo=UTC),
        ...     clauses=(MonitoringAgreement(report_interval_seconds=300, max_missed_reports=2),
        ...              PerformanceRequirement(metric="gain", comparator=">=", threshold=20)))
        >>> r = ProgressReport(contract_id="c1", sequence=0, progress=0.2,
        ...     timestamp=c.created_at, metrics={"gain": 2.0})
        >>> observe(c, r, 0, progress=0.2, belief=0.9)  # 2.0 of the 4.0 due at 20 %
        Observation(quality=0.5, progress=0.2, expected_progress=0.1)
    """
    interval = monitoring_clause(contract).report_interval_seconds
    expected = min(1.0, (tick + 1) * interval / contract.deadline_seconds)
    if report is None:
        return Observation(quality=belief, progress=progress, expected_progress=expected)
    found = [
        a
        for c in contract.clauses
        if isinstance(c, PerformanceRequirement)
        for a in [_attainment(c, report)]
        if a is not None
    ]
    quality = sum(found) / len(found) if found else belief
    return Observation(quality=quality, progress=report.progress, expected_progress=expected)


def start_loop(
    contract: Contract, bids: Sequence[Bid], reputations: Mapping[str, float], policy: SwitchPolicy
) -> FlowLoop:
    """The loop at the first report: the contractor on its contract's terms, every valid bid
    standing (reputations as given; a bidder missing from them has the policy's prior)."""

    def rep(bidder: str) -> float:
        return float(reputations.get(bidder, policy.prior_quality))

    standing = tuple(
        Candidate(
            bidder_id=b.bidder_id,
            price=b.price,
            bond=b.reputation_bond,
            claimed_quality=b.claimed_quality,
            reputation=rep(b.bidder_id),
        )
        for b in sorted(bids, key=lambda b: b.bidder_id)
    )
    own = next((c for c in standing if c.bidder_id == contract.contractor_id), None)
    current = Candidate(
        bidder_id=contract.contractor_id,
        price=contract.price,
        bond=contract.bond,
        claimed_quality=own.claimed_quality if own is not None else policy.prior_quality,
        reputation=rep(contract.contractor_id),
    )
    return FlowLoop(
        loop=LoopState(contractor=current, belief=estimate(current, policy)), standing=standing
    )


def reconsider(
    flow: FlowLoop,
    obs: Observation,
    tick: int,
    *,
    policy: SwitchPolicy,
    value: Decimal,
    fits: Callable[[Candidate, Decimal], bool],
) -> tuple[FlowLoop, Decision]:
    """Run :func:`~negotiator.delegation.reoptimise.decide` on the standing bids not dropped
    yet; a replacement that ``fits(candidate, fee)`` rejects is set aside and the decision
    taken again without it. Returns the loop for the next tick and the decision."""
    standing = [c for c in flow.standing if c.bidder_id not in flow.dropped]
    unfunded: list[str] = []
    while True:
        decision = decide(flow.loop, obs, tick, standing, policy=policy, value=value)
        switch = decision.switch
        if switch is None:
            break
        hired = next(c for c in standing if c.bidder_id == switch.hired)
        if fits(hired, switch.fee):
            break
        unfunded.append(hired.bidder_id)
        standing = [c for c in standing if c.bidder_id != hired.bidder_id]
    if unfunded:
        note = f"cannot fund {', '.join(unfunded)}; {decision.reason}"
        decision = Decision(decision.state, decision.switch, note)
    dropped = flow.dropped + ((switch.dropped,) if switch is not None else ())
    return flow.model_copy(update={"loop": decision.state, "dropped": dropped}), decision


def committed(first: Contract, switches: Sequence[SwitchRecord]) -> Decimal:
    """What the run's contracts have taken from the delegator so far: the first price, and for
    each switch its fee and the replacement's price less what the dropped contract paid back."""
    total = first.price.amount
    for s in switches:
        back = sum(
            (p.amount.amount for p in s.settlement.payments if p.to_account == first.delegator_id),
            Decimal(0),
        )
        total += s.event.fee + s.contract.price.amount - back
    return total


def fundable(
    ledger: Books,
    run_id: str,
    *,
    first: Contract,
    switches: Sequence[SwitchRecord],
    current: Contract,
    progress: float,
    candidate: Candidate,
    fee: Decimal,
) -> bool:
    """Whether dropping ``current`` at ``progress`` for ``candidate`` can be paid (module
    docstring): the least refund is the cancellation's (price less its compensation)."""
    currency = current.price.currency
    delegator, bidder = current.delegator_id, candidate.bidder_id
    start = funds_at_start(ledger, run_id, [delegator, bidder], currency)
    refund = current.price.amount - compensation(current, progress)
    available = start[delegator] - committed(first, switches) + refund
    return available >= fee + candidate.price.amount and start[bidder] >= candidate.bond.amount


def _replacement_contract(
    request: DelegationRequest,
    hub: MarketHub,
    keys: RunKeys,
    *,
    dropped: Contract,
    bid: Bid,
    n: int,
    at: datetime,
) -> Contract:
    task = request.task
    reputation = hub.reputation(bid.bidder_id)
    award = make_award(task.id, [bid], {bid.bidder_id: reputation}, request.preferences, at)
    granted = None
    if hub.trust is not None:
        offered = bid.offered_reporting_interval_seconds
        granted = permissions(task, offered, reputation, hub.trust)
    draft = draft_contract(task, award, reputation, request.policy, at, permissions=granted)
    end = dropped.created_at + timedelta(seconds=dropped.deadline_seconds)
    interval = monitoring_clause(draft).report_interval_seconds
    left = max(interval, int((end - at).total_seconds()))
    terms = draft.model_dump(mode="json") | {
        "id": f"contract-{task.id}-r{n}",
        "deadline_seconds": left,
    }
    unworded = Contract.model_validate(terms)
    worded = unworded.model_copy(update={"wording": template_wording(unworded)})
    return sign_contract(worded, keys, at)


def switch_contractor(
    ledger: Books,
    hub: MarketHub,
    keys: RunKeys,
    request: DelegationRequest,
    run_id: str,
    *,
    decision: Decision,
    dropped: Contract,
    bids: Sequence[Bid],
    n: int,
    after_verdicts: int,
    at: datetime,
) -> SwitchRecord:
    """Carry out switch ``n`` (see the module docstring); every posting is idempotent and the
    reputation update is keyed by the dropped contract, so a re-run changes nothing twice.

    Raises:
        UsageError: ``decision`` made no switch.
    """
    event = decision.switch
    if event is None:
        raise UsageError("switch_contractor: the decision made no switch; nothing to carry out")
    hired = decision.state.contractor
    settlement = post_switch(ledger, run_id, event=event, dropped=dropped, hired=hired, n=n, at=at)
    settlement = sign(settlement, keys.hub, at)
    outcome = settlement.outcome.value
    update = hub.record_outcome(reputation_key(run_id, dropped.id), dropped.contractor_id, outcome)
    bid = next(b for b in bids if b.bidder_id == hired.bidder_id)
    contract = _replacement_contract(request, hub, keys, dropped=dropped, bid=bid, n=n, at=at)
    return SwitchRecord(
        index=n,
        after_verdicts=after_verdicts,
        event=event,
        reason=decision.reason,
        dropped_contract=dropped,
        settlement=settlement,
        reputation=update,
        contract=contract,
    )
