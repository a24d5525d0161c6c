"""One paced, retrying JSON client per web service, all sharing one httpx.AsyncClient."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

import httpx
from pydantic import SecretStr

from bot import __version__
from bot.live.sources.http.pacing import (
    BURSTS,
    DEFAULT_MAX_WAIT,
    MIN_INTERVALS,
    MIN_QUOTA,
    Clock,
    Sleep,
    secs,
)
from bot.live.sources.http.retry import (
    DEFAULT_MAX_RETRIES,
    Retry,
    RetryRules,
    error_detail,
    retry_after,
)
from bot.live.sources.http.services import Service, SourceError
from bot.settings import Settings

# Placeholder until the project has a public home; services ask for a way to reach the client.
# Names the tool and its purpose, as GitHub and Stack Exchange ask of API clients.
USER_AGENT = f"fwtrend/{__version__} (deep-learning framework trend figures; httpx)"

LABELS: dict[Service, str] = {
    "huggingface": "Hugging Face",
    "github": "GitHub",
    "stackexchange": "Stack Exchange",
    "pypistats": "pypistats.org",
    "dockerhub": "Docker Hub",
}

_SECRET_PARAMS = frozenset({"key", "access_token", "token", "api_key", "apikey", "client_secret"})


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


class ServiceClient(RetryRules):
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
        history: list[Retry] = []
        while True:
            await self._pace()
            try:
                return await self._attempt(url, public, endpoint), endpoint
            except Retry as retry:
                history.append(retry)
                self._plan_retry(retry, history, endpoint)

    def scrub(self, text: str) -> str:
        """``text`` with every token or key of this client blanked out."""
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    # ------------------------------------------------------------ one attempt

    async def _attempt(self, url: str, public: dict[str, str], endpoint: str) -> Any:
        try:
            response = await self._http.get(
                url, params={**public, **self._secret_params}, headers=self._headers
            )
        except httpx.TimeoutException as exc:
            raise Retry("transport", None, self._timeout_text(exc, endpoint)) from None
        except httpx.TransportError as exc:
            verb = "could not connect to" if isinstance(exc, httpx.ConnectError) else "lost"
            detail = self.scrub(str(exc))[:80] or type(exc).__name__
            raise Retry("transport", None, f"{verb} {endpoint} ({detail})") from None
        except httpx.RequestError as exc:  # too many redirects, an undecodable body
            detail = self.scrub(str(exc))[:80] or type(exc).__name__
            raise SourceError(f"could not read {endpoint}: {detail}", endpoint) from None
        return self._judge(response, endpoint)

    def _timeout_text(self, exc: httpx.TimeoutException, endpoint: str) -> str:
        timeout = self._http.timeout
        if isinstance(exc, httpx.ConnectTimeout):
            return f"timed out after {secs(timeout.connect)} connecting to {endpoint}"
        if isinstance(exc, httpx.ReadTimeout):
            return f"timed out after {secs(timeout.read)} reading {endpoint}"
        return f"timed out on {endpoint}"

    def _judge(self, response: httpx.Response, endpoint: str) -> Any:
        """The payload of a good answer; otherwise Retry or SourceError."""
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
            wait = retry_after(response.headers, self._wall())
            why = f"{self.label} is unavailable (HTTP {status})"
            raise Retry("server", wait, why, status)
        detail = error_detail(payload)
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


def _secret(value: SecretStr | None) -> str | None:
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None
