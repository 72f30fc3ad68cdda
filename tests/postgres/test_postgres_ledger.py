"""The PostgreSQL ledger and reputation store against a real server: the same behaviour as the
SQLite ledger, exactly-once postings and settlements under concurrency, and fencing tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiator.delegation.ledger import (
    FUNDING_ACCOUNT,
    Books,
    Entry,
    Ledger,
    LedgerConflictError,
    Posting,
)
from negotiator.delegation.monitoring import Verdict
from negotiator.delegation.postgres import (
    Fence,
    InsufficientFundsError,
    PostgresLedger,
    PostgresReputationStore,
    StaleFenceError,
    connect_pool,
)
from negotiator.delegation.reputation_store import MemoryReputationStore
from negotiator.delegation.settlement import settle
from negotiator.errors import InsufficientFundsError as CoreInsufficientFundsError
from negotiator.errors import InvalidInputError
from negotiator.money import Money
from negotiator.wire.clauses import CancellationCompensation, CompensationMethod
from negotiator.wire.contract import Contract

AT = datetime(2026, 10, 1, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


@pytest.fixture
def pool(pg_dsn: str, pg_schema: str) -> Iterator[object]:
    p = connect_pool(pg_dsn, max_size=8, schema=pg_schema)
    yield p
    p.close()


@pytest.fixture
def ledger(pool: object) -> PostgresLedger:
    return PostgresLedger(pool)  # type: ignore[arg-type]


def funded(ledger: PostgresLedger, **wallets: str) -> PostgresLedger:
    for who, amount in wallets.items():
        ledger.transfer(f"fund/{who}", FUNDING_ACCOUNT, who, usd(amount), "funding")
    return ledger


def test_postings_balances_and_idempotency(ledger: PostgresLedger) -> None:
    funded(ledger, a="10")
    assert ledger.transfer("t1", "a", "b", usd("2.50"), "pay")
    assert not ledger.transfer("t1", "a", "b", usd("2.50"), "pay")  # same key: nothing
    assert ledger.balances("USDC") == {
        FUNDING_ACCOUNT: Decimal("-10"),
        "a": Decimal("7.50"),
        "b": Decimal("2.50"),
    }
    assert [t.key for t in ledger.transfers()] == ["fund/a", "t1"]
    assert ledger.is_balanced()
    with pytest.raises(LedgerConflictError, match="'t1' was already used"):
        ledger.transfer("t1", "a", "b", usd("3"), "pay")


def test_a_posting_that_overdraws_is_refused_whole(ledger: PostgresLedger) -> None:
    funded(ledger, a="1")
    with pytest.raises(InsufficientFundsError, match="a holds 1 USDC, cannot pay 2 USDC"):
        ledger.transfer("t1", "a", "b", usd("2"), "pay")
    assert ledger.balance("a", "USDC") == Decimal(1) and ledger.balance("b", "USDC") == 0
    assert len(ledger.postings()) == 1


def test_a_bad_posting_names_the_field(ledger: PostgresLedger) -> None:
    bad = Posting("k", "pay", "USDC", (Entry("a", Decimal(1)), Entry("b", Decimal(-2))))
    with pytest.raises(InvalidInputError, match=r"\$\.entries: amounts sum to -1"):
        ledger.post(bad)


def test_a_schema_name_that_is_not_an_identifier_is_refused(pg_dsn: str) -> None:
    with pytest.raises(InvalidInputError, match=r"\$\.schema"):
        connect_pool(pg_dsn, schema="x; drop table y")


moves = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["a", "b", "c"]),
        st.decimals(min_value="0.01", max_value="4", places=2),
    ),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=moves)
def test_the_same_postings_give_the_same_books_as_sqlite(
    ledger: PostgresLedger, steps: list[tuple[str, str, Decimal]]
) -> None:
    run = f"r{time.monotonic_ns()}"  # accounts of their own in the shared schema
    with Ledger(":memory:") as lite:
        for books in (ledger, lite):
            for who in "abc":
                books.transfer(f"{run}/f/{who}", FUNDING_ACCOUNT, run + who, usd("5"), "funding")
        for i, (src, dst, amount) in enumerate(steps):
            if src == dst:
                continue
            key, money = f"{run}/{i}", Money(amount=amount, currency="USDC")
            overdrawn = lite.balance(run + src, "USDC") < amount
            if overdrawn:
                with pytest.raises(InsufficientFundsError):
                    ledger.transfer(key, run + src, run + dst, money, "pay")
            else:
                assert ledger.transfer(key, run + src, run + dst, money, "pay")
                lite.transfer(key, run + src, run + dst, money, "pay")
        for who in "abc":
            assert ledger.balance(run + who, "USDC") == lite.balance(run + who, "USDC")
    assert ledger.is_balanced()


def contract() -> Contract:
    return Contract(
        id="c1",
        task_id="t1",
        delegator_id="d",
        contractor_id="c",
        price=usd("5.00"),
        bond=usd("0.50"),
        deadline_seconds=3600,
        created_at=AT,
        clauses=(CancellationCompensation(method=CompensationMethod.PRO_RATA),),
    )


def escrowed(ledger: PostgresLedger) -> PostgresLedger:
    funded(ledger, d="10", c="1")
    # escrow and bond accounts belong to the run ("run"), as settle reads them
    ledger.transfer("run/escrow", "d", "escrow:run", usd("5.00"), "escrow")
    ledger.transfer("run/bond", "c", "bond:run:c", usd("0.50"), "bond_escrow")
    return ledger


def test_eight_workers_settling_one_contract_pay_once(pool: object) -> None:
    escrowed(PostgresLedger(pool))  # type: ignore[arg-type]
    done = Verdict(kind="completed", tick=4, at=AT, progress=1.0)

    def worker(_: int) -> None:
        settle(PostgresLedger(pool), "run", contract(), done, AT)  # type: ignore[arg-type]

    with ThreadPoolExecutor(8) as ex:
        list(ex.map(worker, range(8)))
    books = PostgresLedger(pool)  # type: ignore[arg-type]
    assert books.balance("c", "USDC") == Decimal("6.00")  # 0.50 left + price + bond, once
    assert books.balance("escrow:run", "USDC") == 0
    assert len(books.postings()) == 4 + 2  # funding, escrows, then payment and bond return
    assert books.is_balanced()


def test_both_ledgers_raise_the_one_insufficient_funds_error(ledger: PostgresLedger) -> None:
    assert InsufficientFundsError is CoreInsufficientFundsError
    assert isinstance(ledger, Books) and isinstance(ledger.fenced(_fence(ledger)), Books)


def _fence(ledger: PostgresLedger) -> Fence:
    fence = ledger.claim("lease", "worker")
    assert fence is not None
    return fence


def test_transfer_up_to_moves_what_the_source_holds_once(ledger: PostgresLedger) -> None:
    funded(ledger, c="1.25")
    assert ledger.transfer_up_to("k", "c", "d", usd("3"), "replacement_difference") == Decimal(
        "1.25"
    )
    assert ledger.transfer_up_to("k", "c", "d", usd("3"), "replacement_difference") == Decimal(
        "1.25"
    )  # same key: the first call's amount, nothing moved again
    assert ledger.posted_to("k", "d") == Decimal("1.25") and ledger.posted_to("k", "x") is None
    assert ledger.transfer_up_to("k2", "c", "d", usd("3"), "replacement_difference") == 0
    assert ledger.balance("c", "USDC") == 0 and ledger.balance("d", "USDC") == Decimal("1.25")
    assert [t.key for t in ledger.transfers()] == ["fund/c", "k"]  # nothing posted for k2
    assert ledger.is_balanced()


def test_both_ledgers_refuse_a_charge_key_used_for_another_target(
    ledger: PostgresLedger,
) -> None:
    run = f"r{time.monotonic_ns()}"
    with Ledger(":memory:") as lite:
        for books in (ledger, lite):
            books.transfer(f"{run}/f", FUNDING_ACCOUNT, f"{run}c", usd("5"), "funding")
            assert books.transfer_up_to(f"{run}/k", f"{run}c", f"{run}d", usd("2"), "p") == 2
            with pytest.raises(LedgerConflictError, match="already used"):
                books.transfer_up_to(f"{run}/k", f"{run}c", f"{run}e", usd("2"), "p")
            assert books.balance(f"{run}c", "USDC") == Decimal(3)
            assert books.balance(f"{run}e", "USDC") == 0


def test_concurrent_charges_up_to_never_take_more_than_held(pool: object) -> None:
    funded(PostgresLedger(pool), c="5")  # type: ignore[arg-type]

    def charge(i: int) -> Decimal:
        books = PostgresLedger(pool)  # type: ignore[arg-type]
        return books.transfer_up_to(f"u{i}", "c", f"d{i}", usd("2"), "replacement_difference")

    with ThreadPoolExecutor(8) as ex:
        moved = list(ex.map(charge, range(8)))
    books = PostgresLedger(pool)  # type: ignore[arg-type]
    assert sum(moved) == 5  # 2 + 2 + 1, whatever the order
    assert all(0 <= m <= 2 for m in moved)
    assert books.balance("c", "USDC") == 0
    assert books.is_balanced()


def test_a_stale_fence_cannot_charge_up_to(ledger: PostgresLedger) -> None:
    funded(ledger, c="1")
    first = ledger.claim("settle/c1", "worker-1", lease_seconds=0.05)
    assert first is not None
    time.sleep(0.1)
    second = ledger.claim("settle/c1", "worker-2")
    assert second is not None
    with pytest.raises(StaleFenceError):
        ledger.fenced(first).transfer_up_to("k", "c", "d", usd("2"), "replacement_difference")
    assert ledger.fenced(second).transfer_up_to(
        "k", "c", "d", usd("2"), "replacement_difference"
    ) == Decimal("1")


def test_concurrent_spending_never_overdraws(pool: object) -> None:
    funded(PostgresLedger(pool), a="5")  # type: ignore[arg-type]

    def spend(i: int) -> bool:
        try:
            return PostgresLedger(pool).transfer(f"s{i}", "a", "b", usd("1"), "pay")  # type: ignore[arg-type]
        except InsufficientFundsError:
            return False

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(spend, range(16)))
    books = PostgresLedger(pool)  # type: ignore[arg-type]
    assert sum(results) == 5
    assert books.balance("a", "USDC") == 0 and books.balance("b", "USDC") == 5


def test_a_stale_fence_cannot_settle(ledger: PostgresLedger) -> None:
    escrowed(ledger)
    first = ledger.claim("settle/c1", "worker-1", lease_seconds=0.05)
    assert first is not None
    assert ledger.claim("settle/c1", "worker-2") is None  # held
    time.sleep(0.1)  # worker-1 stalls past its lease
    second = ledger.claim("settle/c1", "worker-2")
    assert second is not None and second.token > first.token
    cancelled = Verdict(kind="cancelled", tick=2, at=AT, progress=0.4)
    with pytest.raises(StaleFenceError, match=r"token \d+ of worker-1 is stale"):
        settle(ledger.fenced(first), "run", contract(), cancelled, AT)
    done = Verdict(kind="completed", tick=4, at=AT, progress=1.0)
    settle(ledger.fenced(second), "run", contract(), done, AT)
    assert ledger.balance("c", "USDC") == Decimal("6.00")
    assert ledger.balance("d", "USDC") == Decimal("5.00")


def test_reputation_updates_match_the_memory_store_and_apply_once(pool: object) -> None:
    pg, mem = PostgresReputationStore(pool), MemoryReputationStore()  # type: ignore[arg-type]
    for key, outcome in (("k1", "breached"), ("k2", "completed"), ("k1", "breached")):
        assert pg.apply(key, "a", outcome, Decimal("0.9")) == mem.apply(
            key, "a", outcome, Decimal("0.9")
        )
    assert pg.score("a") == mem.score("a") and pg.score("b") is None
    assert [k for k, _ in pg.updates()] == ["k1", "k2"]

    def worker(_: int) -> Decimal:
        store = PostgresReputationStore(pool)  # type: ignore[arg-type]
        return store.apply("k3", "b", "completed", Decimal("0.5")).after

    with ThreadPoolExecutor(8) as ex:
        afters = set(ex.map(worker, range(8)))
    assert afters == {Decimal("0.6000")}
    assert len(pg.updates()) == 3
