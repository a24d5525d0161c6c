"""The real PostgreSQL server for tests: a database per test run, a schema per test.

Tests that need it skip with a reason when no server answers on 127.0.0.1:5432, unless
FWTREND_REQUIRE_POSTGRES=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import getpass
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

HOST, PORT = "127.0.0.1", 5432
# Read at import: the autouse fixture scrubs FWTREND_* from each test's environment.
REQUIRED = os.environ.get("FWTREND_REQUIRE_POSTGRES") == "1"


def server_url() -> str | None:
    """A URL to the server's maintenance database as the first user it accepts, or None."""
    import psycopg

    for user in dict.fromkeys(["postgres", getpass.getuser()]):
        url = f"postgresql://{user}@{HOST}:{PORT}/postgres"
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.Error:
            continue
        return url
    return None


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"FWTREND_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(f"{reason}; the PostgreSQL tests need a server on {HOST}:{PORT}")


def create_database(server: str) -> str:
    import psycopg

    name = f"fwtrend_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def schema_url(database: str, schema: str) -> str:
    """The database's URL with ``schema`` first on the search path (a test's own tables)."""
    return f"{database}?options={quote(f'-csearch_path={schema}')}"


def create_schema(database: str) -> tuple[str, str]:
    import psycopg

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"create schema {schema}")
    return schema, schema_url(database, schema)


def drop_schema(database: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")


def target_of(store: Any) -> Path | str:
    """Where an open store lives: its SQLite file or its PostgreSQL URL."""
    return store.path if store.backend == "sqlite" else store.url


def store_env(target: Any) -> dict[str, str]:
    """The environment that points a child process at a store (open, or a path or URL)."""
    if hasattr(target, "backend"):
        target = target_of(target)
    if isinstance(target, str):
        return {"DATABASE_URL": target}
    return {"FWTREND_DB": str(target)}


def query(store: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run SQL written with ``?`` on either backend (tests only: callers use store methods)."""
    if store.backend == "sqlite":
        return [tuple(row) for row in store.db.execute(sql, params).fetchall()]
    with store.pool.connection() as conn:
        cursor = conn.execute(sql.replace("?", "%s"), params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
