"""Market simulations on a real local Ray instance (the ``ray`` extra; skipped without it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from negotiator.delegation.reoptimise import SwitchPolicy
from negotiator.delegation.simulation import simulate_monitored_task

ray = pytest.importorskip("ray", reason="the ray extra is not installed")
run_on_ray = pytest.importorskip("negotiator.delegation.distributed").run_on_ray


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    yield
    ray.shutdown()


@pytest.mark.slow
def test_simulations_fanned_out_on_ray_match_the_same_runs_in_process(local_ray: None) -> None:
    jumpy = SwitchPolicy(damping=1.0, cooldown_ticks=0, max_switches=100, base_fee=0)
    calls = [{"policy": jumpy, "seed": 5, "index": i, "ticks": 12, "noise": 0.3} for i in range(6)]
    remote = run_on_ray(simulate_monitored_task, calls, num_cpus=2)
    local = [simulate_monitored_task(**call) for call in calls]
    assert remote == local
    assert sum(r.switches for r in remote) > 0  # the noisy policy does switch
