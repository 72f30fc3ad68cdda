"""Seed 003's market loop: MANAGE and TRANSACTION phases with three transaction algorithms.

Readings of the seed (Kang & Han, sections 2-5 and Table 2), each a documented choice:

* **Phases.** The market alternates MANAGE and TRANSACTION (Table 2). MANAGE at time ``t``
  registers the agents whose creation time has come (``created <= t``), removes the agents
  matched in the last TRANSACTION and those whose deadline has passed, and stops the market
  when no agent is registered or waiting (the paper's "all four lists empty"). The
  TRANSACTION starts ``gap`` later (the paper's 1 s between manage and transaction time).
* **Processing time.** In all three markets the manager grants every registered agent one
  10 ms slice per TRANSACTION, in registration order (creation second, then agent index);
  the paper gives 10 ms for SMP and says the user agents of BBMP and SBBMP behave like SMP's
  except for what they do with their slice. A TRANSACTION holding ``n`` agents therefore lasts
  ``n * 10 ms`` and the next MANAGE follows at its end. A slot whose agent is already matched
  in this TRANSACTION stays idle (its agent is asking its user for final approval).
* **Deadlines.** An agent negotiates only before its deadline ("within its final negotiation
  time", section 2.1): in SMP and BBMP an agent whose deadline has passed by its slice neither
  acts nor is offered as a counterpart; in SBBMP the agents alive at the reference time take
  part. MANAGE only cleans the lists.
* **Stale prices (SMP, BBMP; section 3.1 and 4.1).** Each agent holds the wished price it
  last computed (at registration, then at each slice where it failed to trade). The slice
  holder enters the trade (or the offer) with that price; only if no trade is made does it
  compute a new price at the slice's time. Counterparts are judged by their last computed
  price, so the two prices of a trade are computed at different times (the unfairness).
* ``smp`` (direct, Kasbah-like): a direct negotiation needs both parties to act, and a
  time-sliced agent acts only in its own slice. The slice holder first answers the offers it
  received, in arrival order: it re-computes its price and accepts the first offer whose
  proposer is still alive and acceptable at that price (the "first acceptable" rule of its
  own search; pairs form "depending on the situation", section 3.2). The trade is made at
  the two held prices that met in the offer (section 3.1: the counterpart enters with the
  price it computed earlier); the other proposers are turned down and re-price then, their
  time lost. If it made no trade, it scans the registered counterparts of its product in
  registration order and proposes to the first whose price is acceptable; the offer waits
  for that counterpart's next slice (later in this TRANSACTION or in the next), and until
  then the proposer is busy: it neither acts nor is found. An offer to an agent that
  expires first is turned down. ``MarketConfig.inspections_per_slice`` bounds the scan per
  slice (an unfinished scan resumes in the agent's next slice); by default it is complete.
* ``bbmp`` (brokered, MAGMA-like): the slice holder asks the broker, which returns the
  counterpart with the best price *for the asking agent* (the lowest ask for a buyer, the
  highest bid for a seller; ties to the earlier registered); they trade if it is acceptable.
* ``sbbmp`` (synchronous broker, the paper's proposal): the TRANSACTION's start is the
  reference time; each agent uses its slice only to compute its wished price *at the
  reference time*; after the last slice the broker sorts buyers by price descending and
  sellers ascending per product and pairs highest buyer with lowest seller down the lists
  while the buyer's price is at least the seller's (:func:`synchronous_match`). The trade is
  concluded when the broker acts, at the end of the TRANSACTION.

A trade's *spread* is the buyer's price minus the seller's, as the two prices met; each
party's *time to trade* is the conclusion time minus its creation time
(:func:`negotiator.markets.metrics.market_metrics`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import lookup
from negotiator.markets.agents import BUYER, SELLER, Population
from negotiator.markets.sync_match import synchronous_match

__all__ = [
    "ALGORITHMS",
    "MarketConfig",
    "MarketRun",
    "run_market",
    "synchronous_match",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_WAITING, _ACTIVE, _MATCHED, _GONE = 0, 1, 2, 3


class MarketConfig(BaseModel):
    """Timing of the simulated market (defaults: the paper's 10 ms slices and 1 s gap).

    Example:
        >>> MarketConfig().slice_s, MarketConfig().gap_s
        (0.01, 1.0)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    slice_ms: int = Field(10, ge=1, le=1000, description="One agent's time slice, in ms.")
    gap_ms: int = Field(1000, ge=1, description="From a MANAGE phase to the TRANSACTION, ms.")
    inspections_per_slice: int | None = Field(
        None,
        ge=1,
        description="Counterparts an SMP agent can inspect in one slice (None: all); an "
        "unfinished scan resumes in the agent's next slice.",
    )

    @property
    def slice_s(self) -> float:
        """One slice, in seconds."""
        return self.slice_ms / 1000.0

    @property
    def gap_s(self) -> float:
        """The MANAGE-to-TRANSACTION gap, in seconds."""
        return self.gap_ms / 1000.0


@dataclass
class MarketRun:
    """What one run produced: every trade, as parallel lists (one entry per trade).

    Attributes:
        algorithm: ``smp``, ``bbmp`` or ``sbbmp``.
        buyers / sellers: agent indices into the population.
        times: when each trade was concluded, in seconds.
        decided_at: the market time whose state decided the trade (the slice in BBMP, the
            answering counterpart's slice in SMP, the reference time in SBBMP); both parties
            were alive then.
        buyer_prices / seller_prices: the two prices that met.
        end_time: the time at which the market emptied.
    """

    algorithm: str
    population: Population
    buyers: list[int] = field(default_factory=list)
    sellers: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    decided_at: list[float] = field(default_factory=list)
    buyer_prices: list[float] = field(default_factory=list)
    seller_prices: list[float] = field(default_factory=list)
    end_time: float = 0.0

    def record(
        self, buyer: int, seller: int, time: float, decided: float, *, bp: float, sp: float
    ) -> None:
        """Append one trade."""
        self.buyers.append(buyer)
        self.sellers.append(seller)
        self.times.append(time)
        self.decided_at.append(decided)
        self.buyer_prices.append(bp)
        self.seller_prices.append(sp)


@dataclass
class _State:
    pop: Population
    config: MarketConfig
    run: MarketRun
    status: NDArray[np.int8]
    posted: FloatArray  # each agent's last computed wished price
    by_admission: IntArray  # agent indices in registration order (created, index)
    members: dict[tuple[int, int], IntArray]  # (side, product) -> agents, registration order
    cursor: IntArray  # SMP: where each agent's unfinished scan resumes
    busy: NDArray[np.bool_]  # SMP: waiting for a counterpart's answer to its proposal
    inbox: dict[int, list[int]] = field(default_factory=dict)  # SMP: responder -> proposers
    active: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    admitted: int = 0  # how many of by_admission have been registered
    now: float = 0.0  # time of the slice being played
    n_products: int = field(init=False)
    admission_times: IntArray = field(init=False)  # creation second, in registration order

    def __post_init__(self) -> None:
        self.n_products = int(self.pop.product.max()) + 1 if self.pop.size else 1
        self.admission_times = self.pop.created[self.by_admission]

    def match(self, buyer: int, seller: int, time: float, decided: float) -> None:
        self.status[buyer] = _MATCHED
        self.status[seller] = _MATCHED
        bp, sp = float(self.posted[buyer]), float(self.posted[seller])
        self.run.record(buyer, seller, time, decided, bp=bp, sp=sp)


def _sbbmp_phase(st: _State, start: float) -> float:
    """Reference time ``start``: every agent prices in its slice, then the broker matches."""
    end = start + st.active.size * st.config.slice_s
    alive = st.active[st.pop.deadline[st.active] > start]
    prices = st.pop.price_at(alive, start)
    st.posted[alive] = prices
    is_buyer = st.pop.side[alive] == BUYER
    buyers, sellers = alive[is_buyer], alive[~is_buyer]
    product = st.pop.product
    bi, si = synchronous_match(
        product[buyers], prices[is_buyer], product[sellers], prices[~is_buyer]
    )
    for b, s in zip(buyers[bi].tolist(), sellers[si].tolist(), strict=True):
        st.match(b, s, end, start)
    return end


def _counterparts(st: _State, agent: int) -> IntArray:
    """Registered, unmatched counterparts of ``agent``'s product alive now (registration order)."""
    other = SELLER if st.pop.side[agent] == BUYER else BUYER
    ids = st.members[(other, int(st.pop.product[agent]))]
    ok = (st.status[ids] == _ACTIVE) & (st.pop.deadline[ids] > st.now) & ~st.busy[ids]
    return np.asarray(ids[ok], dtype=np.int64)


def _acceptable(st: _State, agent: int, ids: IntArray) -> NDArray[np.bool_]:
    price = st.posted[agent]
    if st.pop.side[agent] == BUYER:
        return np.asarray(st.posted[ids] <= price)
    return np.asarray(st.posted[ids] >= price)


def _direct_search(st: _State, agent: int) -> int:
    """SMP: scan counterparts in registration order; the first acceptable one, or -1."""
    ids = _counterparts(st, agent)
    if ids.size == 0:
        return -1
    budget = st.config.inspections_per_slice
    if budget is not None and budget < ids.size:
        first = int(st.cursor[agent]) % ids.size
        ids = np.roll(ids, -first)[:budget]
        st.cursor[agent] = first + budget
    hits = np.flatnonzero(_acceptable(st, agent, ids))
    return int(ids[hits[0]]) if hits.size else -1


def _broker_search(st: _State, agent: int) -> int:
    """BBMP: the broker returns the best counterpart for the asking agent, or -1."""
    ids = _counterparts(st, agent)
    if ids.size == 0:
        return -1
    quotes = st.posted[ids]
    best = int(np.argmin(quotes)) if st.pop.side[agent] == BUYER else int(np.argmax(quotes))
    ok = _acceptable(st, agent, ids[best : best + 1])
    return int(ids[best]) if bool(ok[0]) else -1


def _candidate_slices(st: _State, reprice: FloatArray) -> IntArray:
    """Slices whose agent could possibly trade (a cheap, exact superset filter).

    Wished prices only move toward agreement, so during the phase no counterpart can show a
    better price than the one it would compute at its own slice; an agent whose held price
    does not cross the best of those cannot trade.
    """
    active = st.active
    sel = st.pop.side[active] == SELLER
    product = st.pop.product[active]
    low_ask = np.full(st.n_products, np.inf)
    high_bid = np.full(st.n_products, -np.inf)
    np.minimum.at(low_ask, product[sel], reprice[sel])
    np.maximum.at(high_bid, product[~sel], reprice[~sel])
    own = st.posted[active]
    return np.flatnonzero(np.where(sel, own <= high_bid[product], own >= low_ask[product]))


def _repost(st: _State, ids: IntArray, prices: FloatArray) -> None:
    """Agents that did not trade compute their new wished price (matched ones keep theirs)."""
    live = (st.status[ids] == _ACTIVE) & ~st.busy[ids]
    st.posted[ids[live]] = prices[live]


def _alive(st: _State, agent: int) -> bool:
    return bool(st.status[agent] == _ACTIVE and st.pop.deadline[agent] > st.now)


def _pair(st: _State, agent: int, other: int) -> tuple[int, int]:
    """(buyer, seller) of two counterparts."""
    return (agent, other) if st.pop.side[agent] == BUYER else (other, agent)


def _reject(st: _State, proposers: list[int]) -> list[int]:
    """Turn down SMP proposers: released, they re-price now (their trade failed)."""
    if proposers:
        ids = np.asarray(proposers, dtype=np.int64)
        st.busy[ids] = False
        st.posted[ids] = st.pop.price_at(ids, st.now)
    return proposers


def _answer(st: _State, agent: int, fresh: float) -> tuple[bool, list[int]]:
    """SMP: the slice holder answers its offers in arrival order at its new price ``fresh``.

    It accepts the first offer whose proposer is still alive and whose held price is
    acceptable at ``fresh``; the trade is made at the two held prices that met in the
    proposal. Returns whether it traded and the proposers it turned down.
    """
    offers = st.inbox.pop(agent, [])
    buyer_side = st.pop.side[agent] == BUYER
    for i, proposer in enumerate(offers):
        held = st.posted[proposer]
        if _alive(st, proposer) and (held <= fresh if buyer_side else held >= fresh):
            st.busy[proposer] = False
            st.match(*_pair(st, agent, proposer), st.now, st.now)
            return True, _reject(st, offers[:i] + offers[i + 1 :])
    return False, _reject(st, offers)


def _direct_slot(st: _State, agent: int, fresh: float) -> list[int]:
    """SMP slice: answer the offers received, else search and propose (or re-price).

    Returns the agents whose slice must now be played: the counterpart proposed to and the
    proposers turned down.
    """
    if not _alive(st, agent):
        return _reject(st, st.inbox.pop(agent, []))
    if st.busy[agent]:
        return []
    traded, rejected = _answer(st, agent, fresh)
    if traded:
        return rejected
    other = _direct_search(st, agent)
    if other < 0:
        st.posted[agent] = fresh
        return rejected
    st.inbox.setdefault(other, []).append(agent)
    st.busy[agent] = True
    return [*rejected, other]


def _brokered_slot(st: _State, agent: int, fresh: float) -> list[int]:
    """BBMP slice: trade with the broker's counterpart on the held price, else re-price."""
    if _alive(st, agent):
        other = _broker_search(st, agent)
        if other < 0:
            st.posted[agent] = fresh
        else:
            st.match(*_pair(st, agent, other), st.now, st.now)
    return []


SlotFn = Callable[[_State, int, float], list[int]]


def _sliced_phase(st: _State, start: float, play: SlotFn) -> float:
    """SMP/BBMP: one slice per registered agent in registration order.

    Only slices that can change something are played (:func:`_candidate_slices`, agents with
    offers to answer, and slices ``play`` asks for); the others just re-price their agent.
    """
    acting = st.active
    times = start + np.arange(acting.size, dtype=np.float64) * st.config.slice_s
    reprice = st.pop.price_at(acting, times)
    slot = dict(zip(acting.tolist(), range(acting.size), strict=True))
    owed = (slot[agent] for agent in st.inbox if agent in slot)
    heap = sorted({*_candidate_slices(st, reprice).tolist(), *owed})
    done = 0
    while heap:
        k = heapq.heappop(heap)
        if k < done:
            continue
        _repost(st, acting[done:k], reprice[done:k])
        done = k + 1
        st.now = float(times[k])
        for other in play(st, int(acting[k]), float(reprice[k])):
            if slot.get(other, -1) > k:
                heapq.heappush(heap, slot[other])
    _repost(st, acting[done:], reprice[done:])
    return start + acting.size * st.config.slice_s


PhaseFn = Callable[[_State, float], float]

ALGORITHMS: dict[str, PhaseFn] = {
    "smp": lambda st, start: _sliced_phase(st, start, _direct_slot),
    "bbmp": lambda st, start: _sliced_phase(st, start, _brokered_slot),
    "sbbmp": _sbbmp_phase,
}


def _manage(st: _State, t: float) -> bool:
    """Register, retire and expire agents at time ``t``; False when the market is empty."""
    pop, act = st.pop, st.active
    keep = (st.status[act] == _ACTIVE) & (pop.deadline[act] > t)
    st.status[act[~keep]] = _GONE
    st.now = t
    for agent in act[~keep].tolist():
        _reject(st, st.inbox.pop(agent, []))
    upto = int(np.searchsorted(st.admission_times, t, side="right"))
    arriving = st.by_admission[st.admitted : upto]
    st.admitted = upto
    if arriving.size:
        st.status[arriving] = _ACTIVE
        st.posted[arriving] = pop.price_at(arriving, t)
    st.active = np.concatenate((act[keep], arriving))
    return bool(st.active.size or st.admitted < pop.size)


def _new_state(pop: Population, algorithm: str, config: MarketConfig) -> _State:
    n = pop.size
    by_admission = np.lexsort((np.arange(n), pop.created)).astype(np.int64)
    side, product = pop.side[by_admission], pop.product[by_admission]
    members = {
        (s, p): by_admission[(side == s) & (product == p)]
        for s in (BUYER, SELLER)
        for p in np.unique(pop.product).tolist()
    }
    return _State(
        pop=pop,
        config=config,
        run=MarketRun(algorithm, pop),
        status=np.full(n, _WAITING, np.int8),
        posted=np.full(n, np.nan),
        by_admission=by_admission,
        members=members,
        cursor=np.zeros(n, np.int64),
        busy=np.zeros(n, np.bool_),
    )


def run_market(
    population: Population, algorithm: str, config: MarketConfig | None = None
) -> MarketRun:
    """Run the MANAGE/TRANSACTION loop over one population with one algorithm.

    The run is deterministic: nothing is drawn at random.

    Args:
        population: the generated agents.
        algorithm: ``smp``, ``bbmp`` or ``sbbmp``.
        config: slice and gap timing; the paper's values by default.

    Raises:
        UnknownKeyError: the algorithm is not in :data:`ALGORITHMS`.

    Example:
        >>> from negotiator.markets.agents import GeneratorConfig, generate_population
        >>> pop = generate_population(GeneratorConfig(buyers=50, sellers=50),
        ...                           np.random.default_rng(0))
        >>> run = run_market(pop, "sbbmp")
        >>> len(run.buyers) > 0
        True
    """
    phase = lookup(ALGORITHMS, algorithm, "market algorithm")
    st = _new_state(population, algorithm, config or MarketConfig())
    t = 0.0
    while _manage(st, t):
        start = t + st.config.gap_s
        t = phase(st, start) if st.active.size else start
    st.run.end_time = t
    return st.run
