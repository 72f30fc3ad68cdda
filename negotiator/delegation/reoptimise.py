"""Continuous re-optimisation during monitoring, with seed 000's stability devices.

Seed 000's loop: initial choice → monitoring → belief update → re-optimisation → switch → repeat.
Each progress report becomes an :class:`Observation` (observed quality, reported progress and the
progress the schedule expected), and :func:`decide` does, at tick ``t``:

1. **belief update (damping)** — ``belief += damping × (evidence − belief)`` where ``evidence`` is
   the observed quality, scaled down by ``progress / expected`` when the work is behind schedule;
2. **re-score the standing bids** — a bid's quality estimate is its claim weighted by the
   bidder's reputation (``r × claimed + (1 − r) × prior``), its cost the replacement's extra price
   ``price_b − price_c × (1 − progress)`` (the dropped contractor keeps its pro-rata share);
   ``gain = value × (estimate_b − belief) − extra price``;
3. **switch** only when ``gain`` exceeds the **re-delegation fee** of the next switch
   (``base_fee × fee_growth^switches``: fees rise with every switch), the **cooldown** has passed
   (``cooldown_ticks`` since the contract started or since the last switch) and the **switch
   cap** (``max_switches``) allows.

The dropped contractor is **at fault** when its belief is more than ``fault_tolerance`` below its
own claim: it is then settled as a breach under the default penalty (price refunded, bond
forfeited, the replacement's price difference charged to it); otherwise as a cancellation (pro
rata compensation, bond returned). :func:`post_switch` posts that settlement, the fee (to
:data:`FEE_ACCOUNT`) and the replacement's escrow, every posting under an idempotency key, so
money is conserved and a re-run posts nothing twice.

Every switch is a :class:`SwitchEvent` (data). :func:`run_loop` is a pure function of the
observations, so re-running it on the recorded observations reproduces the recorded events
(:func:`replay_switches` checks that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.ledger import Books
from negotiator.delegation.monitoring import Verdict, VerdictKind
from negotiator.delegation.settlement import bond_account, escrow_account, settle
from negotiator.errors import ReplayMismatchError
from negotiator.money import Money, quantize
from negotiator.wire.clauses import CancellationCompensation, CompensationMethod, DefaultPenalty
from negotiator.wire.contract import Contract
from negotiator.wire.settlement import PaymentReason, Settlement

__all__ = [
    "FEE_ACCOUNT",
    "Candidate",
    "Decision",
    "LoopState",
    "Observation",
    "SwitchEvent",
    "SwitchPolicy",
    "complete",
    "contract_for",
    "contract_run",
    "decide",
    "drop_verdict",
    "estimate",
    "hire",
    "post_switch",
    "replay_switches",
    "run_loop",
    "switch_fee",
    "tick_at",
    "update_belief",
]

#: where re-delegation fees go.
FEE_ACCOUNT = "market:fees"


class SwitchPolicy(BaseModel):
    """The stability devices of the loop (see the module docstring).

    Example:
        >>> switch_fee(SwitchPolicy(), 2)
        Decimal('1.00')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    damping: float = Field(default=0.3, gt=0, le=1, description="Belief step per report.")
    cooldown_ticks: int = Field(default=3, ge=0, description="Ticks between switches, at least.")
    max_switches: int = Field(default=2, ge=0, description="Switches per task, at most.")
    base_fee: Decimal = Field(default=Decimal("0.25"), ge=0, description="Fee of the first switch.")
    fee_growth: Decimal = Field(default=Decimal(2), ge=1, description="Fee factor per switch.")
    prior_quality: float = Field(default=0.5, ge=0, le=1, description="Quality of no evidence.")
    fault_tolerance: float = Field(
        default=0.15, ge=0, le=1, description="Belief below claim by more than this: at fault."
    )


class Candidate(BaseModel):
    """A standing bid the loop may switch to (or the current contractor's own bid)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bidder_id: str = Field(description="The bidder.")
    price: Money = Field(description="Its price for the whole task.")
    bond: Money = Field(description="The bond it stakes.")
    claimed_quality: float = Field(ge=0, le=1, description="The quality its bid claims.")
    reputation: float = Field(ge=0, le=1, description="Its reputation when the bid was made.")


class Observation(BaseModel):
    """What one progress report showed about the current contractor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quality: float = Field(ge=0, le=1, description="Observed quality of the work so far.")
    progress: float = Field(ge=0, le=1, description="Reported progress.")
    expected_progress: float = Field(ge=0, le=1, description="Progress the schedule expected.")


class LoopState(BaseModel):
    """The loop between two reports: who works, what we believe, how often we switched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    contractor: Candidate = Field(description="The current contractor's bid.")
    belief: float = Field(ge=0, le=1, description="Believed quality of the current contractor.")
    switches: int = Field(default=0, ge=0, description="Switches made so far.")
    since_switch: int = Field(default=0, ge=0, description="Ticks since start or last switch.")


class SwitchEvent(BaseModel):
    """One switch of contractor, as recorded (and replayed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tick: int = Field(ge=0, description="The report index the switch followed.")
    dropped: str = Field(description="The contractor dropped.")
    hired: str = Field(description="The replacement.")
    at_fault: bool = Field(description="Whether the dropped contractor defaulted.")
    progress: float = Field(ge=0, le=1, description="Progress when dropped.")
    belief: float = Field(ge=0, le=1, description="Belief in the dropped contractor.")
    expected_gain: Decimal = Field(description="Expected gain of the switch, before the fee.")
    fee: Decimal = Field(ge=0, description="The re-delegation fee paid.")


@dataclass(frozen=True)
class Decision:
    """The loop's answer after one report: the new state and the switch made, if any."""

    state: LoopState
    switch: SwitchEvent | None
    reason: str


def switch_fee(policy: SwitchPolicy, switches: int) -> Decimal:
    """Return the fee of the next switch after ``switches`` switches (rises every time)."""
    return quantize(policy.base_fee * policy.fee_growth**switches)


def estimate(candidate: Candidate, policy: SwitchPolicy) -> float:
    """Return the quality a standing bid is believed to deliver (its claim, reputation-weighted)."""
    r = candidate.reputation
    return r * candidate.claimed_quality + (1 - r) * policy.prior_quality


def update_belief(belief: float, obs: Observation, damping: float) -> float:
    """Move ``belief`` part of the way towards what ``obs`` showed (damped).

    Example:
        >>> update_belief(0.8, Observation(quality=0.4, progress=0.2, expected_progress=0.2), 0.5)
        0.6000000000000001
    """
    pace = 1.0 if obs.expected_progress <= 0 else min(1.0, obs.progress / obs.expected_progress)
    evidence = obs.quality * pace
    return min(1.0, max(0.0, belief + damping * (evidence - belief)))


def _gain(
    state: LoopState, bid: Candidate, progress: float, value: Decimal, p: SwitchPolicy
) -> Decimal:
    current = state.contractor
    extra = bid.price.amount - current.price.amount * Decimal(str(1 - progress))
    better = Decimal(str(estimate(bid, p) - state.belief))
    return quantize(value * better - extra)


def _blocked(state: LoopState, policy: SwitchPolicy) -> str | None:
    if state.switches >= policy.max_switches:
        return f"switch cap of {policy.max_switches} reached"
    if state.since_switch < policy.cooldown_ticks:
        return f"cooldown: {state.since_switch} of {policy.cooldown_ticks} ticks passed"
    return None


def decide(
    state: LoopState,
    obs: Observation,
    tick: int,
    standing: Sequence[Candidate],
    *,
    policy: SwitchPolicy,
    value: Decimal,
) -> Decision:
    """Update the belief from ``obs`` and switch to the best standing bid if it pays.

    Args:
        tick: the index of the report ``obs`` came from (recorded in the event).
        standing: the standing bids (the current contractor's is skipped); ties go to the
            lower bidder id.
        value: what a perfect delivery is worth to the delegator, in the price's currency.

    Example:
        >>> usd = lambda a: Money(amount=Decimal(a), currency="USDC")
        >>> a = Candidate(bidder_id="a", price=usd("5"), bond=usd("0.5"), claimed_quality=0.9,
        ...     reputation=0.9)
        >>> b = a.model_copy(update={"bidder_id": "b"})
        >>> s = LoopState(contractor=a, belief=0.9, since_switch=5)
        >>> bad = Observation(quality=0.1, progress=0.1, expected_progress=0.3)
        >>> d = decide(s, bad, 5, [a, b], policy=SwitchPolicy(damping=1.0), value=Decimal(20))
        >>> d.switch.hired, d.switch.at_fault, d.state.switches
        ('b', True, 1)
    """
    belief = update_belief(state.belief, obs, policy.damping)
    kept = state.model_copy(update={"belief": belief, "since_switch": state.since_switch + 1})
    others = [c for c in standing if c.bidder_id != state.contractor.bidder_id]
    if not others:
        return Decision(kept, None, "no standing bid to switch to")
    scored = sorted(
        ((_gain(kept, c, obs.progress, value, policy), c) for c in others),
        key=lambda gc: (-gc[0], gc[1].bidder_id),
    )
    gain, best = scored[0]
    fee = switch_fee(policy, state.switches)
    if gain <= fee:
        return Decision(kept, None, f"best gain {gain} does not exceed the fee {fee}")
    blocked = _blocked(kept, policy)
    if blocked is not None:
        return Decision(kept, None, blocked)
    at_fault = belief < state.contractor.claimed_quality - policy.fault_tolerance
    event = SwitchEvent(
        tick=tick,
        dropped=state.contractor.bidder_id,
        hired=best.bidder_id,
        at_fault=at_fault,
        progress=obs.progress,
        belief=belief,
        expected_gain=gain,
        fee=fee,
    )
    nxt = LoopState(
        contractor=best, belief=estimate(best, policy), switches=state.switches + 1, since_switch=0
    )
    return Decision(nxt, event, f"gain {gain} exceeds the fee {fee}")


def run_loop(
    initial: Candidate,
    observations: Sequence[Observation],
    standing: Sequence[Candidate],
    *,
    policy: SwitchPolicy,
    value: Decimal,
) -> tuple[LoopState, tuple[SwitchEvent, ...]]:
    """Run :func:`decide` over every observation; return the final state and the switches.

    The observation at index ``k`` is report ``k`` of whoever was the contractor then.
    """
    state = LoopState(contractor=initial, belief=estimate(initial, policy))
    events: list[SwitchEvent] = []
    for tick, obs in enumerate(observations):
        decision = decide(state, obs, tick, standing, policy=policy, value=value)
        state = decision.state
        events.extend([decision.switch] if decision.switch else [])
    return state, tuple(events)


def replay_switches(
    recorded: Sequence[SwitchEvent],
    initial: Candidate,
    observations: Sequence[Observation],
    standing: Sequence[Candidate],
    *,
    policy: SwitchPolicy,
    value: Decimal,
) -> tuple[SwitchEvent, ...]:
    """Re-run the loop on recorded observations and check it makes the recorded switches.

    Raises:
        ReplayMismatchError: the re-run switches differently (the first difference is named).
    """
    _, again = run_loop(initial, observations, standing, policy=policy, value=value)
    for i, (old, new) in enumerate(zip(recorded, again, strict=False)):
        if old != new:
            raise ReplayMismatchError(f"switch {i}: recorded {old!r}, re-run gives {new!r}")
    if len(recorded) != len(again):
        raise ReplayMismatchError(f"recorded {len(recorded)} switches, re-run makes {len(again)}")
    return again


def contract_run(run_id: str, n: int) -> str:
    """The settlement scope of contract ``n`` of run ``run_id``: the run itself for the first
    contract (so a run that never switches posts exactly as before), ``<run_id>/c<n>`` after.

    Contract ``n``'s price waits in ``escrow:<scope>``, its bond in ``bond:<scope>:<bidder>``,
    and its postings are keyed ``<scope>/...``.

    Example:
        >>> contract_run("run-1", 0), contract_run("run-1", 2)
        ('run-1', 'run-1/c2')
    """
    return run_id if n == 0 else f"{run_id}/c{n}"


def contract_for(
    c: Candidate, *, contract_id: str, task_id: str, delegator_id: str, at: datetime
) -> Contract:
    """A minimal contract for a standing bid (simulations without the flow's drafting): pro-rata
    cancellation with the bond returned, and the default penalty."""
    return Contract(
        id=contract_id,
        task_id=task_id,
        delegator_id=delegator_id,
        contractor_id=c.bidder_id,
        price=c.price,
        bond=c.bond,
        deadline_seconds=86_400,
        created_at=at,
        clauses=(
            CancellationCompensation(method=CompensationMethod.PRO_RATA, bond_returned=True),
            DefaultPenalty(bond_forfeited=True, replacement_price_difference_charged=True),
        ),
    )


def hire(ledger: Books, run_id: str, delegator_id: str, *, c: Candidate, n: int) -> None:
    """Escrow contract ``n``'s price from the delegator and its bond from ``c`` (idempotent),
    in the contract's scope (:func:`contract_run`)."""
    scope = contract_run(run_id, n)
    escrow = escrow_account(scope)
    ledger.transfer(f"{scope}/escrow", delegator_id, escrow, c.price, "escrow")
    if c.bond.amount > 0:
        account = bond_account(scope, c.bidder_id)
        ledger.transfer(f"{scope}/bond", c.bidder_id, account, c.bond, "bond_escrow")


def drop_verdict(contract: Contract, event: SwitchEvent, at: datetime) -> Verdict:
    """The verdict the dropped ``contract`` is settled by: a breach of its default-penalty
    clause when ``event.at_fault``, else a cancellation at ``event.progress``."""
    evidence = f"re-optimisation: belief {event.belief:.2f} at progress {event.progress:.0%}"
    if not event.at_fault:
        return Verdict(
            kind=VerdictKind.CANCELLED,
            tick=event.tick,
            at=at,
            progress=event.progress,
            evidence=evidence,
        )
    index = next((i for i, c in enumerate(contract.clauses) if isinstance(c, DefaultPenalty)), None)
    return Verdict(
        kind=VerdictKind.BREACHED,
        tick=event.tick,
        at=at,
        progress=event.progress,
        clause_index=index,
        clause_kind="default_penalty" if index is not None else None,
        evidence=evidence,
    )


def post_switch(
    ledger: Books,
    run_id: str,
    *,
    event: SwitchEvent,
    dropped: Contract,
    hired: Candidate,
    n: int,
    at: datetime,
) -> Settlement:
    """Settle the dropped contract ``n - 1``, charge the fee and hire the replacement as ``n``.

    The dropped contract is settled by its own terms (:func:`drop_verdict`): a cancellation
    (its compensation clause: pro rata or milestones; bond back as the clause says) or, when
    ``event.at_fault``, a breach under its default penalty (refund, bond forfeited, the
    replacement's price difference charged up to what the dropped contractor holds). Every
    posting is keyed by the contract's scope (:func:`contract_run`), so posting switch ``n``
    again moves nothing twice.
    """
    verdict = drop_verdict(dropped, event, at)
    scope = contract_run(run_id, n - 1)
    settlement = settle(ledger, scope, dropped, verdict, at, replacement=hired.price)
    if event.fee > 0:
        fee = Money(amount=event.fee, currency=dropped.price.currency)
        key = f"{contract_run(run_id, n)}/fee"
        reason = PaymentReason.REDELEGATION_FEE.value
        ledger.transfer(key, dropped.delegator_id, FEE_ACCOUNT, fee, reason)
    hire(ledger, run_id, dropped.delegator_id, c=hired, n=n)
    return settlement


def complete(ledger: Books, run_id: str, *, contract: Contract, n: int, at: datetime) -> Settlement:
    """Settle contract ``n`` (the last contractor's) as completed: price paid, bond back."""
    verdict = Verdict(kind=VerdictKind.COMPLETED, tick=0, at=at, progress=1.0)
    return settle(ledger, contract_run(run_id, n), contract, verdict, at)


def tick_at(start: datetime, tick: int, interval_seconds: int) -> datetime:
    """The time of report ``tick`` when reports come every ``interval_seconds`` from ``start``."""
    return start + timedelta(seconds=(tick + 1) * interval_seconds)
