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


@dataclass
class _Window:
    start: float
    lines: int = 0
    suppressed: int = 0


class RefusalLog:
    """At most ``per_window`` lines per reason per ``window`` seconds, so a flood of bad requests
    cannot fill the disk; what was held back is counted in one line once the window is over."""

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

    def refused(self, method: str, path: str, status: int, reason: str) -> None:
        """Log ``METHOD path → status: reason`` (never a body, header or query string)."""
        with self._lock:
            now = self._clock()
            self._flush(now)
            window = self._windows.setdefault(reason, _Window(start=now))
            if window.lines >= self._per_window:
                window.suppressed += 1
                return
            window.lines += 1
        self._log.warning(
            "refused %s %s → %d: %s",
            printable(method, 10),
            printable(path, MAX_PATH),
            status,
            reason,
        )

    def _flush(self, now: float) -> None:
        for reason, window in list(self._windows.items()):
            if now - window.start < self._window:
                continue
            del self._windows[reason]
            if window.suppressed:
                self._log.warning(
                    "suppressed %d similar lines (%s) in the last %.0f s",
                    window.suppressed,
                    reason,
                    self._window,
                )


def printable(text: str, limit: int) -> str:
    """``text`` safe for one log line: no control characters, spaces or NULs, cut to ``limit``."""
    shown = _UNPRINTABLE.sub("?", text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
