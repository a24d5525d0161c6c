"""The web process's WSGI entry for gunicorn: `gunicorn 'bot.server.wsgi:application()'`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


ACK_SWITCH_SECONDS = 0.001


def application() -> WSGIApplication:
    """Build the bot from the environment's settings (run once, in the gunicorn worker)."""
    # sqlite-utils imports numpy whenever it is installed (~12 MB), only to map numpy scalar
    # types to columns; this process stores none and draws no chart (its answer workers do),
    # so it loads the bot without. Afterwards anything that really needs numpy still gets it.
    blocked = "numpy" not in sys.modules
    if blocked:
        sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        from bot.cli import load_settings, open_engine
        from bot.server.refusal_log import limit_gunicorn_refusals
        from bot.server.serve import configure_logging, freeze_startup_objects, make_web_app
    finally:
        if blocked:
            del sys.modules["numpy"]

    # An acknowledging thread back from a system call (accept, recv, send) waits for the GIL
    # until the thread holding it lets go: at most 5 ms by default, several times per request.
    # Requests here are about a millisecond of Python each and answers run elsewhere, so a
    # shorter turn costs little throughput and takes most of that wait off the slowest acks.
    sys.setswitchinterval(ACK_SWITCH_SECONDS)
    configure_logging()
    limit_gunicorn_refusals()
    settings = load_settings()
    app = make_web_app(settings, open_engine(settings))
    freeze_startup_objects()
    return app
