"""A market for lemons, and how reputation and stakes end it (seed 000's trust section).

Usage: ``python bench/lemons.py [--json] [--seed S] [--agents N] [--tasks T] [--plot PATH]``

A population of ``N`` agents with a hidden true quality ``q`` (the chance a delegation to it
succeeds), drawn uniform in [0.1, 1.0]; a *lemon* has ``q < 0.5``. Each agent bids its cost
``2 + 6 q`` (good work costs more) and claims a quality: honest agents claim ``q``, lemons claim
``U(0.8, 0.95)``. For each of ``T`` tasks, 8 agents drawn at random bid; a success is worth 20.

* **without** reputation and stakes: the delegator ranks by ``20 × claimed − price`` and only
  sees claims, so cheap over-claiming lemons win;
* **with**: each bidder must stake the trust-scaled bond of
  :func:`negotiator.delegation.trust.required_bond` (task of high criticality, minimum bond 0.5)
  from its wallet (start 3, earns its price on success, forfeits the bond on failure; a bidder
  that cannot fund its bond cannot bid); the delegator ranks by ``20 × reputation − price``;
  after the task the winner's reputation gets the damped update of
  :func:`negotiator.delegation.reputation.damped_update` (everyone starts at 0.5), and idle
  agents decay toward 0.5 (:func:`~negotiator.delegation.reputation.decay_toward_prior`,
  half-life 100 tasks), which also lets the market look at agents again.

Figures: the share of tasks won by lemons in each arm (``lemon_share_*``), the mean
``|reputation − q|`` at the end over all agents (``reputation_error``) and over the agents that
won at least 5 tasks (``reputation_error_active``), and the cost per delegation of the *with*
arm (library calls, no graph). Money is simulated in numpy arrays here (no ledger); the stakes,
reputation and decay are the library's functions. The plot (``bench/out/lemons.png``) shows the
rolling lemon share and reputation against true quality.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from negotiator.delegation.reputation import damped_update, decay_toward_prior
from negotiator.delegation.trust import TrustPolicy, required_bond
from negotiator.money import Money
from negotiator.plotting import write_png
from negotiator.wire.common import Level
from negotiator.wire.task import TaskSpec

VALUE = 20.0
BIDDERS_PER_TASK = 8
START_WALLET = 5.0
PRIOR = Decimal("0.5")
HALF_LIFE = 400.0
DAMPING = Decimal("0.1")


@dataclass
class Population:
    quality: np.ndarray
    claim: np.ndarray
    price: np.ndarray

    @property
    def lemons(self) -> np.ndarray:
        return self.quality < 0.5


def population(rng: np.random.Generator, n: int) -> Population:
    q = rng.uniform(0.1, 1.0, n)
    claim = np.where(q < 0.5, rng.uniform(0.8, 0.95, n), q)
    return Population(quality=q, claim=claim, price=2 + 6 * q)


def task_spec() -> TaskSpec:
    usd = Money(amount=Decimal("10"), currency="USDC")
    return TaskSpec(
        id="task-lemons",
        delegator_id="did:web:delegator.example",
        title="A task of the simulated market",
        description="One of many simulated delegations.",
        role="contractor",
        budget=usd,
        min_bond=Money(amount=Decimal("2.00"), currency="USDC"),
        deadline_seconds=3600,
        reporting_interval_seconds=300,
        criticality=Level.HIGH,
    )


def without(pop: Population, tasks: int, rng: np.random.Generator) -> np.ndarray:
    """Winners of every task when only claims are seen."""
    winners = np.empty(tasks, dtype=int)
    for t in range(tasks):
        bidders = rng.choice(len(pop.quality), BIDDERS_PER_TASK, replace=False)
        score = VALUE * pop.claim[bidders] - pop.price[bidders]
        winners[t] = bidders[np.argmax(score)]
    return winners


def with_trust(
    pop: Population, tasks: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[Decimal]]:
    """Winners of every task with stakes, reputation and decay; the final reputations."""
    n, task, policy = len(pop.quality), task_spec(), TrustPolicy()
    stored = [PRIOR] * n
    last_active = [0] * n
    wallet = np.full(n, START_WALLET)
    winners = np.full(tasks, -1, dtype=int)
    for t in range(tasks):
        rep = [
            float(decay_toward_prior(stored[i], PRIOR, t - last_active[i], HALF_LIFE))
            for i in range(n)
        ]
        bidders = rng.choice(n, BIDDERS_PER_TASK, replace=False)
        bonds = {i: float(required_bond(task, rep[i], policy).amount) for i in bidders}
        able = [i for i in bidders if wallet[i] >= bonds[i]]
        if not able:
            continue
        w = max(able, key=lambda i: (VALUE * rep[i] - pop.price[i], -i))
        winners[t] = w
        success = rng.random() < pop.quality[w]
        wallet[w] += pop.price[w] if success else -bonds[w]
        outcome = "completed" if success else "breached"
        update = damped_update(str(w), Decimal(str(rep[w])), outcome, DAMPING)
        stored[w], last_active[w] = update.after, t
    final = [
        decay_toward_prior(stored[i], PRIOR, tasks - last_active[i], HALF_LIFE) for i in range(n)
    ]
    return winners, final


def lemon_share(pop: Population, winners: np.ndarray) -> float:
    won = winners[winners >= 0]
    return float(pop.lemons[won].mean()) if len(won) else 0.0


def rolling(pop: Population, winners: np.ndarray, window: int = 100) -> np.ndarray:
    flags = np.where(winners >= 0, pop.lemons[np.maximum(winners, 0)], np.nan)
    kernel = np.ones(window) / window
    return np.convolve(np.nan_to_num(flags), kernel, mode="valid")


def plot(path: Path, pop: Population, w0: np.ndarray, w1: np.ndarray, reps: list[Decimal]) -> None:
    def draw(axes: Sequence[Any]) -> None:
        left, right = axes
        left.plot(rolling(pop, w0), label="claims only")
        left.plot(rolling(pop, w1), label="reputation + trust-scaled stakes")
        left.axhline(float(pop.lemons.mean()), color="grey", ls=":", label="lemons in population")
        left.set(xlabel="task", ylabel="lemon share (rolling 100)", title="Who wins the tasks")
        left.legend()
        right.scatter(pop.quality, [float(r) for r in reps], s=14)
        right.plot([0, 1], [0, 1], color="grey", ls=":")
        right.set(
            xlabel="true quality", ylabel="reputation at the end", title="Reputation vs truth"
        )

    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(path, (11, 4.2), 2, draw)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--seed", type=int, default=20260601)
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--tasks", type=int, default=3000)
    ap.add_argument("--plot", type=Path, default=Path("bench/out/lemons.png"))
    args = ap.parse_args()
    pop = population(np.random.default_rng(args.seed), args.agents)
    w0 = without(pop, args.tasks, np.random.default_rng(args.seed + 1))
    start = time.perf_counter()
    w1, reps = with_trust(pop, args.tasks, np.random.default_rng(args.seed + 1))
    elapsed = time.perf_counter() - start
    errors = np.abs(np.array([float(r) for r in reps]) - pop.quality)
    wins = np.bincount(w1[w1 >= 0], minlength=args.agents)
    plot(args.plot, pop, w0, w1, reps)
    out = {
        "lemon_share_without": round(lemon_share(pop, w0), 4),
        "lemon_share_with": round(lemon_share(pop, w1), 4),
        "reputation_error": round(float(errors.mean()), 4),
        "reputation_error_active": round(float(errors[wins >= 5].mean()), 4),
        "lemons_in_population": round(float(pop.lemons.mean()), 4),
        "tasks": args.tasks,
        "agents": args.agents,
        "unfilled_tasks_with": int((w1 < 0).sum()),
        "us_per_delegation_with": round(elapsed / args.tasks * 1e6, 1),
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
