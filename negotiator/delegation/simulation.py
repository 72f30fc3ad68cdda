"""One monitored task of the stability simulation (``bench/stability.py``), as a library function
so that a process pool or Ray can run many of them (:mod:`negotiator.delegation.distributed`).

Four standing bids of near-equal true quality (:data:`TRUE_QUALITY`, claimed truthfully,
reputation 0.9, prices :data:`PRICES`) compete for a task worth :data:`VALUE`. Each of ``ticks``
reports shows the current contractor's true quality plus Gaussian noise, clipped to [0, 1], and
progress on schedule. :func:`simulate_monitored_task` runs the re-optimisation loop
(:func:`~negotiator.delegation.reoptimise.decide`) under a policy, posts every switch and the
final settlement to an in-memory escrow ledger, checks the ledger (balanced, every escrow and
bond account empty) and replays the recorded switches. Task ``index`` of seed ``seed`` draws from
``numpy.random.default_rng([seed, index])``, so tasks can run anywhere, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

import numpy as np

from negotiator.delegation.ledger import FUNDING_ACCOUNT, Ledger
from negotiator.delegation.reoptimise import (
    Candidate,
    LoopState,
    Observation,
    SwitchEvent,
    SwitchPolicy,
    complete,
    contract_for,
    decide,
    estimate,
    hire,
    post_switch,
    replay_switches,
)
from negotiator.errors import RuntimeFailure
from negotiator.money import Money
from negotiator.wire.contract import Contract

__all__ = [
    "PRICES",
    "STANDING",
    "TRUE_QUALITY",
    "VALUE",
    "MonitoredTask",
    "simulate_monitored_task",
]

VALUE = Decimal(20)
TRUE_QUALITY = MappingProxyType({"a": 0.80, "b": 0.82, "c": 0.78, "d": 0.84})
PRICES = MappingProxyType({"a": "5.00", "b": "5.20", "c": "4.80", "d": "5.40"})
_AT = datetime(2026, 10, 1, tzinfo=UTC)
_DELEGATOR = "delegator"
_PENALTIES = ("bond_forfeit", "replacement_difference")
_WALLET = Money(amount=Decimal(1000), currency="USDC")

STANDING = tuple(
    Candidate(
        bidder_id=b,
        price=Money(amount=Decimal(PRICES[b]), currency="USDC"),
        bond=Money(amount=Decimal("0.50"), currency="USDC"),
        claimed_quality=q,
        reputation=0.9,
    )
    for b, q in TRUE_QUALITY.items()
)


@dataclass(frozen=True)
class MonitoredTask:
    """What one simulated task cost.

    Attributes:
        switches: contractor switches made.
        total: what the work consumed, whoever paid: the final price, the work thrown away with
            each dropped contractor (progress × its price) and the fees.
        net: what the delegator's wallet lost (after penalties it received).
        penalties: bonds forfeited and price differences charged to dropped contractors.
    """

    switches: int
    total: Decimal
    net: Decimal
    penalties: Decimal


def _observe(
    rng: np.random.Generator, who: str, tick: int, ticks: int, noise: float
) -> Observation:
    progress = (tick + 1) / ticks
    quality = float(np.clip(TRUE_QUALITY[who] + rng.normal(0, noise), 0, 1))
    return Observation(quality=quality, progress=progress, expected_progress=progress)


def _check(ledger: Ledger) -> dict[str, Decimal]:
    balances = ledger.balances("USDC")
    stuck = {k: v for k, v in balances.items() if k.startswith(("escrow:", "bond:")) and v != 0}
    if not ledger.is_balanced() or stuck:
        raise RuntimeFailure(f"simulation ledger does not add up: {stuck or 'unbalanced'}")
    return balances


def _contract(c: Candidate, run: str, n: int) -> Contract:
    return contract_for(
        c, contract_id=f"contract-{n}", task_id=run, delegator_id=_DELEGATOR, at=_AT
    )


def simulate_monitored_task(
    policy: SwitchPolicy, *, seed: int, index: int, ticks: int = 20, noise: float = 0.25
) -> MonitoredTask:
    """Run task ``index`` of seed ``seed`` under ``policy`` (see the module docstring).

    Raises:
        RuntimeFailure: the ledger does not add up, or the switches do not replay.

    Example:
        >>> calm = simulate_monitored_task(SwitchPolicy(), seed=1, index=0, noise=0.0)
        >>> calm.switches, calm.total
        (0, Decimal('5.40'))
    """
    rng = np.random.default_rng([seed, index])
    by_id = {c.bidder_id: c for c in STANDING}
    first = min(
        STANDING,
        key=lambda c: (c.price.amount - VALUE * Decimal(str(estimate(c, policy))), c.bidder_id),
    )
    state = LoopState(contractor=first, belief=estimate(first, policy))
    run = f"task-{index}"
    observations: list[Observation] = []
    events: list[SwitchEvent] = []
    with Ledger(":memory:") as ledger:
        for who in (_DELEGATOR, *by_id):
            ledger.transfer(f"fund/{who}", FUNDING_ACCOUNT, who, _WALLET, "funding")
        hire(ledger, run, _DELEGATOR, c=first, n=0)
        for tick in range(ticks):
            obs = _observe(rng, state.contractor.bidder_id, tick, ticks, noise)
            observations.append(obs)
            decision = decide(state, obs, tick, STANDING, policy=policy, value=VALUE)
            if decision.switch is not None:
                e = decision.switch
                events.append(e)
                dropped = _contract(by_id[e.dropped], run, len(events) - 1)
                post_switch(
                    ledger,
                    run,
                    event=e,
                    dropped=dropped,
                    hired=by_id[e.hired],
                    n=len(events),
                    at=_AT,
                )
            state = decision.state
        last = _contract(state.contractor, run, len(events))
        complete(ledger, run, contract=last, n=len(events), at=_AT)
        replay_switches(events, first, observations, STANDING, policy=policy, value=VALUE)
        balances = _check(ledger)
        penalties = sum(
            (t.amount.amount for t in ledger.transfers() if t.reason in _PENALTIES), Decimal(0)
        )
    wasted = sum(
        (by_id[e.dropped].price.amount * Decimal(str(e.progress)) for e in events), Decimal(0)
    )
    total = state.contractor.price.amount + wasted + sum((e.fee for e in events), Decimal(0))
    return MonitoredTask(
        switches=len(events),
        total=total.quantize(Decimal("0.01")),
        net=_WALLET.amount - balances[_DELEGATOR],
        penalties=penalties,
    )
