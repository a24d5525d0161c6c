"""The clock process: the weekly digest on its cron schedule (APScheduler), refreshing first."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.answers import Engine
from bot.digest.post import DigestPoster, PostResult
from bot.live.refresh import LockBusy, refresh_with_settings
from bot.settings import Settings
from bot.slack.delivery import SlackDelivery, web_client

log = logging.getLogger("fwtrend.clock")

# A digest late by up to this much (the clock was down at 09:00) still goes out once.
MISFIRE_GRACE = 6 * 3600


def digest_poster(settings: Settings, engine: Engine) -> DigestPoster:
    """A poster wired to Slack from the settings (SLACK_BOT_TOKEN must be set)."""
    assert settings.slack_bot_token is not None
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return DigestPoster.from_settings(settings, engine, SlackDelivery(client), holder="clock")


def local_today(settings: Settings, now: datetime | None = None) -> date:
    """Today in the digest's time zone (or FWTREND_TODAY): it decides the week."""
    if settings.today:
        return settings.today
    return (
        (now or datetime.now(ZoneInfo(settings.digest_tz)))
        .astimezone(ZoneInfo(settings.digest_tz))
        .date()
    )


def digest_job(settings: Settings, engine: Engine, poster: DigestPoster) -> list[PostResult]:
    """One scheduled run: refresh (unless switched off), then each channel's digest."""
    if settings.digest_refresh:
        try:
            report = refresh_with_settings(settings, [], "clock")
            log.info(
                "refresh before the digest: %d of %d sources ok",
                len(report.outcomes) - len(report.failed),
                len(report.outcomes),
            )
        except LockBusy as exc:
            log.warning("digest uses the data as it is: %s", exc)
    today = local_today(settings)
    results = []
    for channel in settings.digest_channels:
        result = poster.post(channel, today)
        log.info("digest %s %s: %s %s", result.week, channel, result.outcome, result.reason or "")
        results.append(result)
    return results


def make_scheduler(settings: Settings, job: object) -> BackgroundScheduler:
    """A scheduler with the digest on FWTREND_DIGEST_CRON in FWTREND_DIGEST_TZ."""
    zone = ZoneInfo(settings.digest_tz)
    scheduler = BackgroundScheduler(timezone=zone)
    scheduler.add_job(
        job,
        CronTrigger.from_crontab(settings.digest_cron, timezone=zone),
        id="weekly-digest",
        misfire_grace_time=MISFIRE_GRACE,
        coalesce=True,  # several missed runs become one
        max_instances=1,
    )
    return scheduler


def run_clock(settings: Settings, engine: Engine, poster: DigestPoster) -> datetime | None:
    """Block, posting digests on schedule, until SIGTERM or SIGINT; returns the next run due."""
    scheduler = make_scheduler(settings, lambda: digest_job(settings, engine, poster))
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        # A platform stops dynos with SIGTERM: finish cleanly instead of dying mid-post. Only
        # an event is set here: a signal may land anywhere, even inside the scheduler's start.
        stopping.set()

    zone = ZoneInfo(settings.digest_tz)
    job = scheduler.get_jobs()[0]
    upcoming: datetime | None = job.trigger.get_next_fire_time(None, datetime.now(zone))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    log.info("next digest %s to %s", upcoming, ", ".join(settings.digest_channels))
    while not stopping.wait(1.0):
        pass
    log.info("stopping on a signal")
    scheduler.shutdown(wait=False)
    return upcoming
