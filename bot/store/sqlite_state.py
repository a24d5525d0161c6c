"""The SQLite store's small writes: the digest log, the bot's memory, served charts."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from bot.store.contract import DigestClaim, DigestRow
from bot.store.locks import HOST, decide_digest_claim, now_utc
from bot.store.sqlite_db import write_transaction


class SqliteStateMixin:
    """Digest log, bot state and charts over the store's one connection (``db``, ``_guard``)."""

    db: sqlite_utils.Database
    _guard: threading.RLock

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------ digest log

    def claim_digest(
        self, channel: str, week: str, holder: str, *, force: bool, ttl: timedelta
    ) -> DigestClaim:
        now = now_utc()
        with self._guard, write_transaction(self.db):
            row = self.db.execute(
                "select status, claimed_at, host, pid, ts from digest_log "
                "where channel = ? and week = ?",
                [channel, week],
            ).fetchone()
            current = None
            if row is not None:
                status, claimed_at, host, pid, ts = row
                current = DigestRow(
                    status=status,
                    claimed_at=datetime.fromisoformat(claimed_at),
                    host=host,
                    pid=pid,
                    ts=ts,
                )
            claim = decide_digest_claim(current, force=force, ttl=ttl, now=now)
            if claim.outcome in ("go", "recover"):
                self.db.execute(
                    "insert or replace into digest_log (channel, week, status, holder, host, "
                    "pid, claimed_at) values (?, ?, 'posting', ?, ?, ?, ?)",
                    [channel, week, holder, HOST, os.getpid(), now.isoformat()],
                )
        return claim

    def finish_digest(
        self,
        channel: str,
        week: str,
        status: str,
        *,
        today: date,
        ts: str | None,
        known_json: str | None,
        reason: str | None,
    ) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "update digest_log set status = ?, ts = ?, posted_at = ?, digest_date = ?, "
                "known = coalesce(?, known), reason = ? where channel = ? and week = ?",
                [
                    status,
                    ts,
                    now_utc().isoformat(),
                    today.isoformat(),
                    known_json,
                    reason,
                    channel,
                    week,
                ],
            )

    def digest_claimed_at(self, channel: str, week: str) -> datetime | None:
        row = self._one(
            "select claimed_at from digest_log where channel = ? and week = ?", [channel, week]
        )
        return datetime.fromisoformat(row[0]) if row else None

    def previous_digest(self, channel: str | None, week: str) -> tuple[date | None, str | None]:
        row = self._one(
            "select digest_date, known from digest_log where status in ('posted', 'skipped') "
            "and week < ? and (? is null or channel = ?) order by week desc limit 1",
            [week, channel, channel],
        )
        if row is None or not row[0]:
            return None, None
        return date.fromisoformat(row[0]), row[1]

    def note_digest_alert(self, channel: str, reason: str) -> bool:
        with self._guard, write_transaction(self.db):
            row = self.db.execute(
                "select reason from digest_alerts where channel = ?", [channel]
            ).fetchone()
            if row is not None and row[0] == reason:
                return False
            self.db.execute(
                "insert or replace into digest_alerts (channel, reason, alerted_at) "
                "values (?, ?, ?)",
                [channel, reason, now_utc().isoformat()],
            )
        return True

    def clear_digest_alert(self, channel: str) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute("delete from digest_alerts where channel = ?", [channel])

    # ------------------------------------------------------------ bot state

    def save_answer(self, answer_id: str, user_id: str, channel_id: str, body: str) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "insert into answers (id, created_at, user_id, channel_id, body) "
                "values (?, ?, ?, ?, ?)",
                [answer_id, now_utc().isoformat(), user_id, channel_id, body],
            )

    def load_answer(self, answer_id: str, newer_than: datetime) -> str | None:
        row = self._one(
            "select body from answers where id = ? and created_at >= ?",
            [answer_id, newer_than.isoformat()],
        )
        return None if row is None else str(row[0])

    def first_delivery(self, key: str) -> bool:
        try:
            with self._guard, write_transaction(self.db):
                self.db.execute(
                    "insert into deliveries (key, seen_at) values (?, ?)",
                    [key, now_utc().isoformat()],
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def prune_bot_state(self, answers_before: datetime, deliveries_before: datetime) -> None:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "delete from answers where created_at < ?", [answers_before.isoformat()]
            )
            self.db.execute(
                "delete from deliveries where seen_at < ?", [deliveries_before.isoformat()]
            )

    # ------------------------------------------------------------ charts

    def save_chart(self, name: str, png: bytes) -> None:
        now = now_utc().isoformat()
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "insert into charts (name, png, created_at, last_shown) values (?, ?, ?, ?) "
                "on conflict (name) do update set last_shown = excluded.last_shown",
                [name, png, now, now],
            )

    def read_chart(self, name: str) -> bytes | None:
        row = self._one("select png from charts where name = ?", [name])
        return None if row is None else bytes(row[0])

    def prune_charts(self, not_shown_since: datetime) -> int:
        with self._guard, write_transaction(self.db):
            cursor = self.db.execute(
                "delete from charts where last_shown < ?", [not_shown_since.isoformat()]
            )
        return int(cursor.rowcount)
