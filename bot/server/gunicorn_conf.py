"""gunicorn hooks for the web process (`gunicorn --config python:bot.server.gunicorn_conf`)."""

from __future__ import annotations

from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    """After SIGTERM, once gunicorn stopped taking requests: let the answers in flight finish."""
    from bot.server.serve import drain_answers

    drain_answers()
