"""Seed 003: the agent generator, the three transaction algorithms and their metrics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negotiator.errors import InvalidInputError, UnknownKeyError
from negotiator.markets.agents import (
    BUYER,
    POLICY_NAMES,
    SELLER,
    GeneratorConfig,
    Population,
    generate_population,
)
from negotiator.markets.metrics import market_metrics
from negotiator.markets.sync_market import MarketConfig, run_market, synchronous_match


def _pop(rows: list[tuple[int, int, int, int, float, float, int]]) -> Population:
    cols = list(zip(*rows, strict=True))
    return Population(
        side=np.array(cols[0], np.int8),
        product=np.array(cols[1], np.int64),
        created=np.array(cols[2], np.int64),
        deadline=np.array(cols[3], np.int64),
        start_price=np.array(cols[4], np.float64),
        final_price=np.array(cols[5], np.float64),
        policy=np.array(cols[6], np.int8),
    )


def test_generator_follows_the_seed_ranges() -> None:
    pop = generate_population(GeneratorConfig(), np.random.default_rng(7))
    buyers, sellers = pop.side == BUYER, pop.side == SELLER
    assert buyers.sum() == 1000 and sellers.sum() == 1000
    assert set(np.unique(pop.product)) == set(range(10))
    assert pop.created.min() >= 0 and pop.created.max() < 600
    assert np.all(pop.deadline > pop.created) and pop.deadline.max() <= 1200
    assert np.all((pop.start_price[buyers] >= 20000) & (pop.start_price[buyers] <= 40000))
    assert np.all((pop.final_price[buyers] >= 50000) & (pop.final_price[buyers] <= 100000))
    assert np.all((pop.start_price[sellers] >= 50000) & (pop.final_price[sellers] <= 40000))
    assert set(np.unique(pop.policy)) == set(range(len(POLICY_NAMES)))


def test_same_seed_same_population() -> None:
    a = generate_population(GeneratorConfig(buyers=30, sellers=30), np.random.default_rng(3))
    b = generate_population(GeneratorConfig(buyers=30, sellers=30), np.random.default_rng(3))
    assert np.array_equal(a.start_price, b.start_price) and np.array_equal(a.deadline, b.deadline)


def test_policies_shapes() -> None:
    # one buyer per policy, 0 -> 100 over 100 s; at mid-life linear 50, slow-first 25, steep 75
    pop = _pop([(BUYER, 0, 0, 100, 0.0, 100.0, k) for k in range(3)])
    idx = np.arange(3)
    assert pop.price_at(idx, 50.0).tolist() == [50.0, 25.0, 75.0]
    assert pop.price_at(idx, 0.0).tolist() == [0.0, 0.0, 0.0]
    assert pop.price_at(idx, 500.0).tolist() == [100.0, 100.0, 100.0]


def test_generator_rejects_inverted_windows() -> None:
    with pytest.raises(ValueError, match="expiry_window_s"):
        GeneratorConfig(creation_window_s=600, expiry_window_s=600)


def test_paper_example_best_pairs() -> None:
    # sellers 가 157, 나 176, 다 150, 라 183; buyers A 147, B 185, C 153, D 162
    b, s = synchronous_match(
        np.zeros(4, np.int64),
        np.array([147.0, 185, 153, 162]),
        np.zeros(4, np.int64),
        np.array([157.0, 176, 150, 183]),
    )
    assert list(zip(b.tolist(), s.tolist(), strict=True)) == [(1, 2), (3, 0)]  # 다-B, 가-D
    spreads = np.array([185.0, 162])[:] - np.array([150.0, 157])
    assert spreads.mean() == 20


sides = st.integers(0, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.int64, n, elements=st.integers(0, 3)),
        arrays(np.float64, n, elements=st.integers(0, 50).map(float)),
    )
)


@given(sides, sides)
def test_synchronous_match_pairs_sorted_lists_for_the_best_total_spread(
    buy: tuple[np.ndarray, np.ndarray], sell: tuple[np.ndarray, np.ndarray]
) -> None:
    (bp, bprice), (sp, sprice) = buy, sell
    b, s = synchronous_match(bp, bprice, sp, sprice)
    assert len(set(b.tolist())) == b.size and len(set(s.tolist())) == s.size
    assert np.all(bp[b] == sp[s]) and np.all(bprice[b] >= sprice[s])
    for p in range(4):  # per product: as many pairs as the sorted greedy count, best spreads
        bb = np.sort(bprice[bp == p])[::-1]
        ss = np.sort(sprice[sp == p])
        k = min(bb.size, ss.size)
        best = int(np.count_nonzero(bb[:k] >= ss[:k]))
        mine = bp[b] == p
        assert int(mine.sum()) == best
        assert bprice[b][mine].sum() - sprice[s][mine].sum() == bb[:best].sum() - ss[:best].sum()


def _check_run(pop: Population, algorithm: str) -> None:
    run = run_market(pop, algorithm)
    traded = run.buyers + run.sellers
    assert len(traded) == len(set(traded))  # nobody trades twice
    for b, s, t, d, bp, sp in zip(
        run.buyers,
        run.sellers,
        run.times,
        run.decided_at,
        run.buyer_prices,
        run.seller_prices,
        strict=True,
    ):
        assert pop.side[b] == BUYER and pop.side[s] == SELLER
        assert pop.product[b] == pop.product[s]
        assert bp >= sp  # buyer's price at least the seller's
        assert d <= t
        for agent in (b, s):
            assert pop.created[agent] <= d < pop.deadline[agent]
    again = run_market(pop, algorithm)
    assert again.buyers == run.buyers and again.times == run.times


@pytest.mark.parametrize("algorithm", ["smp", "bbmp", "sbbmp"])
def test_runs_respect_every_agent(algorithm: str) -> None:
    pop = generate_population(GeneratorConfig(buyers=150, sellers=150), np.random.default_rng(1))
    _check_run(pop, algorithm)
    assert run_market(pop, algorithm).buyers  # this market does trade


@settings(max_examples=25)
@given(st.integers(0, 2**32 - 1), st.integers(0, 25), st.integers(0, 25), st.integers(1, 3))
def test_every_run_is_valid(seed: int, buyers: int, sellers: int, products: int) -> None:
    config = GeneratorConfig(
        buyers=buyers,
        sellers=sellers,
        products=products,
        creation_window_s=30,
        expiry_window_s=90,
    )
    pop = generate_population(config, np.random.default_rng(seed))
    for algorithm in ("smp", "bbmp", "sbbmp"):
        _check_run(pop, algorithm)


def test_sbbmp_prices_everyone_at_the_reference_time() -> None:
    pop = generate_population(GeneratorConfig(buyers=80, sellers=80), np.random.default_rng(2))
    run = run_market(pop, "sbbmp")
    assert run.buyers
    for b, s, t, d, bp, sp in zip(
        run.buyers,
        run.sellers,
        run.times,
        run.decided_at,
        run.buyer_prices,
        run.seller_prices,
        strict=True,
    ):
        assert t > d  # concluded after every agent has priced in its slice
        assert pop.price_at(np.array([b]), d)[0] == pytest.approx(bp)
        assert pop.price_at(np.array([s]), d)[0] == pytest.approx(sp)


def test_broker_gives_the_asker_its_best_counterpart() -> None:
    # one buyer already high; two sellers whose asks are below it; BBMP pairs with the lowest,
    # SBBMP too; all flat prices (start == final) so time does not matter
    rows = [
        (BUYER, 0, 0, 50, 100.0, 100.0, 0),
        (SELLER, 0, 0, 50, 90.0, 90.0, 0),
        (SELLER, 0, 0, 50, 60.0, 60.0, 0),
    ]
    for algorithm in ("bbmp", "sbbmp"):
        run = run_market(_pop(rows), algorithm)
        assert run.sellers == [2]
        assert market_metrics(run).mean_spread == 40.0


def test_direct_search_takes_the_first_acceptable_counterpart() -> None:
    # the same market: SMP's buyer scans in registration order and takes seller 1 (90)
    rows = [
        (BUYER, 0, 0, 50, 100.0, 100.0, 0),
        (SELLER, 0, 0, 50, 90.0, 90.0, 0),
        (SELLER, 0, 0, 50, 60.0, 60.0, 0),
    ]
    run = run_market(_pop(rows), "smp")
    assert run.sellers == [1]
    assert market_metrics(run).mean_spread == 10.0


def test_slice_holder_trades_on_its_previous_price() -> None:
    # buyer rises linearly 0 -> 1000 over [0, 100] s; seller flat at 50. Phases start at
    # 1.00, 2.02, 3.04, 4.06, 5.08 (1 s gap + two 10 ms slices). At 5.08 the buyer still
    # holds 40.6 (computed at 4.06): no trade, it re-prices to 50.8; the seller's slice at
    # 5.09 sees 50.8 and trades (BBMP), with the buyer's price computed at 5.08, not 5.09.
    rows = [(BUYER, 0, 0, 100, 0.0, 1000.0, 0), (SELLER, 0, 0, 100, 50.0, 50.0, 0)]
    run = run_market(_pop(rows), "bbmp")
    assert run.times == pytest.approx([5.09])
    assert run.buyer_prices == pytest.approx([50.8])
    # SMP: the seller's offer at 5.09 waits for the buyer's next slice, at 6.10 (MANAGE at
    # 5.10, 1 s gap); the buyer, now at 61.0, accepts; the trade is at the prices that met
    direct = run_market(_pop(rows), "smp")
    assert direct.times == pytest.approx([6.10])
    assert direct.buyer_prices == pytest.approx([50.8])
    assert direct.seller_prices == pytest.approx([50.0])
    sync = run_market(_pop(rows), "sbbmp")  # priced at the reference time 5.08 together
    assert sync.decided_at == pytest.approx([5.08])
    assert sync.times == pytest.approx([5.10])
    assert sync.buyer_prices == pytest.approx([50.8])


def test_direct_offers_compete_for_one_counterpart() -> None:
    # two buyers (100) and two sellers (50, then 60), flat prices, all registered at 0, slices
    # B1 B2 S1 S2 from 1.00. SMP: both buyers find S1 first and propose; S1 answers at 1.02,
    # takes the first offer and turns B2 down; S2 proposes to B2 at 1.03, whose slice comes
    # in the next TRANSACTION (2.04). BBMP: each buyer gets its best seller at once.
    rows = [
        (BUYER, 0, 0, 50, 100.0, 100.0, 0),
        (BUYER, 0, 0, 50, 100.0, 100.0, 0),
        (SELLER, 0, 0, 50, 50.0, 50.0, 0),
        (SELLER, 0, 0, 50, 60.0, 60.0, 0),
    ]
    direct = run_market(_pop(rows), "smp")
    assert list(zip(direct.buyers, direct.sellers, strict=True)) == [(0, 2), (1, 3)]
    assert direct.times == pytest.approx([1.02, 2.04])
    brokered = run_market(_pop(rows), "bbmp")
    assert list(zip(brokered.buyers, brokered.sellers, strict=True)) == [(0, 2), (1, 3)]
    assert brokered.times == pytest.approx([1.00, 1.01])


def test_an_offer_to_an_agent_that_expires_is_turned_down() -> None:
    # seller S falls 100 -> 0 over its life [0, 3]; buyer B flat 40; seller T flat 30,
    # created at 2. Phase 2.02: S re-prices to 32.67; B's slice at 2.03 sees it and proposes.
    # S's next slice (3.04) is past its deadline: the offer is turned down and B, free again,
    # proposes to T (registered at 2.04) in its slice at 3.05; T accepts in its slice, 3.06.
    rows = [
        (SELLER, 0, 0, 3, 100.0, 0.0, 0),
        (BUYER, 0, 0, 50, 40.0, 40.0, 0),
        (SELLER, 0, 2, 50, 30.0, 30.0, 0),
    ]
    run = run_market(_pop(rows), "smp")
    assert (run.buyers, run.sellers) == ([1], [2])
    assert run.times == pytest.approx([3.06])


def test_bounded_scan_notices_crossings_later() -> None:
    # scanning one counterpart per slice finds acceptable ones later, when the crossing has
    # deepened: fewer or equal trades, wider spreads
    pop = generate_population(GeneratorConfig(buyers=150, sellers=150), np.random.default_rng(4))
    full = market_metrics(run_market(pop, "smp"))
    bounded = market_metrics(run_market(pop, "smp", MarketConfig(inspections_per_slice=1)))
    assert bounded.mean_spread > 1.5 * full.mean_spread
    assert bounded.transactions <= full.transactions


def test_agents_do_not_trade_after_their_deadline() -> None:
    # the buyer's deadline (5 s) comes before the seller falls to its price at 8 s
    rows = [(BUYER, 0, 0, 5, 50.0, 50.0, 0), (SELLER, 0, 0, 10, 100.0, 30.0, 0)]
    for algorithm in ("smp", "bbmp", "sbbmp"):
        assert run_market(_pop(rows), algorithm).buyers == []


def test_metrics_of_a_known_run() -> None:
    # buyer registered at 0; seller created at 4 is registered by the MANAGE at 4.04
    # (phases of one agent last 1.01 s); the TRANSACTION at 5.04 holds two slices and the
    # broker concludes at 5.06
    rows = [
        (BUYER, 0, 0, 50, 100.0, 100.0, 0),
        (SELLER, 0, 4, 50, 60.0, 60.0, 0),
    ]
    m = market_metrics(run_market(_pop(rows), "sbbmp"))
    assert m.transactions == 1 and m.mean_spread == 40.0
    assert m.mean_time_to_trade == pytest.approx((5.06 + 1.06) / 2)


def test_synchronous_match_rejects_bad_arrays() -> None:
    ok = np.zeros(2, np.int64)
    with pytest.raises(InvalidInputError, match=r"\$.buy_price: holds NaN"):
        synchronous_match(ok, np.array([1.0, np.nan]), ok, np.array([1.0, 2.0]))
    with pytest.raises(InvalidInputError, match=r"\$.sell_product: -1 is below 0"):
        synchronous_match(ok, np.array([1.0, 2.0]), np.array([0, -1]), np.array([1.0, 2.0]))


def test_unknown_algorithm_lists_the_valid_ones() -> None:
    pop = generate_population(GeneratorConfig(buyers=2, sellers=2), np.random.default_rng(0))
    with pytest.raises(UnknownKeyError, match="bbmp, sbbmp, smp"):
        run_market(pop, "magic")


def test_seed003_published_orderings() -> None:
    # the paper's experiment (five scenarios of 1000 + 1000 agents): SBBMP > BBMP > SMP both
    # in the number of transactions and in the mean spread
    means = {name: np.zeros(3) for name in ("smp", "bbmp", "sbbmp")}
    for i in range(5):
        pop = generate_population(GeneratorConfig(), np.random.default_rng(i))
        for name in means:
            m = market_metrics(run_market(pop, name))
            means[name] += [m.transactions, m.mean_spread, m.mean_time_to_trade]
    trades = {name: v[0] for name, v in means.items()}
    spread = {name: v[1] for name, v in means.items()}
    assert trades["sbbmp"] > trades["bbmp"] > trades["smp"]
    assert spread["sbbmp"] > spread["bbmp"] > spread["smp"]
