"""Content-addressed chart PNGs in the store, named so only whoever was shown one can fetch it."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store

NAME = re.compile(r"^[0-9a-f]{40}\.png$")
# Slack fetches an image when the message is posted and caches it; keeping charts for a month
# covers re-renders in clients that evict their cache.
MAX_AGE_SECONDS = 30 * 24 * 3600
_PRUNE_EVERY = 100
# A chart saved this recently is not written again (its last showing moves on at most this
# late, against a month's keep): popular charts repeat every few seconds in a busy channel,
# and each write is a store transaction the answer waits for.
RESAVE_AFTER_SECONDS = 3600.0
_RECENT_KEPT = 512


class ChartFiles:
    """Save PNGs under a keyed hash of their bytes; find them again by that name only.

    They live in the store, so every web process serves every chart and a restart loses none.
    """

    def __init__(self, store: Store, key: bytes) -> None:
        if not key:
            raise ValueError("a chart key is required")
        self.store = store
        self._key = key
        self._saves = 0
        self._recent: dict[str, float] = {}  # name: time.monotonic() of its last write
        self._lock = threading.Lock()

    def name_for(self, png: bytes) -> str:
        """The file name of a PNG: the same chart always gets the same name, nobody can guess it."""
        # Keyed, so knowing (or re-rendering) a chart is not enough to find where it is served.
        return hmac.new(self._key, png, hashlib.sha256).hexdigest()[:40] + ".png"

    def save(self, png: bytes) -> str:
        """Store a PNG (once per content; shown again, it is kept longer) and return its name."""
        name = self.name_for(png)
        now = time.monotonic()
        with self._lock:
            if now - self._recent.get(name, -RESAVE_AFTER_SECONDS) < RESAVE_AFTER_SECONDS:
                return name
        # One transaction: Slack may fetch the URL the moment it is posted, never half a chart.
        self.store.save_chart(name, png)
        with self._lock:
            if len(self._recent) >= _RECENT_KEPT:
                self._recent.clear()
            self._recent[name] = now
        self._saves += 1
        if self._saves % _PRUNE_EVERY == 0:
            self.prune()
        return name

    def read(self, name: str) -> bytes | None:
        """The PNG for a served name, or None when the name is malformed or unknown."""
        if not NAME.match(name):
            return None  # also rules out any path trickery
        return self.store.read_chart(name)

    def prune(self, max_age: float = MAX_AGE_SECONDS) -> int:
        """Delete charts not shown for ``max_age`` seconds; return how many went."""
        with self._lock:
            self._recent.clear()  # what it deletes must be written again when shown again
        return self.store.prune_charts(datetime.now(UTC) - timedelta(seconds=max_age))


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
