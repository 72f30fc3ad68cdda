"""Semantic checks that need context (the task, the clock): pure functions returning errors.

The schema and the models check each object on its own; these rules compare an object with the
task it answers and with an injected ``now``. Each returns a list of
:class:`~negotiator.errors.FieldError` located by JSON path in the checked object (empty when
it passes), so the delegation flow can screen bids and record path-precise reasons.

Bid rules (seed 000 and issue 3): the bid is for this task; price and bond are in the budget's
currency; 0 < price ≤ budget; minimum bond ≤ bond ≤ price; now < expiry ≤ now + the maximum
validity; the estimated duration between a floor and the deadline; the privacy guarantee meets
the requirement; reports at least as often as the task asks but not absurdly often; the
rationale is prose.

The bounds that are not in the task (issue 7: values a real small model produced that passed
every other rule) and how they read; :class:`BidLimits` holds the numbers, with these defaults:

* **price > 0** — a price of zero is no offer (``{"amount": 0}`` is valid Money, a valid bond).
* **bond ≤ price** — the bond stakes the bidder's performance. On a breach the delegator gets
  its whole price back and the bond on top, so a bond above the price would compensate more than
  the delegator ever pays, and escrowing it at bid time only ties up (or overdraws) the bidder's
  funds. A task whose minimum bond is above a bid's price therefore rejects that bid: a price
  that low cannot carry the stake asked for.
* **expiry ≤ now + 90 days** (``max_validity_seconds``) — a bid is a quotation priced on
  today's costs, and a commercial quotation customarily holds 30 to 90 days (we take the long
  end: this market's bidding windows last minutes and its deadlines hours); one "valid" until the
  year 7984 is not an offer anybody priced. The flow checks bids at the
  bidding deadline, which is also the award time, so an offer that lapses before the award is
  rejected by the ``expiry > now`` rule (see :mod:`negotiator.delegation.screening`).
* **estimated duration ≥ 60 s** (``min_duration_seconds``), or the task's deadline if that is
  shorter — work announced, contracted and monitored through a market is not delivered in
  seconds; an estimate of 1–20 s for optimising a dashboard is not an estimate, and it would win
  the duration objective. The floor is deliberately not the task's reporting interval: a job
  shorter than one interval is fine (the delivery is its only report).
* **offered reporting interval ≥ 60 s** (``min_reporting_interval_seconds``), or the task's
  interval if that is shorter — the contract's monitor ticks at the offered interval and K missed
  reports are a breach, so an interval of 1–3 s turns that clause into a hair trigger. Reporting
  more often than once a minute gains the delegator nothing the task asked for; a task that asks
  for a shorter interval gets exactly what it asked for.
* **rationale is prose** — non-empty, with at least one word of two or more letters, and no
  markup (``<div class=...``, ``</b>``, ``<!--``; a bare ``<VirtualList>`` is a component's
  name): it is shown to the delegator and quoted in the award. The rule judges form, not
  meaning; the rationale never moves the award.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from negotiator.errors import FieldError, UsageError
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Question
from negotiator.wire.common import privacy_satisfies
from negotiator.wire.contract import Contract
from negotiator.wire.task import TaskSpec

if TYPE_CHECKING:
    from negotiator.money import Money

__all__ = [
    "BID_RULES",
    "DEFAULT_BID_LIMITS",
    "BidLimits",
    "check_bid",
    "check_bid_expiry",
    "check_contract",
    "check_question",
]


@dataclass(frozen=True)
class BidLimits:
    """Bounds on a bid that the task does not state (see the module docstring for the reading).

    Args:
        max_validity_seconds: how long after ``now`` a bid may stay open at most (90 days).
        min_duration_seconds: the shortest estimated duration accepted, unless the task's
            deadline is shorter (then the deadline is the floor).
        min_reporting_interval_seconds: the shortest reporting interval accepted, unless the
            task asks for a shorter one (then the task's interval is the floor).

    Raises:
        UsageError: a bound is not positive.
    """

    max_validity_seconds: int = 90 * 86_400
    min_duration_seconds: int = 60
    min_reporting_interval_seconds: int = 60

    def __post_init__(self) -> None:
        if (
            min(
                self.max_validity_seconds,
                self.min_duration_seconds,
                self.min_reporting_interval_seconds,
            )
            <= 0
        ):
            raise UsageError("bid limits must be positive numbers of seconds")


DEFAULT_BID_LIMITS = BidLimits()
"""The limits :func:`check_bid` applies unless given others."""

BidRule = Callable[[Bid, TaskSpec, datetime, BidLimits], FieldError | None]

_WORD = re.compile(r"[^\W\d_]{2,}")
"""A word: two or more letters in a row (any script)."""
_MARKUP = re.compile(
    r"<!--|<[?!][A-Za-z]"  # a comment or a declaration
    r"|</[A-Za-z][\w:.-]*\s*>"  # a closing tag
    r"|<[A-Za-z][\w:.-]*\s+[\w:-]+\s*="  # a tag with an attribute
    r"|<[A-Za-z][\w:.-]*\s*$"  # a tag cut off at the end
)
"""Markup: an HTML/XML comment or declaration, a closing tag, a tag with attributes, or a tag
cut off at the end. A bare ``<VirtualList>`` or ``latency < 100 ms`` is prose (a React bidder
may name a component)."""


def _span(seconds: int) -> str:
    return f"{seconds // 86_400} days" if seconds % 86_400 == 0 else f"{seconds} s"


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _task_id(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    if bid.task_id == task.id:
        return None
    return FieldError("$.task_id", f"{bid.task_id!r} is not the announced task {task.id!r}")


def _currency(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    if bid.price.currency == task.budget.currency:
        return None
    return FieldError(
        "$.price.currency",
        f"{bid.price.currency} differs from the task budget's currency {task.budget.currency}",
    )


def _price_positive(
    bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits
) -> FieldError | None:
    if bid.price.amount > 0:
        return None
    return FieldError("$.price.amount", f"{bid.price.amount} is not a price: it must be above 0")


def _price(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    if bid.price.currency != task.budget.currency or bid.price.amount <= task.budget.amount:
        return None
    return FieldError("$.price.amount", f"{bid.price.amount} exceeds the budget {task.budget}")


def _bond_bound(bid: Bid, bound: Money, at_least: bool, reason: str) -> FieldError | None:
    """The bond is at least (or at most) ``bound``; bounds in another currency do not apply."""
    bond = bid.reputation_bond
    if bond.currency != bound.currency:
        return None
    if (bond.amount >= bound.amount) if at_least else (bond.amount <= bound.amount):
        return None
    return FieldError("$.reputation_bond.amount", reason)


def _bond(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    bond, floor = bid.reputation_bond, task.min_bond
    return _bond_bound(bid, floor, True, f"{bond.amount} is below the task's minimum bond {floor}")


def _bond_within_price(
    bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits
) -> FieldError | None:
    bond, price = bid.reputation_bond, bid.price
    return _bond_bound(
        bid,
        price,
        False,
        f"{bond.amount} exceeds the bid's own price {price}: a bond is at most the price",
    )


def _expiry(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    return _expired(bid, now)


def _expired(bid: Bid, now: datetime) -> FieldError | None:
    if bid.expiry > now:
        return None
    return FieldError(
        "$.expiry", f"{bid.expiry.isoformat()} is not after the current time {now.isoformat()}"
    )


def _expiry_horizon(
    bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits
) -> FieldError | None:
    return _too_far(bid, now, limits)


def _too_far(bid: Bid, now: datetime, limits: BidLimits) -> FieldError | None:
    if bid.expiry - now <= timedelta(seconds=limits.max_validity_seconds):
        return None
    return FieldError(
        "$.expiry",
        f"{bid.expiry.isoformat()} is more than {_span(limits.max_validity_seconds)} after the "
        f"current time {now.isoformat()}: a bid stays open {_span(limits.max_validity_seconds)} "
        "at most",
    )


def _bounds_rule(
    field: str, limit: Callable[[TaskSpec, BidLimits], int], at_least: bool, reason: str
) -> BidRule:
    """A rule that ``bid.<field>`` is at least (or at most) ``limit(task, limits)``.

    Args:
        field: the bid's integer field (its JSON path is ``$.<field>``).
        limit: the bound from the task and the limits.
        at_least: ``True``: the bound is a floor; ``False``: a ceiling.
        reason: the error message, formatted with ``value`` and ``limit``.
    """

    def rule(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
        value: int = getattr(bid, field)
        bound = limit(task, limits)
        if (value >= bound) if at_least else (value <= bound):
            return None
        return FieldError(f"$.{field}", reason.format(value=value, limit=bound))

    return rule


_duration_floor = _bounds_rule(
    "estimated_duration_seconds",
    lambda task, limits: min(limits.min_duration_seconds, task.deadline_seconds),
    True,
    "{value} is below the minimum of {limit} s: no delegated task is delivered that fast",
)
_duration = _bounds_rule(
    "estimated_duration_seconds",
    lambda task, limits: task.deadline_seconds,
    False,
    "{value} exceeds the deadline of {limit} s",
)
_reporting_floor = _bounds_rule(
    "offered_reporting_interval_seconds",
    lambda task, limits: min(
        limits.min_reporting_interval_seconds, task.reporting_interval_seconds
    ),
    True,
    "{value} s is shorter than the minimum of {limit} s between progress reports",
)
_reporting = _bounds_rule(
    "offered_reporting_interval_seconds",
    lambda task, limits: task.reporting_interval_seconds,
    False,
    "{value} s is longer than the task's reporting interval of {limit} s",
)


def _privacy(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    if privacy_satisfies(bid.privacy_guarantee, task.privacy_requirement):
        return None
    return FieldError(
        "$.privacy_guarantee",
        f"{bid.privacy_guarantee} is weaker than the required {task.privacy_requirement}",
    )


def _rationale(bid: Bid, task: TaskSpec, now: datetime, limits: BidLimits) -> FieldError | None:
    text = bid.rationale
    if not text.strip():
        reason = "is empty"
    elif (tag := _MARKUP.search(text)) is not None:
        reason = f"contains markup ({tag.group(0).strip()!r})"
    elif _WORD.search(text) is None:
        reason = "has no word of letters"
    else:
        return None
    return FieldError("$.rationale", f"{_quote(text)} {reason}: explain the bid in plain prose")


BID_RULES: Sequence[BidRule] = (
    _task_id,
    _currency,
    _price_positive,
    _price,
    _bond,
    _bond_within_price,
    _expiry,
    _expiry_horizon,
    _duration_floor,
    _duration,
    _privacy,
    _reporting_floor,
    _reporting,
    _rationale,
)
"""Every bid rule, in the order their errors are reported."""


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise UsageError("now must be a timezone-aware datetime")


def check_bid(
    bid: Bid, task: TaskSpec, now: datetime, *, limits: BidLimits = DEFAULT_BID_LIMITS
) -> list[FieldError]:
    """Every way ``bid`` fails ``task``'s terms at time ``now`` (empty when it passes).

    Args:
        now: when the bid is judged; the flow uses the bidding deadline (= the award time).
        limits: the bounds the task does not state (default :data:`DEFAULT_BID_LIMITS`).

    Raises:
        UsageError: ``now`` has no time zone.

    Example:
        >>> from datetime import datetime, timezone
        >>> from decimal import Decimal
        >>> from negotiator.money import Money
        >>> usdc = lambda a: Money(amount=Decimal(a), currency="USDC")
        >>> task = TaskSpec(id="t1", delegator_id="acme", title="T", description="D", role="r",
        ...     budget=usdc("10"), min_bond=usdc("0.5"), deadline_seconds=3600,
        ...     reporting_interval_seconds=300)
        >>> bid = Bid(bidder_id="b1", task_id="t1", price=usdc("12"),
        ...     estimated_duration_seconds=300, claimed_quality=0.9, privacy_guarantee="tee",
        ...     reputation_bond=usdc("0.5"), expiry=datetime(2026, 1, 2, tzinfo=timezone.utc),
        ...     offered_reporting_interval_seconds=300, rationale="Profiling first.")
        >>> [str(e) for e in check_bid(bid, task, datetime(2026, 1, 1, tzinfo=timezone.utc))]
        ['$.price.amount: 12 exceeds the budget 10 USDC']
    """
    _require_aware(now)
    return [err for rule in BID_RULES if (err := rule(bid, task, now, limits)) is not None]


def check_bid_expiry(
    bid: Bid, now: datetime, *, limits: BidLimits = DEFAULT_BID_LIMITS
) -> list[FieldError]:
    """The bid rules that need no task: at ``now`` the bid has not expired and does not stay
    open longer than ``limits.max_validity_seconds``.

    Raises:
        UsageError: ``now`` has no time zone.
    """
    _require_aware(now)
    return [err for err in (_expired(bid, now), _too_far(bid, now, limits)) if err is not None]


def check_question(question: Question, task: TaskSpec) -> list[FieldError]:
    """Errors of a question against its task: it must be about this task."""
    if question.task_id == task.id:
        return []
    return [FieldError("$.task_id", f"{question.task_id!r} is not the task {task.id!r}")]


def check_contract(contract: Contract, task: TaskSpec) -> list[FieldError]:
    """Errors of a contract against the task it contracts.

    Rules: same task and delegator; price in the budget's currency and within the budget; bond
    at least the task's minimum bond; deadline no longer than the task's.
    """
    errors: list[FieldError] = []
    if contract.task_id != task.id:
        errors.append(FieldError("$.task_id", f"{contract.task_id!r} is not the task {task.id!r}"))
    if contract.delegator_id != task.delegator_id:
        errors.append(
            FieldError("$.delegator_id", f"{contract.delegator_id!r} did not announce the task")
        )
    if contract.price.currency != task.budget.currency:
        errors.append(
            FieldError("$.price.currency", f"{contract.price.currency} is not the budget's")
        )
    else:
        if contract.price.amount > task.budget.amount:
            errors.append(FieldError("$.price.amount", f"exceeds the budget {task.budget}"))
        if contract.bond.amount < task.min_bond.amount:
            errors.append(FieldError("$.bond.amount", f"is below the minimum bond {task.min_bond}"))
    if contract.deadline_seconds > task.deadline_seconds:
        errors.append(
            FieldError("$.deadline_seconds", f"exceeds the task's {task.deadline_seconds} s")
        )
    return errors
