"""PostgreSQL connections: the URL (never shown with its password), the pool, clear errors."""

from __future__ import annotations

import logging
from typing import Any

from bot.store.contract import StoreUnavailable

CONNECT_TIMEOUT = 5  # seconds to establish one connection
POOL_TIMEOUT = 10.0  # seconds a caller waits for a free connection
STATEMENT_TIMEOUT = "30s"  # no statement may hang a request or a refresh for longer
POOL_MAX = 8  # answer threads + Slack threads + the digest, on a 2-core dyno
SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(value: str) -> bool:
    return value.startswith(SCHEMES)


def normalize_url(url: str) -> str:
    """Heroku's ``postgres://`` is the same thing; libpq wants ``postgresql://``."""
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres://") else url


def url_parts(url: str) -> dict[str, str]:
    """host, port, dbname and user of a URL (what libpq would use), without the password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(normalize_url(url))
    except Exception:  # noqa: BLE001 - a malformed URL must still describe itself safely
        return {"host": "?", "port": "?", "dbname": "?", "user": "?"}
    return {
        "host": str(parts.get("host") or "localhost"),
        "port": str(parts.get("port") or 5432),
        "dbname": str(parts.get("dbname") or parts.get("user") or "?"),
        "user": str(parts.get("user") or ""),
    }


def describe_url(url: str) -> str:
    """``PostgreSQL user@host:port/db``: enough to find the database, never the password."""
    p = url_parts(url)
    who = f"{p['user']}@" if p["user"] else ""
    return f"PostgreSQL {who}{p['host']}:{p['port']}/{p['dbname']}"


def _password(url: str) -> str | None:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return str(conninfo_to_dict(normalize_url(url)).get("password") or "") or None
    except Exception:  # noqa: BLE001
        return None


def scrub(text: str, url: str) -> str:
    """``text`` with the URL's password (and the URL itself) cut out."""
    secret = _password(url)
    text = text.replace(url, describe_url(url))
    return text.replace(secret, "***") if secret else text


def unavailable(url: str, exc: BaseException) -> StoreUnavailable:
    """A one-line, password-free error naming the database and libpq's first reason."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreUnavailable(f"cannot reach the store {describe_url(url)}: {scrub(reason, url)}")


def connect_kwargs() -> dict[str, Any]:
    return {"connect_timeout": CONNECT_TIMEOUT, "application_name": "fwtrend"}


def connect_once(url: str) -> Any:
    """One connection now, or StoreUnavailable (start-up checks and the refresh lock)."""
    import psycopg

    try:
        return psycopg.connect(normalize_url(url), autocommit=True, **connect_kwargs())
    except psycopg.Error as exc:
        raise unavailable(url, exc) from None


def _configure(conn: Any) -> None:
    conn.execute(f"set statement_timeout = '{STATEMENT_TIMEOUT}'")


def make_pool(url: str, max_size: int = POOL_MAX) -> Any:
    """A pool that checks each connection before lending it, so a restarted server is survived."""
    from psycopg_pool import ConnectionPool

    # Its reconnect warnings carry libpq's message (host and port, never the password).
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    pool = ConnectionPool(
        normalize_url(url),
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, **connect_kwargs()},
        configure=_configure,
        check=ConnectionPool.check_connection,
        timeout=POOL_TIMEOUT,
        max_idle=300,
        open=False,
        name="fwtrend",
    )
    try:
        pool.open(wait=True, timeout=POOL_TIMEOUT)
    except Exception as exc:
        pool.close()
        raise unavailable(url, exc) from None
    return pool
