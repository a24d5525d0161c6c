"""One concise warning line per refused HTTP request, rate-limited per reason."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW = 60.0  # seconds
PER_WINDOW = 20  # lines per reason per window; then one "suppressed" line
MAX_PATH = 120
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")
# gunicorn's own refusals (malformed HTTP it answers itself): "Invalid request from ip=…: why…"
_GUNICORN_REFUSAL = re.compile(r"^Invalid request from ip=\S+: ([A-Za-z ]+)")


@dataclass
class _Window:
    start: float
    lines: int = 0
    suppressed: int = 0


class RateLimit:
    """Admits at most ``per_window`` lines per reason per ``window`` seconds, so a flood of bad
    requests cannot fill the disk; what was held back is counted in one line once the window
    is over."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        per_window: int = PER_WINDOW,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._per_window = per_window
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def admit(self, reason: str) -> bool:
        """Whether a line for ``reason`` may be written now."""
        with self._lock:
            now = self._clock()
            summaries = self._expire(now)
            window = self._windows.setdefault(reason, _Window(start=now))
            admitted = window.lines < self._per_window
            if admitted:
                window.lines += 1
            else:
                window.suppressed += 1
        for held, count in summaries:
            self._log.warning(
                "suppressed %d similar lines (%s) in the last %.0f s", count, held, self._window
            )
        return admitted

    def _expire(self, now: float) -> list[tuple[str, int]]:
        summaries = []
        for reason, window in list(self._windows.items()):
            if now - window.start >= self._window:
                del self._windows[reason]
                if window.suppressed:
                    summaries.append((reason, window.suppressed))
        return summaries


class RefusalLog:
    """``refused GET /path → 404: reason`` lines (never a body, a header or the query string)."""

    def __init__(self, logger: logging.Logger, limit: RateLimit | None = None) -> None:
        self._log = logger
        self._limit = limit or RateLimit(logger)

    def refused(self, method: str, path: str, status: int, reason: str) -> None:
        if self._limit.admit(reason):
            self._log.warning(
                "refused %s %s → %d: %s",
                printable(method, 10),
                printable(path, MAX_PATH),
                status,
                reason,
            )


class GunicornRefusals(logging.Filter):
    """The same rate limit on the lines gunicorn writes for HTTP it could not even parse."""

    def __init__(self, limit: RateLimit) -> None:
        super().__init__()
        self._limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        match = _GUNICORN_REFUSAL.match(record.getMessage())
        return match is None or self._limit.admit("gunicorn: " + match.group(1).strip())


def limit_gunicorn_refusals() -> None:
    """Rate-limit gunicorn's "Invalid request" lines in this (worker) process."""
    logger = logging.getLogger("gunicorn.error")
    logger.addFilter(GunicornRefusals(RateLimit(logger)))


def printable(text: str, limit: int) -> str:
    """``text`` safe for one log line: no control characters, spaces or NULs, cut to ``limit``."""
    shown = _UNPRINTABLE.sub("?", text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
