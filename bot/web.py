"""The web process's WSGI app: Slack's endpoint, /healthz and the served chart PNGs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.chart_files import ChartFiles

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

CHARTS_PREFIX = "/charts/"
HEALTH_PATH = "/healthz"
# Chart names are keyed hashes of their bytes: a name always means the same PNG.
CHART_CACHE = "public, max-age=31536000, immutable"


def make_wsgi_app(
    slack: WSGIApplication,
    *,
    charts: ChartFiles | None,
    health: Callable[[], dict[str, object]],
    slack_path: str,
) -> WSGIApplication:
    """Route requests: ``slack_path`` to Bolt, GET /healthz, GET /charts/<name>.png."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == slack_path:
            return slack(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _health(health, start_response, head=method == "HEAD")
        if path.startswith(CHARTS_PREFIX) and charts is not None and method in ("GET", "HEAD"):
            return _chart(charts, path[len(CHARTS_PREFIX) :], environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    return app


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
        return _plain(start_response, "404 Not Found", "not found")
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


def _plain(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
