"""The web process's WSGI app: Slack's endpoint, /healthz and the served chart PNGs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.server.after_response import serve_then_run
from bot.server.refusal_log import RefusalLog
from bot.server.request_guard import Refusal, SlackRequestGuard
from bot.store.chart_files import NAME as CHART_NAME
from bot.store.chart_files import ChartFiles

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("fwtrend.web")

CHARTS_PREFIX = "/charts/"
HEALTH_PATH = "/healthz"
# Chart names are keyed hashes of their bytes: a name always means the same PNG.
CHART_CACHE = "public, max-age=31536000, immutable"
READ_METHODS = ("GET", "HEAD")
STATUS_TEXT = {
    400: "400 Bad Request",
    401: "401 Unauthorized",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    415: "415 Unsupported Media Type",
}


def make_wsgi_app(
    slack: WSGIApplication,
    *,
    charts: ChartFiles | None,
    health: Callable[[], dict[str, object]],
    slack_path: str,
    signing_secret: str,
    refusals: RefusalLog | None = None,
) -> WSGIApplication:
    """Route requests: POST ``slack_path`` to Bolt once verified, GET /healthz, GET
    /charts/<name>.png; everything else is refused with a 4xx and one (rate-limited) log line."""
    guard = SlackRequestGuard(signing_secret)
    refused = refusals or RefusalLog(log)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == slack_path:
                _allow(method, ("POST",))
                guard.admit(environ)
                # Jobs the listeners accept go to the answer workers after the ack is sent.
                return serve_then_run(slack, environ, start_response)
            if path == HEALTH_PATH:
                _allow(method, READ_METHODS)
                return _health(health, start_response, head=method == "HEAD")
            if path.startswith(CHARTS_PREFIX) and charts is not None:
                name = _chart_name(environ, path)
                _allow(method, READ_METHODS)
                return _chart(charts, name, environ, start_response)
            raise Refusal(404, "unknown route")
        except Refusal as refusal:
            refused.refused(method, path, refusal.status, refusal.reason)
            return _refuse(start_response, refusal)

    return app


def _allow(method: str, allowed: tuple[str, ...]) -> None:
    if method not in allowed:
        raise Refusal(405, f"method not allowed (use {', '.join(allowed)})")


def _chart_name(environ: WSGIEnvironment, path: str) -> str:
    """The chart name of a /charts/ path, or Refusal(404) for anything but a plain name."""
    name = path[len(CHARTS_PREFIX) :]
    # PATH_INFO is already percent-decoded; a name never needs encoding, so any in the raw
    # URI (%2F, %2e%2e, %00) is a trick, whatever it decodes to.
    raw = str(environ.get("RAW_URI", path)).split("?", 1)[0]
    if raw != path or not CHART_NAME.match(name):
        raise Refusal(404, "not a chart name")
    return name


def _health(
    health: Callable[[], dict[str, object]], start_response: StartResponse, *, head: bool
) -> Iterable[bytes]:
    try:
        report = health()
        status = "200 OK" if report.get("ok") else "503 Service Unavailable"
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not crash
        report, status = {"ok": False, "error": type(exc).__name__}, "503 Service Unavailable"
    body = json.dumps(report).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [] if head else [body]


def _chart(
    charts: ChartFiles, name: str, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    data = charts.read(name)
    if data is None:
        raise Refusal(404, "no such chart")
    etag = f'"{name[:-4]}"'
    headers = [("Cache-Control", CHART_CACHE), ("ETag", etag)]
    if environ.get("HTTP_IF_NONE_MATCH") == etag:
        start_response("304 Not Modified", headers)
        return []
    start_response(
        "200 OK",
        [("Content-Type", "image/png"), ("Content-Length", str(len(data))), *headers],
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [data]


def _refuse(start_response: StartResponse, refusal: Refusal) -> Iterable[bytes]:
    # The same small JSON Bolt answers a bad signature with; the reason stays in our log.
    body = json.dumps({"error": "invalid request" if refusal.status == 401 else "refused"})
    data = body.encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(STATUS_TEXT.get(refusal.status, f"{refusal.status} Refused"), headers)
    return [data]
