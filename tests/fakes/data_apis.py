"""A fake of the five public data APIs ``fwtrend refresh`` reads: one real HTTP server on 127.0.0.1.

Standard library only, so benchmark scripts can import it without pytest::

    from tests.fakes.data_apis import FakeDataAPIs

    with FakeDataAPIs() as fake:                       # ThreadingHTTPServer on 127.0.0.1:<port>
        fake.set_github_repo("pytorch/pytorch", stargazers_count=1234)
        settings = Settings(**fake.settings_fields())   # or os.environ.update(fake.env())
        ...                                            # run the sources against it
        [call] = fake.calls_to("github")               # recorded, secrets redacted

Every service lives under its own path prefix, shaped after the examples in
/work/shared/notes/data-sources.md (§1–§5, §7); all values are synthetic and deterministic:

* ``/hf/models-json?library=<tag>&withCount=true`` — ``{"models": [...], "numItemsPerPage": 30,
  "numTotalItems": N, "pageIndex": 0}``; ``numTotalItems`` only with ``withCount=true`` (the
  website's behaviour the source relies on), an unknown tag counts 0, no ``library`` counts all.
* ``/github/repos/{owner}/{repo}`` and ``…/languages``; a renamed repository answers 301 to
  ``/github/repositories/{id}`` (as GitHub does); unknown ones 404 ``{"message": "Not Found"}``.
  Every answer carries ``x-ratelimit-*`` headers (60 an hour anonymous, 5000 with a token).
* ``/stackexchange/2.3/tags/{a;b}/info`` (wrapper with ``items``, ``has_more``, ``quota_max``,
  ``quota_remaining``; unknown tags left out) and ``/stackexchange/2.3/questions`` (with
  ``filter=total`` only ``{"total": N}``, summing the months that start inside
  ``fromdate``..``todate``). ``site`` is required (400 ``bad_parameter`` otherwise) and must be
  ``stackoverflow``; errors use the ``error_id``/``error_name``/``error_message`` wrapper with
  HTTP 400. The quota counts down per request; at 0 every call is a throttle_violation.
* ``/pypistats/api/packages/{pkg}/recent`` — ``{"data": {"last_day", "last_month",
  "last_week"}, "package", "type": "recent_downloads"}``; names normalised like the server
  (``.``/``_`` → ``-``); an unknown package is a 404 HTML page, as Flask's abort(404) gives.
* ``/dockerhub/v2/repositories/{ns}/{repo}/`` — repository JSON with ``pull_count`` and
  ``star_count``; unknown ones 404 ``{"message": "object not found"}`` (body shape assumed).

Calls are recorded on arrival (``Call.time`` is the ``time.monotonic()`` of arrival, before any
latency); ``Call.status`` is filled in when the fake answers.

Tokens: ``FakeDataAPIs(github_token=…, hf_token=…, stackexchange_key=…)`` makes the fake check
them (GitHub/HF 401 for a wrong bearer token; Stack Exchange 400 for a wrong key, with a message
that *echoes the key*, as a careless service might, so tests can prove it never leaks further).
Recorded calls hold ``<redacted>`` instead of any token or key.

Faults, queued per service and used one per matching request (``path=`` restricts a fault to
requests whose route and query contain that text, e.g. ``"library=pytorch"``):
``fail_next`` (any status/body/headers), ``add_headers_next`` (extra headers on a normal
answer), ``rate_limit_next``
(429 + Retry-After), ``timeout_next`` (answer only after N seconds), ``malformed_next``,
``html_next``, ``change_shape`` (rename JSON keys anywhere in the body),
``github_rate_limit_next`` (403, ``x-ratelimit-remaining: 0``, reset),
``github_secondary_limit_next``, ``hf_rate_limit_next`` (429 with
``RateLimit: "api";r=0;t=N``), ``se_backoff_next`` (adds ``backoff`` to the next wrapper),
``se_throttle_next`` (error_id 502). ``latency(seconds)`` delays every answer;
``closed_port_url()`` gives a URL nothing listens on (connection refused).
"""

from __future__ import annotations

import calendar
import json
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler

__all__ = [
    "PREFIXES",
    "REDACTED",
    "SERVICES",
    "Call",
    "FakeDataAPIs",
    "closed_port_url",
]

SERVICES = ("huggingface", "github", "stackexchange", "pypistats", "dockerhub")
PREFIXES = {
    "huggingface": "/hf/",
    "github": "/github/",
    "stackexchange": "/stackexchange/2.3/",
    "pypistats": "/pypistats/api/",
    "dockerhub": "/dockerhub/v2/",
}
SETTINGS_FIELDS = {
    "huggingface": ("hf_url", "FWTREND_HF_URL"),
    "github": ("github_url", "FWTREND_GITHUB_URL"),
    "stackexchange": ("stackexchange_url", "FWTREND_STACKEXCHANGE_URL"),
    "pypistats": ("pypistats_url", "FWTREND_PYPISTATS_URL"),
    "dockerhub": ("dockerhub_url", "FWTREND_DOCKERHUB_URL"),
}
REDACTED = "<redacted>"
SE_SITE = "stackoverflow"
HF_PAGE = 30

# Synthetic defaults, so a full refresh works out of the box; tests set what they assert.
DEFAULT_HF = {
    "pytorch": 1200,
    "tf": 300,
    "jax": 150,
    "keras": 250,
    "safetensors": 2000,
    "transformers": 1500,
}
DEFAULT_HF_ALL = 5000
DEFAULT_REPOS: dict[str, dict[str, int]] = {
    "pytorch/pytorch": {"stargazers_count": 1000, "forks_count": 200, "subscribers_count": 50},
    "tensorflow/tensorflow": {"stargazers_count": 900, "forks_count": 300, "subscribers_count": 40},
    "keras-team/keras": {"stargazers_count": 500, "forks_count": 100, "subscribers_count": 20},
    "jax-ml/jax": {"stargazers_count": 300, "forks_count": 50, "subscribers_count": 10},
}
DEFAULT_LANGUAGES = {"C++": 6000, "Python": 3500, "Cuda": 400, "C": 80, "CMake": 20}
DEFAULT_SO_TAGS = {"pytorch": 9000, "tensorflow": 8000, "keras": 4000, "jax": 500}
DEFAULT_SO_MONTHLY = {"pytorch": 90, "tensorflow": 60, "keras": 30, "jax": 5, "": 10000}
DEFAULT_PYPI = {
    "torch": (1000, 7000, 30000),
    "tensorflow": (800, 5600, 24000),
    "jax": (200, 1400, 6000),
    "keras": (500, 3500, 15000),
}
DEFAULT_DOCKER = {"pytorch/pytorch": (50000, 100), "tensorflow/tensorflow": (40000, 90)}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the fake answered."""

    service: str
    """``huggingface``, ``github``, ``stackexchange``, ``pypistats``, ``dockerhub`` or ``?``."""
    route: str
    """Path under the service prefix, e.g. ``repos/pytorch/pytorch``."""
    path: str
    """The full request path, without the query string."""
    query: dict[str, str]
    """Query parameters; a ``key`` is redacted."""
    headers: dict[str, str] = field(repr=False)
    """Lower-cased names; ``authorization`` is redacted."""
    time: float = field(repr=False)
    """``time.monotonic()`` when the request arrived."""
    status: int = 0
    """HTTP status answered; 0 while the answer is still pending (an injected delay)."""
    authorized: bool = False
    """Whether the request carried the token or key the fake was configured with."""

    @property
    def target(self) -> str:
        """Route and (redacted) query, as fault ``path=`` filters see them."""
        return f"{self.route}?{urlencode(self.query)}" if self.query else self.route


@dataclass
class _Fault:
    kind: str  # status | timeout | malformed | html | rename | backoff | headers
    path: str | None = None
    status: int = 200
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    rename: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reply:
    status: int
    data: Any = None
    """JSON to send (encoded at the end, so faults can still change it)."""
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.data).encode()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, data=data, headers=dict(headers or {}))


def _html(status: int, title: str) -> _Reply:
    page = f"<!doctype html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1>"
    return _Reply(status, raw=(page + "</body></html>").encode(), content_type="text/html")


def _se_error(error_id: int, name: str, message: str) -> _Reply:
    # Stack Exchange answers errors with HTTP 400 whatever the error_id (data-sources.md §3.2).
    return _json({"error_id": error_id, "error_name": name, "error_message": message}, 400)


def closed_port_url(path: str = "/") -> str:
    """A loopback URL on a port nothing listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def _rename_keys(data: Any, names: dict[str, str]) -> Any:
    if isinstance(data, dict):
        return {names.get(k, k): _rename_keys(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [_rename_keys(item, names) for item in data]
    return data


def _month_starts(start: int, end: int) -> list[str]:
    """'YYYY-MM' of every month whose first second lies in [start, end]."""
    first = datetime.fromtimestamp(start, UTC)
    year, month = first.year, first.month
    if first != datetime(year, month, 1, tzinfo=UTC):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    months = []
    while calendar.timegm((year, month, 1, 0, 0, 0)) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class _Handler(LoopbackHandler):
    server_version = "FakeDataAPIs/1.0"


class FakeDataAPIs(LoopbackFake):
    """Fake Hugging Face, GitHub, Stack Exchange, pypistats and Docker Hub on one loopback port."""

    handler = _Handler

    def __init__(
        self,
        *,
        github_token: str | None = None,
        hf_token: str | None = None,
        stackexchange_key: str | None = None,
    ) -> None:
        super().__init__()
        self._tokens = {
            "github": github_token,
            "huggingface": hf_token,
            "stackexchange": stackexchange_key,
        }
        self._lock = threading.RLock()
        self._init_state()

    def _init_state(self) -> None:
        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {s: [] for s in SERVICES}
        self._latency = 0.0
        self._hf_counts = dict(DEFAULT_HF)
        self._hf_all = DEFAULT_HF_ALL
        self._repos: dict[str, dict[str, Any]] = {}
        self._languages: dict[str, dict[str, int]] = {}
        self._renamed: dict[str, str] = {}
        self._next_repo_id = 1001
        for name, fields in DEFAULT_REPOS.items():
            self.set_github_repo(name, **fields)
            self._languages[name.lower()] = dict(DEFAULT_LANGUAGES)
        self._gh_remaining = {False: 60, True: 5000}
        self._so_tags = dict(DEFAULT_SO_TAGS)
        self._so_months: dict[tuple[str, str], int] = {}
        self._so_monthly_default = dict(DEFAULT_SO_MONTHLY)
        self._se_quota_max = 300
        self._se_quota = 290
        self._pypi = {
            name: dict(zip(("last_day", "last_week", "last_month"), v, strict=True))
            for name, v in DEFAULT_PYPI.items()
        }
        self._docker = {
            name: {"pull_count": pulls, "star_count": stars}
            for name, (pulls, stars) in DEFAULT_DOCKER.items()
        }

    # -- lifecycle --------------------------------------------------------------------------

    def service_url(self, service: str) -> str:
        """Base URL of one service, e.g. ``http://127.0.0.1:PORT/github/``."""
        return f"http://127.0.0.1:{self.port}{PREFIXES[service]}"

    def settings_fields(self) -> dict[str, str]:
        """``Settings(**fake.settings_fields())``: every service URL pointing at the fake."""
        return {SETTINGS_FIELDS[s][0]: self.service_url(s) for s in SERVICES}

    def env(self) -> dict[str, str]:
        """The same as environment variables (``FWTREND_GITHUB_URL`` …), for subprocesses."""
        return {SETTINGS_FIELDS[s][1]: self.service_url(s) for s in SERVICES}

    # -- inspection ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, service: str, path: str | None = None) -> list[Call]:
        """Calls to one service, optionally only those whose route or query contains ``path``."""
        with self._lock:
            return [
                c
                for c in self._calls
                if c.service == service and (path is None or path in c.target)
            ]

    def reset(self) -> None:
        """Back to the defaults: no calls, faults, latency or changed values."""
        with self._lock:
            self._init_state()

    # -- data ---------------------------------------------------------------------------------

    def set_hf_count(self, tag: str, count: int) -> None:
        with self._lock:
            self._hf_counts[tag] = count

    def set_github_repo(self, full_name: str, **fields: Any) -> None:
        """Create or update a repository; fields are GitHub's (``stargazers_count`` …)."""
        with self._lock:
            key = full_name.lower()
            repo = self._repos.get(key)
            if repo is None:
                repo = self._new_repo(full_name)
                self._repos[key] = repo
            repo.update(fields)
            if "stargazers_count" in fields:  # GitHub mirrors stars in these legacy fields
                repo["watchers_count"] = repo["watchers"] = fields["stargazers_count"]
            if "forks_count" in fields:
                repo["forks"] = fields["forks_count"]
            if "open_issues_count" in fields:
                repo["open_issues"] = fields["open_issues_count"]

    def _new_repo(self, full_name: str) -> dict[str, Any]:
        owner, name = full_name.split("/")
        repo_id, self._next_repo_id = self._next_repo_id, self._next_repo_id + 1
        return {
            "id": repo_id,
            "name": name,
            "full_name": full_name,
            "owner": {"login": owner, "type": "Organization"},
            "private": False,
            "html_url": f"https://github.com/{full_name}",
            "created_at": "2016-08-13T05:26:41Z",
            "pushed_at": "2026-01-01T00:00:00Z",
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "forks_count": 0,
            "forks": 0,
            "open_issues_count": 0,
            "open_issues": 0,
            "network_count": 0,
            "subscribers_count": 0,
            "default_branch": "main",
            "language": "Python",
            "license": {"key": "other", "spdx_id": "NOASSERTION"},
        }

    def set_github_languages(self, full_name: str, languages: dict[str, int]) -> None:
        with self._lock:
            self._languages[full_name.lower()] = dict(languages)

    def rename_github_repo(self, old: str, new: str) -> None:
        """``old`` now redirects (301) to ``new``, which must exist."""
        with self._lock:
            if new.lower() not in self._repos:
                raise KeyError(f"no repository {new!r}; set_github_repo it first")
            self._renamed[old.lower()] = new.lower()

    def set_so_tag(self, tag: str, count: int) -> None:
        """All-time question count of a tag (tags/{tag}/info)."""
        with self._lock:
            self._so_tags[tag.lower()] = count

    def remove_so_tag(self, tag: str) -> None:
        with self._lock:
            self._so_tags.pop(tag.lower(), None)

    def set_so_month(self, tag: str | None, month: str, count: int) -> None:
        """Questions asked in ``month`` ('YYYY-MM') with ``tag`` (None: the whole site)."""
        with self._lock:
            self._so_months[((tag or "").lower(), month)] = count

    def set_so_monthly_default(self, tag: str | None, count: int) -> None:
        """Questions per month for months not set one by one (None: the whole site)."""
        with self._lock:
            self._so_monthly_default[(tag or "").lower()] = count

    def set_se_quota(self, remaining: int, quota_max: int = 300) -> None:
        with self._lock:
            self._se_quota, self._se_quota_max = remaining, quota_max

    def set_pypi_recent(
        self, package: str, *, last_day: int, last_week: int, last_month: int
    ) -> None:
        with self._lock:
            self._pypi[_pypi_name(package)] = {
                "last_day": last_day,
                "last_week": last_week,
                "last_month": last_month,
            }

    def remove_pypi_package(self, package: str) -> None:
        with self._lock:
            self._pypi.pop(_pypi_name(package), None)

    def set_docker_repo(self, image: str, *, pull_count: int, star_count: int = 0) -> None:
        with self._lock:
            self._docker[image.lower()] = {"pull_count": pull_count, "star_count": star_count}

    # -- faults -------------------------------------------------------------------------------

    def latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds`` (0 removes it)."""
        with self._lock:
            self._latency = max(0.0, seconds)

    def _queue(self, service: str, fault: _Fault, times: int) -> None:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; one of {SERVICES}")
        with self._lock:
            self._faults[service].extend(_copy(fault) for _ in range(times))

    def fail_next(
        self,
        service: str,
        status: int = 503,
        *,
        times: int = 1,
        path: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer ``status`` with ``body`` (JSON; default ``{"message": …}``) and ``headers``."""
        data = body if body is not None else {"message": f"fake failure {status}"}
        fault = _Fault("status", path, status=status, body=data, headers=dict(headers or {}))
        self._queue(service, fault, times)

    def add_headers_next(
        self,
        service: str,
        headers: dict[str, str],
        *,
        times: int = 1,
        path: str | None = None,
    ) -> None:
        """Answer normally, with ``headers`` added (e.g. GitHub's spent ``x-ratelimit-*``)."""
        self._queue(service, _Fault("headers", path, headers=dict(headers)), times)

    def rate_limit_next(
        self, service: str, retry_after: int = 1, *, times: int = 1, path: str | None = None
    ) -> None:
        """HTTP 429 with ``Retry-After: retry_after``."""
        headers = {"Retry-After": str(retry_after)}
        body = {"message": "Too Many Requests"}
        self._queue(service, _Fault("status", path, 429, headers=headers, body=body), times)

    def timeout_next(
        self, service: str, seconds: float = 5.0, *, times: int = 1, path: str | None = None
    ) -> None:
        """Answer only after ``seconds`` (longer than the client's timeout)."""
        self._queue(service, _Fault("timeout", path, seconds=seconds), times)

    def malformed_next(self, service: str, *, times: int = 1, path: str | None = None) -> None:
        """HTTP 200, JSON content type, a body cut off halfway."""
        self._queue(service, _Fault("malformed", path), times)

    def html_next(
        self, service: str, *, status: int = 200, times: int = 1, path: str | None = None
    ) -> None:
        """An HTML page instead of JSON (a login wall, a CDN error page)."""
        self._queue(service, _Fault("html", path, status=status), times)

    def change_shape(
        self, service: str, rename: dict[str, str], *, times: int = 1, path: str | None = None
    ) -> None:
        """Rename JSON keys anywhere in the next answers, as an API change would."""
        self._queue(service, _Fault("rename", path, rename=dict(rename)), times)

    def github_rate_limit_next(
        self,
        *,
        reset_at: float | None = None,
        reset_in: float = 60.0,
        status: int = 403,
        times: int = 1,
        path: str | None = None,
    ) -> None:
        """Primary limit spent: ``status`` with ``x-ratelimit-remaining: 0`` and the reset."""
        reset = int(reset_at if reset_at is not None else time.time() + reset_in)
        headers = {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "60",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        }
        body = {
            "message": "API rate limit exceeded for 127.0.0.1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits",
        }
        self._queue("github", _Fault("status", path, status, headers=headers, body=body), times)

    def github_secondary_limit_next(
        self, *, retry_after: int | None = 60, times: int = 1, path: str | None = None
    ) -> None:
        """403 'secondary rate limit', with ``retry-after`` unless None."""
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        body = {"message": "You have exceeded a secondary rate limit."}
        self._queue("github", _Fault("status", path, 403, headers=headers, body=body), times)

    def hf_rate_limit_next(self, *, reset_in: int = 55, times: int = 1) -> None:
        """429 with the IETF draft headers Hugging Face sends, and no Retry-After."""
        headers = {
            "RateLimit": f'"api";r=0;t={reset_in}',
            "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
        }
        body = {"error": "We had to rate limit your IP. To continue, pass a HF_TOKEN."}
        self._queue("huggingface", _Fault("status", None, 429, headers=headers, body=body), times)

    def se_backoff_next(self, seconds: int, *, times: int = 1, path: str = "tags/") -> None:
        """Add ``"backoff": seconds`` to the next wrapper answers (tags/…/info by default)."""
        self._queue("stackexchange", _Fault("backoff", path, seconds=seconds), times)

    def se_throttle_next(self, *, seconds: int = 30, times: int = 1) -> None:
        """error_id 502 throttle_violation, with HTTP 400 like the real API."""
        message = f"too many requests from this IP, more requests available in {seconds} seconds"
        body = {"error_id": 502, "error_name": "throttle_violation", "error_message": message}
        self._queue("stackexchange", _Fault("status", None, 400, body=body), times)

    def _take_fault(self, service: str, route: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(service, [])
            for i, fault in enumerate(queue):
                if fault.path is None or fault.path in route:
                    return queue.pop(i)
        return None

    # -- request handling ---------------------------------------------------------------------

    def _serve(self, h: _Handler) -> None:
        arrival = time.monotonic()
        split = urlsplit(h.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in h.headers.items()}
        service, route = _route(split.path)
        authorized = self._authorized(service, headers, query)
        # Recorded on arrival (a request that times out is still seen); status comes later.
        call = Call(service, route, split.path, _redacted(query), _redacted(headers), arrival)
        call.authorized = authorized
        with self._lock:
            self._calls.append(call)
            latency = self._latency
        if latency > 0:
            self._stopping.wait(latency)
        target = f"{route}?{split.query}" if split.query else route
        fault = self._take_fault(service, target) if service != "?" else None
        try:
            reply = self._answer(service, route, query, headers, fault, authorized)
        except Exception:  # a bug in the fake: answer 500, keep the traceback
            self._errors.append(traceback.format_exc())
            reply = _json({"message": "fake bug"}, 500)
        call.status = reply.status
        _write(h, reply)

    def _authorized(self, service: str, headers: dict[str, str], query: dict[str, str]) -> bool:
        expected = self._tokens.get(service)
        if expected is None:
            return False
        if service == "stackexchange":
            return query.get("key") == expected
        return headers.get("authorization") == f"Bearer {expected}"

    def _answer(
        self,
        service: str,
        route: str,
        query: dict[str, str],
        headers: dict[str, str],
        fault: _Fault | None,
        authorized: bool,
    ) -> _Reply:
        if fault is not None and fault.kind == "timeout":
            self._stopping.wait(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "status":
            return _json(fault.body, fault.status, fault.headers)
        if fault is not None and fault.kind == "html":
            return _html(fault.status, "Just a moment...")
        reply = self._route_service(service, route, query, headers, authorized)
        if fault is not None:
            _apply(fault, reply)
        return reply

    def _route_service(
        self,
        service: str,
        route: str,
        query: dict[str, str],
        headers: dict[str, str],
        authorized: bool,
    ) -> _Reply:
        handlers: dict[str, Callable[..., _Reply]] = {
            "huggingface": self._huggingface,
            "github": self._github,
            "stackexchange": self._stackexchange,
            "pypistats": self._pypistats,
            "dockerhub": self._dockerhub,
        }
        handler = handlers.get(service)
        if handler is None:
            return _html(404, "404 Not Found")
        return handler(route, query, headers, authorized)

    # -- Hugging Face -------------------------------------------------------------------------

    def _huggingface(
        self, route: str, query: dict[str, str], headers: dict[str, str], authorized: bool
    ) -> _Reply:
        token = self._tokens["huggingface"]
        if token is not None and "authorization" in headers and not authorized:
            return _json({"error": "Invalid credentials in Authorization header"}, 401)
        if route != "models-json":
            return _json({"error": "Sorry, we can't find the page you are looking for."}, 404)
        library = query.get("library")
        with self._lock:
            count = self._hf_counts.get(library, 0) if library else self._hf_all
        page = int(query.get("p", "0") or 0)
        models = [
            {
                "id": f"fake-org/{library or 'model'}-{page * HF_PAGE + i}",
                "author": "fake-org",
                "downloads": 0,
                "likes": 0,
                "pipeline_tag": "text-generation",
                "lastModified": "2026-01-01T00:00:00.000Z",
                "numParameters": None,
                "repoType": "model",
            }
            for i in range(max(0, min(HF_PAGE, count - page * HF_PAGE)))
        ]
        data: dict[str, Any] = {"models": models, "numItemsPerPage": HF_PAGE, "pageIndex": page}
        if query.get("withCount") == "true":
            data["numTotalItems"] = count
        return _json(data)

    # -- GitHub -------------------------------------------------------------------------------

    def _github(
        self, route: str, query: dict[str, str], headers: dict[str, str], authorized: bool
    ) -> _Reply:
        limits = self._github_limits(authorized)
        token = self._tokens["github"]
        if token is not None and "authorization" in headers and not authorized:
            body = {
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
            }
            return _json(body, 401, limits)
        parts = route.strip("/").split("/")
        with self._lock:
            repo, languages, moved = self._github_lookup(parts)
        if moved is not None:
            location = f"{self.url}github/repositories/{moved}"
            body = {"message": "Moved Permanently", "url": location}
            return _json(body, 301, {**limits, "Location": location})
        if repo is None:
            body = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            return _json(body, 404, limits)
        if parts[-1] == "languages":
            return _json(languages, 200, limits)
        return _json(repo, 200, limits)

    def _github_lookup(
        self, parts: list[str]
    ) -> tuple[dict[str, Any] | None, dict[str, int], str | None]:
        """(repository, its languages, redirect path or None) for a route."""
        tail = parts[3:] if parts[0] == "repos" else parts[2:]
        if tail not in ([], ["languages"]):
            return None, {}, None
        if parts[0] == "repos" and len(parts) >= 3:
            name = f"{parts[1]}/{parts[2]}".lower()
            if name in self._renamed:
                target = self._repos[self._renamed[name]]
                return None, {}, "/".join([str(target["id"]), *tail])
            repo = self._repos.get(name)
        elif parts[0] == "repositories" and len(parts) >= 2:
            repo = next((r for r in self._repos.values() if str(r["id"]) == parts[1]), None)
        else:
            return None, {}, None
        if repo is None:
            return None, {}, None
        return dict(repo), dict(self._languages.get(repo["full_name"].lower(), {})), None

    def _github_limits(self, authorized: bool) -> dict[str, str]:
        with self._lock:
            self._gh_remaining[authorized] = max(0, self._gh_remaining[authorized] - 1)
            remaining = self._gh_remaining[authorized]
        limit = 5000 if authorized else 60
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(limit - remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }

    # -- Stack Exchange -----------------------------------------------------------------------

    def _stackexchange(
        self, route: str, query: dict[str, str], headers: dict[str, str], authorized: bool
    ) -> _Reply:
        with self._lock:
            self._se_quota = max(-1, self._se_quota - 1)
            quota = self._se_quota
        expected = self._tokens["stackexchange"]
        if expected is not None and "key" in query and not authorized:
            return _se_error(400, "bad_parameter", f"No application found for key {query['key']}")
        if quota < 0:
            return _se_error(
                502,
                "throttle_violation",
                "too many requests from this IP, more requests available in 86400 seconds",
            )
        site = query.get("site")
        if not site:
            return _se_error(400, "bad_parameter", "site is required")
        if site != SE_SITE:
            return _se_error(400, "bad_parameter", f"No site found for name `{site}`")
        parts = route.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "tags" and parts[2] == "info":
            return self._se_tag_info(unquote(parts[1]).split(";"), quota)
        if parts == ["questions"]:
            return self._se_questions(query, quota)
        return _se_error(404, "no_method", "this method cannot be found")

    def _se_wrapper(self, items: list[Any], quota: int) -> dict[str, Any]:
        return {
            "items": items,
            "has_more": False,
            "quota_max": self._se_quota_max,
            "quota_remaining": quota,
        }

    def _se_tag_info(self, tags: list[str], quota: int) -> _Reply:
        with self._lock:
            known = [
                (t.lower(), self._so_tags[t.lower()]) for t in tags if t.lower() in self._so_tags
            ]
        items = [
            {
                "has_synonyms": True,
                "is_moderator_only": False,
                "is_required": False,
                "count": count,
                "name": name,
            }
            for name, count in known
        ]
        return _json(self._se_wrapper(items, quota))

    def _se_questions(self, query: dict[str, str], quota: int) -> _Reply:
        try:
            start = int(query.get("fromdate", "0"))
            end = int(query.get("todate", str(int(time.time()))))
        except ValueError:
            return _se_error(400, "bad_parameter", "fromdate or todate is not a number")
        tags = [t.lower() for t in query.get("tagged", "").split(";") if t]
        with self._lock:
            total = sum(self._so_month_count(tags, month) for month in _month_starts(start, end))
        if query.get("filter") == "total":
            return _json({"total": total})
        return _json(self._se_wrapper([], quota))

    def _so_month_count(self, tags: list[str], month: str) -> int:
        if len(tags) > 1:  # tagged= is an AND of the tags; the fake knows no overlaps
            return 0
        tag = tags[0] if tags else ""
        default = self._so_monthly_default.get(tag, 0)
        return self._so_months.get((tag, month), default)

    # -- pypistats ----------------------------------------------------------------------------

    def _pypistats(
        self, route: str, query: dict[str, str], headers: dict[str, str], authorized: bool
    ) -> _Reply:
        parts = route.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "packages" or parts[2] != "recent":
            return _html(404, "404 Not Found")
        name = _pypi_name(unquote(parts[1]))
        with self._lock:
            recent = dict(self._pypi.get(name, {}))
        if not recent:
            return _html(404, "404 Not Found")
        period = query.get("period")
        if period in ("day", "week", "month"):
            recent = {f"last_{period}": recent[f"last_{period}"]}
        return _json({"data": recent, "package": name, "type": "recent_downloads"})

    # -- Docker Hub ---------------------------------------------------------------------------

    def _dockerhub(
        self, route: str, query: dict[str, str], headers: dict[str, str], authorized: bool
    ) -> _Reply:
        parts = route.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "repositories":
            return _json({"message": "object not found"}, 404)
        namespace, name = parts[1], parts[2]
        with self._lock:
            counts = self._docker.get(f"{namespace}/{name}".lower())
        if counts is None:
            return _json({"message": "object not found"}, 404)
        return _json(
            {
                "user": namespace,
                "name": name,
                "namespace": namespace,
                "repository_type": "image",
                "status": 1,
                "status_description": "active",
                "description": f"Synthetic {name} image",
                "is_private": False,
                "is_automated": False,
                "star_count": counts["star_count"],
                "pull_count": counts["pull_count"],
                "last_updated": "2026-01-01T00:00:00.000000Z",
                "date_registered": "2017-01-01T00:00:00.000000Z",
                "affiliation": "",
                "media_types": ["application/vnd.oci.image.index.v1+json"],
                "content_types": ["image"],
                "categories": [],
            }
        )


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _route(path: str) -> tuple[str, str]:
    for service, prefix in PREFIXES.items():
        if path.startswith(prefix):
            return service, path[len(prefix) :]
    return "?", path


def _redacted(values: dict[str, str]) -> dict[str, str]:
    """A copy with the bearer token and the Stack Exchange key blanked out."""
    copy = dict(values)
    if "authorization" in copy:
        copy["authorization"] = "Bearer " + REDACTED
    if "key" in copy:
        copy["key"] = REDACTED
    return copy


def _pypi_name(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _copy(fault: _Fault) -> _Fault:
    return _Fault(
        fault.kind,
        fault.path,
        fault.status,
        fault.seconds,
        dict(fault.headers),
        fault.body,
        dict(fault.rename),
    )


def _apply(fault: _Fault, reply: _Reply) -> None:
    """Change a normal answer: broken JSON, renamed keys, or an added backoff."""
    if fault.kind == "malformed":
        reply.raw = reply.encode()[: max(1, len(reply.encode()) // 2)]
    elif fault.kind == "rename":
        reply.data = _rename_keys(reply.data, fault.rename)
    elif fault.kind == "backoff" and isinstance(reply.data, dict) and "items" in reply.data:
        reply.data["backoff"] = int(fault.seconds)
    elif fault.kind == "headers":
        reply.headers.update(fault.headers)


def _write(h: _Handler, reply: _Reply) -> None:
    body = reply.encode()
    h.send_response(reply.status)
    h.send_header("Content-Type", reply.content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in reply.headers.items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)
