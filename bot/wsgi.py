"""The web process's WSGI entry for gunicorn: `gunicorn 'bot.wsgi:application()'`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


def application() -> WSGIApplication:
    """Build the bot from the environment's settings (run once, in the gunicorn worker)."""
    from bot.cli import load_settings, open_engine
    from bot.refusal_log import limit_gunicorn_refusals
    from bot.serve import configure_logging, make_web_app

    configure_logging()
    limit_gunicorn_refusals()
    settings = load_settings()
    return make_web_app(settings, open_engine(settings))
