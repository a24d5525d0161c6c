"""Rate limits and retries: each service's throttling rules, Retry-After parsing, capped backoff."""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot.live.sources.http.pacing import Pacing
from bot.live.sources.http.services import Service, SourceError

DEFAULT_MAX_RETRIES = 4
SERVER_RETRIES = 2
TRANSPORT_RETRIES = 1
SERVER_BACKOFF = 1.0
RATE_LIMIT_WAIT = 60.0  # a throttled answer that does not say when to come back

_HF_RATELIMIT = re.compile(r'"(\w+)"\s*;\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)')
_TIMES = {1: "once", 2: "twice", 3: "three times"}


class Retry(Exception):
    """An attempt failed in a way worth retrying; ``wait`` None means the default backoff."""

    def __init__(self, kind: str, wait: float | None, why: str, status: int = 0) -> None:
        super().__init__(why)
        self.kind = kind  # "rate" | "server" | "transport"
        self.wait = wait
        self.why = why
        self.status = status


class RetryRules(Pacing):
    """What a throttled or failed answer means per service, and whether to try again and when."""

    service: Service
    max_retries: int

    def scrub(self, text: str) -> str:
        raise NotImplementedError  # ServiceClient's: blanks out its tokens and keys

    # ------------------------------------------------------------ service rules

    def _rate_limit(self, response: httpx.Response, payload: Any) -> Retry | None:
        status, headers = response.status_code, response.headers
        why = f"rate limited by {self.label}"
        if self.service == "github":
            if status not in (403, 429):
                return None
            after = retry_after(headers, self._wall())
            if after is not None:  # secondary limit with a hint
                return Retry("rate", after, why, status)
            if headers.get("x-ratelimit-remaining") == "0":
                return Retry("rate", until_epoch(headers, self._wall()), why, status)
            message = error_detail(payload).lower()
            if status == 429 or "rate limit" in message:
                return Retry("rate", None, why, status)  # secondary limit without a hint
            return None
        if status != 429:
            return None
        if self.service == "huggingface":
            window = hf_window(headers.get("ratelimit"))
            if window is not None:
                return Retry("rate", window[1] + 1, why, status)
        return Retry("rate", retry_after(headers, self._wall()), why, status)

    def _note_hints(self, response: httpx.Response, payload: Any) -> None:
        """Throttling hints carried by successful answers."""
        # A spent budget holds the next request instead of earning a 403/429 with it.
        why = f"rate limited by {self.label}"
        if self.service == "github" and response.headers.get("x-ratelimit-remaining") == "0":
            reset = until_epoch(response.headers, self._wall())
            self._hold(RATE_LIMIT_WAIT if reset is None else reset, why)
        window = hf_window(response.headers.get("ratelimit"))
        if self.service == "huggingface" and window is not None and window[0] == 0:
            self._hold(window[1] + 1, why)
        if self.service != "stackexchange" or not isinstance(payload, dict):
            return
        backoff = payload.get("backoff")
        if isinstance(backoff, int) and not isinstance(backoff, bool) and backoff > 0:
            # Stack Exchange asks for `backoff` seconds of silence; one more avoids a repeat.
            self._hold(backoff + 1, f"Stack Exchange asked for a {backoff} s backoff")
        quota = payload.get("quota_remaining")
        if isinstance(quota, int) and not isinstance(quota, bool):
            self._quota_left = quota

    def _stackexchange_error(self, payload: dict[str, Any], endpoint: str) -> None:
        error_id, name = payload.get("error_id"), str(payload.get("error_name", ""))
        message = self.scrub(str(payload.get("error_message", "")))[:160]
        if error_id == 502 or name == "throttle_violation":
            raise SourceError(
                f"Stack Exchange refused the request as a throttle violation ({message}); not"
                " retrying, since repeated violations can block this IP for hours",
                endpoint,
            )
        if error_id in (500, 503):
            raise Retry("server", None, f"Stack Exchange answered error {error_id} {name}")
        raise SourceError(
            f"Stack Exchange answered error {error_id} {name}: {message} for {endpoint}", endpoint
        )

    # ------------------------------------------------------------ retry planning

    def _plan_retry(self, retry: Retry, history: list[Retry], endpoint: str) -> None:
        same = [past for past in history if past.kind == retry.kind]
        limit = {"transport": TRANSPORT_RETRIES, "server": SERVER_RETRIES}.get(
            retry.kind, self.max_retries
        )
        if len(same) > limit or len(history) > self.max_retries:
            raise SourceError(self._give_up(retry, same, endpoint), endpoint)
        wait = retry.wait
        if wait is None:
            base = RATE_LIMIT_WAIT if retry.kind == "rate" else SERVER_BACKOFF
            wait = base * 2 ** (len(same) - 1)
        if wait > self.max_wait:
            raise SourceError(self._over_cap(retry.why, wait), endpoint)
        self._hold(wait, retry.why)

    def _give_up(self, retry: Retry, same: list[Retry], endpoint: str) -> str:
        if retry.kind == "transport":
            return f"{retry.why} (tried {_times(len(same))})"
        if retry.kind == "server":
            statuses = "/".join(dict.fromkeys(str(r.status) for r in same if r.status))
            if statuses:
                return f"{self.label} answered HTTP {statuses} {_times(len(same))} at {endpoint}"
            return f"{retry.why}, {_times(len(same))}, at {endpoint}"
        return f"still {retry.why} after {len(same) - 1} retries at {endpoint}"


def retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def until_epoch(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until GitHub's x-ratelimit-reset (UTC epoch seconds), plus one for clock skew."""
    value = (headers.get("x-ratelimit-reset") or "").strip()
    if not value.isdigit():
        return None
    return max(0.0, int(value) - now) + 1


def hf_window(value: str | None) -> tuple[int, int] | None:
    """(remaining, seconds to reset) of Hugging Face's IETF draft header: ``"api";r=0;t=55``."""
    match = _HF_RATELIMIT.search(value or "")
    return (int(match.group(2)), int(match.group(3))) if match else None


def error_detail(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    for field in ("message", "error_message", "error", "detail"):
        value = payload.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()[:120]
    return ""


def _times(count: int) -> str:
    return _TIMES.get(count, f"{count} times")
