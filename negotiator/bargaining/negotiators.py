"""Ready-made parties for :class:`~negotiator.bargaining.protocols.Negotiation`.

* :class:`OutcomeNegotiator` — bargains over an enumerated outcome space (offers are outcome
  indices) with a concession policy, an acceptance condition and the multi-issue offering
  heuristic below. Utilities of all outcomes are computed once, sorted once; each offer is a
  binary search plus one small numpy step, with no per-round objects beyond the message tuple.
* :class:`Seed001Party` — seed 001's parameterised template over attribute vectors (offers are
  tuples of attribute values): the multiplicative rule per attribute, last-offer at the limits.
* :class:`FixedOfferParty` — always offers the same thing (tests and examples).

**Multi-issue offering heuristic.** Given its target utility τ, an :class:`OutcomeNegotiator`
looks at the *band* of outcomes whose own utility lies in ``[max(τ − slack, r), max(u*, τ) +
window]``, where ``r`` is its reservation value and ``u*`` the smallest own utility ≥ the band's
floor (if nothing lies there, the best outcome). Among the band it offers the outcome the
opponent most likely prefers, estimated by a frequency model of the opponent's offers: an
(issue, value) slot scores ``count · top(issue)``, the number of opponent offers that used the
value times the count of the opponent's most used value on that issue (issues the opponent never
moves on matter most to it); an outcome scores the sum over its issues. Ties go to the higher
own utility. ``slack`` (a small concession below the target towards the opponent) applies only
once ``model_after`` opponent offers have been seen; before any opponent offer the band's
lowest outcome is offered (the best outcome at the start). Defaults ``window = slack = 0.01``
were chosen on the generated benchmark domain (``bench/vs_negmas.py``): they keep agreements
within ~0.002–0.004 of the Pareto frontier while raising welfare over pure target-following.
With ``dominance`` on, the chosen offer is then replaced by the outcome of highest own utility
among those the opponent values at least as much whatever its issue weights, judged by the
model's value order alone (:func:`dominating_mask`), when one is worth more to oneself.
Nothing below the reservation value is ever offered or accepted; a party none of whose outcomes
reaches its reservation value breaks off.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from negotiator.bargaining.acceptance import AcceptanceCondition, AcceptNext
from negotiator.bargaining.issues import OutcomeSpace, SpaceLayout
from negotiator.bargaining.protocols import Message
from negotiator.bargaining.strategies import Concession, multiplicative_step
from negotiator.bargaining.utility import AdditiveUtility
from negotiator.errors import InvalidInputError

__all__ = [
    "FixedOfferParty",
    "OutcomeNegotiator",
    "Seed001Party",
    "dominating_mask",
    "frequency_scores",
    "slot_gains",
]

FloatArray = NDArray[np.float64]
_ACCEPT = (Message.ACCEPT_OFFER, None)
_BREAK = (Message.NEGO_BROKEN, None)


class OutcomeNegotiator:
    """A negotiator over outcome indices of an enumerated space.

    Args:
        utilities: own utility of every outcome, shape ``(n,)``.
        layout: the space's index arrays (:attr:`OutcomeSpace.layout`).
        reservation: own reservation utility; nothing below it is ever offered or accepted.
        concession: the concession policy (e.g. ``TimeDependent(4.0)``).
        accept: the acceptance condition (default AC_next).
        window: how far above the target the band reaches (own utility).
        slack: how far below the target the band reaches once the model is in use.
        model_after: opponent offers seen before ``slack`` applies.
        discount: own time discount per unit of relative time (None: none). The target's
            margin above the reservation is scaled by ``discount^t`` (concede as the pie
            shrinks), and acceptance compares the offer now with the own next offer discounted
            by the time until it could be accepted (``next · discount^step``, ``step`` the time
            between own turns).
        accept_last: accept any offer worth the reservation at the own last turn (when no
            later turn remains before the deadline) rather than let the negotiation time out.
        ordinal: per issue, 0 for the frequency model, or the direction in which the opponent
            gains on an ordered issue (+1: it prefers higher values, −1: lower; an item split).
            An ordered issue is modelled linearly: its weight is the mean share of the range
            the opponent has claimed in its offers, each value scored by the share it gives.
        own_weight: when positive, offers in the band maximise the opponent's estimated
            utility (scaled to its estimated best, 1) plus ``own_weight`` × own utility — an
            estimate of joint utility — instead of the opponent's estimate alone; at the own
            last turn the opponent's estimate alone decides (the offer most likely to clear the
            opponent's unknown reservation).
        nash_floor: once the opponent has offered, never aim below the own utility of the
            estimated Nash outcome (the largest product of the own gain over the reservation
            and the opponent's estimated utility to the power 1.5): the target stops conceding
            there, up to and including the own last offer (at the own last turn only
            ``accept_last`` relaxes). The power weights the opponent's side of the product: the
            frequency model rates outcomes the opponent never offered too close to its
            favourites, which places the estimated Nash outcome too far towards oneself.
        value_prior: ``(unseen, seen)``: the frequency model with a prior on the values (see
            :func:`frequency_scores`); None: the plain ``count · top`` model.
        window_per_step: when set, the window is at most this multiple of the time between
            the own turns (from the own second turn on): with many turns the target moves
            little from one offer to the next, and a narrower band keeps each offer nearer it.
        dominance: once the opponent has offered, replace the chosen offer by the best outcome
            for oneself among those the opponent values at least as much whatever its issue
            weights (:func:`dominating_mask`), when one is worth more to oneself.

    Raises:
        InvalidInputError: on mismatched shapes or a negative window.

    Example:
        >>> from negotiator.bargaining.strategies import TimeDependent
        >>> from negotiator.bargaining.issues import SpaceLayout
        >>> u = np.array([0.0, 0.5, 1.0])
        >>> OutcomeNegotiator(u, SpaceLayout.of_shape((3,)), 0.0, TimeDependent(1.0)).act(
        ...     0.0, None, None)
        (<Message.MAKE_OFFER: 'make-offer'>, 2)
    """

    def __init__(  # noqa: PLR0917 - the documented positional order is the public API
        self,
        utilities: FloatArray,
        layout: SpaceLayout,
        reservation: float,
        concession: Concession,
        accept: AcceptanceCondition | None = None,
        window: float = 0.01,
        slack: float = 0.01,
        model_after: int = 3,
        discount: float | None = None,
        accept_last: bool = False,
        ordinal: Sequence[int] | None = None,
        own_weight: float = 0.0,
        nash_floor: bool = False,
        value_prior: tuple[float, float] | None = None,
        window_per_step: float | None = None,
        dominance: bool = False,
    ) -> None:
        u = np.asarray(utilities, dtype=np.float64)
        if u.ndim != 1 or layout.grid.shape[0] != u.size or window < 0:
            raise InvalidInputError.single(
                "negotiator", "$", f"utilities {u.shape} on {layout.shape}, window {window}"
            )
        self.reservation = float(reservation)
        self.concession = concession
        self.accept: AcceptanceCondition = accept or AcceptNext()
        self.window = window
        self.slack = slack
        self.model_after = model_after
        self.discount = 1.0 if discount is None else float(discount)
        self.accept_last = accept_last
        self.own_weight = own_weight
        self.nash_floor = nash_floor
        self.value_prior = value_prior
        self.window_per_step = window_per_step
        self.dominance = dominance
        self._last_t: float | None = None
        order = np.argsort(u, kind="stable")
        self._u = u
        self._order = order
        self._sorted = u[order].tolist()
        self._n = u.size
        self.best: float = self._sorted[-1]
        self._layout = layout
        self._slots_sorted: NDArray[np.intp] | None = None
        self._counts = [0.0] * layout.issue_of.size
        self._top = [0.0] * len(layout.shape)
        self._issue_of: list[int] = layout.issue_of.tolist()
        self._scores: FloatArray | None = None
        self._gain, self._ordered = slot_gains(layout, ordinal)
        self._claimed = np.zeros(len(layout.shape))
        self._seen = 0
        self._opp_first: float | None = None
        self._opp_best: float | None = None

    @classmethod
    def from_utility(  # noqa: PLR0917
        cls,
        utility: AdditiveUtility,
        space: OutcomeSpace,
        concession: Concession,
        accept: AcceptanceCondition | None = None,
        window: float = 0.01,
        slack: float = 0.01,
    ) -> OutcomeNegotiator:
        """Build from an additive utility over a space (one vectorised evaluation).

        Raises:
            InvalidInputError: if the utility does not fit the space.
        """
        u = utility.evaluate_space(space)
        return cls(u, space.layout, utility.reservation, concession, accept, window, slack)

    def restore(
        self,
        counts: FloatArray,
        top: FloatArray,
        claimed: FloatArray,
        *,
        seen: int,
        opponent: tuple[float, float] | None,
        last_t: float | None,
    ) -> None:
        """Continue from a model state recorded elsewhere (the batch engine hands over its
        last few negotiations this way).

        Args:
            counts: opponent offers per (issue, value) slot.
            top: per issue, the count of the opponent's most used value.
            claimed: per ordered issue, the summed share the opponent claimed.
            seen: opponent offers seen.
            opponent: own utility of the opponent's first and best offers (None before any).
            last_t: relative time of the own last turn (None before it).
        """
        self._counts = [float(c) for c in counts]
        self._top = [float(c) for c in top]
        self._claimed = np.asarray(claimed, dtype=np.float64).copy()
        self._seen = seen
        self._opp_first, self._opp_best = opponent if opponent else (None, None)
        self._last_t = last_t
        self._scores = None

    def acceptable(self, offer: int) -> bool:
        """True when the outcome is worth at least the reservation value."""
        return bool(self._u.item(offer) >= self.reservation)

    def act(
        self, t: float, received: Message | None, offer: int | None
    ) -> tuple[Message, int | None]:
        """Accept the offer on the table, or counter with the next offer (see module doc)."""
        step = 0.0 if self._last_t is None else t - self._last_t
        self._last_t = t
        offered: float | None = None
        if offer is not None:
            offered = self._u.item(offer)
            self._observe(offer, offered)
            if received is Message.LAST_OFFER:
                return _ACCEPT if offered >= self.reservation else _BREAK
        if self.best < self.reservation:  # nothing is worth a deal: break off
            return _BREAK
        target = self.concession.target(
            t, self._opp_first, self._opp_best, self.best, self.reservation
        )
        if self.discount < 1.0:  # the pie shrinks: aspiration above the reservation shrinks too
            target = self.reservation + (target - self.reservation) * self.discount**t
        last = t >= 1.0 - 1e-12 or (step > 0 and t + step > 1.0 + 1e-9)
        if self.nash_floor and self._seen:
            target = max(target, self._nash_utility())
        window = self.window
        if self.window_per_step is not None and step > 0:
            window = min(window, self.window_per_step * step)
        mine = self._pick(target, 0.0 if last else self.own_weight, window)
        if self.dominance and self._seen:
            mine = self._dominating(mine)
        if (
            offered is not None
            and offered >= self.reservation
            and (
                (self.accept_last and last)
                or self.accept(offered, self._u.item(mine) * self.discount**step, t)
            )
        ):
            return _ACCEPT
        return Message.MAKE_OFFER, mine

    def _observe(self, offer: int, offered: float) -> None:
        if self._opp_first is None or self._opp_best is None:
            self._opp_first = self._opp_best = offered
        elif offered > self._opp_best:
            self._opp_best = offered
        counts, top, issue_of = self._counts, self._top, self._issue_of
        for slot in self._layout.slots[offer].tolist():
            c = counts[slot] + 1.0
            counts[slot] = c
            i = issue_of[slot]
            top[i] = max(top[i], c)
        self._seen += 1
        if self._ordered.any():
            self._claimed += self._gain[self._layout.slots[offer]]
        self._scores = None

    def opponent_scores(self) -> FloatArray:
        """The frequency model: estimated opponent preference of each (issue, value) slot.

        A slot scores ``count · top(issue)``: how often the opponent offered that value, times
        how often it offered its favourite value of that issue (an issue weight); with a
        ``value_prior``, :func:`frequency_scores`.
        """
        if self._scores is None:
            top = np.asarray(self._top)
            issue_of = self._layout.issue_of
            scores = frequency_scores(np.asarray(self._counts), top[issue_of], self.value_prior)
            linear = self._claimed[issue_of] * self._gain * self._seen
            self._scores = np.where(self._ordered[issue_of], linear, scores)
        return self._scores

    def _nash_utility(self) -> float:
        """Own utility of the estimated Nash outcome: the largest product of the own gain over
        the reservation and the opponent's estimated utility to the power 1.5 (first of ties;
        compared as ``gain² · est³``, exact in floating point)."""
        est = self.opponent_scores()[self._layout.slots].sum(axis=1)
        gain = self._u - self.reservation
        product = np.where(gain >= 0, gain * gain * (est * est * est), -1.0)
        return float(self._u.item(int(product.argmax())))

    def _dominating(self, outcome: int) -> int:
        """The outcome of highest own utility (first of ties) among those the opponent values
        at least as much as ``outcome`` under every issue weighting (:func:`dominating_mask`)
        and worth strictly more to oneself; ``outcome`` itself when there is none."""
        slots = self._layout.slots
        counts = np.asarray(self._counts)
        ok = dominating_mask(counts, slots[outcome][self._layout.issue_of], self._layout.issue_of)
        better = np.where(ok[slots].all(axis=1), self._u, -np.inf)
        best = int(better.argmax())
        return best if better.item(best) > self._u.item(outcome) else outcome

    def _pick(self, target: float, own_weight: float, window: float) -> int:
        s = self._sorted
        slack = self.slack if self._seen >= self.model_after else 0.0
        lo = bisect_left(s, max(target - slack, self.reservation))
        if lo >= self._n:
            lo = self._n - 1
        if self._seen == 0:
            return int(self._order.item(lo))
        hi = bisect_right(s, max(s[lo], target) + window)
        if hi - lo == 1:
            return int(self._order.item(lo))
        if self._slots_sorted is None:
            self._slots_sorted = self._layout.slots[self._order]
        scores = self.opponent_scores()
        est = scores[self._slots_sorted[lo:hi]].sum(axis=1)
        if own_weight:
            top = float(np.maximum.reduceat(scores, self._layout.starts).sum())
            est = est / (top or 1.0) + own_weight * np.asarray(s[lo:hi])
        return int(self._order.item(hi - 1 - int(est[::-1].argmax())))


def frequency_scores(
    counts: FloatArray, top: FloatArray, prior: tuple[float, float] | None
) -> FloatArray:
    """Frequency-model scores of (issue, value) slots from offer counts (any array shape).

    Without a prior a slot scores ``count · top``. With ``prior = (unseen, seen)`` the issue
    weighs ``top²`` and the value ``seen + (1 − seen) · count / top`` if the opponent has
    offered it, ``unseen`` if it never has: an outcome the opponent never proposed is not
    worth nothing to it, and the model no longer rates every such outcome alike.

    Args:
        counts: opponent offers that used each slot.
        top: per slot, the count of the opponent's most used value on the slot's issue.
        prior: ``(unseen, seen)`` or None.

    Example:
        >>> frequency_scores(np.array([0.0, 1.0, 2.0]), np.full(3, 2.0), (0.2, 0.5)).tolist()
        [0.8, 3.0, 4.0]
    """
    if prior is None:
        return counts * top
    unseen, seen = prior
    value = np.where(counts > 0, seen + (1.0 - seen) * (counts / np.maximum(top, 1.0)), unseen)
    scores: FloatArray = (top * top) * value
    return scores


def dominating_mask(
    counts: FloatArray, chosen: NDArray[np.intp], issue_of: NDArray[np.intp]
) -> NDArray[np.bool_]:
    """Per (issue, value) slot, whether the opponent values it at least as much as the chosen
    value of its issue, judged by the order of the frequency model's counts alone (any array
    shape, slots on the last axis).

    A value is at least as good as the chosen one when it is that value, or the opponent has
    offered it at least as often as the chosen one and has offered the chosen one at all; a
    value it never offered ranks below every offered one and is not compared with another
    never-offered value. An outcome all of whose values pass is worth at least as much to the
    opponent as the chosen outcome under every additive utility with that value order,
    whatever its issue weights: the frequency model ranks values far more reliably than it
    weighs issues.

    Args:
        counts: opponent offers per slot, ``(..., slots)``.
        chosen: per slot, the chosen outcome's slot on the same issue, ``(..., slots)``.
        issue_of: the issue of each slot.

    Example:
        >>> dominating_mask(np.array([0.0, 2.0, 1.0, 0.0]), np.array([2, 2, 2, 3]),
        ...     np.array([0, 0, 0, 1])).tolist()
        [False, True, True, True]
    """
    own = np.take_along_axis(counts, chosen, axis=-1)
    same = np.arange(issue_of.size) == chosen
    mask: NDArray[np.bool_] = np.where(own > 0, counts >= own, counts > 0) | same
    return mask


def slot_gains(
    layout: SpaceLayout, ordinal: Sequence[int] | None
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Per slot, the share of its issue's range a value gives the opponent; ordered issues.

    Raises:
        InvalidInputError: when ``ordinal`` does not have one direction per issue.
    """
    directions = np.zeros(len(layout.shape)) if ordinal is None else np.asarray(ordinal, float)
    if directions.shape != (len(layout.shape),):
        raise InvalidInputError.single(
            "negotiator",
            "$.ordinal",
            f"{directions.size} directions for {len(layout.shape)} issues",
        )
    gain = np.zeros(layout.issue_of.size)
    for i, m in enumerate(layout.shape):
        share = np.arange(m) / (m - 1) if m > 1 else np.zeros(1)
        start = int(layout.starts[i])
        gain[start : start + m] = share if directions[i] > 0 else share[::-1]
    return gain, directions != 0


class Seed001Party:
    """Seed 001's negotiation agent over attribute vectors (the multiplicative template).

    It opens with ``opening``; each later offer applies
    ``Offer_{n+1}(x) = Offer_n(x)·(1 + weights[x])`` stopped at ``limits``; the offer that
    reaches every limit is sent as last-offer. It accepts (where the protocol has accept-offer)
    an offer at least as good as its own next one (AC_next) and, after the opponent's
    last-offer, any offer within its limits; otherwise it breaks.

    Args:
        utility: own utility over the attributes (e.g. :class:`LinearValue` per attribute).
        opening: opening value per attribute.
        weights: concession weight per attribute (negative lowers the value, e.g. a seller's price).
        limits: reservation value per attribute; the reservation utility is ``utility(limits)``.

    Raises:
        InvalidInputError: when the vectors' lengths differ or a weight points away from its limit.

    Example:
        >>> from negotiator.bargaining.utility import LinearValue
        >>> seller = Seed001Party(AdditiveUtility(weights=(1.0,),
        ...     values=(LinearValue(low=9500, high=15000),)), [15000], [-0.05], [9500])
        >>> seller.act(0.0, None, None)
        (<Message.MAKE_OFFER: 'make-offer'>, (15000.0,))
    """

    def __init__(
        self,
        utility: AdditiveUtility,
        opening: Sequence[float],
        weights: Sequence[float],
        limits: Sequence[float],
    ) -> None:
        self.utility = utility
        self._open = np.asarray(opening, dtype=np.float64)
        self._weights = np.asarray(weights, dtype=np.float64)
        self._limits = np.asarray(limits, dtype=np.float64)
        if not self._open.shape == self._weights.shape == self._limits.shape:
            raise InvalidInputError.single(
                "party", "$", "opening, weights, limits differ in length"
            )
        wrong = np.flatnonzero(np.sign(self._weights) * np.sign(self._limits - self._open) < 0)
        if wrong.size:
            raise InvalidInputError.single(
                "party", f"$.weights[{int(wrong[0])}]", "weight moves away from the limit"
            )
        self.reservation = utility.evaluate(self._limits.tolist())
        self._current: FloatArray | None = None

    def acceptable(self, offer: tuple[float, ...]) -> bool:
        """True when every conceding attribute is on this party's side of its limit and the
        offer is worth at least the utility of the limits (the party's agreement zone)."""
        x = np.asarray(offer, dtype=np.float64)
        if x.shape != self._limits.shape:
            return False
        side = np.sign(self._limits - self._open) * (self._limits - x)
        within = bool(np.all(side[self._weights != 0] >= -1e-9))
        return within and self.utility.evaluate(offer) >= self.reservation - 1e-12

    def act(
        self, t: float, received: Message | None, offer: tuple[float, ...] | None
    ) -> tuple[Message, tuple[float, ...] | None]:
        """Accept, break, or make the next multiplicative offer."""
        if received is Message.LAST_OFFER and offer is not None:
            return _ACCEPT if self.acceptable(offer) else _BREAK
        if self._current is None:
            nxt, last = self._open, bool(np.all(self._open == self._limits))
        else:
            nxt, last = multiplicative_step(self._current, self._weights, self._limits)
        if (
            offer is not None
            and self.acceptable(offer)
            and self.utility.evaluate(offer) >= self.utility.evaluate(nxt.tolist())
        ):
            return _ACCEPT
        self._current = nxt
        return (Message.LAST_OFFER if last else Message.MAKE_OFFER), tuple(nxt.tolist())


class FixedOfferParty:
    """Offers one fixed outcome every turn and accepts exactly that outcome.

    Example:
        >>> FixedOfferParty(3).act(0.0, None, None)
        (<Message.MAKE_OFFER: 'make-offer'>, 3)
    """

    def __init__(self, offer: int) -> None:
        self.offer = offer

    def acceptable(self, offer: int) -> bool:
        """True for the own fixed offer only."""
        return offer == self.offer

    def act(
        self, t: float, received: Message | None, offer: int | None
    ) -> tuple[Message, int | None]:
        """Accept the own offer when it comes back, otherwise repeat it."""
        if offer == self.offer:
            return _ACCEPT
        if received is Message.LAST_OFFER:
            return _BREAK
        return Message.MAKE_OFFER, self.offer
