"""Worker processes sharing one market on PostgreSQL: every contract settled exactly once and
every reputation updated once, however the workers race (library only: the processes start fast).
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from decimal import Decimal

from negotiator.delegation.ledger import FUNDING_ACCOUNT
from negotiator.delegation.monitoring import Verdict
from negotiator.delegation.postgres import PostgresLedger, PostgresReputationStore, connect_pool
from negotiator.delegation.reputation_store import reputation_key
from negotiator.delegation.settlement import bond_account, escrow_account, settle
from negotiator.money import Money
from negotiator.wire.contract import Contract


def _settle_all(dsn: str, schema: str, worker: str, order: list[int]) -> None:
    """One worker process: settle every contract of the market, and update reputations."""
    pool = connect_pool(dsn, max_size=2, schema=schema)
    try:
        ledger, store = PostgresLedger(pool), PostgresReputationStore(pool)
        for i in order:
            c = contract(i)
            settle(ledger, f"run-{i}", c, DONE, AT)
            store.apply(reputation_key(f"run-{i}", c.id), c.contractor_id, "completed", HALF)
    finally:
        pool.close()


AT = datetime(2026, 10, 1, tzinfo=UTC)
DONE = Verdict(kind="completed", tick=4, at=AT, progress=1.0)
HALF = Decimal("0.5")
CONTRACTS = 12


def contract(i: int) -> Contract:
    return Contract(
        id=f"c{i}",
        task_id=f"t{i}",
        delegator_id="d",
        contractor_id=f"w{i % 3}",
        price=Money(amount=Decimal("2.00"), currency="USDC"),
        bond=Money(amount=Decimal("0.50"), currency="USDC"),
        deadline_seconds=3600,
        created_at=AT,
    )


def _market(dsn: str, schema: str) -> None:
    """Escrow every contract's price and bond, as the awards did."""
    pool = connect_pool(dsn, max_size=2, schema=schema)
    try:
        ledger = PostgresLedger(pool)
        usd = lambda a: Money(amount=Decimal(a), currency="USDC")  # noqa: E731
        for who, amount in (("d", "100"), ("w0", "5"), ("w1", "5"), ("w2", "5")):
            ledger.transfer(f"fund/{who}", FUNDING_ACCOUNT, who, usd(amount), "funding")
        for i in range(CONTRACTS):
            c = contract(i)
            run = f"run-{i}"  # escrow and bond accounts are per run, as settle reads them
            ledger.transfer(f"{run}/escrow", "d", escrow_account(run), c.price, "escrow")
            ledger.transfer(
                f"{run}/bond",
                c.contractor_id,
                bond_account(run, c.contractor_id),
                c.bond,
                "bond_escrow",
            )
    finally:
        pool.close()


def test_worker_processes_sharing_one_market_settle_exactly_once(
    pg_dsn: str, pg_schema: str
) -> None:
    _market(pg_dsn, pg_schema)
    ctx = multiprocessing.get_context("spawn")
    order = list(range(CONTRACTS))
    # three workers race for every contract, in different orders
    procs = [
        ctx.Process(target=_settle_all, args=(pg_dsn, pg_schema, f"w{k}", o))
        for k, o in enumerate((order, order[::-1], order[1::2] + order[::2]))
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    pool = connect_pool(pg_dsn, max_size=2, schema=pg_schema)
    try:
        ledger, store = PostgresLedger(pool), PostgresReputationStore(pool)
        payments = [t for t in ledger.transfers() if t.reason == "payment"]
        assert sorted(t.key for t in payments) == sorted(
            f"run-{i}/settle/0/payment" for i in range(CONTRACTS)
        )
        assert ledger.balance("d", "USDC") == Decimal("76.00")
        assert [ledger.balance(f"w{k}", "USDC") for k in range(3)] == [Decimal("13.00")] * 3
        assert ledger.is_balanced()
        assert len(store.updates()) == CONTRACTS  # one update per contract
        assert store.score("w0") == Decimal("0.7952")  # four completions from 0.5, damped
    finally:
        pool.close()
