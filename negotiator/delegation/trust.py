"""Trust-scaled stakes and permissions (seed 000: stake-on-bid, dynamic permissions).

A :class:`TrustPolicy` turns a bidder's reputation ``r`` in [0, 1] into three terms, each within
what the task allows:

* **bond** — ``min_bond × (1 + w(criticality) × (1 − r))``, rounded to cents
  (:func:`required_bond`): a fresh identity (low ``r``) stakes more than a proven one, and more so
  on a critical task, so a Sybil that sheds a bad name by starting over pays for it up front.
  ``w`` is :attr:`TrustPolicy.criticality_weight` (low 0.5, medium 1, high 2 by default).
* **reporting interval** — the agreed interval ``base = min(offered, task interval)`` shortened
  for low trust: ``base × (s + (1 − s) × r)`` with ``s`` = :attr:`TrustPolicy.min_interval_share`
  (0.25), never below ``min_interval_seconds`` nor above the task's interval
  (:func:`report_interval`): low trust reports four times as often as full trust.
* **autonomy** — the level :data:`~negotiator.delegation.contracting.AUTONOMY_BY_REPUTATION`
  gives for ``r``, capped by the task's criticality (:data:`AUTONOMY_CAP`: a high-criticality task
  never grants more than "method delegated") (:func:`autonomy`).

:func:`personal_task` is how a bidder learns its bond: the hub shows each bidder the task with
``min_bond`` raised to that bidder's required bond, and screening checks the bid against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.contracting import AUTONOMY_BY_REPUTATION
from negotiator.errors import InvalidInputError
from negotiator.money import Money, quantize
from negotiator.wire.clauses import Autonomy
from negotiator.wire.common import Level
from negotiator.wire.task import TaskSpec

__all__ = [
    "AUTONOMY_CAP",
    "AUTONOMY_ORDER",
    "TrustPolicy",
    "autonomy",
    "permissions",
    "personal_task",
    "report_interval",
    "required_bond",
]

#: autonomy levels from the narrowest to the widest.
AUTONOMY_ORDER: tuple[Autonomy, ...] = (
    Autonomy.SUPERVISED,
    Autonomy.PLAN_APPROVED,
    Autonomy.METHOD_DELEGATED,
    Autonomy.FULL,
)

#: criticality -> the widest autonomy a task of that criticality grants, whatever the trust.
AUTONOMY_CAP: Mapping[Level, Autonomy] = MappingProxyType(
    {Level.LOW: Autonomy.FULL, Level.MEDIUM: Autonomy.FULL, Level.HIGH: Autonomy.METHOD_DELEGATED}
)


def _default_weights() -> dict[Level, Decimal]:
    return {Level.LOW: Decimal("0.5"), Level.MEDIUM: Decimal(1), Level.HIGH: Decimal(2)}


class TrustPolicy(BaseModel):
    """How reputation scales a contractor's stake, reporting cadence and autonomy.

    Example:
        >>> TrustPolicy().criticality_weight[Level.HIGH]
        Decimal('2')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    criticality_weight: dict[Level, Decimal] = Field(
        default_factory=_default_weights,
        description="Extra bond per unit of distrust (1 − reputation), by criticality.",
    )
    min_interval_share: float = Field(
        default=0.25, gt=0, le=1, description="Share of the agreed interval at reputation 0."
    )
    min_interval_seconds: int = Field(
        default=60, gt=0, description="Shortest reporting interval ever asked for."
    )


def _check_reputation(reputation: float) -> None:
    if not 0 <= reputation <= 1:
        raise InvalidInputError.single("trust", "$.reputation", f"{reputation} is outside [0, 1]")


def required_bond(task: TaskSpec, reputation: float, policy: TrustPolicy) -> Money:
    """Return the bond a bidder of ``reputation`` must stake on ``task``.

    Raises:
        InvalidInputError: ``reputation`` is outside [0, 1].

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> task = demo_task()  # medium criticality, minimum bond 0.50 USDC
        >>> [str(required_bond(task, r, TrustPolicy()).amount) for r in (0.0, 0.5, 1.0)]
        ['1.00', '0.75', '0.50']
    """
    _check_reputation(reputation)
    weight = policy.criticality_weight.get(task.criticality, Decimal(0))
    distrust = Decimal(1) - Decimal(str(reputation))
    amount = quantize(task.min_bond.amount * (1 + weight * distrust))
    return Money(amount=amount, currency=task.min_bond.currency)


def report_interval(task: TaskSpec, offered: int, reputation: float, policy: TrustPolicy) -> int:
    """Return the reporting interval, in seconds, for a contractor of ``reputation``.

    Raises:
        InvalidInputError: ``reputation`` is outside [0, 1].

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> task = demo_task()  # reports at least every 300 s
        >>> [report_interval(task, 300, r, TrustPolicy()) for r in (0.0, 0.5, 1.0)]
        [75, 187, 300]
    """
    _check_reputation(reputation)
    base = min(offered, task.reporting_interval_seconds)
    share = policy.min_interval_share + (1 - policy.min_interval_share) * reputation
    floor = min(policy.min_interval_seconds, base)
    return max(floor, min(base, int(base * share)))


def autonomy(task: TaskSpec, reputation: float) -> Autonomy:
    """Return the autonomy granted at ``reputation``, capped by the task's criticality.

    Raises:
        InvalidInputError: ``reputation`` is outside [0, 1].

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> task = demo_task()
        >>> autonomy(task, 0.95).value, autonomy(task.model_copy(
        ...     update={"criticality": Level.HIGH}), 0.95).value
        ('full', 'method_delegated')
    """
    _check_reputation(reputation)
    earned = next(level for floor, level in AUTONOMY_BY_REPUTATION if reputation >= floor)
    cap = AUTONOMY_CAP[task.criticality]
    return min(earned, cap, key=AUTONOMY_ORDER.index)


def personal_task(task: TaskSpec, reputation: float, policy: TrustPolicy) -> TaskSpec:
    """Return ``task`` as one bidder sees it: ``min_bond`` raised to its required bond.

    Raises:
        InvalidInputError: ``reputation`` is outside [0, 1].
    """
    return task.model_copy(update={"min_bond": required_bond(task, reputation, policy)})


def permissions(
    task: TaskSpec, offered: int, reputation: float, policy: TrustPolicy
) -> tuple[int, Autonomy]:
    """Return the reporting interval and the autonomy a contractor of ``reputation`` gets.

    Raises:
        InvalidInputError: ``reputation`` is outside [0, 1].
    """
    return report_interval(task, offered, reputation, policy), autonomy(task, reputation)
