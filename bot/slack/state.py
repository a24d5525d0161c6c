"""What the Slack bot remembers between requests: answers to share, event deliveries handled."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ValidationError

from bot.models import Answer
from bot.recent import RecentFor
from bot.store import Store

# A share button can be clicked long after the answer; a week covers any sane conversation.
ANSWER_TTL = timedelta(days=7)
# Slack redelivers an event at most three times, the last about five minutes after the first.
DELIVERY_TTL = timedelta(hours=1)
_PRUNE_EVERY = 200  # writes between clean-ups
# Each reply saves its answer for the share and data buttons; serialising a whole answer (its
# history too, 100-200 KB of JSON) was a third of an answer worker's CPU for a repeated
# question. The engine's kept answers are shared and never changed, so one answer object's
# JSON is made once and reused for every reply that shows it.
ANSWER_JSON_KEPT = 16


class SavedAnswer(BaseModel):
    """An answer as it was shown, so "Post to channel" posts exactly the same thing."""

    answer: Answer
    image_url: str | None = None
    slack_file_id: str | None = None
    user_id: str = ""
    channel_id: str = ""


class BotState:
    """A small write side for the bot over the store (thread-safe, shared by every process)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._writes = 0
        self._answer_json: RecentFor[Answer, str] = RecentFor(ANSWER_JSON_KEPT)

    def close(self) -> None:
        """Nothing of its own to release: the store belongs to whoever opened it."""

    def save_answer(self, saved: SavedAnswer) -> str:
        """Keep an answer; return the unguessable id its share button carries."""
        answer_id = secrets.token_urlsafe(16)
        self._store.save_answer(answer_id, saved.user_id, saved.channel_id, self._json(saved))
        self._maybe_prune()
        return answer_id

    def _json(self, saved: SavedAnswer) -> str:
        """``saved.model_dump_json()``, with the answer's part made once per answer object."""
        answer_json = self._answer_json.get(saved.answer)
        if answer_json is None:
            answer_json = saved.answer.model_dump_json()
            self._answer_json.put(saved.answer, answer_json)
        rest = saved.model_dump_json(exclude={"answer"})  # '{"image_url":…}': never empty
        return '{"answer":' + answer_json + "," + rest[1:]

    def load_answer(self, answer_id: str) -> SavedAnswer | None:
        """The saved answer, or None if it is unknown, expired or unreadable."""
        body = self._store.load_answer(answer_id, _now() - ANSWER_TTL)
        if body is None:
            return None
        try:
            return SavedAnswer.model_validate_json(body)
        except ValidationError:
            return None  # written by an incompatible release; asking again is the fix

    def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` (an event id) is seen; False for Slack's redeliveries."""
        if not self._store.first_delivery(key):
            return False
        self._maybe_prune()
        return True

    def _maybe_prune(self) -> None:
        with self._lock:
            self._writes += 1
            if self._writes % _PRUNE_EVERY:
                return
        now = _now()
        self._store.prune_bot_state(now - ANSWER_TTL, now - DELIVERY_TTL)


def _now() -> datetime:
    return datetime.now(UTC)
