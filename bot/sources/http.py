"""One paced, retrying JSON client per web service, all sharing one httpx.AsyncClient."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypedDict, Unpack

import httpx
from pydantic import SecretStr

from bot import __version__
from bot.settings import Settings
from bot.sources.base import Service, SourceError

# Placeholder until the project has a public home; services ask for a way to reach the client.
# Names the tool and its purpose, as GitHub and Stack Exchange ask of API clients.
USER_AGENT = f"fwtrend/{__version__} (deep-learning framework trend figures; httpx)"

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

LABELS: dict[Service, str] = {
    "huggingface": "Hugging Face",
    "github": "GitHub",
    "stackexchange": "Stack Exchange",
    "pypistats": "pypistats.org",
    "dockerhub": "Docker Hub",
}

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
DEFAULT_MAX_RETRIES = 4
SERVER_RETRIES = 2
TRANSPORT_RETRIES = 1
SERVER_BACKOFF = 1.0
RATE_LIMIT_WAIT = 60.0  # a throttled answer that does not say when to come back
MIN_QUOTA = 10  # Stack Exchange: stop while a few requests of the daily quota are left

_SECRET_PARAMS = frozenset({"key", "access_token", "token", "api_key", "apikey", "client_secret"})
_HF_RATELIMIT = re.compile(r'"(\w+)"\s*;\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)')
_TIMES = {1: "once", 2: "twice", 3: "three times"}


class ClientOptions(TypedDict, total=False):
    """ServiceClient settings that tests and benchmarks override for every service at once."""

    min_interval: float
    burst: int
    max_wait: float
    max_retries: int
    min_quota: int
    sleep: Sleep
    monotonic: Clock
    wall: Clock


class _Retry(Exception):
    """An attempt failed in a way worth retrying; ``wait`` None means the default backoff."""

    def __init__(self, kind: str, wait: float | None, why: str, status: int = 0) -> None:
        super().__init__(why)
        self.kind = kind  # "rate" | "server" | "transport"
        self.wait = wait
        self.why = why
        self.status = status


def make_http_client(
    *,
    timeout: float = 20.0,
    connect_timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
    user_agent: str = USER_AGENT,
) -> httpx.AsyncClient:
    """The one AsyncClient a refresh shares between services; the caller closes it."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        follow_redirects=True,  # GitHub answers moved repositories with 301
        max_redirects=5,
        trust_env=False,  # no proxy or .netrc credentials picked up from the environment
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        transport=transport,
    )


def redact_url(url: str | httpx.URL) -> str:
    """The URL without user info or credential-like query parameters, fit to print."""
    parsed = httpx.URL(url).copy_with(userinfo=b"")
    for name in {name for name, _ in parsed.params.multi_items()}:
        if name.lower() in _SECRET_PARAMS:
            parsed = parsed.copy_remove_param(name)
    return str(parsed)


class ServiceClient:
    """GETs JSON from one service: base URL, auth, pacing, and capped retries."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        service: Service,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        bearer_token: str | None = None,
        secret_params: Mapping[str, str] | None = None,
        min_interval: float | None = None,
        burst: int | None = None,
        max_wait: float = DEFAULT_MAX_WAIT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        min_quota: int = MIN_QUOTA,
        sleep: Sleep = asyncio.sleep,
        monotonic: Clock = time.monotonic,
        wall: Clock = time.time,
    ) -> None:
        self.service = service
        self.label = LABELS[service]
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.min_interval = MIN_INTERVALS[service] if min_interval is None else min_interval
        # An explicit interval without a burst means strict spacing from the first request.
        default_burst = BURSTS[service] if min_interval is None else 1
        self.burst = max(1, default_burst if burst is None else burst)
        self.max_wait = max_wait
        self.max_retries = max_retries
        self.min_quota = min_quota
        self._http = http
        self._headers = dict(headers or {})
        if bearer_token:
            self._headers["Authorization"] = f"Bearer {bearer_token}"
        self._secret_params = dict(secret_params or {})
        self._secrets = [s for s in (bearer_token, *self._secret_params.values()) if s]
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall = wall
        # asyncio.Lock binds to the running loop on first use, so creating it here is safe.
        self._lock = asyncio.Lock()
        self._starts: deque[float] = deque(maxlen=self.burst)
        self._hold_until = 0.0
        self._hold_why = f"paced requests to {self.label}"
        self._quota_left: int | None = None

    @property
    def quota_left(self) -> int | None:
        """Requests left in the service's daily quota, when the service reported it."""
        return self._quota_left

    def ensure_quota(self, requests: int) -> None:
        """Fail now, before spending quota, if ``requests`` more would dig into the reserve."""
        left = self._quota_left
        if left is not None and left - requests < self.min_quota:
            raise SourceError(
                f"{self.label} quota too low: {left} requests left today, this refresh needs"
                f" {requests} more and keeps {self.min_quota} in reserve"
            )

    async def get_json(
        self, path: str, params: Mapping[str, str | int] | None = None
    ) -> tuple[Any, str]:
        """GET ``path`` under the base URL; returns the decoded JSON and the printable endpoint."""
        url = self.base_url + path.lstrip("/")
        public = {name: str(value) for name, value in (params or {}).items()}
        endpoint = self.scrub(redact_url(httpx.URL(url).copy_merge_params(public)))
        history: list[_Retry] = []
        while True:
            await self._pace()
            try:
                return await self._attempt(url, public, endpoint), endpoint
            except _Retry as retry:
                history.append(retry)
                self._plan_retry(retry, history, endpoint)

    def scrub(self, text: str) -> str:
        """``text`` with every token or key of this client blanked out."""
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    # ------------------------------------------------------------ pacing

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
        cap = _secs(self.max_wait)
        return f"{why} until {self._until(wait)} (waiting would exceed the {cap} cap)"

    def _until(self, wait: float) -> str:
        now = datetime.fromtimestamp(self._wall(), UTC)
        then = datetime.fromtimestamp(self._wall() + wait, UTC)
        return then.strftime("%H:%M:%S UTC" if then.date() == now.date() else "%Y-%m-%d %H:%M UTC")

    # ------------------------------------------------------------ one attempt

    async def _attempt(self, url: str, public: dict[str, str], endpoint: str) -> Any:
        try:
            response = await self._http.get(
                url, params={**public, **self._secret_params}, headers=self._headers
            )
        except httpx.TimeoutException as exc:
            raise _Retry("transport", None, self._timeout_text(exc, endpoint)) from None
        except httpx.TransportError as exc:
            verb = "could not connect to" if isinstance(exc, httpx.ConnectError) else "lost"
            detail = self.scrub(str(exc))[:80] or type(exc).__name__
            raise _Retry("transport", None, f"{verb} {endpoint} ({detail})") from None
        except httpx.RequestError as exc:  # too many redirects, an undecodable body
            detail = self.scrub(str(exc))[:80] or type(exc).__name__
            raise SourceError(f"could not read {endpoint}: {detail}", endpoint) from None
        return self._judge(response, endpoint)

    def _timeout_text(self, exc: httpx.TimeoutException, endpoint: str) -> str:
        timeout = self._http.timeout
        if isinstance(exc, httpx.ConnectTimeout):
            return f"timed out after {_secs(timeout.connect)} connecting to {endpoint}"
        if isinstance(exc, httpx.ReadTimeout):
            return f"timed out after {_secs(timeout.read)} reading {endpoint}"
        return f"timed out on {endpoint}"

    def _judge(self, response: httpx.Response, endpoint: str) -> Any:
        """The payload of a good answer; otherwise _Retry or SourceError."""
        status = response.status_code
        payload, bad_body = self._decode(response, endpoint)
        if self.service == "stackexchange" and isinstance(payload, dict) and "error_id" in payload:
            self._stackexchange_error(payload, endpoint)
        if 200 <= status < 300:
            if bad_body is not None:
                raise SourceError(bad_body, endpoint)
            self._note_hints(response, payload)
            return payload
        limited = self._rate_limit(response, payload)
        if limited is not None:
            raise limited
        if status >= 500:
            wait = _retry_after(response.headers, self._wall())
            why = f"{self.label} is unavailable (HTTP {status})"
            raise _Retry("server", wait, why, status)
        detail = _error_detail(payload)
        raise SourceError(
            f"{self.label} answered HTTP {status} ({response.reason_phrase})"
            f"{': ' + self.scrub(detail) if detail else ''} for {endpoint}",
            endpoint,
        )

    def _decode(self, response: httpx.Response, endpoint: str) -> tuple[Any, str | None]:
        content_type = response.headers.get("content-type", "").lower()
        if "html" in content_type or response.content.lstrip()[:1] == b"<":
            return None, f"{self.label} answered with an HTML page instead of JSON at {endpoint}"
        try:
            return json.loads(response.content), None
        except json.JSONDecodeError as exc:
            return None, f"{self.label} answered with malformed JSON at {endpoint} ({exc.msg})"
        except UnicodeDecodeError:
            return None, f"{self.label} answered with undecodable bytes at {endpoint}"

    # ------------------------------------------------------------ service rules

    def _rate_limit(self, response: httpx.Response, payload: Any) -> _Retry | None:
        status, headers = response.status_code, response.headers
        why = f"rate limited by {self.label}"
        if self.service == "github":
            if status not in (403, 429):
                return None
            after = _retry_after(headers, self._wall())
            if after is not None:  # secondary limit with a hint
                return _Retry("rate", after, why, status)
            if headers.get("x-ratelimit-remaining") == "0":
                return _Retry("rate", _until_epoch(headers, self._wall()), why, status)
            message = _error_detail(payload).lower()
            if status == 429 or "rate limit" in message:
                return _Retry("rate", None, why, status)  # secondary limit without a hint
            return None
        if status != 429:
            return None
        if self.service == "huggingface":
            window = _hf_window(headers.get("ratelimit"))
            if window is not None:
                return _Retry("rate", window[1] + 1, why, status)
        return _Retry("rate", _retry_after(headers, self._wall()), why, status)

    def _note_hints(self, response: httpx.Response, payload: Any) -> None:
        """Throttling hints carried by successful answers."""
        # A spent budget holds the next request instead of earning a 403/429 with it.
        why = f"rate limited by {self.label}"
        if self.service == "github" and response.headers.get("x-ratelimit-remaining") == "0":
            reset = _until_epoch(response.headers, self._wall())
            self._hold(RATE_LIMIT_WAIT if reset is None else reset, why)
        window = _hf_window(response.headers.get("ratelimit"))
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
            raise _Retry("server", None, f"Stack Exchange answered error {error_id} {name}")
        raise SourceError(
            f"Stack Exchange answered error {error_id} {name}: {message} for {endpoint}", endpoint
        )

    # ------------------------------------------------------------ retry planning

    def _plan_retry(self, retry: _Retry, history: list[_Retry], endpoint: str) -> None:
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

    def _give_up(self, retry: _Retry, same: list[_Retry], endpoint: str) -> str:
        if retry.kind == "transport":
            return f"{retry.why} (tried {_times(len(same))})"
        if retry.kind == "server":
            statuses = "/".join(dict.fromkeys(str(r.status) for r in same if r.status))
            if statuses:
                return f"{self.label} answered HTTP {statuses} {_times(len(same))} at {endpoint}"
            return f"{retry.why}, {_times(len(same))}, at {endpoint}"
        return f"still {retry.why} after {len(same) - 1} retries at {endpoint}"


def service_clients(
    settings: Settings, http: httpx.AsyncClient, **overrides: Unpack[ClientOptions]
) -> dict[str, ServiceClient]:
    """One client per service, from the base URLs and tokens in ``settings``."""
    key = _secret(settings.stackexchange_key)
    return {
        "huggingface": ServiceClient(
            http,
            "huggingface",
            settings.hf_url,
            headers={"X-Requested-With": "XMLHttpRequest"},  # what the website's own JS sends
            bearer_token=_secret(settings.hf_token),
            **overrides,
        ),
        "github": ServiceClient(
            http,
            "github",
            settings.github_url,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
            bearer_token=_secret(settings.github_token),
            **overrides,
        ),
        "stackexchange": ServiceClient(
            http,
            "stackexchange",
            settings.stackexchange_url,
            secret_params={"key": key} if key else None,
            **overrides,
        ),
        "pypistats": ServiceClient(http, "pypistats", settings.pypistats_url, **overrides),
        "dockerhub": ServiceClient(http, "dockerhub", settings.dockerhub_url, **overrides),
    }


# ---------------------------------------------------------------- header parsing


def _secret(value: SecretStr | None) -> str | None:
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def _retry_after(headers: httpx.Headers, now: float) -> float | None:
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


def _until_epoch(headers: httpx.Headers, now: float) -> float | None:
    """Seconds until GitHub's x-ratelimit-reset (UTC epoch seconds), plus one for clock skew."""
    value = (headers.get("x-ratelimit-reset") or "").strip()
    if not value.isdigit():
        return None
    return max(0.0, int(value) - now) + 1


def _hf_window(value: str | None) -> tuple[int, int] | None:
    """(remaining, seconds to reset) of Hugging Face's IETF draft header: ``"api";r=0;t=55``."""
    match = _HF_RATELIMIT.search(value or "")
    return (int(match.group(2)), int(match.group(3))) if match else None


def _error_detail(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    for field in ("message", "error_message", "error", "detail"):
        value = payload.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()[:120]
    return ""


def _secs(seconds: float | None) -> str:
    return "no limit" if seconds is None else f"{seconds:g} s"


def _times(count: int) -> str:
    return _TIMES.get(count, f"{count} times")
