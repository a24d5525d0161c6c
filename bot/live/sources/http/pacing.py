"""Pacing per web service: bursts and minimum intervals, holds a service asks for, the wait cap."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.live.sources.http.services import Service, SourceError

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# Pacing per service (data-sources.md §1.5, §2.5, §3.2, §4.1): at most BURSTS[s] requests start
# within any BURSTS[s] × MIN_INTERVALS[s] seconds, so a refresh's few requests go out at once
# while a long run keeps to the service's rate.
MIN_INTERVALS: dict[Service, float] = {
    "huggingface": 3.0,  # the website JSON may count against the 100-per-5-minutes page bucket
    "github": 0.25,  # bursts of concurrent requests trip GitHub's secondary limits
    "stackexchange": 0.05,  # 20 a second, below the 30-per-second limit that bans an IP
    "pypistats": 2.0,  # 30 requests a minute
    "dockerhub": 0.5,
}
BURSTS: dict[Service, int] = {
    "huggingface": 8,
    "github": 8,  # both GitHub sources share this client: one request per repository each
    "stackexchange": 10,
    "pypistats": 5,
    "dockerhub": 4,
}

DEFAULT_MAX_WAIT = 60.0
MIN_QUOTA = 10  # Stack Exchange: stop while a few requests of the daily quota are left


class Pacing:
    """Request pacing for ServiceClient: one start at a time, spaced, held while a service asks."""

    label: str
    min_interval: float
    burst: int
    max_wait: float
    min_quota: int
    _sleep: Sleep
    _monotonic: Clock
    _wall: Clock
    _lock: asyncio.Lock
    _starts: deque[float]
    _hold_until: float
    _hold_why: str
    _quota_left: int | None

    async def _pace(self) -> None:
        # The lock is held while sleeping, so requests to one service start in order and
        # min_interval apart; other services have their own lock and run meanwhile.
        async with self._lock:
            if self._quota_left is not None and self._quota_left < self.min_quota:
                raise SourceError(
                    f"{self.label} quota nearly used up: {self._quota_left} requests left today"
                    f" ({self.min_quota} kept in reserve)"
                )
            now = self._monotonic()
            window = self.burst * self.min_interval
            earliest = self._starts[0] + window if len(self._starts) == self.burst else now
            start = max(now, earliest, self._hold_until)
            wait = start - now
            if wait > self.max_wait:
                raise SourceError(self._over_cap(self._hold_why, wait))
            if wait > 0:
                await self._sleep(wait)
            self._starts.append(start)
            if self._quota_left is not None:
                self._quota_left -= 1

    def _hold(self, seconds: float, why: str) -> None:
        """No request to this service starts for ``seconds`` from now."""
        until = self._monotonic() + seconds
        if until > self._hold_until:
            self._hold_until, self._hold_why = until, why

    def _over_cap(self, why: str, wait: float) -> str:
        cap = secs(self.max_wait)
        return f"{why} until {self._until(wait)} (waiting would exceed the {cap} cap)"

    def _until(self, wait: float) -> str:
        now = datetime.fromtimestamp(self._wall(), UTC)
        then = datetime.fromtimestamp(self._wall() + wait, UTC)
        return then.strftime("%H:%M:%S UTC" if then.date() == now.date() else "%Y-%m-%d %H:%M UTC")


def secs(seconds: float | None) -> str:
    return "no limit" if seconds is None else f"{seconds:g} s"
