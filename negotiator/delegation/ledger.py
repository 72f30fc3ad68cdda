"""A double-entry escrow ledger persisted in SQLite (stdlib ``sqlite3``).

Every :class:`Posting` is a set of entries whose amounts sum to zero in one currency, so money
is never created or lost: the sum of all balances in a currency is always zero (the funding
account ``external:funding`` carries the negative of whatever entered the system). Amounts are
``Decimal`` and stored as text, never as floats.

Each posting carries an **idempotency key**: posting the same key again with the same content
does nothing and returns ``False`` (so settling twice after a crash and resume pays once);
posting a known key with *different* content is refused.

**Running balances.** Each account's balance is kept in a ``balances`` table that every posting
updates in its own transaction, so reading a balance costs the same however long the ledger
grows; :meth:`Ledger.is_balanced` checks the table against the sums of the entries. A ledger file
written before the table existed gets it, filled from its entries, when it is opened.

**Funds check.** No account may go below zero except the issuer accounts ``external:*`` (the
funding account carries the negative of the money in the system). The check runs *inside the
same transaction as the posting*: :meth:`Ledger.post` takes the write lock
(``BEGIN IMMEDIATE``), checks the idempotency key, reads the balance of every account the posting
debits, and inserts the posting and updates the balances only when none would go negative —
otherwise it rolls back and raises :class:`InsufficientFundsError`. So two runs (threads of one
process, or processes sharing the ledger file, each with its own connection) can never both spend
the same money: the second writer waits for the lock and then sees the first one's posting.
:meth:`Ledger.transfer_up_to` moves *at most* an amount — what the source holds — in the same one
transaction (a charge on a wallet that may be short, such as a defaulting contractor's
replacement difference).

The PostgreSQL backend (:class:`~negotiator.delegation.postgres.PostgresLedger`, same
:class:`Books` protocol) follows the same design: one transaction per posting that locks the
touched accounts' balance rows (``SELECT ... FOR UPDATE``), checks them, inserts the posting and
its entries, and commits — check and post are never two transactions.

Account names used by the delegation flow (see :mod:`negotiator.delegation.settlement`): a
party's wallet is its agent id; ``escrow:<run>`` (the price), ``bond:<run>:<bidder>`` (a bond),
``external:funding``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

from negotiator.errors import FieldError, InsufficientFundsError, InvalidInputError, UsageError
from negotiator.money import Money

__all__ = [
    "FUNDING_ACCOUNT",
    "ISSUER_PREFIX",
    "Books",
    "Entry",
    "InsufficientFundsError",
    "Ledger",
    "LedgerConflictError",
    "Posting",
    "Transfer",
    "as_transfer",
    "key_range",
    "validate_posting",
]

FUNDING_ACCOUNT = "external:funding"
ISSUER_PREFIX = "external:"
"""Accounts under this prefix may go negative (money entering the system); no other may."""
_BUSY_TIMEOUT_SECONDS = 120.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT UNIQUE NOT NULL,
    reason TEXT NOT NULL,
    currency TEXT NOT NULL,
    digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    posting_seq INTEGER NOT NULL REFERENCES postings(seq),
    idx INTEGER NOT NULL,
    account TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (posting_seq, idx)
);
CREATE INDEX IF NOT EXISTS entries_by_account ON entries(account);
"""

_BALANCES = """
CREATE TABLE balances (
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance TEXT NOT NULL,
    PRIMARY KEY (account, currency)
)
"""
"""Each account's running balance, kept in the same transaction as every posting."""


class LedgerConflictError(UsageError):
    """An idempotency key was reused for a posting with different content."""


@dataclass(frozen=True)
class Entry:
    """One line of a posting: ``amount`` is added to ``account`` (negative takes money out)."""

    account: str
    amount: Decimal


@dataclass(frozen=True)
class Posting:
    """A balanced set of entries in one currency, identified by an idempotency key.

    Args:
        key: idempotency key; the same key is applied at most once.
        reason: why the money moved (e.g. ``"escrow payment"``, ``"penalty"``).
        currency: the currency of every entry.
        entries: the lines; their amounts must sum to zero.
    """

    key: str
    reason: str
    currency: str
    entries: tuple[Entry, ...]

    def digest(self) -> str:
        """Return the sha256 of the posting's canonical content (used to detect key reuse)."""
        body = {
            "reason": self.reason,
            "currency": self.currency,
            "entries": [[e.account, str(e.amount)] for e in self.entries],
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Transfer:
    """A two-entry posting seen as a payment from one account to another."""

    key: str
    source: str
    target: str
    amount: Money
    reason: str


@runtime_checkable
class Books(Protocol):
    """What the flow needs of an escrow ledger: :class:`Ledger` (SQLite) and
    :class:`~negotiator.delegation.postgres.PostgresLedger` (PostgreSQL) both provide it."""

    def post(self, posting: Posting) -> bool:
        """Apply ``posting`` once; ``False`` if its key was already applied."""
        ...

    def transfer(self, key: str, source: str, target: str, amount: Money, reason: str) -> bool:
        """Move ``amount`` from ``source`` to ``target`` as one posting (idempotent)."""
        ...

    def transfer_up_to(
        self, key: str, source: str, target: str, cap: Money, reason: str
    ) -> Decimal:
        """Move what ``source`` holds, at most ``cap``, checked and posted in one transaction;
        return the amount moved (the first call's amount when ``key`` is known)."""
        ...

    def posted_to(self, key: str, account: str) -> Decimal | None:
        """What the posting ``key`` put into ``account`` (``None``: no such posting or line)."""
        ...

    def postings(self, prefix: str = "") -> list[Posting]:
        """Every posting (whose key starts with ``prefix``) in the order it was applied."""
        ...

    def transfers(self, prefix: str = "") -> list[Transfer]:
        """The two-entry postings (key starting with ``prefix``) as payments, in order."""
        ...

    def balance(self, account: str, currency: str) -> Decimal:
        """The balance of ``account`` in ``currency`` (zero if unknown)."""
        ...

    def balances(self, currency: str) -> dict[str, Decimal]:
        """Every account's balance in ``currency``, sorted by account."""
        ...

    def is_balanced(self, prefix: str = "") -> bool:
        """Whether every posting (key starting with ``prefix``) sums to zero; with no prefix,
        every currency too."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def two_entry_posting(key: str, source: str, target: str, amount: Money, reason: str) -> Posting:
    """The posting that moves ``amount`` from ``source`` to ``target`` under ``key``."""
    entries = (Entry(source, -amount.amount), Entry(target, amount.amount))
    return Posting(key, reason, amount.currency, entries)


def key_range(prefix: str) -> tuple[str, str]:
    """The half-open range ``[low, high)`` of keys that start with ``prefix`` (an index scan)."""
    return prefix, prefix + "\U0010ffff"


def validate_posting(posting: Posting) -> None:
    """Raise :class:`InvalidInputError` naming every problem of ``posting`` (see :class:`Posting`).

    Raises:
        InvalidInputError: unbalanced, fewer than two entries, an empty key, a zero, non-finite
            or over-precise amount.
    """
    _validate(posting)


def as_transfer(posting: Posting) -> Transfer:
    """Return a two-entry ``posting`` as a payment ``source -> target``."""
    return _as_transfer(posting)


def _validate(posting: Posting) -> None:
    errors: list[FieldError] = []
    if not posting.key:
        errors.append(FieldError("$.key", "idempotency key must not be empty"))
    if len(posting.entries) < 2:
        errors.append(FieldError("$.entries", "a posting needs at least two entries"))
    for i, entry in enumerate(posting.entries):
        if not entry.amount.is_finite() or entry.amount == 0:
            errors.append(
                FieldError(f"$.entries[{i}].amount", f"{entry.amount} must be finite and non-zero")
            )
        elif entry.amount.as_tuple().exponent < -6:  # type: ignore[operator]
            errors.append(FieldError(f"$.entries[{i}].amount", f"{entry.amount} has > 6 decimals"))
    total = sum((e.amount for e in posting.entries if e.amount.is_finite()), Decimal(0))
    if total != 0:
        errors.append(FieldError("$.entries", f"amounts sum to {total}, expected 0 (unbalanced)"))
    if errors:
        raise InvalidInputError(f"posting {posting.key!r}", errors)


class Ledger:
    """The escrow ledger: balanced postings with idempotency keys, stored in one SQLite file.

    Args:
        path: the database file (created if missing); ``":memory:"`` for a throw-away ledger.

    Example:
        >>> from negotiator.money import Money
        >>> five = Money(amount=Decimal("5"), currency="USDC")
        >>> ledger = Ledger(":memory:")
        >>> ledger.transfer("f1", FUNDING_ACCOUNT, "wallet:a", five, "funding")
        True
        >>> ledger.transfer("t1", "wallet:a", "wallet:b", five, "pay")
        True
        >>> ledger.balance("wallet:b", "USDC")
        Decimal('5')
        >>> ledger.transfer("t2", "wallet:a", "wallet:b", five, "pay")
        Traceback (most recent call last):
        ...
        negotiator.errors.InsufficientFundsError: wallet:a holds 0 USDC, cannot pay ...
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            timeout=_BUSY_TIMEOUT_SECONDS,
            check_same_thread=False,
        )
        with self._lock:
            self._conn.executescript(_SCHEMA)
        with self._transaction() as cur:
            _add_balances(cur)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction holding the database's write lock (``BEGIN IMMEDIATE``)."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                if self._conn.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            if self._conn.in_transaction:
                cur.execute("COMMIT")

    def post(self, posting: Posting) -> bool:
        """Apply ``posting`` once; return ``False`` if its key was already applied.

        The idempotency check, the funds check and the insert are one transaction (see the
        module docstring).

        Raises:
            InvalidInputError: the posting is unbalanced, empty or has a bad amount.
            LedgerConflictError: the key was already used for a posting with other content.
            InsufficientFundsError: an account other than ``external:*`` would go below zero.
        """
        _validate(posting)
        digest = posting.digest()
        with self._transaction() as cur:
            known = _known_digest(cur, posting.key)
            if known is not None:
                if known != digest:
                    raise LedgerConflictError(
                        f"idempotency key {posting.key!r} was already used for a different posting"
                    )
                return False
            _check_funds(cur, posting)
            _insert(cur, posting, digest)
        return True

    def transfer(self, key: str, source: str, target: str, amount: Money, reason: str) -> bool:
        """Move ``amount`` from ``source`` to ``target`` as one two-entry posting (idempotent).

        Raises:
            InvalidInputError: ``amount`` is zero or has more than 6 decimals.
            LedgerConflictError: ``key`` was already used for another posting.
            InsufficientFundsError: ``source`` cannot pay ``amount``.
        """
        return self.post(two_entry_posting(key, source, target, amount, reason))

    def transfer_up_to(
        self, key: str, source: str, target: str, cap: Money, reason: str
    ) -> Decimal:
        """Move what ``source`` holds, at most ``cap``, in one transaction; return the amount.

        Posting the same ``key`` again moves nothing and returns what the first call moved
        (zero when the source held nothing: nothing is posted then).

        Raises:
            LedgerConflictError: ``key`` was already used for a posting that did not pay
                ``target``.

        Example:
            >>> with Ledger(":memory:") as ledger:
            ...     _ = ledger.transfer("f", FUNDING_ACCOUNT, "c", Money(amount=Decimal("1"),
            ...         currency="USDC"), "funding")
            ...     ledger.transfer_up_to("k", "c", "d", Money(amount=Decimal("3"),
            ...         currency="USDC"), "replacement_difference")
            Decimal('1')
        """
        with self._transaction() as cur:
            known = _posted_to(cur, key, target)
            if known is not None:
                return known
            if _known_digest(cur, key) is not None:
                raise LedgerConflictError(
                    f"idempotency key {key!r} was already used for a posting to another account"
                )
            held = _balance(cur, source, cap.currency)
            amount = min(cap.amount, held) if not source.startswith(ISSUER_PREFIX) else cap.amount
            if amount <= 0:
                return Decimal(0)
            posting = Posting(
                key, reason, cap.currency, (Entry(source, -amount), Entry(target, amount))
            )
            _validate(posting)
            _insert(cur, posting, posting.digest())
        return amount

    def posted_to(self, key: str, account: str) -> Decimal | None:
        """What the posting ``key`` put into ``account`` (``None``: no such posting or line)."""
        with self._lock:
            return _posted_to(self._conn.cursor(), key, account)

    def postings(self, prefix: str = "") -> list[Posting]:
        """Return every posting (whose key starts with ``prefix``) in the order applied."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT p.seq, p.key, p.reason, p.currency, e.account, e.amount FROM postings p "
                "JOIN entries e ON e.posting_seq = p.seq WHERE p.key >= ? AND p.key < ? "
                "ORDER BY p.seq, e.idx",
                key_range(prefix),
            ).fetchall()
        out: dict[int, Posting] = {}
        for seq, key, reason, currency, account, amount in rows:
            prev = out.get(seq)
            entry = Entry(account, Decimal(amount))
            entries = (*prev.entries, entry) if prev else (entry,)
            out[seq] = Posting(key, reason, currency, entries)
        return list(out.values())

    def transfers(self, prefix: str = "") -> list[Transfer]:
        """Return the two-entry postings (whose key starts with ``prefix``) as payments
        ``source -> target`` in posting order."""
        return [_as_transfer(p) for p in self.postings(prefix) if len(p.entries) == 2]

    def balance(self, account: str, currency: str) -> Decimal:
        """Return the balance of ``account`` in ``currency`` (zero for an unknown account)."""
        with self._lock:
            return _balance(self._conn.cursor(), account, currency)

    def balances(self, currency: str) -> dict[str, Decimal]:
        """Return every account's balance in ``currency``, sorted by account name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT account, balance FROM balances WHERE currency = ? ORDER BY account",
                (currency,),
            ).fetchall()
        return {account: Decimal(amount) for account, amount in rows}

    def currencies(self) -> list[str]:
        """Return the currencies that have postings, sorted."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT currency FROM postings ORDER BY currency"
            ).fetchall()
        return [r[0] for r in rows]

    def is_balanced(self, prefix: str = "") -> bool:
        """Return whether every posting (whose key starts with ``prefix``) sums to exactly zero,
        and, for the whole ledger (no prefix), every currency too and every running balance
        equals the sum of its account's entries."""
        postings = self.postings(prefix)
        if any(sum((e.amount for e in p.entries), Decimal(0)) != 0 for p in postings):
            return False
        if prefix:
            return True
        with self._lock:
            summed = _entry_totals(self._conn.cursor())
        for currency in self.currencies():
            running = self.balances(currency)
            if sum(running.values(), Decimal(0)) != 0 or running != summed.get(currency, {}):
                return False
        return True


def _known_digest(cur: sqlite3.Cursor, key: str) -> str | None:
    row = cur.execute("SELECT digest FROM postings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _posted_to(cur: sqlite3.Cursor, key: str, account: str) -> Decimal | None:
    row = cur.execute(
        "SELECT e.amount FROM postings p JOIN entries e ON e.posting_seq = p.seq "
        "WHERE p.key = ? AND e.account = ?",
        (key, account),
    ).fetchone()
    return None if row is None else Decimal(row[0])


def _balance(cur: sqlite3.Cursor, account: str, currency: str) -> Decimal:
    row = cur.execute(
        "SELECT balance FROM balances WHERE account = ? AND currency = ?", (account, currency)
    ).fetchone()
    return Decimal(0) if row is None else Decimal(row[0])


def _entry_totals(cur: sqlite3.Cursor) -> dict[str, dict[str, Decimal]]:
    """Currency -> account -> the sum of the account's entries (accounts sorted)."""
    rows = cur.execute(
        "SELECT p.currency, e.account, e.amount FROM entries e "
        "JOIN postings p ON p.seq = e.posting_seq ORDER BY p.currency, e.account"
    )
    totals: dict[str, dict[str, Decimal]] = {}
    for currency, account, amount in rows:
        accounts = totals.setdefault(currency, {})
        accounts[account] = accounts.get(account, Decimal(0)) + Decimal(amount)
    return totals


def _add_balances(cur: sqlite3.Cursor) -> None:
    """Create the running balances table if the file has none yet, filled from the entries."""
    known = cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'balances'").fetchone()
    if known is not None:
        return
    cur.execute(_BALANCES)
    cur.executemany(
        "INSERT INTO balances (account, currency, balance) VALUES (?, ?, ?)",
        [
            (account, currency, str(total))
            for currency, accounts in _entry_totals(cur).items()
            for account, total in accounts.items()
        ],
    )


def _check_funds(cur: sqlite3.Cursor, posting: Posting) -> None:
    """Raise if the posting would take any non-issuer account below zero."""
    net: dict[str, Decimal] = {}
    for e in posting.entries:
        net[e.account] = net.get(e.account, Decimal(0)) + e.amount
    for account, change in sorted(net.items()):
        if change >= 0 or account.startswith(ISSUER_PREFIX):
            continue
        held = _balance(cur, account, posting.currency)
        if held + change < 0:
            raise InsufficientFundsError(account, held, -change, posting.currency)


def _insert(cur: sqlite3.Cursor, posting: Posting, digest: str) -> None:
    cur.execute(
        "INSERT INTO postings (key, reason, currency, digest) VALUES (?, ?, ?, ?)",
        (posting.key, posting.reason, posting.currency, digest),
    )
    seq = cur.lastrowid
    cur.executemany(
        "INSERT INTO entries (posting_seq, idx, account, amount) VALUES (?, ?, ?, ?)",
        [(seq, i, e.account, str(e.amount)) for i, e in enumerate(posting.entries)],
    )
    delta: dict[str, Decimal] = {}
    for e in posting.entries:
        delta[e.account] = delta.get(e.account, Decimal(0)) + e.amount
    cur.executemany(
        "INSERT INTO balances (account, currency, balance) VALUES (?, ?, ?) "
        "ON CONFLICT (account, currency) DO UPDATE SET balance = excluded.balance",
        [
            (account, posting.currency, str(_balance(cur, account, posting.currency) + change))
            for account, change in sorted(delta.items())
        ],
    )


def _as_transfer(p: Posting) -> Transfer:
    first, second = p.entries
    source, target = (first, second) if first.amount < 0 else (second, first)
    return Transfer(
        p.key,
        source.account,
        target.account,
        Money(amount=target.amount, currency=p.currency),
        p.reason,
    )
