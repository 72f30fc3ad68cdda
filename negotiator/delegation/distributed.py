"""Fan market simulations out across processes on Ray (the ``ray`` extra).

:func:`run_on_ray` runs one function call per item as a Ray task — one delegation or one
simulated task each — on the Ray instance at ``address``, or on a local one it starts (and
leaves running for later calls in this process; ``ray.shutdown()`` ends it). The function must
live in an importable module (a function defined in ``__main__`` is pickled by value and loses
its module's imports): the library's, e.g.
:func:`negotiator.delegation.simulation.simulate_monitored_task`. Results come back in item order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ray

__all__ = ["run_on_ray"]

T = TypeVar("T")


def run_on_ray(
    fn: Callable[..., T],
    calls: Sequence[dict[str, Any]],
    *,
    address: str | None = None,
    num_cpus: int | None = None,
) -> list[T]:
    """Run ``fn(**call)`` for every call as Ray tasks; return the results in call order.

    Args:
        calls: the keyword arguments of each call.
        address: a running Ray cluster (``"auto"`` or ``"ray://host:10001"``); ``None`` starts a
            local instance.
        num_cpus: CPUs of a local instance (``None``: all).
    """
    if not ray.is_initialized():
        ray.init(
            address=address,
            num_cpus=num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    remote = ray.remote(fn)
    return list(ray.get([remote.remote(**call) for call in calls]))
