"""Noisy monitoring, with and without seed 000's stability devices (cooldown, damping, fees).

Usage: ``python bench/stability.py [--json] [--seed S] [--tasks T] [--ticks K] [--noise SD]
[--plot PATH]``

Each of ``T`` tasks is monitored for ``K`` reports. Four standing bids of near-equal true quality
(0.78 to 0.84, claimed truthfully, reputation 0.9, prices 4.80 to 5.40) compete; each report
shows the current contractor's true quality plus Gaussian noise (``--noise``, 0.25), clipped to
[0, 1], and progress on schedule (``tick / K``). A perfect delivery is worth 20. The same loop
(:func:`negotiator.delegation.reoptimise.decide`) runs under two policies:

* **without**: no damping (the belief is the last report), no cooldown, no fee, no switch cap;
* **with**: the default :class:`~negotiator.delegation.reoptimise.SwitchPolicy` (damping 0.3,
  cooldown 3 reports, at most 2 switches, fee 0.25 doubling with each switch).

Every switch is posted to an escrow ledger (:func:`~negotiator.delegation.reoptimise.post_switch`:
the dropped contractor settled by its contract, the fee, the replacement's escrow), the last
contractor is paid (:func:`~negotiator.delegation.reoptimise.complete`), the ledger is checked
balanced with every escrow and bond account empty, and the recorded switches are replayed
(:func:`~negotiator.delegation.reoptimise.replay_switches`). Figures, summed over all tasks:

* ``switches_per_task_*``;
* ``total_cost_*`` — what getting the work done consumed, whoever paid for it: the final
  contractor's price, the work thrown away with every dropped contractor (its progress × its
  price) and the fees;
* ``delegator_net_cost_*`` — what the delegator's wallet lost (after penalties it received);
* ``penalties_*`` — bonds forfeited and price differences charged to dropped contractors. Every
  bid here claims its true quality, so each of these penalties punished noise, not a default;
* ``ms_per_delegation_*`` — the cost of one simulated delegation (library and ledger, no graph).

The plot (``bench/out/stability.png``) shows the switches per task in each arm.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from negotiator.delegation.ledger import FUNDING_ACCOUNT, Ledger
from negotiator.delegation.reoptimise import (
    Candidate,
    LoopState,
    Observation,
    SwitchEvent,
    SwitchPolicy,
    complete,
    decide,
    estimate,
    hire,
    post_switch,
    replay_switches,
)
from negotiator.money import Money

VALUE = Decimal(20)
AT = datetime(2026, 10, 1, tzinfo=UTC)
DELEGATOR = "delegator"
TRUE_QUALITY = {"a": 0.80, "b": 0.82, "c": 0.78, "d": 0.84}
PRICES = {"a": "5.00", "b": "5.20", "c": "4.80", "d": "5.40"}
POLICIES = {
    "without": SwitchPolicy(
        damping=1.0, cooldown_ticks=0, max_switches=10_000, base_fee=Decimal(0), fee_growth=1
    ),
    "with": SwitchPolicy(),
}
PENALTY_REASONS = ("bond_forfeit", "replacement_difference")


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


STANDING = tuple(
    Candidate(
        bidder_id=b,
        price=usd(PRICES[b]),
        bond=usd("0.50"),
        claimed_quality=q,
        reputation=0.9,
    )
    for b, q in TRUE_QUALITY.items()
)


@dataclass
class Arm:
    switches: list[int] = field(default_factory=list)
    total: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    penalties: Decimal = Decimal(0)
    seconds: float = 0.0


@dataclass(frozen=True)
class TaskResult:
    switches: int
    total: Decimal
    net: Decimal
    penalties: Decimal


def run_task(
    policy: SwitchPolicy, rng: np.random.Generator, ticks: int, noise: float, n: int
) -> TaskResult:
    """One monitored task, settled on its own ledger."""
    by_id = {c.bidder_id: c for c in STANDING}
    first = min(
        STANDING,
        key=lambda c: (c.price.amount - VALUE * Decimal(str(estimate(c, policy))), c.bidder_id),
    )
    state = LoopState(contractor=first, belief=estimate(first, policy))
    run = f"task-{n}"
    with Ledger(":memory:") as ledger:
        for who in (DELEGATOR, *by_id):
            ledger.transfer(f"fund/{who}", FUNDING_ACCOUNT, who, usd("1000"), "funding")
        hire(ledger, run, run, DELEGATOR, c=first, n=0)
        observations: list[Observation] = []
        events: list[SwitchEvent] = []
        for tick in range(ticks):
            q = TRUE_QUALITY[state.contractor.bidder_id] + rng.normal(0, noise)
            progress = (tick + 1) / ticks
            obs = Observation(
                quality=float(np.clip(q, 0, 1)), progress=progress, expected_progress=progress
            )
            observations.append(obs)
            decision = decide(state, obs, tick, STANDING, policy=policy, value=VALUE)
            if decision.switch is not None:
                e = decision.switch
                events.append(e)
                post_switch(
                    ledger,
                    run,
                    run,
                    DELEGATOR,
                    event=e,
                    dropped=by_id[e.dropped],
                    hired=by_id[e.hired],
                    n=len(events),
                    at=AT,
                )
            state = decision.state
        complete(ledger, run, run, DELEGATOR, contractor=state.contractor, n=len(events), at=AT)
        replay_switches(events, first, observations, STANDING, policy=policy, value=VALUE)
        balances = ledger.balances("USDC")
        assert ledger.is_balanced()
        assert all(v == 0 for k, v in balances.items() if k.startswith(("escrow:", "bond:")))
        net = usd("1000").amount - balances[DELEGATOR]
        penalties = sum(
            (t.amount.amount for t in ledger.transfers() if t.reason in PENALTY_REASONS),
            Decimal(0),
        )
    wasted = sum(
        (by_id[e.dropped].price.amount * Decimal(str(e.progress)) for e in events), Decimal(0)
    )
    fees = sum((e.fee for e in events), Decimal(0))
    total = state.contractor.price.amount + wasted + fees
    return TaskResult(len(events), total.quantize(Decimal("0.01")), net, penalties)


def plot(path: Path, arms: dict[str, Arm]) -> None:
    import matplotlib  # noqa: PLC0415 (only when plotting)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(7, 4))
    top = max(max(a.switches) for a in arms.values())
    bins = np.arange(top + 2) - 0.5
    for name, arm in arms.items():
        ax.hist(arm.switches, bins=bins, alpha=0.6, label=f"{name} devices")
    ax.set(
        xlabel="switches in one task",
        ylabel="tasks",
        title="Contractor switches under noisy monitoring",
    )
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--seed", type=int, default=20260601)
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--ticks", type=int, default=20)
    ap.add_argument("--noise", type=float, default=0.25)
    ap.add_argument("--plot", type=Path, default=Path("bench/out/stability.png"))
    args = ap.parse_args()
    arms = {name: Arm() for name in POLICIES}
    for name, policy in POLICIES.items():
        rng = np.random.default_rng(args.seed)
        arm = arms[name]
        start = time.perf_counter()
        for n in range(args.tasks):
            result = run_task(policy, rng, args.ticks, args.noise, n)
            arm.switches.append(result.switches)
            arm.total += result.total
            arm.net += result.net
            arm.penalties += result.penalties
        arm.seconds = time.perf_counter() - start
    plot(args.plot, arms)
    out: dict[str, object] = {}
    for name, arm in arms.items():
        out[f"switches_per_task_{name}"] = round(sum(arm.switches) / args.tasks, 3)
    for name, arm in arms.items():
        out[f"total_cost_{name}"] = str(arm.total)
    for name, arm in arms.items():
        out[f"delegator_net_cost_{name}"] = str(arm.net)
    for name, arm in arms.items():
        out[f"penalties_{name}"] = str(arm.penalties)
    for name, arm in arms.items():
        out[f"ms_per_delegation_{name}"] = round(arm.seconds / args.tasks * 1e3, 2)
    out |= {
        "tasks": args.tasks,
        "ticks": args.ticks,
        "noise": args.noise,
        "seed": args.seed,
        "plot": str(args.plot),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:28} {v}")


if __name__ == "__main__":
    main()
