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
  holder enters the trade with that price; only if no trade is made does it compute a new
  price at the slice's time. Counterparts are judged by their last computed price, so the
  two prices of a trade are computed at different times (the paper's unfairness).
* ``smp`` (direct, Kasbah-like): the slice holder itself scans the registered counterparts
  of its product in registration order and trades with the first whose price is acceptable
  (pairs form "depending on the situation"). ``MarketConfig.inspections_per_slice`` bounds
  the scan per slice (an unfinished scan resumes in the agent's next slice); by default the
  scan is complete.
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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from negotiator.errors import FieldError, InvalidInputError, lookup
from negotiator.markets.agents import BUYER, SELLER, Population

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
        decided_at: the market time whose state decided the trade (the slice in SMP/BBMP,
            the reference time in SBBMP); both parties were alive then.
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


def synchronous_match(
    buy_product: IntArray, buy_price: FloatArray, sell_product: IntArray, sell_price: FloatArray
) -> tuple[IntArray, IntArray]:
    """Match highest buyers with lowest sellers per product (SBBMP's broker), fully vectorised.

    Buyers are sorted by price descending and sellers ascending within each product (ties to
    the lower index); the i-th buyer meets the i-th seller while ``buy >= sell``. Because the
    gap shrinks down the lists, the matched pairs are a prefix of each product's lists. Product
    ids must be non-negative integers.

    Returns:
        Indices into the buyer arrays and into the seller arrays, pair by pair, grouped by
        product and ordered best spread first.

    Raises:
        InvalidInputError: a negative product id, a NaN or infinite price, or mismatched
            array lengths.

    Example:
        >>> b, s = synchronous_match(np.zeros(4, np.int64), np.array([147., 185, 153, 162]),
        ...                          np.zeros(4, np.int64), np.array([157., 176, 150, 183]))
        >>> b.tolist(), s.tolist()
        ([1, 3], [2, 0])
    """
    nb, ns = buy_price.shape[0], sell_price.shape[0]
    if nb == 0 or ns == 0:
        empty = np.empty(0, np.int64)
        return empty, empty
    _check_side("buy", buy_product, buy_price)
    _check_side("sell", sell_product, sell_price)
    groups = int(max(buy_product.max(), sell_product.max())) + 1
    border = _sort_within(buy_product, -buy_price, groups)
    sorder = _sort_within(sell_product, sell_price, groups)
    bcount = np.bincount(buy_product, minlength=groups)
    scount = np.bincount(sell_product, minlength=groups)
    bstart = np.cumsum(bcount) - bcount
    sstart = np.cumsum(scount) - scount
    sorted_groups = buy_product[border]
    rank = np.arange(nb) - bstart[sorted_groups]
    paired = np.flatnonzero(rank < scount[sorted_groups])
    b = border[paired]
    s = sorder[sstart[sorted_groups[paired]] + rank[paired]]
    keep = buy_price[b] >= sell_price[s]
    return b[keep].astype(np.int64), s[keep].astype(np.int64)


def _check_side(name: str, product: IntArray, price: FloatArray) -> None:
    errors = []
    if product.shape != price.shape:
        errors.append(FieldError(f"$.{name}_product", "must have one entry per price"))
    elif product.min() < 0:
        errors.append(FieldError(f"$.{name}_product", f"{product.min()} is below 0"))
    if not np.all(np.isfinite(price)):
        errors.append(FieldError(f"$.{name}_price", "holds NaN or infinite prices"))
    if errors:
        raise InvalidInputError("synchronous match", errors)


def _sort_within(groups: IntArray, key: FloatArray, n_groups: int) -> IntArray:
    """Indices sorted by group, then key ascending, then index.

    The key sort uses quicksort (several times faster than a stable sort on floats) and falls
    back to a stable sort only when the key has ties, so ties always go to the lower index.
    """
    order = np.argsort(key)
    ordered = key[order]
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(key, kind="stable")
    small = groups[order].astype(np.int16) if n_groups < 2**15 else groups[order]
    return np.asarray(order[np.argsort(small, kind="stable")], dtype=np.int64)


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
    ok = (st.status[ids] == _ACTIVE) & (st.pop.deadline[ids] > st.now)
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
    live = st.status[ids] == _ACTIVE
    st.posted[ids[live]] = prices[live]


def _sliced_phase(st: _State, start: float, search: Callable[[_State, int], int]) -> float:
    """SMP/BBMP: one slice per registered agent; trade on the held price, else re-price."""
    acting = st.active
    times = start + np.arange(acting.size, dtype=np.float64) * st.config.slice_s
    reprice = st.pop.price_at(acting, times)
    done = 0
    for k in _candidate_slices(st, reprice).tolist():
        _repost(st, acting[done:k], reprice[done:k])
        done = k + 1
        agent = int(acting[k])
        st.now = float(times[k])
        if st.status[agent] != _ACTIVE or st.pop.deadline[agent] <= st.now:
            continue
        other = search(st, agent)
        if other < 0:
            st.posted[agent] = reprice[k]
            continue
        buyer, seller = (agent, other) if st.pop.side[agent] == BUYER else (other, agent)
        st.match(buyer, seller, st.now, st.now)
    _repost(st, acting[done:], reprice[done:])
    return start + acting.size * st.config.slice_s


PhaseFn = Callable[[_State, float], float]

ALGORITHMS: dict[str, PhaseFn] = {
    "smp": lambda st, start: _sliced_phase(st, start, _direct_search),
    "bbmp": lambda st, start: _sliced_phase(st, start, _broker_search),
    "sbbmp": _sbbmp_phase,
}


def _manage(st: _State, t: float) -> bool:
    """Register, retire and expire agents at time ``t``; False when the market is empty."""
    pop, act = st.pop, st.active
    keep = (st.status[act] == _ACTIVE) & (pop.deadline[act] > t)
    st.status[act[~keep]] = _GONE
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
