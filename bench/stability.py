"""Noisy monitoring, with and without seed 000's stability devices (cooldown, damping, fees).

Usage: ``python bench/stability.py [--json] [--seed S] [--tasks T] [--ticks K] [--noise SD]
[--plot PATH] [--ray CPUS]``

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

The plot (``bench/out/stability.png``) shows the switches per task in each arm. Each task is
:func:`negotiator.delegation.simulation.simulate_monitored_task`; ``--ray CPUS`` runs them as Ray
tasks on a local Ray instance of that many CPUs (the ``ray`` extra) with the same results.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from negotiator.delegation.reoptimise import SwitchPolicy
from negotiator.delegation.simulation import MonitoredTask, simulate_monitored_task
from negotiator.plotting import write_png

POLICIES = {
    "without": SwitchPolicy(
        damping=1.0, cooldown_ticks=0, max_switches=10_000, base_fee=Decimal(0), fee_growth=1
    ),
    "with": SwitchPolicy(),
}


@dataclass
class Arm:
    switches: list[int] = field(default_factory=list)
    total: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    penalties: Decimal = Decimal(0)
    seconds: float = 0.0

    def add(self, result: MonitoredTask) -> None:
        self.switches.append(result.switches)
        self.total += result.total
        self.net += result.net
        self.penalties += result.penalties


def run_arm(policy: SwitchPolicy, args: argparse.Namespace) -> Arm:
    """Every task of one arm, in this process or as Ray tasks (``--ray``)."""
    calls = [
        {"policy": policy, "seed": args.seed, "index": n, "ticks": args.ticks, "noise": args.noise}
        for n in range(args.tasks)
    ]
    arm = Arm()
    start = time.perf_counter()
    if args.ray:
        from negotiator.delegation.distributed import run_on_ray  # noqa: PLC0415 (ray extra)

        results = run_on_ray(simulate_monitored_task, calls, num_cpus=args.ray)
    else:
        results = [simulate_monitored_task(**call) for call in calls]
    arm.seconds = time.perf_counter() - start
    for result in results:
        arm.add(result)
    return arm


def plot(path: Path, arms: dict[str, Arm]) -> None:
    def draw(axes: Sequence[Any]) -> None:
        (ax,) = axes
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

    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(path, (7, 4), 1, draw)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--seed", type=int, default=20260601)
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--ticks", type=int, default=20)
    ap.add_argument("--noise", type=float, default=0.25)
    ap.add_argument("--plot", type=Path, default=Path("bench/out/stability.png"))
    ap.add_argument(
        "--ray", type=int, default=0, metavar="CPUS", help="run the tasks on a local Ray instance"
    )
    args = ap.parse_args()
    arms = {name: run_arm(policy, args) for name, policy in POLICIES.items()}
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
        "ray_cpus": args.ray,
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
