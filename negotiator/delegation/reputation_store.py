"""Where reputations live between delegations: the hub reads them, settlement updates them.

A store maps agent ids to scores in [0, 1] and remembers every update it applied under an
**idempotency key** (the flow uses ``<run id>/reputation/<contract id>``: one update per
contract). Applying a known key again changes nothing and returns the update recorded the first
time, so a settlement re-run after a crash and resume never moves a reputation twice.

An agent the store has never scored starts from the ``initial`` score the caller gives (the
hub passes the reputation of the bidder's registered profile); the first update records it as
``before``. Two implementations:

* :class:`MemoryReputationStore` — a dict, the default (tests, one-off runs);
* :class:`SqliteReputationStore` — two tables in an SQLite file; a run folder keeps them in its
  ``ledger.sqlite`` (beside the escrow tables), and a host that wants reputations to persist
  across delegations opens one file and passes the same store to every run.

Scores are ``Decimal`` (stored as text, never as float).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

from negotiator.delegation.reputation import DEFAULT_DAMPING, ReputationUpdate, damped_update

__all__ = [
    "MemoryReputationStore",
    "ReputationStore",
    "SqliteReputationStore",
    "reputation_key",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reputation_scores (
    agent_id TEXT PRIMARY KEY,
    score TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reputation_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT UNIQUE NOT NULL,
    agent_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    damping TEXT NOT NULL
);
"""


def reputation_key(run_id: str, contract_id: str) -> str:
    """The idempotency key of the reputation update of ``contract_id`` in run ``run_id``."""
    return f"{run_id}/reputation/{contract_id}"


@runtime_checkable
class ReputationStore(Protocol):
    """Reputation scores by agent id, updated at most once per idempotency key."""

    def score(self, agent_id: str) -> Decimal | None:
        """Return the stored score of ``agent_id``, or ``None`` if it was never scored."""
        ...

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
        """Apply the damped update for ``outcome`` once under ``key`` and return it.

        Args:
            key: idempotency key; a known key returns its recorded update and changes nothing.
            initial: the score to start from when ``agent_id`` has none stored.
            current: the score to update from instead of the stored one (e.g. after idle
                decay); ``None``: the stored score.

        Raises:
            UnknownKeyError: ``outcome`` is not completed, breached or cancelled.
        """
        ...

    def updates(self) -> list[tuple[str, ReputationUpdate]]:
        """Return every applied ``(key, update)`` in the order applied."""
        ...


@dataclass
class MemoryReputationStore:
    """A :class:`ReputationStore` in a dict (nothing survives the process).

    Example:
        >>> store = MemoryReputationStore()
        >>> store.apply("run-1/reputation/c1", "a", "breached", Decimal("0.9")).after
        Decimal('0.7200')
        >>> store.apply("run-1/reputation/c1", "a", "breached", Decimal("0.9")).after
        Decimal('0.7200')
        >>> store.score("a"), len(store.updates())
        (Decimal('0.7200'), 1)
    """

    _scores: dict[str, Decimal] = field(default_factory=dict)
    _updates: dict[str, ReputationUpdate] = field(default_factory=dict)

    def score(self, agent_id: str) -> Decimal | None:
        """Return the stored score of ``agent_id`` (``None``: never scored)."""
        return self._scores.get(agent_id)

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
        """Apply the update once under ``key`` (see :meth:`ReputationStore.apply`)."""
        known = self._updates.get(key)
        if known is not None:
            return known
        before = current if current is not None else self._scores.get(agent_id, initial)
        update = damped_update(agent_id, before, outcome, damping)
        self._updates[key] = update
        self._scores[agent_id] = update.after
        return update

    def updates(self) -> list[tuple[str, ReputationUpdate]]:
        """Return every applied ``(key, update)`` in the order applied."""
        return list(self._updates.items())


class SqliteReputationStore:
    """A :class:`ReputationStore` in an SQLite file (its own tables; may share the ledger's file).

    Args:
        path: the database file (created if missing); ``":memory:"`` for a throw-away store.

    Example:
        >>> with SqliteReputationStore(":memory:") as store:
        ...     store.apply("k", "a", "completed", Decimal("0.5")).after, store.score("a")
        (Decimal('0.6000'), Decimal('0.6000'))
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.executescript(_SCHEMA)

    def __enter__(self) -> SqliteReputationStore:
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
        self._conn.close()

    def score(self, agent_id: str) -> Decimal | None:
        """Return the stored score of ``agent_id`` (``None``: never scored)."""
        row = self._conn.execute(
            "SELECT score FROM reputation_scores WHERE agent_id = ?", (agent_id,)
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
        """Apply the update once under ``key``, in one transaction (see the protocol)."""
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            known = cur.execute(
                "SELECT agent_id, outcome, before, after, damping FROM reputation_updates "
                "WHERE key = ?",
                (key,),
            ).fetchone()
            if known is not None:
                cur.execute("ROLLBACK")
                return _row_update(known)
            stored = self.score(agent_id)
            start = current if current is not None else stored
            update = damped_update(agent_id, initial if start is None else start, outcome, damping)
            cur.execute(
                "INSERT INTO reputation_updates (key, agent_id, outcome, before, after, damping) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, agent_id, outcome, str(update.before), str(update.after), str(damping)),
            )
            cur.execute(
                "INSERT INTO reputation_scores (agent_id, score) VALUES (?, ?) "
                "ON CONFLICT(agent_id) DO UPDATE SET score = excluded.score",
                (agent_id, str(update.after)),
            )
            cur.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                cur.execute("ROLLBACK")
            raise
        return update

    def updates(self) -> list[tuple[str, ReputationUpdate]]:
        """Return every applied ``(key, update)`` in the order applied."""
        rows = self._conn.execute(
            "SELECT key, agent_id, outcome, before, after, damping FROM reputation_updates "
            "ORDER BY seq"
        ).fetchall()
        return [(row[0], _row_update(row[1:])) for row in rows]


def _row_update(row: tuple[str, ...]) -> ReputationUpdate:
    agent_id, outcome, before, after, damping = row
    return ReputationUpdate(
        agent_id=agent_id,
        outcome=outcome,
        before=Decimal(before),
        after=Decimal(after),
        damping=Decimal(damping),
    )
