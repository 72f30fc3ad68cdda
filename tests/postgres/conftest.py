"""A real PostgreSQL server for these tests: the DSN comes from ``NEGOTIATOR_TEST_POSTGRES``
(``.ci/run`` starts the machine's server and sets it). Without it, or without the ``postgres``
extra, every test here is skipped with the reason. Each test gets a schema of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

ENV = "NEGOTIATOR_TEST_POSTGRES"

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
pytest.importorskip("psycopg_pool", reason="the postgres extra is not installed")


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    dsn = os.environ.get(ENV)
    if not dsn:
        pytest.skip(f"no PostgreSQL server: set {ENV} to a DSN (.ci/run starts one)")
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {ENV} is unreachable: {exc}")
    return dsn


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[str]:
    """A fresh schema, dropped after the test."""
    name = "t_" + uuid.uuid4().hex[:12]
    yield name
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
