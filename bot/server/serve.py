"""`fwtrend serve`: check the Slack settings, build the bot, run it (gunicorn or Socket Mode)."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

from bot import __version__
from bot.answers import Engine
from bot.server.admin import AdminGate
from bot.server.after_response import after_response
from bot.server.replies import Replier
from bot.settings import Settings
from bot.slack.charts import LateCharts
from bot.slack.delivery import SlackDelivery, web_client
from bot.slack.state import BotState
from bot.store.chart_files import ChartFiles
from bot.workers import AnswerPool, Job

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from bot.live.refresh import RefreshReport


log = logging.getLogger("fwtrend.serve")

BOT_TOKEN = re.compile(r"^xoxb-[A-Za-z0-9-]{8,}$")
APP_TOKEN = re.compile(r"^xapp-[A-Za-z0-9-]{8,}$")
# Slack's signing secrets are 32 hex digits; a little leeway in case that grows.
SIGNING_SECRET = re.compile(r"^[0-9a-fA-F]{32,128}$")
SETUP_HINT = "See README.md, 'Run the bot in Slack', for where to find each value."
# Seconds answers in flight get after SIGTERM: inside gunicorn's graceful timeout (20 s), with
# room left to apologise for any that could not finish.
GRACEFUL_TIMEOUT = 20
DRAIN_SECONDS = 17.0
_POOLS: list[AnswerPool] = []  # the running bot's, for the shutdown hook


class ConfigError(Exception):
    """A setting the bot cannot start without is missing or malformed (message names it)."""


def slack_config_problems(settings: Settings, *, socket: bool) -> list[str]:
    """Everything wrong with the Slack settings for this mode; never includes a secret's value."""
    problems = []
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not token:
        problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
    elif not BOT_TOKEN.match(token):
        problems.append("SLACK_BOT_TOKEN is malformed: a bot token starts with xoxb-")
    if socket:
        app = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
        if not app:
            problems.append("SLACK_APP_TOKEN is not set (Socket Mode needs the xapp-… token)")
        elif not APP_TOKEN.match(app):
            problems.append("SLACK_APP_TOKEN is malformed: an app-level token starts with xapp-")
    else:
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else ""
        )
        if not secret:
            problems.append("SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret)")
        elif not SIGNING_SECRET.match(secret):
            problems.append("SLACK_SIGNING_SECRET is malformed: expected 32 hexadecimal digits")
    if settings.public_url and not re.match(r"^https?://[^/\s]+", settings.public_url):
        problems.append("FWTREND_PUBLIC_URL must be an http(s) URL, e.g. https://fwtrend.example")
    return problems


def check_slack_settings(settings: Settings, *, socket: bool) -> None:
    problems = slack_config_problems(settings, socket=socket)
    if problems:
        raise ConfigError("cannot start the bot:\n  " + "\n  ".join(problems) + f"\n{SETUP_HINT}")


def check_slack_auth(settings: Settings) -> str:
    """auth.test with the bot token; returns "bot @ team" or raises ConfigError."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    client = _client(settings)
    try:
        result = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        raise ConfigError(f"Slack refused SLACK_BOT_TOKEN: {error}. {SETUP_HINT}") from None
    except (SlackClientError, OSError) as exc:
        raise ConfigError(
            f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__}); "
            "check the network or SLACK_API_URL"
        ) from None
    return f"{result.get('user', '?')} @ {result.get('team', '?')}"


def _client(settings: Settings) -> Any:
    assert settings.slack_bot_token is not None
    return web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


def chart_key(settings: Settings) -> bytes:
    """The key chart names are hashed with: derived from the signing secret, stable across
    restarts and workers, and useless to anyone without it."""
    secret = settings.slack_signing_secret
    assert secret is not None
    return hashlib.sha256(b"fwtrend-charts\0" + secret.get_secret_value().encode()).digest()


@dataclass
class Bot:
    """A running bot's parts; ``app`` is the Bolt App, ``pool`` the answer workers."""

    app: Any
    replier: Replier
    pool: AnswerPool
    charts: ChartFiles | None


def build_replier(
    settings: Settings,
    engine: Engine,
    *,
    socket: bool = False,
    late: LateCharts | None = None,
    answers: bool = True,
) -> Replier:
    """The engine, the bot's state and Slack delivery wired together: the acknowledging
    process builds one to triage (``answers=False``), each answer worker one to answer."""
    check_slack_settings(settings, socket=socket)
    public_url = None if socket else settings.public_url
    charts = ChartFiles(engine.store, chart_key(settings)) if public_url else None
    delivery = SlackDelivery(_client(settings))
    gate = AdminGate(settings.admins)
    if not answers:
        # Triage never refreshes or posts a digest; leaving them out keeps their modules (the
        # live sources, httpx, rich) out of the acknowledging process.
        return Replier(
            engine, BotState(engine.store), delivery, gate, charts=charts, public_url=public_url
        )
    from bot.digest.post import DigestPoster

    def refresher(names: list[str], trigger: str) -> RefreshReport:
        # Imported by the first refresh, not at start: the live sources (httpx, rich; ~6 MB)
        # would otherwise sit in every answer worker that never refreshes.
        from bot.live.refresh import refresh_with_settings

        return refresh_with_settings(settings, names, trigger)

    return Replier(
        engine,
        BotState(engine.store),
        delivery,
        gate,
        charts=charts,
        public_url=public_url,
        refresher=refresher,
        digests=DigestPoster.from_settings(settings, engine, delivery, holder="web"),
        late_charts=late,
    )


def build_bot(settings: Settings, engine: Engine, *, socket: bool = False) -> Bot:
    """The Bolt app that triages and acknowledges, and the worker processes that answer."""
    from bot.server.app import create_app

    replier = build_replier(settings, engine, socket=socket, answers=False)
    # Answers and charts are CPU-bound Python: in worker processes they never hold the GIL
    # an acknowledgement needs.
    pool = AnswerPool(settings.answer_processes, socket=socket, on_lost=replier.report_lost)
    secret = None if socket else settings.slack_signing_secret

    def work(job: Job) -> None:
        # Written to a worker's pipe once the acknowledgement is on the wire: the write's
        # system call and its wait for the GIL stay out of the ack's latency.
        after_response(partial(pool.submit, job))

    app = create_app(
        replier.delivery.client,
        replier,
        work,
        signing_secret=secret.get_secret_value() if secret else None,
    )
    pool.start()
    _POOLS.append(pool)
    return Bot(app=app, replier=replier, pool=pool, charts=replier.attacher.charts)


def drain_answers(timeout: float = DRAIN_SECONDS) -> None:
    """On shutdown: let the answers in flight finish (gunicorn's worker_exit hook calls this)."""
    while _POOLS:
        _POOLS.pop().drain(timeout)


def make_web_app(settings: Settings, engine: Engine) -> WSGIApplication:
    """The web process's WSGI app (what gunicorn serves)."""
    from bot.server.app import EVENTS_PATH, wsgi_handler
    from bot.server.web import make_wsgi_app

    bot = build_bot(settings, engine)

    def health() -> dict[str, object]:
        engine.store.ping()
        return {"ok": True, "version": __version__}

    assert settings.slack_signing_secret is not None  # build_bot checked it
    return make_wsgi_app(
        wsgi_handler(bot.app),
        charts=bot.charts,
        health=health,
        slack_path=EVENTS_PATH,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
    )


def freeze_startup_objects() -> None:
    """Exempt everything loaded at start-up (modules, models, the knowledge base) from the
    cyclic garbage collector, once the process is built.

    A full collection walks every tracked object while holding the GIL: in a built bot that is
    a pause of ~20 ms, which lands on whatever acknowledgements are in flight (the p99). Those
    objects live as long as the process anyway; afterwards a collection only walks new ones.
    """
    gc.collect()
    gc.freeze()


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Their INFO lines are per-request chatter; warnings and errors still come through.
    for name in ("slack_sdk", "slack_bolt", "fwtrend.bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


def gunicorn_argv(settings: Settings) -> list[str]:
    """The gunicorn command line for the web process."""
    from gunicorn.config import KNOWN_SETTINGS

    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--workers",
        "1",  # acknowledges; answers and charts run in its answer worker processes
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.web_threads),
        "--timeout",
        "30",
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT),
        "--config",
        "python:bot.server.gunicorn_conf",  # its worker_exit hook drains the answers in flight
        "--keep-alive",
        "5",
        "--error-logfile",
        "-",
        "--log-level",
        "info",
    ]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        argv.append("--no-control-socket")  # gunicorn ≥ 25 puts one in $HOME; two would clash
    return [*argv, "bot.server.wsgi:application()"]


def run_http(settings: Settings) -> NoReturn:
    """Replace this process with gunicorn serving HTTP on settings.host:settings.port.

    An exec, not a fork: the checks already ran here, and gunicorn's master then stays small
    while the worker alone loads the bot.
    """
    argv = gunicorn_argv(settings)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)


def run_socket(settings: Settings, engine: Engine) -> None:
    """Socket Mode: no public URL needed; for local development."""
    from bot.server.app import start_socket_mode

    configure_logging()
    bot = build_bot(settings, engine, socket=True)
    freeze_startup_objects()
    assert settings.slack_app_token is not None
    try:
        start_socket_mode(bot.app, settings.slack_app_token.get_secret_value())
    finally:
        drain_answers()
