"""What the Slack bot remembers between requests: answers to share, event deliveries handled."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from bot.models import Answer
from bot.store import connect

# A share button can be clicked long after the answer; a week covers any sane conversation.
ANSWER_TTL = timedelta(days=7)
# Slack redelivers an event at most three times, the last about five minutes after the first.
DELIVERY_TTL = timedelta(hours=1)
_PRUNE_EVERY = 200  # writes between clean-ups


class SavedAnswer(BaseModel):
    """An answer as it was shown, so "Post to channel" posts exactly the same thing."""

    answer: Answer
    image_url: str | None = None
    slack_file_id: str | None = None
    user_id: str = ""
    channel_id: str = ""


class BotState:
    """A small write side for the bot, on its own connection to the store (thread-safe)."""

    def __init__(self, path: Path) -> None:
        # A connection of its own: the answer engine reads on another, and these short writes
        # must not interleave with its statements.
        self._db = connect(path)
        self._lock = threading.Lock()
        self._writes = 0

    def close(self) -> None:
        with self._lock:
            self._db.conn.close()

    def save_answer(self, saved: SavedAnswer) -> str:
        """Keep an answer; return the unguessable id its share button carries."""
        answer_id = secrets.token_urlsafe(16)
        row = {
            "id": answer_id,
            "created_at": _now().isoformat(),
            "user_id": saved.user_id,
            "channel_id": saved.channel_id,
            "body": saved.model_dump_json(),
        }
        with self._lock, self._db.conn:
            self._db.table("answers").insert(row)
            self._maybe_prune()
        return answer_id

    def load_answer(self, answer_id: str) -> SavedAnswer | None:
        """The saved answer, or None if it is unknown, expired or unreadable."""
        cutoff = (_now() - ANSWER_TTL).isoformat()
        with self._lock:
            row = self._db.execute(
                "select body from answers where id = ? and created_at >= ?", [answer_id, cutoff]
            ).fetchone()
        if row is None:
            return None
        try:
            return SavedAnswer.model_validate_json(row[0])
        except ValidationError:
            return None  # written by an incompatible release; asking again is the fix

    def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` (an event id) is seen; False for Slack's redeliveries."""
        with self._lock:
            try:
                with self._db.conn:
                    self._db.execute(
                        "insert into deliveries (key, seen_at) values (?, ?)",
                        [key, _now().isoformat()],
                    )
                    self._maybe_prune()
            except sqlite3.IntegrityError:
                return False
        return True

    def _maybe_prune(self) -> None:
        self._writes += 1
        if self._writes % _PRUNE_EVERY:
            return
        now = _now()
        self._db.execute(
            "delete from answers where created_at < ?", [(now - ANSWER_TTL).isoformat()]
        )
        self._db.execute(
            "delete from deliveries where seen_at < ?", [(now - DELIVERY_TTL).isoformat()]
        )


def _now() -> datetime:
    return datetime.now(UTC)
