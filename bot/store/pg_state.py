"""The PostgreSQL store's small writes: the digest log, the bot's memory, served charts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any

from bot.store.contract import DigestClaim, DigestRow
from bot.store.locks import HOST, decide_digest_claim, now_utc


class PostgresStateMixin:
    """Digest log, bot state and charts over the store's pool (``_tx``/``_one`` from the store)."""

    def _tx(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------ digest log

    def claim_digest(
        self, channel: str, week: str, holder: str, *, force: bool, ttl: timedelta
    ) -> DigestClaim:
        now = now_utc()
        with self._tx() as conn:
            # Serialise claims of this row across processes; the lock ends with the transaction.
            conn.execute(
                "select pg_advisory_xact_lock(hashtext(current_schema() || ':digest:' || %s))",
                [f"{channel}:{week}"],
            )
            row = conn.execute(
                "select status, claimed_at, host, pid, ts from digest_log "
                "where channel = %s and week = %s",
                [channel, week],
            ).fetchone()
            current = None
            if row is not None:
                current = DigestRow(
                    status=row[0], claimed_at=row[1], host=row[2], pid=row[3], ts=row[4]
                )
            claim = decide_digest_claim(current, force=force, ttl=ttl, now=now)
            if claim.outcome in ("go", "recover"):
                # A fresh claim replaces the whole row, as SQLite's insert-or-replace does.
                conn.execute(
                    "insert into digest_log (channel, week, status, holder, host, pid, claimed_at) "
                    "values (%s, %s, 'posting', %s, %s, %s, %s) on conflict (channel, week) do "
                    "update set status = 'posting', holder = excluded.holder, "
                    "host = excluded.host, pid = excluded.pid, claimed_at = excluded.claimed_at, "
                    "ts = null, posted_at = null, digest_date = null, known = null, reason = null",
                    [channel, week, holder, HOST, os.getpid(), now],
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
        with self._tx() as conn:
            conn.execute(
                "update digest_log set status = %s, ts = %s, posted_at = %s, digest_date = %s, "
                "known = coalesce(%s, known), reason = %s where channel = %s and week = %s",
                [status, ts, now_utc(), today, known_json, reason, channel, week],
            )

    def digest_claimed_at(self, channel: str, week: str) -> datetime | None:
        row = self._one(
            "select claimed_at from digest_log where channel = %s and week = %s", [channel, week]
        )
        return row[0] if row else None

    def previous_digest(self, channel: str | None, week: str) -> tuple[date | None, str | None]:
        row = self._one(
            "select digest_date, known from digest_log where status in ('posted', 'skipped') "
            "and week < %s and (%s::text is null or channel = %s) order by week desc limit 1",
            [week, channel, channel],
        )
        if row is None or not row[0]:
            return None, None
        return row[0], row[1]

    def note_digest_alert(self, channel: str, reason: str) -> bool:
        with self._tx() as conn:
            row = conn.execute(
                "select reason from digest_alerts where channel = %s for update", [channel]
            ).fetchone()
            if row is not None and row[0] == reason:
                return False
            conn.execute(
                "insert into digest_alerts (channel, reason, alerted_at) values (%s, %s, %s) "
                "on conflict (channel) do update set reason = excluded.reason, "
                "alerted_at = excluded.alerted_at",
                [channel, reason, now_utc()],
            )
        return True

    def clear_digest_alert(self, channel: str) -> None:
        with self._tx() as conn:
            conn.execute("delete from digest_alerts where channel = %s", [channel])

    # ------------------------------------------------------------ bot state

    def save_answer(self, answer_id: str, user_id: str, channel_id: str, body: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "insert into answers (id, created_at, user_id, channel_id, body) "
                "values (%s, %s, %s, %s, %s)",
                [answer_id, now_utc(), user_id, channel_id, body],
            )

    def load_answer(self, answer_id: str, newer_than: datetime) -> str | None:
        row = self._one(
            "select body from answers where id = %s and created_at >= %s", [answer_id, newer_than]
        )
        return None if row is None else str(row[0])

    def first_delivery(self, key: str) -> bool:
        with self._tx() as conn:
            cursor = conn.execute(
                "insert into deliveries (key, seen_at) values (%s, %s) on conflict do nothing",
                [key, now_utc()],
            )
            return bool(cursor.rowcount == 1)

    def prune_bot_state(self, answers_before: datetime, deliveries_before: datetime) -> None:
        with self._tx() as conn:
            conn.execute("delete from answers where created_at < %s", [answers_before])
            conn.execute("delete from deliveries where seen_at < %s", [deliveries_before])

    # ------------------------------------------------------------ charts

    def save_chart(self, name: str, png: bytes) -> None:
        now = now_utc()
        with self._tx() as conn:
            conn.execute(
                "insert into charts (name, png, created_at, last_shown) values (%s, %s, %s, %s) "
                "on conflict (name) do update set last_shown = excluded.last_shown",
                [name, png, now, now],
            )

    def read_chart(self, name: str) -> bytes | None:
        row = self._one("select png from charts where name = %s", [name])
        return None if row is None else bytes(row[0])

    def prune_charts(self, not_shown_since: datetime) -> int:
        with self._tx() as conn:
            cursor = conn.execute("delete from charts where last_shown < %s", [not_shown_since])
            return int(cursor.rowcount)
