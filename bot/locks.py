"""A named lock in the store: one holder across processes, freed when its holder dies."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.store import write_transaction


class LockBusy(Exception):
    """Someone else holds the lock; ``since`` is when they took it."""

    def __init__(self, name: str, since: datetime, holder: str) -> None:
        super().__init__(f"{name} already running since {since:%Y-%m-%d %H:%M:%S} UTC ({holder})")
        self.since = since
        self.holder = holder


class StoreLock:
    """``with StoreLock(db, "refresh", ttl):`` — one holder at a time; ``beat()`` to keep it.

    The row names its holder's host and pid: a holder on this host that has died (SIGKILL,
    power cut) frees the lock at once, one elsewhere when ``ttl`` passes without a beat.
    """

    def __init__(self, db: sqlite_utils.Database, name: str, ttl: timedelta, holder: str) -> None:
        self.db = db
        self.name = name
        self.ttl = ttl
        self.holder = holder
        self.host = socket.gethostname()
        self.pid = os.getpid()

    def acquire(self) -> None:
        now = _now()
        with write_transaction(self.db):
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
        """Push the expiry out: the holder is alive and working."""
        with write_transaction(self.db):
            self.db.execute(
                "update locks set expires_at = ? where name = ? and host = ? and pid = ?",
                [self._expiry(_now()), self.name, self.host, self.pid],
            )

    def release(self) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "delete from locks where name = ? and host = ? and pid = ?",
                [self.name, self.host, self.pid],
            )

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _expiry(self, now: datetime) -> str:
        return (now + self.ttl).isoformat()

    def _still_held(self, row: tuple[str, str, int, str, str], now: datetime) -> bool:
        _, host, pid, _, expires_at = row
        if datetime.fromisoformat(expires_at) <= now:
            return False
        if host == self.host and not _alive(pid):
            return False  # died on this machine without releasing it
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def _now() -> datetime:
    return datetime.now(UTC)
