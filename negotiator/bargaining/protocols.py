"""Bilateral bargaining protocols: seed 001's Protocol I and II and standard alternating offers.

One engine, :class:`Negotiation`, drives two parties that take turns (party 0 opens). The
protocols differ only by data (:data:`PROTOCOLS`, a table of :class:`ProtocolRules`):

===============  ====================================  ========================================
protocol         messages                              how it ends
===============  ====================================  ========================================
``protocol1``    make-offer, last-offer, nego-broken   agreed as soon as an offer is acceptable
                                                       to its receiver (enters the zone)
``protocol2``    + accept-offer                        agreed only by an explicit accept-offer
``alternating``  make-offer, accept-offer, nego-broken agreed only by an explicit accept-offer
===============  ====================================  ========================================

Rules common to all: the first message is an offer; accept-offer needs an offer on the table;
after a last-offer the receiver may only accept (where the protocol has accept-offer) or break;
once the negotiation has ended (agreed, broken or timed out) no message is allowed — in
particular nobody may counter or break after an accept. A round is one message from each party;
after ``max_rounds`` rounds without agreement the status is ``timed-out``, so Protocol II cannot
loop forever. An illegal message raises :class:`~negotiator.errors.ProtocolViolationError` and
leaves the negotiation unchanged.

The relative time handed to the party writing message ``n`` (0-based) is
``n / (2·max_rounds − 1)``: 0 for the opening offer, 1 for the last possible message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, NamedTuple, Protocol, TypeVar

from negotiator.bargaining.analysis import OutcomeScores
from negotiator.errors import InvalidInputError, ProtocolViolationError, lookup

__all__ = [
    "PROTOCOLS",
    "Message",
    "Negotiation",
    "NegotiationResult",
    "Party",
    "ProtocolRules",
    "Status",
    "TraceEntry",
]

OfferT = TypeVar("OfferT")


class Message(StrEnum):
    """The messages of seed 001 (alternating offers uses a subset)."""

    MAKE_OFFER = "make-offer"
    LAST_OFFER = "last-offer"
    ACCEPT_OFFER = "accept-offer"
    NEGO_BROKEN = "nego-broken"


class Status(StrEnum):
    """The one status of a negotiation: running, then exactly one of the three endings."""

    RUNNING = "running"
    AGREED = "agreed"
    BROKEN = "broken"
    TIMED_OUT = "timed-out"


@dataclass(frozen=True)
class ProtocolRules:
    """What a protocol allows.

    Attributes:
        name: lookup key.
        messages: the messages the protocol knows.
        agree_in_zone: an offer acceptable to its receiver ends the negotiation in agreement.
        default_rounds: the round deadline used when none is given.
    """

    name: str
    messages: frozenset[Message]
    agree_in_zone: bool
    default_rounds: int


_SEED_MESSAGES = frozenset({Message.MAKE_OFFER, Message.LAST_OFFER, Message.NEGO_BROKEN})

#: The protocols by name.
PROTOCOLS: Mapping[str, ProtocolRules] = MappingProxyType(
    {
        "protocol1": ProtocolRules("protocol1", _SEED_MESSAGES, True, 1000),
        "protocol2": ProtocolRules(
            "protocol2", _SEED_MESSAGES | {Message.ACCEPT_OFFER}, False, 1000
        ),
        "alternating": ProtocolRules(
            "alternating",
            frozenset({Message.MAKE_OFFER, Message.ACCEPT_OFFER, Message.NEGO_BROKEN}),
            False,
            100,
        ),
    }
)
_OFFERS = frozenset({Message.MAKE_OFFER, Message.LAST_OFFER})


class Party(Protocol[OfferT]):
    """A negotiator as the engine sees it."""

    def act(
        self, t: float, received: Message | None, offer: OfferT | None
    ) -> tuple[Message, OfferT | None]:
        """Answer the opponent's last message (None before the first) at relative time ``t``.

        Returns the message and, for make-offer / last-offer, the offer.
        """
        ...

    def acceptable(self, offer: OfferT) -> bool:
        """True when the offer is inside this party's part of the agreement zone."""
        ...


class TraceEntry(NamedTuple, Generic[OfferT]):
    """One message: 0-based sequence number, 1-based round, sender, message and offer."""

    seq: int
    round_no: int
    party: int
    message: Message
    offer: OfferT | None


_Raw = tuple[int, int, Message, OfferT | None]


@dataclass(frozen=True)
class NegotiationResult(Generic[OfferT]):
    """How a negotiation ended.

    Attributes:
        protocol: protocol name.
        status: agreed, broken or timed-out.
        agreement: the agreed offer (None unless agreed).
        rounds: rounds begun (a round is one message per party).
        messages: messages exchanged.
        scores: both sides' raw and normalised utilities of the outcome, its Pareto status and
            distances — filled in by :meth:`~negotiator.bargaining.Scenario.scored` (None
            when the negotiation ran outside a scenario).
    """

    protocol: str
    status: Status
    agreement: OfferT | None
    rounds: int
    messages: int
    raw_trace: tuple[tuple[int, int, Message, OfferT | None], ...] = field(repr=False)
    scores: OutcomeScores | None = None

    @property
    def trace(self) -> tuple[TraceEntry[OfferT], ...]:
        """Every message in order (built on demand from the compact record)."""
        return _entries(self.raw_trace)


def _entries(
    raw: Sequence[tuple[int, int, Message, OfferT | None]],
) -> tuple[TraceEntry[OfferT], ...]:
    return tuple(TraceEntry(n, n // 2 + 1, p, m, o) for n, p, m, o in raw)


class Negotiation(Generic[OfferT]):
    """A running bilateral negotiation: step it message by message or run it to the end.

    Args:
        protocol: a name from :data:`PROTOCOLS` or the rules themselves.
        parties: the two parties; party 0 opens.
        max_rounds: round deadline (default: the protocol's).

    Raises:
        UnknownKeyError: for an unknown protocol name.
        InvalidInputError: for a party count other than two or a deadline below one round.

    Example:
        >>> from negotiator.bargaining.negotiators import FixedOfferParty
        >>> n = Negotiation("alternating", (FixedOfferParty(1), FixedOfferParty(1)), max_rounds=3)
        >>> n.run().status
        <Status.AGREED: 'agreed'>
    """

    def __init__(
        self,
        protocol: str | ProtocolRules,
        parties: Sequence[Party[OfferT]],
        max_rounds: int | None = None,
    ) -> None:
        rules = lookup(PROTOCOLS, protocol, "protocol") if isinstance(protocol, str) else protocol
        if len(parties) != 2:
            raise InvalidInputError.single("negotiation", "$.parties", "need exactly two parties")
        rounds = rules.default_rounds if max_rounds is None else max_rounds
        if rounds < 1:
            raise InvalidInputError.single("negotiation", "$.max_rounds", f"{rounds} < 1")
        self.rules = rules
        self.max_rounds = rounds
        self._parties = tuple(parties)
        self._limit = 2 * rounds
        self._scale = 1.0 / (self._limit - 1) if self._limit > 1 else 0.0
        self._n = 0
        self._status = Status.RUNNING
        self._last: Message | None = None
        self._pending: OfferT | None = None
        self._agreement: OfferT | None = None
        self._trace: list[tuple[int, int, Message, OfferT | None]] = []

    def resume(self, messages: int, pending: OfferT | None) -> None:
        """Continue a negotiation begun elsewhere: ``messages`` counter-offers were exchanged
        and ``pending`` is on the table (the trace holds only what follows).

        Raises:
            ProtocolViolationError: when this negotiation has already sent messages.
        """
        if self._n or self._status is not Status.RUNNING:
            raise ProtocolViolationError(f"{self.rules.name}: only a fresh negotiation resumes")
        self._n = messages
        self._pending = pending
        self._last = Message.MAKE_OFFER if messages else None

    @property
    def status(self) -> Status:
        """Current status (``running`` until it ends)."""
        return self._status

    @property
    def turn(self) -> int:
        """Index of the party to write the next message."""
        return self._n & 1

    @property
    def trace(self) -> tuple[TraceEntry[OfferT], ...]:
        """Every message so far."""
        return _entries(self._trace)

    def step(self) -> TraceEntry[OfferT]:
        """Ask the party whose turn it is for its message and apply it.

        Raises:
            ProtocolViolationError: if the party's message is illegal here, or the
                negotiation has ended.
        """
        if self._status is not Status.RUNNING:
            raise ProtocolViolationError(f"{self.rules.name}: negotiation already {self._status}")
        message, offer = self._parties[self._n & 1].act(
            self._n * self._scale, self._last, self._pending
        )
        return self.submit(message, offer)

    def submit(self, message: Message, offer: OfferT | None = None) -> TraceEntry[OfferT]:
        """Apply a message from the party whose turn it is (for external drivers and tests).

        Raises:
            ProtocolViolationError: naming the protocol, the message and why it is illegal.
        """
        problem = self._illegal(message, offer)
        if problem:
            raise ProtocolViolationError(
                f"{self.rules.name}: {message} from party {self._n & 1} "
                f"after {self._last or 'nothing'}: {problem}"
            )
        n = self._n
        party = n & 1
        self._trace.append((n, party, message, offer))
        if message is Message.ACCEPT_OFFER:
            self._end(Status.AGREED, self._pending)
        elif message is Message.NEGO_BROKEN:
            self._end(Status.BROKEN, None)
        else:
            self._pending = offer
            if self.rules.agree_in_zone and self._parties[1 - party].acceptable(offer):  # type: ignore[arg-type]
                self._end(Status.AGREED, offer)
        self._last = message
        self._n = n + 1
        if self._n >= self._limit and self._status is Status.RUNNING:
            self._status = Status.TIMED_OUT
        return TraceEntry(n, n // 2 + 1, party, message, offer)

    def run(self) -> NegotiationResult[OfferT]:
        """Step until the negotiation ends and return the result.

        Plain counter-offers (the bulk of any negotiation) take an inlined fast path with the
        same rules as :meth:`submit`; every other message goes through :meth:`submit`.

        Raises:
            ProtocolViolationError: if a party sends an illegal message.
        """
        parties, scale, limit = self._parties, self._scale, self._limit
        append = self._trace.append
        fast = Message.MAKE_OFFER in self.rules.messages and not self.rules.agree_in_zone
        make, last_offer, running = Message.MAKE_OFFER, Message.LAST_OFFER, Status.RUNNING
        while self._status is running:
            n = self._n
            message, offer = parties[n & 1].act(n * scale, self._last, self._pending)
            if fast and message is make and offer is not None and self._last is not last_offer:
                append((n, n & 1, message, offer))
                self._pending, self._last, self._n = offer, message, n + 1
                if n + 1 >= limit:
                    self._status = Status.TIMED_OUT
            else:
                self.submit(message, offer)
        return self.result()

    def result(self) -> NegotiationResult[OfferT]:
        """The result so far (status ``running`` if not ended)."""
        return NegotiationResult(
            protocol=self.rules.name,
            status=self._status,
            agreement=self._agreement,
            rounds=(self._n + 1) // 2,
            messages=self._n,
            raw_trace=tuple(self._trace),
        )

    def _end(self, status: Status, agreement: OfferT | None) -> None:
        self._status = status
        self._agreement = agreement

    def _illegal(self, message: Message, offer: OfferT | None) -> str | None:
        if self._status is not Status.RUNNING:
            return f"the negotiation has already ended ({self._status})"
        if message not in self.rules.messages:
            allowed = ", ".join(sorted(self.rules.messages))
            return f"not a message of this protocol (allowed: {allowed})"
        if message in _OFFERS:
            if offer is None:
                return "an offer message must carry an offer"
            if self._last is Message.LAST_OFFER:
                return "after a last-offer the receiver may only accept or break"
        elif message is Message.ACCEPT_OFFER and self._pending is None:
            return "there is no offer to accept"
        return None
