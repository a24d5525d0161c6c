"""A fake Slack Web API: a real HTTP server on 127.0.0.1, for tests and benchmarks.

Standard library only, so benchmark scripts can import it without pytest::

    from tests.fakes.slack_api import FakeSlack

    with FakeSlack() as fake:                        # ThreadingHTTPServer on 127.0.0.1:<free port>
        client = WebClient(token="xoxb-test", base_url=fake.url)
        client.chat_postMessage(channel="C123", text="hi")
        [call] = fake.wait_for("chat.postMessage")
        call.params["channel"]                       # "C123"

What it answers (shaped like Slack's answers, as far as slack_sdk and slack_bolt read them):

* Web API methods at ``/<method>`` and ``/api/<method>``, GET or POST, params merged from the query
  string and a form, JSON or multipart body: ``auth.test``, ``chat.postMessage``,
  ``chat.postEphemeral``, ``chat.update``, ``chat.delete``, ``files.getUploadURLExternal``,
  ``files.completeUploadExternal``, ``files.info``, ``conversations.join``,
  ``conversations.info``, ``conversations.open`` (a user's DM: ``D<user id>``),
  ``conversations.history`` (message ``metadata`` kept),
  ``views.publish``, ``apps.connections.open``. Anything else:
  ``{"ok": false, "error": "unknown_method"}``, so a bot calling a method the fake lacks fails
  loudly.
* Every Web API method needs ``Authorization: Bearer xoxb-…`` (``not_authed`` without a bearer
  token, ``invalid_auth`` for a non-bot token or, when ``FakeSlack(token=…)`` is given, any
  other token). Tokens are never printed, logged or kept: recorded headers/params hold a
  redacted value.
* ``apps.connections.open`` (Socket Mode) instead needs the app-level token, ``xapp-…``
  (``not_allowed_token_type`` for a bot or user token, ``invalid_auth`` for anything else or,
  when ``FakeSlack(app_token=…)`` is given, any other xapp token) and answers ``{"ok": true,
  "url": fake.socket_mode_url}`` — the WebSocket URL of a ``tests.fakes.socket_mode``
  server, set with ``FakeSlack(socket_mode_url=…)`` or the attribute. Without one it answers
  ``socket_mode_not_enabled`` (the fake's own error code).
* ``POST /upload/<file_id>`` — the ``upload_url`` handed out by ``files.getUploadURLExternal``;
  takes raw bytes (what slack_sdk's ``files_upload_v2`` sends, with urllib's default form
  content type, which is *not* decoded) or multipart; answers ``200 OK - <n>``. No token needed.
* ``POST /hooks/<name>`` — slash-command/interactivity ``response_url``s
  (``fake.response_url(name)``); JSON body (or form ``payload=``); answers ``200`` text ``ok``,
  ``400 no_text`` without text/blocks, ``400 invalid_blocks`` for bad blocks.
* Block Kit checks on every message-like payload (50 blocks, 100 for views; section text 3000,
  fields ≤10 of ≤2000; header 150; context ≤10; actions ≤25; image needs alt_text and exactly one
  of image_url/slack_file; unique block_id ≤255) → ``invalid_blocks`` with Slack-style
  ``errors`` (``"… [json-pointer:/blocks/N/…]"``); a non-JSON ``blocks`` string (e.g. a Python
  repr) → ``invalid_blocks_format``; a ``slack_file`` id that is unknown or still processing →
  ``invalid slack file``; markdown blocks in ``files.completeUploadExternal`` → ``internal_error``
  (as Slack does). ``FakeSlack(fetch_image_urls=True)`` also GETs loopback ``image_url``s and
  fails with ``downloading image failed`` unless they answer 200 with an image content type
  (other hosts are never fetched).

File processing: Slack scans uploads asynchronously; until done, ``files.info`` shows the file
with ``mimetype``, ``filetype`` and ``pretty_type`` set to ``""`` and no ``shares``/``channels``.
Here a file completed while ``file_processing_polls`` is N (constructor argument or
``set_file_processing(N)``; default 0) answers "not ready" to its first N ``files.info`` calls and
is ready from call N+1 on; ``FakeFile.ready`` / ``mark_file_ready(file_id)`` for tests.

Channels: by default the bot is a member of every channel. ``not_in_channel(C)`` makes posting and
file sharing to C fail with ``not_in_channel`` until ``conversations.join`` for C succeeds;
``private_channel(C)`` makes ``conversations.join`` fail with
``method_not_supported_for_channel_type`` (and, unless ``member=True``, posting there fail with
``channel_not_found``, as for a private channel the bot cannot see); ``missing_channel(C)``
makes every call naming C fail with ``channel_not_found``.

Faults, queued per method (one entry is used per request; pseudo-methods ``"upload"`` and
``"hook"`` name the upload URL and response_url hooks): ``fail_next``, ``rate_limit_next``;
``delay(method, seconds)`` persists until changed (``"*"`` = every request).

Calls are recorded when the fake answers (after any delay); ``Call.time`` is the
``time.monotonic()`` of arrival.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import mimetypes
import secrets
import threading
import time
import traceback
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler

__all__ = [
    "API_APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "FORM_CONTENT_TYPE",
    "HOOK",
    "JSON_CONTENT_TYPE",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "UPLOAD",
    "Call",
    "FakeFile",
    "FakeSlack",
    "Share",
    "app_home_opened_event",
    "app_mention_event",
    "dm_event",
    "event_body",
    "interactivity_body",
    "sign",
    "signed_headers",
    "slash_command_body",
    "url_verification_body",
]

TEAM_ID = "T123"
TEAM_DOMAIN = "fwtrend-test"
TEAM_NAME = "fwtrend test"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "fwtrend"
API_APP_ID = "A123"
DEFAULT_SCOPES = (
    "commands,chat:write,chat:write.public,files:write,files:read,channels:join,app_mentions:read,"
    "channels:history,im:history"
)

UPLOAD = "upload"
"""Pseudo-method name of requests to an upload URL (``POST /upload/<file_id>``)."""
HOOK = "hook"
"""Pseudo-method name of requests to a response_url (``POST /hooks/<name>``)."""

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"

_REDACTED = "xoxb-<redacted>"
_MAX_TEXT = 40_000


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the fake answered."""

    method: str
    """Web API method (``"chat.postMessage"``), or ``"upload"`` / ``"hook"``."""
    path: str
    """Request path including any query string (``/hooks/<name>`` for hooks)."""
    headers: dict[str, str] = field(repr=False)
    """Lower-cased header names; ``authorization`` is redacted."""
    params: dict[str, Any]
    """Query + form/JSON/multipart body merged (a hook's JSON payload; ``{}`` for uploads)."""
    body: bytes = field(repr=False)
    time: float = field(repr=False)
    """``time.monotonic()`` when the request arrived."""
    status: int = 0
    """HTTP status the fake answered."""
    response: Any = field(default=None, repr=False)
    """The answer: a dict for JSON answers, else the text."""

    def json_param(self, name: str, default: Any = None) -> Any:
        """A param that may be a JSON string in a form post (``blocks``, ``files``, …), decoded."""
        value = self.params.get(name, default)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    @property
    def blocks(self) -> Any:
        return self.json_param("blocks")

    @property
    def ok(self) -> bool:
        return isinstance(self.response, dict) and self.response.get("ok") is True


@dataclass
class Share:
    """A file shared into a channel by ``files.completeUploadExternal``."""

    file_id: str
    channel: str
    ts: str
    thread_ts: str | None = None
    initial_comment: str | None = None
    blocks: Any = None


@dataclass
class FakeFile:
    id: str
    filename: str
    length: int
    """The ``length`` declared to files.getUploadURLExternal."""
    alt_txt: str | None = None
    snippet_type: str | None = None
    title: str | None = None
    content: bytes | None = None
    """Bytes posted to the upload URL (``None`` until uploaded)."""
    completed: bool = False
    polls_left: int = 0
    """files.info calls that will still report the file as processing."""
    created: int = 0
    shares: list[Share] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.completed and self.polls_left <= 0

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"


@dataclass
class _Fault:
    kind: str  # "fail" | "ratelimit"
    error: str = "ratelimited"
    status: int | None = None
    retry_after: int = 1
    extra: dict[str, Any] | None = None


class _SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    record: Any = None

    @classmethod
    def json(
        cls, data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> _Reply:
        return cls(
            status,
            json.dumps(data).encode(),
            "application/json; charset=utf-8",
            dict(headers or {}),
            data,
        )

    @classmethod
    def text(cls, text: str, status: int = 200) -> _Reply:
        return cls(status, text.encode(), "text/plain; charset=utf-8", {}, text)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class _Handler(LoopbackHandler):
    server_version = "FakeSlack/1.0"


class FakeSlack(LoopbackFake):
    """Fake Slack Web API + upload URLs + response_url hooks on ``127.0.0.1:<free port>``."""

    handler = _Handler

    def __init__(
        self,
        *,
        token: str | None = None,
        file_processing_polls: int = 0,
        fetch_image_urls: bool = False,
        scopes: str = DEFAULT_SCOPES,
        app_token: str | None = None,
        socket_mode_url: str | None = None,
    ) -> None:
        super().__init__()
        self._expected_token = token
        self._expected_app_token = app_token
        # What apps.connections.open hands out: a Socket Mode server's ws:// URL.
        self.socket_mode_url = socket_mode_url
        self._default_polls = file_processing_polls
        self.fetch_image_urls = fetch_image_urls
        self.scopes = scopes
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._ts_base = int(time.time())
        self._init_state()

    def _init_state(self) -> None:
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._not_in_channel: set[str] = set()
        self._joined: set[str] = set()
        self._private: dict[str, bool] = {}
        self._missing: set[str] = set()
        self._files: dict[str, FakeFile] = {}
        self._messages: list[dict[str, Any]] = []
        self._shares: list[Share] = []
        self._hooks: dict[str, list[dict[str, Any]]] = {}
        self._polls = self._default_polls
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The same API under ``/api/`` (like ``https://slack.com/api/``)."""
        return self.url + "api/"

    def response_url(self, name: str) -> str:
        """A response_url on this server; its payloads show up in ``hooks(name)``."""
        return f"{self.url}hooks/{quote(name, safe='/')}"

    # -- inspection ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Snapshot of every answered request, in order."""
        with self._lock:
            return list(self._calls)

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self._calls]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` were answered; returns all of them so far."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got {len(found)};"
                        f" recorded: {[c.method for c in self._calls]}"
                    )
                self._cond.wait(left)

    def hooks(self, name: str) -> list[dict[str, Any]]:
        """JSON payloads posted (successfully) to ``response_url(name)``."""
        with self._lock:
            return list(self._hooks.get(name, []))

    def wait_for_hook(
        self, name: str, timeout: float = 5.0, count: int = 1
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = list(self._hooks.get(name, []))
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} payload(s) on hook {name!r} within {timeout}s,"
                        f" got {len(found)}; hooks: {sorted(self._hooks)};"
                        f" recorded: {[c.method for c in self._calls]}"
                    )
                self._cond.wait(left)

    def uploaded(self, file_id: str) -> bytes:
        """Bytes posted to the upload URL of ``file_id``."""
        with self._lock:
            f = self._files.get(file_id)
            if f is None or f.content is None:
                raise KeyError(f"no upload for {file_id!r}; files: {sorted(self._files)}")
            return f.content

    def file(self, file_id: str) -> FakeFile:
        with self._lock:
            return self._files[file_id]

    @property
    def files(self) -> dict[str, FakeFile]:
        with self._lock:
            return dict(self._files)

    @property
    def shares(self) -> list[Share]:
        with self._lock:
            return list(self._shares)

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted with chat.postMessage / chat.postEphemeral (current text after
        chat.update); each has ``channel``, ``ts``, ``text``, ``blocks``, ``thread_ts`` and, for
        ephemeral ones, ``ephemeral_user``."""
        with self._lock:
            return [dict(m) for m in self._messages if channel is None or m["channel"] == channel]

    # -- configuration / fault injection ------------------------------------------------------

    def reset(self) -> None:
        """Forget calls, files, messages, hooks, faults, delays and channel settings."""
        with self._cond:
            self._init_state()
            self._cond.notify_all()

    def forget_calls(self) -> None:
        """Forget calls, messages and hooks only: uploaded files stay, as they do in Slack."""
        with self._cond:
            self._calls, self._messages, self._hooks, self._shares = [], [], {}, []
            self._cond.notify_all()

    def fail_next(
        self,
        method: str,
        times: int = 1,
        error: str = "invalid_blocks",
        *,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Next ``times`` requests to ``method`` answer ``{"ok": false, "error": error, **extra}``
        with HTTP ``status`` (default 200; for ``"upload"`` 500 and ``"hook"`` 400, with the
        error as text)."""
        self._queue(method, times, _Fault("fail", error=error, status=status, extra=extra))

    def rate_limit_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Next ``times`` requests to ``method`` answer HTTP 429, ``Retry-After: retry_after``,
        ``{"ok": false, "error": "ratelimited"}``."""
        self._queue(method, times, _Fault("ratelimit", retry_after=int(retry_after)))

    def _queue(self, method: str, times: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.setdefault(method, deque()).extend([fault] * times)

    def delay(self, method: str, seconds: float) -> None:
        """Answer every request to ``method`` (``"*"``: all) after ``seconds`` (0 removes)."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def not_in_channel(self, channel: str) -> None:
        """The bot is not a member of public ``channel`` until conversations.join is called."""
        with self._lock:
            self._not_in_channel.add(channel)
            self._joined.discard(channel)

    def private_channel(self, channel: str, *, member: bool = False) -> None:
        """``channel`` is private: conversations.join fails; posting needs ``member=True``."""
        with self._lock:
            self._private[channel] = member

    def missing_channel(self, channel: str) -> None:
        """Every call naming ``channel`` fails with ``channel_not_found``."""
        with self._lock:
            self._missing.add(channel)

    def set_file_processing(self, polls: int) -> None:
        """Files completed from now on report "processing" to their first ``polls`` files.info."""
        with self._lock:
            self._polls = polls

    def mark_file_ready(self, file_id: str) -> None:
        with self._lock:
            self._files[file_id].polls_left = 0

    def delete_file(self, file_id: str) -> None:
        """As if the file were deleted in Slack: blocks naming it are refused from now on."""
        with self._lock:
            del self._files[file_id]

    # -- request handling ---------------------------------------------------------------------

    def _serve(self, h: _Handler) -> None:
        arrival = time.monotonic()
        split = urlsplit(h.path)
        path = split.path
        headers = {k.lower(): v for k, v in h.headers.items()}
        try:
            body = _read_body(h, headers)
        except (OSError, ValueError):
            return
        if path.startswith("/hooks/") and len(path) > len("/hooks/"):
            method, target = HOOK, path[len("/hooks/") :]
        elif path.startswith("/upload/") and len(path) > len("/upload/"):
            method, target = UPLOAD, path.rstrip("/").rsplit("/", 1)[-1]
        else:
            method = path[len("/api/") :] if path.startswith("/api/") else path.lstrip("/")
            target = ""
            if not method or "/" in method:
                _write(h, _Reply.text("not found", 404))
                return
        self._sleep(method)
        params: dict[str, Any] = {}
        try:
            if method == UPLOAD:
                reply = self._upload(target, headers, body)
            else:
                try:
                    params = _parse_params(split.query, headers.get("content-type", ""), body)
                except _SlackError as e:
                    bad: _Reply | None = (
                        _Reply.text(e.error, 400)
                        if method == HOOK
                        else _Reply.json({"ok": False, "error": e.error})
                    )
                else:
                    bad = None
                if bad is not None:
                    reply = bad
                elif method == HOOK:
                    reply = self._hook(unquote(target), params)
                else:
                    reply = self._web_api(method, headers, params)
        except Exception:  # a bug in the fake: answer like Slack's 500, keep the traceback
            self._errors.append(traceback.format_exc())
            reply = _Reply.json({"ok": False, "error": "fatal_error"}, status=500)
        if "authorization" in headers:
            headers["authorization"] = "Bearer " + _REDACTED
        if isinstance(params.get("token"), str):
            params["token"] = _REDACTED
        call = Call(method, h.path, headers, params, body, arrival, reply.status, reply.record)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        _write(h, reply)

    def _sleep(self, method: str) -> None:
        with self._lock:
            seconds = self._delays.get(method, self._delays.get("*", 0.0))
        if seconds > 0:
            self._stopping.wait(seconds)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.popleft() if queue else None

    def _web_api(self, method: str, headers: dict[str, str], params: dict[str, Any]) -> _Reply:
        handler = _METHODS.get(method)
        if handler is None:
            return _Reply.json({"ok": False, "error": "unknown_method", "req_method": method})
        scope_headers = {"X-OAuth-Scopes": self.scopes, "X-Accepted-OAuth-Scopes": ""}
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return _Reply.json({"ok": False, "error": "not_authed"})
        token = auth[7:].strip()
        app_level = method in _APP_TOKEN_METHODS
        expected = self._expected_app_token if app_level else self._expected_token
        if app_level and token.startswith(("xoxb-", "xoxp-")):
            return _Reply.json({"ok": False, "error": "not_allowed_token_type"})
        if not token.startswith("xapp-" if app_level else "xoxb-") or (
            expected is not None and not hmac.compare_digest(token.encode(), expected.encode())
        ):
            return _Reply.json({"ok": False, "error": "invalid_auth"})
        fault = self._take_fault(method)
        if fault is not None:
            if fault.kind == "ratelimit":
                return _Reply.json(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(fault.retry_after)},
                )
            data = {"ok": False, "error": fault.error, **(fault.extra or {})}
            return _Reply.json(data, status=fault.status or 200, headers=scope_headers)
        try:
            data = handler(self, params)
        except _SlackError as e:
            data = {"ok": False, "error": e.error, **e.extra}
        return _Reply.json(data, headers=scope_headers)

    def _upload(self, file_id: str, headers: dict[str, str], body: bytes) -> _Reply:
        fault = self._take_fault(UPLOAD)
        if fault is not None:
            if fault.kind == "ratelimit":
                reply = _Reply.text("ratelimited", 429)
                reply.headers["Retry-After"] = str(fault.retry_after)
                return reply
            return _Reply.text(fault.error, fault.status or 500)
        content = body
        ctype = headers.get("content-type", "")
        if ctype.lower().startswith("multipart/form-data"):
            parts = _parse_multipart(ctype, body)
            files = [v for v in parts.values() if isinstance(v, bytes)]
            content = files[0] if files else parts.get("file", b"")  # type: ignore[assignment]
            if isinstance(content, str):
                content = content.encode()
        with self._lock:
            f = self._files.get(file_id)
            if f is None:
                return _Reply.text("not found", 404)
            f.content = content
        return _Reply.text(f"OK - {len(content)}")

    def _hook(self, name: str, params: dict[str, Any]) -> _Reply:
        fault = self._take_fault(HOOK)
        if fault is not None:
            if fault.kind == "ratelimit":
                reply = _Reply.text("rate_limited", 429)
                reply.headers["Retry-After"] = str(fault.retry_after)
                return reply
            return _Reply.text(fault.error, fault.status or 400)
        payload = params
        if set(params) == {"payload"} and isinstance(params["payload"], str):
            try:
                payload = json.loads(params["payload"])
            except ValueError:
                return _Reply.text("invalid_payload", 400)
        if not isinstance(payload, dict):
            return _Reply.text("invalid_payload", 400)
        try:
            blocks = _load_blocks(payload.get("blocks"))
            has_content = payload.get("text") or blocks or payload.get("attachments")
            if not has_content and not payload.get("delete_original"):
                return _Reply.text("no_text", 400)
            if blocks is not None:
                self._check_blocks(blocks)
        except _SlackError as e:
            return _Reply.text(e.error, 400)
        with self._cond:
            self._hooks.setdefault(name, []).append(payload)
        return _Reply.text("ok")

    # -- helpers for the method handlers ------------------------------------------------------

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{self._ts_base + n // 1_000_000}.{n % 1_000_000:06d}"

    def _is_member(self, channel: str) -> bool:
        if channel in self._private:
            return self._private[channel]
        return channel not in self._not_in_channel or channel in self._joined

    def _check_can_post(self, channel: Any) -> str:
        if not isinstance(channel, str) or not channel:
            raise _SlackError("channel_not_found")
        with self._lock:
            if channel in self._missing:
                raise _SlackError("channel_not_found")
            if channel in self._private and not self._private[channel]:
                raise _SlackError("channel_not_found")
            if not self._is_member(channel):
                raise _SlackError("not_in_channel")
        return channel

    def _check_blocks(self, blocks: list[Any], *, max_blocks: int = 50) -> None:
        errors = _block_errors(blocks, max_blocks=max_blocks)
        with self._lock:
            for i, block in enumerate(blocks):
                slack_file = block.get("slack_file") if isinstance(block, dict) else None
                if isinstance(slack_file, dict) and isinstance(slack_file.get("id"), str):
                    f = self._files.get(slack_file["id"])
                    if f is None or not f.ready:
                        errors.append(f"invalid slack file [json-pointer:/blocks/{i}/slack_file]")
        if self.fetch_image_urls and not errors:
            for i, block in enumerate(blocks):
                url = block.get("image_url") if isinstance(block, dict) else None
                if isinstance(url, str) and not _image_fetchable(url):
                    errors.append(f"downloading image failed [json-pointer:/blocks/{i}/image_url]")
        if errors:
            raise _SlackError(
                "invalid_blocks",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )

    def _message_content(self, params: dict[str, Any]) -> tuple[str, list[Any] | None]:
        text = params.get("text") or ""
        if not isinstance(text, str):
            raise _SlackError("invalid_arguments")
        blocks = _load_blocks(params.get("blocks"))
        if not text and not blocks and not params.get("attachments"):
            raise _SlackError("no_text")
        if len(text) > _MAX_TEXT:
            raise _SlackError("msg_too_long")
        if blocks is not None:
            self._check_blocks(blocks)
        return text, blocks

    def _message_object(self, msg: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": API_APP_ID,
            "team": TEAM_ID,
            "text": msg["text"],
            "ts": msg["ts"],
            "bot_profile": {"id": BOT_ID, "app_id": API_APP_ID, "name": BOT_NAME},
        }
        if msg.get("blocks") is not None:
            out["blocks"] = msg["blocks"]
        if msg.get("thread_ts"):
            out["thread_ts"] = msg["thread_ts"]
        if msg.get("metadata"):
            out["metadata"] = msg["metadata"]
        return out

    def _channel_object(self, channel: str) -> dict[str, Any]:
        is_im = channel.startswith("D")
        private = channel in self._private or channel.startswith("G")
        obj: dict[str, Any] = {
            "id": channel,
            "name": channel.lower(),
            "is_channel": not is_im and not private,
            "is_group": private,
            "is_im": is_im,
            "is_private": private or is_im,
            "is_archived": False,
            "is_general": False,
            "is_member": self._is_member(channel),
            "created": self._ts_base,
            "context_team_id": TEAM_ID,
        }
        if is_im:
            obj.update({"user": "U123", "is_open": True})
            del obj["name"]
        return obj

    def _file_object(self, f: FakeFile) -> dict[str, Any]:
        ext = f.filename.rsplit(".", 1)[-1].lower() if "." in f.filename else "binary"
        ready = f.ready
        size = len(f.content) if f.content is not None else f.length
        obj: dict[str, Any] = {
            "id": f.id,
            "created": f.created,
            "timestamp": f.created,
            "name": f.filename,
            "title": f.title or f.filename,
            "mimetype": f.mimetype if ready else "",
            "filetype": ext if ready else "",
            "pretty_type": ext.upper() if ready else "",
            "user": BOT_USER_ID,
            "user_team": TEAM_ID,
            "editable": False,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{self.url}files-pri/{TEAM_ID}-{f.id}/{f.filename}",
            "url_private_download": f"{self.url}files-pri/{TEAM_ID}-{f.id}/download/{f.filename}",
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{f.id}/{f.filename}",
            "permalink_public": f"https://slack-files.com/{TEAM_ID}-{f.id}-0000000000",
            "comments_count": 0,
            "is_starred": False,
            "shares": {},
            "channels": [],
            "groups": [],
            "ims": [],
            "has_more_shares": False,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if f.alt_txt:
            obj["alt_txt"] = f.alt_txt
        if ready:
            shares: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for s in f.shares:
                kind = (
                    "public"
                    if s.channel.startswith("C") and s.channel not in self._private
                    else "private"
                )
                entry: dict[str, Any] = {
                    "reply_users": [],
                    "reply_users_count": 0,
                    "reply_count": 0,
                    "ts": s.ts,
                    "channel_name": s.channel.lower(),
                    "team_id": TEAM_ID,
                    "share_user_id": BOT_USER_ID,
                    "source": "UNKNOWN",
                }
                if s.thread_ts:
                    entry["thread_ts"] = s.thread_ts
                shares.setdefault(kind, {}).setdefault(s.channel, []).append(entry)
                key = (
                    "channels"
                    if kind == "public"
                    else ("ims" if s.channel.startswith("D") else "groups")
                )
                if s.channel not in obj[key]:
                    obj[key].append(s.channel)
            obj["shares"] = shares
            obj["is_public"] = "public" in shares
            size_wh = _png_size(f.content or b"")
            if size_wh is not None:
                obj["original_w"], obj["original_h"] = size_wh
                obj["thumb_360"] = f"{self.url}files-tmb/{TEAM_ID}-{f.id}/{f.filename}"
        return obj

    # -- Web API methods ----------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_can_post(params.get("channel"))
        text, blocks = self._message_content(params)
        with self._lock:
            msg = {
                "channel": channel,
                "ts": self._next_ts(),
                "text": text,
                "blocks": blocks,
                "thread_ts": params.get("thread_ts") or None,
                "metadata": _load_metadata(params.get("metadata")),
            }
            self._messages.append(msg)
            return {
                "ok": True,
                "channel": channel,
                "ts": msg["ts"],
                "message": self._message_object(msg),
            }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_can_post(params.get("channel"))
        user = params.get("user")
        if not isinstance(user, str) or not user:
            raise _SlackError("user_not_in_channel")
        text, blocks = self._message_content(params)
        with self._lock:
            msg = {
                "channel": channel,
                "ts": self._next_ts(),
                "text": text,
                "blocks": blocks,
                "thread_ts": params.get("thread_ts") or None,
                "ephemeral_user": user,
            }
            self._messages.append(msg)
            return {"ok": True, "message_ts": msg["ts"]}

    def _find_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not isinstance(channel, str) or channel in self._missing:
            raise _SlackError("channel_not_found")
        for msg in self._messages:
            if msg["channel"] == channel and msg["ts"] == ts and "ephemeral_user" not in msg:
                return msg
        raise _SlackError("message_not_found")

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        text, blocks = self._message_content(params)
        with self._lock:
            msg = self._find_message(params)
            msg["text"] = text
            if blocks is not None:
                msg["blocks"] = blocks
            return {
                "ok": True,
                "channel": msg["channel"],
                "ts": msg["ts"],
                "text": text,
                "message": self._message_object(msg),
            }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            msg = self._find_message(params)
            self._messages.remove(msg)
            return {"ok": True, "channel": msg["channel"], "ts": msg["ts"]}

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _SlackError("invalid_arguments") from None
        if not isinstance(filename, str) or not filename or length < 1:
            raise _SlackError("invalid_arguments")
        with self._lock:
            file_id = f"F0FAKE{next(self._id_counter):05d}"
            self._files[file_id] = FakeFile(
                id=file_id,
                filename=filename,
                length=length,
                alt_txt=params.get("alt_txt") or None,
                snippet_type=params.get("snippet_type") or None,
                created=int(time.time()),
            )
        return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("files")
        try:
            entries = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise _SlackError("invalid_arguments") from None
        if not isinstance(entries, list) or not entries:
            raise _SlackError("invalid_arguments")
        channels: list[str] = []
        if params.get("channel_id"):
            channels.append(str(params["channel_id"]))
        if params.get("channels"):
            channels.extend(c.strip() for c in str(params["channels"]).split(",") if c.strip())
        thread_ts = params.get("thread_ts") or None
        if thread_ts and len(channels) != 1:
            raise _SlackError("invalid_arguments")
        blocks = _load_blocks(params.get("blocks"))
        if blocks is not None:
            if any(isinstance(b, dict) and b.get("type") == "markdown" for b in blocks):
                raise _SlackError("internal_error")
            self._check_blocks(blocks)
        for channel in channels:
            self._check_can_post(channel)
        with self._lock:
            found: list[tuple[FakeFile, dict[str, Any]]] = []
            for entry in entries:
                f = self._files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
                if f is None or f.content is None:
                    raise _SlackError("file_not_found")
                found.append((f, entry))
            out = []
            for f, entry in found:
                f.title = entry.get("title") or f.title or f.filename
                if not f.completed:
                    f.completed = True
                    f.polls_left = self._polls
                for channel in channels:
                    share = Share(
                        file_id=f.id,
                        channel=channel,
                        ts=self._next_ts(),
                        thread_ts=thread_ts,
                        initial_comment=params.get("initial_comment") or None,
                        blocks=blocks,
                    )
                    f.shares.append(share)
                    self._shares.append(share)
                out.append(self._file_object(f))
            return {"ok": True, "files": out}

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            f = self._files.get(params.get("file"))  # type: ignore[arg-type]
            if f is None or not f.completed:
                raise _SlackError("file_not_found")
            obj = self._file_object(f)  # reports "processing" while polls_left > 0
            if f.polls_left > 0:
                f.polls_left -= 1
            return {
                "ok": True,
                "file": obj,
                "comments": [],
                "response_metadata": {"next_cursor": ""},
            }

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        with self._lock:
            if not isinstance(channel, str) or not channel or channel in self._missing:
                raise _SlackError("channel_not_found")
            if channel in self._private or channel[0] in "DG":
                raise _SlackError("method_not_supported_for_channel_type")
            already = self._is_member(channel)
            self._joined.add(channel)
            data: dict[str, Any] = {"ok": True, "channel": self._channel_object(channel)}
            if already:
                data["warning"] = "already_in_channel"
                data["response_metadata"] = {"warnings": ["already_in_channel"]}
            return data

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        with self._lock:
            if (
                not isinstance(channel, str)
                or not channel
                or channel in self._missing
                or (channel in self._private and not self._private[channel])
            ):
                raise _SlackError("channel_not_found")
            return {"ok": True, "channel": self._channel_object(channel)}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's DM with one user (``users=U…``): channel ``D`` + the user id, always open."""
        users = str(params.get("users") or "").split(",")
        if len(users) != 1 or not users[0].startswith(("U", "W")):
            raise _SlackError("users_list_not_supplied" if not users[0] else "not_implemented")
        channel = "D" + users[0]
        return {"ok": True, "channel": {"id": channel, "is_im": True, "user": users[0]}}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first; metadata only when asked for."""
        channel = params.get("channel")
        with self._lock:
            if not isinstance(channel, str) or not channel or channel in self._missing:
                raise _SlackError("channel_not_found")
            if not self._is_member(channel):
                raise _SlackError("not_in_channel")
            oldest = float(params.get("oldest") or 0)
            limit = int(params.get("limit") or 100)
            with_metadata = str(params.get("include_all_metadata", "")).lower() in {"1", "true"}
            found = []
            for msg in reversed(self._messages):
                if msg["channel"] != channel or msg.get("thread_ts") or msg.get("ephemeral_user"):
                    continue
                if float(msg["ts"]) < oldest:
                    continue
                out = self._message_object(msg)
                if not with_metadata:
                    out.pop("metadata", None)
                found.append(out)
            return {
                "ok": True,
                "messages": found[:limit],
                "has_more": len(found) > limit,
                "response_metadata": {"next_cursor": ""},
            }

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                raise _SlackError("invalid_arguments") from None
        if not params.get("user_id") or not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        if view.get("type") != "home":
            raise _SlackError("invalid_arguments")
        blocks = _load_blocks(view.get("blocks")) or []
        self._check_blocks(blocks, max_blocks=100)
        view_id = f"V0FAKE{next(self._id_counter):05d}"
        return {
            "ok": True,
            "view": {
                **view,
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": API_APP_ID,
                "bot_id": BOT_ID,
                "hash": secrets.token_hex(8),
            },
        }

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            raise _SlackError("socket_mode_not_enabled")
        return {"ok": True, "url": self.socket_mode_url}


_METHODS: dict[str, Any] = {
    "auth.test": FakeSlack._auth_test,
    "chat.postMessage": FakeSlack._chat_post_message,
    "chat.postEphemeral": FakeSlack._chat_post_ephemeral,
    "chat.update": FakeSlack._chat_update,
    "chat.delete": FakeSlack._chat_delete,
    "files.getUploadURLExternal": FakeSlack._files_get_upload_url,
    "files.completeUploadExternal": FakeSlack._files_complete_upload,
    "files.info": FakeSlack._files_info,
    "conversations.join": FakeSlack._conversations_join,
    "conversations.info": FakeSlack._conversations_info,
    "conversations.open": FakeSlack._conversations_open,
    "conversations.history": FakeSlack._conversations_history,
    "views.publish": FakeSlack._views_publish,
    "apps.connections.open": FakeSlack._apps_connections_open,
}
# Methods that take the app-level token (xapp-…) instead of the bot token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


def _read_body(h: _Handler, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(headers.get("content-length") or 0)
    return h.rfile.read(length) if length > 0 else b""


def _write(h: _Handler, reply: _Reply) -> None:
    try:
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        h.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            h.send_header(name, value)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(reply.body)
    except OSError:  # the client went away (e.g. its timeout fired during an injected delay)
        pass


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if ctype == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise _SlackError("invalid_json") from None
        if isinstance(data, dict):
            params.update(data)
    elif ctype == "multipart/form-data":
        params.update(_parse_multipart(content_type, body))
    else:  # form-encoded (also the default when no content type is sent)
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str | bytes]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    out: dict[str, str | bytes] = {}
    if not message.is_multipart():
        return out
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        out[name] = data if part.get_filename() is not None else data.decode("utf-8", "replace")
    return out


def _load_metadata(value: Any) -> dict[str, Any] | None:
    """chat.postMessage's ``metadata`` (JSON text or an object): event_type and event_payload."""
    if isinstance(value, str) and value:
        try:
            value = json.loads(value)
        except ValueError:
            raise _SlackError("invalid_metadata_format") from None
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("event_type"), str):
        raise _SlackError("invalid_metadata_schema")
    return value


def _load_blocks(value: Any) -> list[Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _SlackError("invalid_blocks_format") from None
    if not isinstance(value, list):
        raise _SlackError("invalid_blocks_format")
    return value


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return None


def _block_errors(blocks: list[Any], *, max_blocks: int = 50) -> list[str]:
    """Slack's Block Kit limits that slack_sdk does not check (or checks only for model objects)."""
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    seen: set[str] = set()

    def too_long(value: str | None, limit: int, pointer: str, minimum: int = 1) -> None:
        if value is None:
            errors.append(f"must provide an object [json-pointer:{pointer}]")
        elif len(value) > limit:
            errors.append(f"must be less than {limit + 1} characters [json-pointer:{pointer}]")
        elif len(value) < minimum:
            errors.append(f"must be more than {minimum - 1} characters [json-pointer:{pointer}]")

    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{p}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or len(block_id) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{p}/block_id]")
            elif block_id in seen:
                errors.append(f"duplicate block_id [json-pointer:{p}/block_id]")
            else:
                seen.add(block_id)
        kind = block["type"]
        if kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                errors.append(f"must provide either text or fields [json-pointer:{p}]")
            if text is not None:
                too_long(_text_of(text), 3000, f"{p}/text")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    errors.append(f"must be no more than 10 items [json-pointer:{p}/fields]")
                else:
                    for j, item in enumerate(fields):
                        too_long(_text_of(item), 2000, f"{p}/fields/{j}")
        elif kind == "header":
            too_long(_text_of(block.get("text")), 150, f"{p}/text")
        elif kind in ("context", "actions"):
            limit = 10 if kind == "context" else 25
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                errors.append(f"must provide at least 1 item [json-pointer:{p}/elements]")
            elif len(elements) > limit:
                errors.append(f"must be no more than {limit} items [json-pointer:{p}/elements]")
        elif kind == "image":
            alt = block.get("alt_text")
            too_long(alt if isinstance(alt, str) else None, 2000, f"{p}/alt_text")
            has_url, has_file = "image_url" in block, "slack_file" in block
            if has_url == has_file:
                errors.append(
                    f"must provide exactly one of image_url or slack_file [json-pointer:{p}]"
                )
            elif has_url:
                url = block["image_url"]
                if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                    errors.append(f"must be a valid URL [json-pointer:{p}/image_url]")
                elif len(url) > 3000:
                    errors.append(f"must be less than 3001 characters [json-pointer:{p}/image_url]")
            else:
                ref = block["slack_file"]
                if not isinstance(ref, dict) or ("id" in ref) == ("url" in ref):
                    errors.append(f"invalid slack file [json-pointer:{p}/slack_file]")
            if "title" in block:
                too_long(_text_of(block["title"]), 2000, f"{p}/title")
        elif kind == "markdown":
            text_value = block.get("text")
            too_long(text_value if isinstance(text_value, str) else None, 12000, f"{p}/text")
    return errors


def _image_fetchable(url: str) -> bool:
    """Only loopback URLs are fetched (tests never touch the internet); others pass."""
    host = urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        return True
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            ctype = resp.headers.get_content_type()
            resp.read()
            return resp.status == 200 and ctype in ("image/png", "image/jpeg", "image/gif")
    except OSError:
        return False


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


# --------------------------------------------------------------------------------------------
# Requests from "Slack" to the bot under test
# --------------------------------------------------------------------------------------------


def sign(body: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` (v0) for ``body``, now by default."""
    raw = body.encode() if isinstance(body, str) else body
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode() + b":" + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(
    body: bytes | str,
    secret: str,
    *,
    content_type: str = FORM_CONTENT_TYPE,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Everything Slack sends with a request: Content-Type, signature headers and, for an
    Events API redelivery, ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason``."""
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    headers.update(sign(body, secret, timestamp))
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def _trigger_id() -> str:
    return (
        f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}.{secrets.token_hex(16)}"
    )


def _now_ts() -> str:
    now = time.time()
    return f"{int(now)}.{int(now * 1_000_000) % 1_000_000:06d}"


def slash_command_body(
    text: str,
    *,
    response_url: str,
    user_id: str = "U123",
    channel_id: str = "C123",
    command: str = "/fwtrend",
    trigger_id: str | None = None,
    user_name: str = "tester",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = API_APP_ID,
) -> bytes:
    """A slash-command POST body, form-encoded in the field order Slack uses."""
    fields = [
        ("token", "unused-verification-token"),
        ("team_id", team_id),
        ("team_domain", team_domain),
        ("channel_id", channel_id),
        ("channel_name", channel_name),
        ("user_id", user_id),
        ("user_name", user_name),
        ("command", command),
        ("text", text),
        ("api_app_id", api_app_id),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", trigger_id or _trigger_id()),
    ]
    return urlencode(fields).encode()


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> bytes:
    """An Events API ``event_callback`` envelope (JSON) around ``event``."""
    envelope = {
        "token": "unused-verification-token",
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(12)}",
    }
    return json.dumps(envelope).encode()


def url_verification_body(challenge: str = "challenge-token") -> bytes:
    return json.dumps(
        {"token": "unused-verification-token", "challenge": challenge, "type": "url_verification"}
    ).encode()


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def app_mention_event(
    text: str,
    channel: str = "C123",
    user: str = "U123",
    ts: str | None = None,
    *,
    thread_ts: str | None = None,
    mention: bool = True,
) -> dict[str, Any]:
    """An ``app_mention`` event; ``text`` gets a leading ``<@UBOT> `` unless it mentions the bot
    already or ``mention=False``."""
    if mention and f"<@{BOT_USER_ID}>" not in text:
        text = f"<@{BOT_USER_ID}> {text}"
    ts = ts or _now_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "client_msg_id": secrets.token_hex(16),
        "team": TEAM_ID,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_event(
    text: str, channel: str = "D123", user: str = "U123", ts: str | None = None
) -> dict[str, Any]:
    """A ``message.im`` event: a user's direct message to the bot."""
    ts = ts or _now_ts()
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "client_msg_id": secrets.token_hex(16),
        "team": TEAM_ID,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }


def app_home_opened_event(user: str = "U123", tab: str = "home") -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D123",
        "tab": tab,
        "event_ts": _now_ts(),
    }


def interactivity_body(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user_id: str = "U123",
    channel_id: str = "C123",
    block_id: str = "fwtrend_actions",
    message_ts: str | None = None,
    ephemeral: bool = False,
    text: str = "Button",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> bytes:
    """A ``block_actions`` button click, form-encoded as ``payload=<JSON>`` as Slack sends it.
    ``ephemeral=True``: the button was on an ephemeral message (no ``message`` in the payload)."""
    message_ts = message_ts or _now_ts()
    action = {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": _now_ts(),
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "tester", "name": "tester", "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "unused-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not ephemeral:
        payload["message"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": api_app_id,
            "team": team_id,
            "text": "fwtrend",
            "ts": message_ts,
            "blocks": [
                {
                    "type": "actions",
                    "block_id": block_id,
                    "elements": [
                        {
                            "type": "button",
                            "action_id": action_id,
                            "text": action["text"],
                            "value": value,
                        }
                    ],
                }
            ],
        }
    return urlencode({"payload": json.dumps(payload)}).encode()
