"""Where a delegation run keeps its state: the run folder's files, the checkpointer, the escrow
ledger and the reputation store (SQLite in a run folder, in memory without one)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from negotiator.delegation.ledger import Books, Ledger
from negotiator.delegation.reputation_store import (
    MemoryReputationStore,
    ReputationStore,
    SqliteReputationStore,
)
from negotiator.errors import UsageError

__all__ = [
    "RUN_ID_PATTERN",
    "PostgresStores",
    "RunPaths",
    "check_run_id",
    "open_postgres_stores",
    "open_reputation",
    "open_stores",
]

RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
"""A run id: a folder name inside the runs folder — letters, digits, ``.``, ``_``, ``-``, at
most 128 characters, starting with a letter or digit (so no path separator, no ``..``)."""


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` if it can name a run folder.

    Raises:
        UsageError: it holds a path separator, starts with a dot or is otherwise not a plain name.

    Example:
        >>> check_run_id("success-001")
        'success-001'
    """
    if not RUN_ID_PATTERN.fullmatch(run_id):
        raise UsageError(
            f"run id {run_id!r} is not a plain folder name: use letters, digits, '.', '_' "
            "and '-' (at most 128, starting with a letter or digit; no path separators)"
        )
    return run_id


@dataclass(frozen=True)
class RunPaths:
    """The files of one run folder."""

    root: Path

    @classmethod
    def for_run(cls, runs_dir: str | Path, run_id: str) -> RunPaths:
        """Return the paths of run ``run_id`` under ``runs_dir``.

        Raises:
            UsageError: ``run_id`` is not a plain folder name (see :func:`check_run_id`).
        """
        return cls(Path(runs_dir) / check_run_id(run_id))

    @property
    def transcript(self) -> Path:
        """The JSON Lines transcript."""
        return self.root / "transcript.jsonl"

    @property
    def checkpoints(self) -> Path:
        """The LangGraph SQLite checkpoints."""
        return self.root / "checkpoints.sqlite"

    @property
    def ledger(self) -> Path:
        """The escrow ledger."""
        return self.root / "ledger.sqlite"

    @property
    def keys(self) -> Path:
        """The run's key registry: the public keys of its agents (never a private key)."""
        return self.root / "keys.json"

    @property
    def meta(self) -> Path:
        """What ``negotiator resume`` needs to rebuild the run."""
        return self.root / "run.json"


@asynccontextmanager
async def open_stores(
    paths: RunPaths | None,
    ledger: Books | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> AsyncIterator[tuple[BaseCheckpointSaver[Any], Books]]:
    """Open the checkpointer and ledger of a run folder (SQLite), or in-memory ones.

    Args:
        ledger: an open ledger to use instead of the run's own (the caller keeps and closes
            it; nested delegations post to their parent's ledger this way).
        checkpointer: without a run folder, the checkpointer to use (the caller keeps it, so
            a paused in-memory run can be continued by a later call); default a fresh one.
    """
    if paths is None:
        async with _ledger(":memory:", ledger) as books:
            yield checkpointer or InMemorySaver(), books
        return
    paths.root.mkdir(parents=True, exist_ok=True)
    async with (
        AsyncSqliteSaver.from_conn_string(str(paths.checkpoints)) as saver,
        _ledger(paths.ledger, ledger) as books,
    ):
        yield saver, books


@asynccontextmanager
async def _ledger(path: str | Path, given: Books | None) -> AsyncIterator[Books]:
    if given is not None:
        yield given
        return
    ledger = Ledger(path)
    try:
        yield ledger
    finally:
        ledger.close()


@asynccontextmanager
async def open_reputation(
    paths: RunPaths | None, given: ReputationStore | None = None
) -> AsyncIterator[ReputationStore]:
    """Yield ``given``, else the run folder's store (tables in its ``ledger.sqlite``, so a
    resumed run finds the update it already applied), else a fresh in-memory one."""
    if given is not None:
        yield given
    elif paths is None:
        yield MemoryReputationStore()
    else:
        paths.root.mkdir(parents=True, exist_ok=True)
        with SqliteReputationStore(paths.ledger) as store:
            yield store


#: advisory lock held while the checkpointer creates its tables (workers start together).
_SETUP_LOCK = 7_013_014


@dataclass(frozen=True)
class PostgresStores:
    """A market's shared stores in PostgreSQL: checkpoints, escrow ledger, reputations."""

    checkpointer: BaseCheckpointSaver[Any]
    ledger: Books
    reputation: ReputationStore


@asynccontextmanager
async def open_postgres_stores(
    dsn: str, *, schema: str | None = None, max_size: int = 8
) -> AsyncIterator[PostgresStores]:
    """Open LangGraph's Postgres checkpointer and the Postgres ledger and reputation store.

    Every worker process that opens the same ``dsn`` (and ``schema``) shares one market: a run
    started by one worker can be continued by another, and settlement stays exactly-once
    (:mod:`negotiator.delegation.postgres`). Needs the ``postgres`` extra.

    Args:
        schema: keep every table in this schema (created if missing) instead of ``public``.
        max_size: connections per pool (one pool for checkpoints, one for the ledger).
    """
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver  # noqa: PLC0415
    from psycopg.rows import dict_row  # noqa: PLC0415
    from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415

    from negotiator.delegation.postgres import (  # noqa: PLC0415
        PostgresLedger,
        PostgresReputationStore,
        connect_pool,
    )

    books = connect_pool(dsn, max_size=max_size, schema=schema)
    kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    if schema is not None:
        kwargs["options"] = f"-c search_path={schema}"
    try:
        async with AsyncConnectionPool(
            dsn, min_size=1, max_size=max_size, kwargs=kwargs, open=False
        ) as pool:
            saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type, unused-ignore]
            async with pool.connection() as lock:  # one worker at a time creates the tables
                await lock.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
                try:
                    await saver.setup()
                finally:
                    await lock.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))
            yield PostgresStores(saver, PostgresLedger(books), PostgresReputationStore(books))
    finally:
        books.close()
