"""The escrow ledger and the reputation store in PostgreSQL, shared by many worker processes.

Install with the ``postgres`` extra (psycopg 3 and psycopg-pool). Both classes take a
:class:`psycopg_pool.ConnectionPool` (:func:`connect_pool` opens one from a DSN such as
``postgresql:///negotiator?host=/var/run/postgresql``) and create their tables on first use.

**Exactly once, across processes.** :meth:`PostgresLedger.post` is one transaction that

1. inserts the posting's idempotency key (``INSERT … ON CONFLICT (key) DO NOTHING``): a second
   worker posting the same key waits on the unique index until the first commits, then finds
   the key and posts nothing (a different content under a known key is refused);
2. locks the balance rows of every account the posting touches, in account order
   (``SELECT … FOR UPDATE``: no deadlock between two postings), and checks that no account
   other than the issuers ``external:*`` goes below zero — the funds check and the posting are
   one transaction, never two;
3. inserts the entries and updates the balances.

:meth:`PostgresLedger.transfer_up_to` (a charge on a wallet that may be short) locks the source's
and target's balance rows the same way first, then moves what the source holds, at most the
cap, in that same transaction.

**Fencing.** A settlement is several postings. To make sure two workers cannot *both* settle a
contract (say one with a stale verdict), a worker first takes a lease on the contract
(:meth:`PostgresLedger.claim`, which returns a **fencing token** that grows with every new
holder) and posts through :meth:`PostgresLedger.fenced` — each posting then re-reads the lease
row under ``FOR UPDATE`` and is refused (:class:`StaleFenceError`) unless its token is still the
current one. A worker whose lease expired and was taken over can therefore post nothing more.

:class:`PostgresReputationStore` applies each damped update once per idempotency key, with the
agent's score row locked while the key is checked, so concurrent workers never update twice.
Amounts and scores are ``NUMERIC`` (exact), never floats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any

import psycopg
import psycopg.sql
from psycopg_pool import ConnectionPool

from negotiator.delegation.ledger import (
    ISSUER_PREFIX,
    Entry,
    LedgerConflictError,
    Posting,
    Transfer,
    as_transfer,
    two_entry_posting,
    validate_posting,
)
from negotiator.delegation.reputation import DEFAULT_DAMPING, ReputationUpdate, damped_update
from negotiator.errors import InsufficientFundsError, InvalidInputError, RuntimeFailure
from negotiator.money import Money

__all__ = [
    "ISSUER_PREFIX",
    "Fence",
    "FencedLedger",
    "InsufficientFundsError",
    "PostgresLedger",
    "PostgresReputationStore",
    "StaleFenceError",
    "connect_pool",
]

_LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_postings (
    seq BIGSERIAL PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    reason TEXT NOT NULL,
    currency TEXT NOT NULL,
    digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_entries (
    posting_seq BIGINT NOT NULL REFERENCES ledger_postings(seq),
    idx INTEGER NOT NULL,
    account TEXT NOT NULL,
    amount NUMERIC NOT NULL,
    PRIMARY KEY (posting_seq, idx)
);
CREATE TABLE IF NOT EXISTS ledger_balances (
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance NUMERIC NOT NULL,
    PRIMARY KEY (account, currency)
);
CREATE SEQUENCE IF NOT EXISTS ledger_fence_tokens;
CREATE TABLE IF NOT EXISTS ledger_fences (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
"""

_REPUTATION_SCHEMA = """
CREATE TABLE IF NOT EXISTS reputation_scores (
    agent_id TEXT PRIMARY KEY,
    score NUMERIC NOT NULL
);
CREATE TABLE IF NOT EXISTS reputation_updates (
    seq BIGSERIAL PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    agent_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    before NUMERIC NOT NULL,
    after NUMERIC NOT NULL,
    damping NUMERIC NOT NULL
);
"""

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

#: one lock key for schema creation, so two processes never race on CREATE … IF NOT EXISTS.
_SCHEMA_LOCK = 7_013_013


class StaleFenceError(RuntimeFailure):
    """A worker posted with a fencing token that is no longer the lease's current one."""


@dataclass(frozen=True)
class Fence:
    """A lease on a named resource (a contract's settlement) and its fencing token."""

    name: str
    holder: str
    token: int


def connect_pool(dsn: str, max_size: int = 8, schema: str | None = None) -> ConnectionPool:
    """Open a connection pool to ``dsn`` (the caller closes it).

    Args:
        schema: keep the tables in this schema (created if missing) instead of ``public``,
            e.g. one schema per market.
    """
    kwargs: dict[str, Any] = {}
    if schema is not None:
        if not _SCHEMA_NAME.fullmatch(schema):
            raise InvalidInputError.single(
                "postgres pool", "$.schema", f"{schema!r} is not a plain lower-case identifier"
            )
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    psycopg.sql.Identifier(schema)
                )
            )
        kwargs["options"] = f"-c search_path={schema}"
    pool: ConnectionPool = ConnectionPool(
        dsn, min_size=1, max_size=max_size, kwargs=kwargs, open=True
    )
    return pool


def _create(pool: ConnectionPool, schema: str) -> None:
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute(schema)


class PostgresLedger:
    """The escrow ledger (:class:`~negotiator.delegation.ledger.Books`) in PostgreSQL.

    Args:
        pool: the connection pool; the ledger does not close it.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool
        _create(pool, _LEDGER_SCHEMA)

    def __enter__(self) -> PostgresLedger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: the pool belongs to the caller."""

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def post(self, posting: Posting, fence: Fence | None = None) -> bool:
        """Apply ``posting`` once; return ``False`` if its key was already applied.

        Args:
            fence: when given, the posting is refused unless ``fence.token`` is still the
                current token of the lease ``fence.name``.

        Raises:
            InvalidInputError: the posting is unbalanced, empty or has a bad amount.
            LedgerConflictError: the key was already used for a posting with other content.
            InsufficientFundsError: an account other than ``external:*`` would go below zero.
            StaleFenceError: ``fence`` was taken over by another holder.
        """
        validate_posting(posting)
        digest = posting.digest()
        with self._transaction() as conn:
            if fence is not None:
                _check_fence(conn, fence)
            row = conn.execute(
                "INSERT INTO ledger_postings (key, reason, currency, digest) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING seq",
                (posting.key, posting.reason, posting.currency, digest),
            ).fetchone()
            if row is None:
                return _known(conn, posting.key, digest)
            _apply(conn, int(row[0]), posting)
        return True

    def transfer(self, key: str, source: str, target: str, amount: Money, reason: str) -> bool:
        """Move ``amount`` from ``source`` to ``target`` as one posting (idempotent).

        Raises:
            InvalidInputError: ``amount`` is zero or has more than 6 decimals.
            LedgerConflictError: ``key`` was already used for another posting.
            InsufficientFundsError: ``source`` cannot pay ``amount``.
        """
        return self.post(two_entry_posting(key, source, target, amount, reason))

    def transfer_up_to(
        self,
        key: str,
        source: str,
        target: str,
        cap: Money,
        reason: str,
        *,
        fence: Fence | None = None,
    ) -> Decimal:
        """Move what ``source`` holds, at most ``cap``, in one transaction; return the amount.

        The source's balance row is read under ``SELECT … FOR UPDATE`` in the posting's own
        transaction, so no concurrent posting can spend it between the read and the posting.
        Posting the same ``key`` again moves nothing and returns what the first call moved (zero
        when the source held nothing: nothing is posted then).

        Args:
            fence: when given, refused unless ``fence.token`` is still the lease's current one.

        Raises:
            InvalidInputError: ``cap`` has more than 6 decimals.
            LedgerConflictError: ``key`` was already used for a posting that did not pay
                ``target``.
            StaleFenceError: ``fence`` was taken over by another holder.
        """
        with self._transaction() as conn:
            if fence is not None:
                _check_fence(conn, fence)
            held = _lock_balances(conn, cap.currency, [source, target])[source]
            known = _posted_to(conn, key, target)
            if known is not None:
                return known
            _refuse_other_target(conn, key)
            amount = cap.amount if source.startswith(ISSUER_PREFIX) else min(cap.amount, held)
            if amount <= 0:
                return Decimal(0)
            entries = (Entry(source, -amount), Entry(target, amount))
            posting = Posting(key, reason, cap.currency, entries)
            validate_posting(posting)
            inserted = conn.execute(
                "INSERT INTO ledger_postings (key, reason, currency, digest) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING seq",
                (key, reason, cap.currency, posting.digest()),
            ).fetchone()
            if inserted is None:  # another worker posted the key meanwhile
                known = _posted_to(conn, key, target)
                if known is None:
                    _refuse_other_target(conn, key)
                return Decimal(0) if known is None else known
            _apply(conn, int(inserted[0]), posting)
        return amount

    def posted_to(self, key: str, account: str) -> Decimal | None:
        """What the posting ``key`` put into ``account`` (``None``: no such posting or line)."""
        with self.pool.connection() as conn:
            return _posted_to(conn, key, account)

    def claim(self, name: str, holder: str, lease_seconds: float = 60.0) -> Fence | None:
        """Take (or renew) the lease ``name`` for ``holder``; ``None`` if another holds it.

        A new holder gets a larger fencing token than every earlier one.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO ledger_fences (name, holder, token, expires_at) "
                "VALUES (%s, %s, nextval('ledger_fence_tokens'), "
                "now() + make_interval(secs => %s)) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "token = CASE WHEN ledger_fences.holder = excluded.holder "
                "THEN ledger_fences.token ELSE excluded.token END, "
                "expires_at = excluded.expires_at "
                "WHERE ledger_fences.expires_at < now() OR ledger_fences.holder = excluded.holder "
                "RETURNING token",
                (name, holder, lease_seconds),
            ).fetchone()
        return None if row is None else Fence(name, holder, int(row[0]))

    def fenced(self, fence: Fence) -> FencedLedger:
        """Return a view of this ledger whose every posting checks ``fence`` first."""
        return FencedLedger(self, fence)

    def postings(self, prefix: str = "") -> list[Posting]:
        """Return every posting (whose key starts with ``prefix``) in the order applied."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT p.seq, p.key, p.reason, p.currency, e.account, e.amount "
                "FROM ledger_postings p JOIN ledger_entries e ON e.posting_seq = p.seq "
                "WHERE starts_with(p.key, %s) ORDER BY p.seq, e.idx",
                (prefix,),
            ).fetchall()
        out: dict[int, Posting] = {}
        for seq, key, reason, currency, account, amount in rows:
            prev = out.get(seq)
            entry = Entry(account, Decimal(amount))
            entries = (*prev.entries, entry) if prev else (entry,)
            out[seq] = Posting(key, reason, currency, entries)
        return list(out.values())

    def transfers(self, prefix: str = "") -> list[Transfer]:
        """Return the two-entry postings (key starting with ``prefix``) as payments."""
        return [as_transfer(p) for p in self.postings(prefix) if len(p.entries) == 2]

    def balance(self, account: str, currency: str) -> Decimal:
        """Return the balance of ``account`` in ``currency`` (zero for an unknown account)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT balance FROM ledger_balances WHERE account = %s AND currency = %s",
                (account, currency),
            ).fetchone()
        return Decimal(0) if row is None else Decimal(row[0])

    def balances(self, currency: str) -> dict[str, Decimal]:
        """Return every account's balance in ``currency``, sorted by account name."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT account, balance FROM ledger_balances WHERE currency = %s ORDER BY account",
                (currency,),
            ).fetchall()
        return {account: Decimal(amount) for account, amount in rows}

    def is_balanced(self, prefix: str = "") -> bool:
        """Return whether every posting (key starting with ``prefix``) adds up and, for the
        whole ledger (no prefix), every currency and every balance row too."""
        with self.pool.connection() as conn:
            unbalanced = conn.execute(
                "SELECT count(*) FROM (SELECT e.posting_seq FROM ledger_entries e "
                "JOIN ledger_postings p ON p.seq = e.posting_seq WHERE starts_with(p.key, %s) "
                "GROUP BY e.posting_seq HAVING sum(e.amount) <> 0) AS bad",
                (prefix,),
            ).fetchone()
            if prefix:
                return unbalanced is not None and unbalanced[0] == 0
            drift = conn.execute(
                "SELECT count(*) FROM ledger_balances b FULL JOIN ("
                "SELECT e.account, p.currency, sum(e.amount) AS total FROM ledger_entries e "
                "JOIN ledger_postings p ON p.seq = e.posting_seq GROUP BY e.account, p.currency"
                ") t ON t.account = b.account AND t.currency = b.currency "
                "WHERE coalesce(b.balance, 0) <> coalesce(t.total, 0)"
            ).fetchone()
            totals = conn.execute(
                "SELECT count(*) FROM (SELECT currency FROM ledger_balances "
                "GROUP BY currency HAVING sum(balance) <> 0) AS bad"
            ).fetchone()
        return all(row is not None and row[0] == 0 for row in (unbalanced, drift, totals))


class FencedLedger:
    """A :class:`PostgresLedger` view whose postings are refused once ``fence`` is stale."""

    def __init__(self, ledger: PostgresLedger, fence: Fence) -> None:
        self.ledger = ledger
        self.fence = fence

    def post(self, posting: Posting) -> bool:
        """Apply ``posting`` once under the fence (see :meth:`PostgresLedger.post`)."""
        return self.ledger.post(posting, self.fence)

    def transfer(self, key: str, source: str, target: str, amount: Money, reason: str) -> bool:
        """Move ``amount`` under the fence (see :meth:`PostgresLedger.transfer`)."""
        return self.post(two_entry_posting(key, source, target, amount, reason))

    def transfer_up_to(
        self, key: str, source: str, target: str, cap: Money, reason: str
    ) -> Decimal:
        """Move at most ``cap`` under the fence (see :meth:`PostgresLedger.transfer_up_to`)."""
        return self.ledger.transfer_up_to(key, source, target, cap, reason, fence=self.fence)

    def posted_to(self, key: str, account: str) -> Decimal | None:
        """What posting ``key`` put into ``account`` (see :meth:`PostgresLedger.posted_to`)."""
        return self.ledger.posted_to(key, account)

    def postings(self, prefix: str = "") -> list[Posting]:
        """The underlying ledger's postings (see :meth:`PostgresLedger.postings`)."""
        return self.ledger.postings(prefix)

    def transfers(self, prefix: str = "") -> list[Transfer]:
        """The underlying ledger's transfers (see :meth:`PostgresLedger.transfers`)."""
        return self.ledger.transfers(prefix)

    def balance(self, account: str, currency: str) -> Decimal:
        """The balance of ``account`` in the underlying ledger."""
        return self.ledger.balance(account, currency)

    def balances(self, currency: str) -> dict[str, Decimal]:
        """Every balance of the underlying ledger."""
        return self.ledger.balances(currency)

    def is_balanced(self, prefix: str = "") -> bool:
        """Whether the underlying ledger adds up (see :meth:`PostgresLedger.is_balanced`)."""
        return self.ledger.is_balanced(prefix)

    def close(self) -> None:
        """Nothing to release."""


def _known(conn: psycopg.Connection[Any], key: str, digest: str) -> bool:
    row = conn.execute("SELECT digest FROM ledger_postings WHERE key = %s", (key,)).fetchone()
    if row is not None and row[0] != digest:
        raise LedgerConflictError(
            f"idempotency key {key!r} was already used for a different posting"
        )
    return False


def _refuse_other_target(conn: psycopg.Connection[Any], key: str) -> None:
    """Raise when ``key`` is already the key of a posting (one that did not pay the target)."""
    row = conn.execute("SELECT 1 FROM ledger_postings WHERE key = %s", (key,)).fetchone()
    if row is not None:
        raise LedgerConflictError(
            f"idempotency key {key!r} was already used for a posting to another account"
        )


def _posted_to(conn: psycopg.Connection[Any], key: str, account: str) -> Decimal | None:
    row = conn.execute(
        "SELECT e.amount FROM ledger_postings p JOIN ledger_entries e ON e.posting_seq = p.seq "
        "WHERE p.key = %s AND e.account = %s",
        (key, account),
    ).fetchone()
    return None if row is None else Decimal(row[0])


def _check_fence(conn: psycopg.Connection[Any], fence: Fence) -> None:
    row = conn.execute(
        "SELECT holder, token FROM ledger_fences WHERE name = %s FOR UPDATE", (fence.name,)
    ).fetchone()
    if row is None or int(row[1]) != fence.token:
        current = "none" if row is None else f"{row[0]} with token {row[1]}"
        raise StaleFenceError(
            f"lease {fence.name!r}: token {fence.token} of {fence.holder} is stale "
            f"(current holder: {current})"
        )


def _apply(conn: psycopg.Connection[Any], seq: int, posting: Posting) -> None:
    """Lock the touched balances in account order, check funds, insert entries, update."""
    delta: dict[str, Decimal] = {}
    for e in posting.entries:
        delta[e.account] = delta.get(e.account, Decimal(0)) + e.amount
    accounts = sorted(delta)
    held = _lock_balances(conn, posting.currency, accounts)
    _check_funds(held, delta, posting.currency)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ledger_entries (posting_seq, idx, account, amount) "
            "VALUES (%s, %s, %s, %s)",
            [(seq, i, e.account, e.amount) for i, e in enumerate(posting.entries)],
        )
        cur.executemany(
            "UPDATE ledger_balances SET balance = balance + %s "
            "WHERE account = %s AND currency = %s",
            [(delta[a], a, posting.currency) for a in accounts],
        )


def _lock_balances(
    conn: psycopg.Connection[Any], currency: str, accounts: Sequence[str]
) -> dict[str, Decimal]:
    """Create the missing balance rows, lock them all in account order (``FOR UPDATE``: no
    deadlock between two postings) and return what each holds."""
    ordered = sorted(set(accounts))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ledger_balances (account, currency, balance) VALUES (%s, %s, 0) "
            "ON CONFLICT DO NOTHING",
            [(a, currency) for a in ordered],
        )
    rows = conn.execute(
        "SELECT account, balance FROM ledger_balances WHERE currency = %s AND account = ANY(%s) "
        "ORDER BY account FOR UPDATE",
        (currency, ordered),
    ).fetchall()
    return {account: Decimal(balance) for account, balance in rows}


def _check_funds(held: dict[str, Decimal], delta: dict[str, Decimal], currency: str) -> None:
    for account, change in sorted(delta.items()):
        if account.startswith(ISSUER_PREFIX) or change >= 0:
            continue
        if held[account] + change < 0:
            raise InsufficientFundsError(account, held[account], -change, currency)


class PostgresReputationStore:
    """A :class:`~negotiator.delegation.reputation_store.ReputationStore` in PostgreSQL.

    Args:
        pool: the connection pool; the store does not close it.
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool
        _create(pool, _REPUTATION_SCHEMA)

    def score(self, agent_id: str) -> Decimal | None:
        """Return the stored score of ``agent_id`` (``None``: never scored)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT score FROM reputation_scores WHERE agent_id = %s", (agent_id,)
            ).fetchone()
        return None if row is None else Decimal(row[0])

    def apply(
        self,
        key: str,
        agent_id: str,
        outcome: str,
        initial: Decimal,
        damping: Decimal = DEFAULT_DAMPING,
        *,
        current: Decimal | None = None,
    ) -> ReputationUpdate:
        """Apply the update once under ``key``, with the agent's score row locked."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO reputation_scores (agent_id, score) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                (agent_id, initial),
            )
            stored = conn.execute(
                "SELECT score FROM reputation_scores WHERE agent_id = %s FOR UPDATE", (agent_id,)
            ).fetchone()
            known = conn.execute(
                "SELECT agent_id, outcome, before, after, damping FROM reputation_updates "
                "WHERE key = %s",
                (key,),
            ).fetchone()
            if known is not None:
                return _update(known)
            start = current if current is not None else Decimal(stored[0]) if stored else initial
            update = damped_update(agent_id, start, outcome, damping)
            conn.execute(
                "INSERT INTO reputation_updates (key, agent_id, outcome, before, after, damping) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (key, agent_id, outcome, update.before, update.after, damping),
            )
            conn.execute(
                "UPDATE reputation_scores SET score = %s WHERE agent_id = %s",
                (update.after, agent_id),
            )
        return update

    def updates(self) -> list[tuple[str, ReputationUpdate]]:
        """Return every applied ``(key, update)`` in the order applied."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT key, agent_id, outcome, before, after, damping FROM reputation_updates "
                "ORDER BY seq"
            ).fetchall()
        return [(row[0], _update(row[1:])) for row in rows]


def _update(row: Sequence[Any]) -> ReputationUpdate:
    agent_id, outcome, before, after, damping = row
    return ReputationUpdate(
        agent_id=agent_id,
        outcome=outcome,
        before=Decimal(before),
        after=Decimal(after),
        damping=Decimal(damping),
    )
