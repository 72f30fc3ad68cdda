"""Acceptance conditions: when a party accepts the offer on the table.

An acceptance condition is a small frozen object called with ``(offered, next_own, t)``: the
party's utility of the offer received, the utility of the offer it would make next, and the
relative time. Whatever the condition says, a negotiator never accepts an offer below its
reservation value (that check lives in the negotiator, not here).

* :class:`AcceptNext` (AC_next) — accept when the offer is at least as good as one's own next offer;
* :class:`AcceptConstant` (AC_const) — accept when the offer reaches a fixed utility;
* :class:`AcceptTime` (AC_time) — accept anything from a relative time on;
* :class:`AcceptAny` — accept when any of several conditions does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from negotiator.errors import lookup

__all__ = [
    "ACCEPTANCE_PRESETS",
    "AcceptAny",
    "AcceptConstant",
    "AcceptNext",
    "AcceptTime",
    "AcceptanceCondition",
    "acceptance",
]


class AcceptanceCondition(Protocol):
    """Decides acceptance from (offered utility, own next-offer utility, relative time)."""

    def __call__(self, offered: float, next_own: float, t: float) -> bool:
        """True to accept the offer."""
        ...


@dataclass(frozen=True, slots=True)
class AcceptNext:
    """AC_next: accept when ``offered ≥ next_own`` (optionally scaled: ``α·next_own + β``).

    Example:
        >>> AcceptNext()(0.6, 0.55, 0.3)
        True
    """

    alpha: float = 1.0
    beta: float = 0.0

    def __call__(self, offered: float, next_own: float, t: float) -> bool:
        """True when the offer is at least as good as the scaled next own offer."""
        return offered >= self.alpha * next_own + self.beta


@dataclass(frozen=True, slots=True)
class AcceptConstant:
    """AC_const: accept when ``offered ≥ threshold``.

    Example:
        >>> AcceptConstant(0.7)(0.65, 0.9, 0.5)
        False
    """

    threshold: float

    def __call__(self, offered: float, next_own: float, t: float) -> bool:
        """True when the offer reaches the threshold."""
        return offered >= self.threshold


@dataclass(frozen=True, slots=True)
class AcceptTime:
    """AC_time: accept any (reservation-respecting) offer once ``t ≥ after``.

    Example:
        >>> AcceptTime(0.99)(0.1, 0.9, 1.0)
        True
    """

    after: float

    def __call__(self, offered: float, next_own: float, t: float) -> bool:
        """True from the given relative time on."""
        return t >= self.after


@dataclass(frozen=True, slots=True)
class AcceptAny:
    """Accept when any of the conditions accepts (e.g. AC_next or AC_time).

    Example:
        >>> AcceptAny((AcceptConstant(0.9), AcceptTime(0.5)))(0.2, 0.8, 0.6)
        True
    """

    conditions: tuple[AcceptanceCondition, ...]

    def __call__(self, offered: float, next_own: float, t: float) -> bool:
        """True when one condition accepts."""
        return any(c(offered, next_own, t) for c in self.conditions)


#: Named acceptance conditions usable from the CLI.
ACCEPTANCE_PRESETS: Mapping[str, AcceptanceCondition] = MappingProxyType(
    {
        "next": AcceptNext(),
        "next-or-late": AcceptAny((AcceptNext(), AcceptTime(0.98))),
        "constant-0.7": AcceptConstant(0.7),
    }
)


def acceptance(name: str) -> AcceptanceCondition:
    """The named acceptance condition.

    Raises:
        UnknownKeyError: listing the names.

    Example:
        >>> acceptance("next")
        AcceptNext(alpha=1.0, beta=0.0)
    """
    return lookup(ACCEPTANCE_PRESETS, name, "acceptance condition")
