"""Named locks across processes and hosts, freed when their holder dies; claim decisions."""

from __future__ import annotations

import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from bot.store.contract import DigestClaim, DigestRow
from bot.store.lock_contract import HOST as HOST
from bot.store.lock_contract import StoreLock as StoreLock
from bot.store.sqlite_db import write_transaction

log = logging.getLogger("fwtrend.store")


class LockBusy(Exception):
    """Someone else holds the lock; ``since`` is when they took it."""

    def __init__(self, name: str, since: datetime, holder: str) -> None:
        super().__init__(f"{name} already running since {since:%Y-%m-%d %H:%M:%S} UTC ({holder})")
        self.since = since
        self.holder = holder


def holder_alive(host: str, pid: int) -> bool:
    """False only when the holder ran on this machine and its process is gone."""
    if host != HOST:
        return True  # elsewhere: only an expiry can tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def now_utc() -> datetime:
    return datetime.now(UTC)


def decide_digest_claim(
    row: DigestRow | None, *, force: bool, ttl: timedelta, now: datetime
) -> DigestClaim:
    """May this poster take the row? The rule both backends apply inside their transaction."""
    if row is None:
        return DigestClaim(outcome="go")
    if row.status in ("posted", "skipped") and not force:
        return DigestClaim(outcome="already", ts=row.ts)
    if row.status == "posting":
        fresh = now - row.claimed_at <= ttl
        if fresh and holder_alive(row.host, row.pid):
            return DigestClaim(outcome="busy")
        return DigestClaim(outcome="recover")  # abandoned mid-post: the post may have gone out
    return DigestClaim(outcome="go")


class SqliteLock(StoreLock):
    """A row in ``locks``: a holder on this host that died frees it at once, elsewhere its ttl."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        guard: threading.RLock,
        name: str,
        ttl: timedelta,
        holder: str,
    ) -> None:
        super().__init__(name, ttl, holder)
        self.db = db
        self._guard = guard

    def acquire(self) -> None:
        now = now_utc()
        with self._guard, write_transaction(self.db):
            row = self.db.execute(
                "select holder, host, pid, since, expires_at from locks where name = ?",
                [self.name],
            ).fetchone()
            if row is not None and self._still_held(row, now):
                raise LockBusy(self.name, datetime.fromisoformat(row[3]), row[0])
            self.db.execute(
                "insert or replace into locks (name, holder, host, pid, since, expires_at) "
                "values (?, ?, ?, ?, ?, ?)",
                [self.name, self.holder, self.host, self.pid, now.isoformat(), self._expiry(now)],
            )

    def beat(self) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "update locks set expires_at = ? where name = ? and host = ? and pid = ?",
                [self._expiry(now_utc()), self.name, self.host, self.pid],
            )

    def release(self) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "delete from locks where name = ? and host = ? and pid = ?",
                [self.name, self.host, self.pid],
            )

    def _expiry(self, now: datetime) -> str:
        return (now + self.ttl).isoformat()

    def _still_held(self, row: tuple[Any, ...], now: datetime) -> bool:
        _, host, pid, _, expires_at = row
        if datetime.fromisoformat(expires_at) <= now:
            return False
        return holder_alive(host, pid)


class PostgresLock(StoreLock):
    """A session-level advisory lock on a connection of its own, plus a row naming the holder.

    The server frees the advisory lock the moment the holder's session ends (a crash, a
    SIGKILL, a lost host), on any machine; the row only says who held it since when.
    """

    def __init__(
        self, conninfo: str, connect_kwargs: dict[str, Any], name: str, ttl: timedelta, holder: str
    ) -> None:
        super().__init__(name, ttl, holder)
        self._conninfo = conninfo
        self._kwargs = connect_kwargs
        self._conn: Any = None

    def acquire(self) -> None:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True, **self._kwargs)
        try:
            got = conn.execute(
                "select pg_try_advisory_lock(hashtext(current_schema() || ':lock:' || %s))",
                [self.name],
            ).fetchone()
            if not (got and got[0]):
                row = conn.execute(
                    "select holder, since from locks where name = %s", [self.name]
                ).fetchone()
                since, holder = (row[1], row[0]) if row else (now_utc(), "another process")
                raise LockBusy(self.name, since.astimezone(UTC), holder)
            conn.execute(
                "insert into locks (name, holder, host, pid, since, expires_at) "
                "values (%s, %s, %s, %s, now(), null) on conflict (name) do update set "
                "holder = excluded.holder, host = excluded.host, pid = excluded.pid, "
                "since = excluded.since, expires_at = null",
                [self.name, self.holder, self.host, self.pid],
            )
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def beat(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute("select 1")  # keeps idle-session killers away
        except Exception as exc:  # noqa: BLE001 - losing the lock must not stop the refresh
            log.warning("the %s lock's connection was lost: %s", self.name, type(exc).__name__)

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(
                "delete from locks where name = %s and host = %s and pid = %s",
                [self.name, self.host, self.pid],
            )
            conn.execute(
                "select pg_advisory_unlock(hashtext(current_schema() || ':lock:' || %s))",
                [self.name],
            )
        except Exception as exc:  # noqa: BLE001 - closing the session frees the lock anyway
            log.warning("could not release the %s lock cleanly: %s", self.name, type(exc).__name__)
        finally:
            conn.close()
