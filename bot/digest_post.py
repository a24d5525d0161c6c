"""Posting the digest exactly once per channel and week, through parallel clocks and crashes."""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel

from bot.admin import AdminGate
from bot.answers import Engine
from bot.charts import chart_alt_text, render_chart
from bot.digest import Digest, build_digest, week_key
from bot.digest_view import digest_message
from bot.settings import Settings
from bot.slack_delivery import DeliveryError, SlackDelivery
from bot.slack_messages import notice
from bot.store import connect, write_transaction

log = logging.getLogger("fwtrend.digest")

MARKER = "fwtrend_digest"  # message metadata event_type: finds a post after a crash
# A claim to post that is older than this, from a holder that is gone, was abandoned mid-post.
CLAIM_TTL = timedelta(minutes=10)
ALERT = (
    "I could not post the weekly fwtrend digest in <#{channel}>: {reason}. "
    "Invite me there (`/invite @fwtrend`) or remove the channel from `FWTREND_DIGEST_CHANNELS`."
)

Outcome = Literal["posted", "already", "busy", "skipped", "failed"]


class PostResult(BaseModel):
    """What happened to one channel's digest this week."""

    channel: str
    week: str
    outcome: Outcome
    ts: str | None = None
    reason: str | None = None


class DigestPoster:
    """Builds and posts digests; the digest log in the store makes each post happen once."""

    def __init__(
        self,
        engine: Engine,
        delivery: SlackDelivery,
        admins: Sequence[str],
        *,
        when_quiet: Literal["post", "skip"] = "post",
        holder: str = "digest",
    ) -> None:
        self.engine = engine
        self.delivery = delivery
        self.admins = list(admins)
        self.when_quiet = when_quiet
        self.holder = holder
        self.db = connect(engine.store.path)  # this poster's writes, apart from answer reads
        self.host, self.pid = socket.gethostname(), os.getpid()

    @classmethod
    def from_settings(
        cls, settings: Settings, engine: Engine, delivery: SlackDelivery, *, holder: str
    ) -> DigestPoster:
        """A poster for this deployment: its admins and its quiet-week choice."""
        return cls(
            engine,
            delivery,
            sorted(AdminGate(settings.admins).admins),
            when_quiet=settings.digest_when_quiet,
            holder=holder,
        )

    def preview(self, today: date, channel: str | None = None) -> Digest:
        """The digest as it would be posted now (to ``channel``, or after the latest post)."""
        return preview_digest(self.engine, today, channel)

    def post(self, channel: str, today: date, *, force: bool = False) -> PostResult:
        """Post this week's digest to ``channel`` unless it already went (``force``: again)."""
        week = week_key(today)
        claim = self._claim(channel, week, force)
        if isinstance(claim, PostResult):
            return claim
        if claim == "recover":
            found = self._find_post(channel, week)
            if found:
                self._finish(channel, week, "posted", ts=found, known=None, today=today)
                return PostResult(channel=channel, week=week, outcome="already", ts=found)
        since, known = self._previous(channel, week)
        digest = self._build(today, since, known)
        snapshot = {
            "claims": sorted(self.engine.store.claims()),
            "sources": sorted(self.engine.store.sources()),
        }
        if digest.quiet and self.when_quiet == "skip":
            self._finish(channel, week, "skipped", known=snapshot, today=today)
            return PostResult(channel=channel, week=week, outcome="skipped", reason="quiet week")
        try:
            ts = self._send(channel, week, digest)
        except DeliveryError as exc:
            self._finish(channel, week, "failed", reason=exc.reason, today=today)
            self._alert_once(channel, exc.reason)
            return PostResult(channel=channel, week=week, outcome="failed", reason=exc.reason)
        self._finish(channel, week, "posted", ts=ts, known=snapshot, today=today)
        self._clear_alert(channel)
        return PostResult(channel=channel, week=week, outcome="posted", ts=ts)

    # ------------------------------------------------------------ the log

    def _claim(self, channel: str, week: str, force: bool) -> str | PostResult:
        """Take the (channel, week) row: "go", "recover" (an abandoned claim), or why not."""
        now = datetime.now(UTC)
        with write_transaction(self.db):
            row = self.db.execute(
                "select status, claimed_at, host, pid, ts from digest_log "
                "where channel = ? and week = ?",
                [channel, week],
            ).fetchone()
            if row is not None:
                status, claimed_at, host, pid, ts = row
                if status in ("posted", "skipped") and not force:
                    return PostResult(channel=channel, week=week, outcome="already", ts=ts)
                if status == "posting" and self._claim_alive(claimed_at, host, pid, now):
                    return PostResult(channel=channel, week=week, outcome="busy")
            self.db.execute(
                "insert or replace into digest_log (channel, week, status, holder, host, pid, "
                "claimed_at) values (?, ?, 'posting', ?, ?, ?, ?)",
                [channel, week, self.holder, self.host, self.pid, now.isoformat()],
            )
        return "recover" if row is not None and row[0] == "posting" else "go"

    def _claim_alive(self, claimed_at: str, host: str, pid: int, now: datetime) -> bool:
        if now - datetime.fromisoformat(claimed_at) > CLAIM_TTL:
            return False
        if host == self.host:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False  # crashed on this machine
            except PermissionError:
                return True
        return True

    def _finish(
        self,
        channel: str,
        week: str,
        status: str,
        *,
        today: date,
        ts: str | None = None,
        known: dict[str, list[str]] | None = None,
        reason: str | None = None,
    ) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "update digest_log set status = ?, ts = ?, posted_at = ?, digest_date = ?, "
                "known = coalesce(?, known), reason = ? where channel = ? and week = ?",
                [
                    status,
                    ts,
                    datetime.now(UTC).isoformat(),
                    today.isoformat(),
                    json.dumps(known) if known is not None else None,
                    reason,
                    channel,
                    week,
                ],
            )

    def _previous(self, channel: str, week: str) -> tuple[date | None, dict[str, Any] | None]:
        return previous_digest(self.db, channel, week)

    def _build(self, today: date, since: date | None, known: dict[str, Any] | None) -> Digest:
        return _build(self.engine, today, since, known)

    # ------------------------------------------------------------ Slack

    def _send(self, channel: str, week: str, digest: Digest) -> str:
        file_id = self.attach_chart(digest)
        message = digest_message(digest, slack_file_id=file_id)
        metadata = {"event_type": MARKER, "event_payload": {"key": f"{channel}:{week}"}}
        try:
            return self.delivery.post(channel, message, metadata=metadata)
        except DeliveryError as exc:
            # A public channel the bot has not joined: join it (channels:join) and try again.
            if "not_in_channel" not in exc.reason or not self.delivery.join(channel):
                raise
            return self.delivery.post(channel, message, metadata=metadata)

    def attach_chart(self, digest: Digest) -> str | None:
        """Upload the chart privately; its file id once Slack has processed it, else None."""
        if digest.chart is None:
            return None
        try:
            file_id = self.delivery.upload_png(
                render_chart(digest.chart),
                filename=f"fwtrend-{digest.week}.png",
                title=digest.chart.title,
                alt_text=chart_alt_text(digest.chart),
            )
            return file_id if self.delivery.wait_processed(file_id) else None
        except DeliveryError as exc:
            log.warning("digest chart not attached: %s", exc.reason)
            return None

    def _find_post(self, channel: str, week: str) -> str | None:
        row = self.db.execute(
            "select claimed_at from digest_log where channel = ? and week = ?", [channel, week]
        ).fetchone()
        # Look back to well before the abandoned claim: the post may have gone out just then.
        oldest = datetime.fromisoformat(row[0]).timestamp() - 3600 if row else 0.0
        try:
            return self.delivery.find_posted(channel, MARKER, f"{channel}:{week}", oldest)
        except DeliveryError as exc:
            log.warning("could not check %s for an earlier digest: %s", channel, exc.reason)
            return None

    def _alert_once(self, channel: str, reason: str) -> None:
        with write_transaction(self.db):
            row = self.db.execute(
                "select reason from digest_alerts where channel = ?", [channel]
            ).fetchone()
            if row is not None and row[0] == reason:
                return  # the admins know already
            self.db.execute(
                "insert or replace into digest_alerts (channel, reason, alerted_at) "
                "values (?, ?, ?)",
                [channel, reason, datetime.now(UTC).isoformat()],
            )
        log.error("digest for %s failed: %s", channel, reason)
        message = notice(ALERT.format(channel=channel, reason=reason))
        for admin in self.admins:
            try:
                self.delivery.post(admin, message)  # a user id: the bot's DM with them
            except DeliveryError as exc:
                log.error("could not tell admin %s: %s", admin, exc.reason)

    def _clear_alert(self, channel: str) -> None:
        with write_transaction(self.db):
            self.db.execute("delete from digest_alerts where channel = ?", [channel])


def preview_digest(engine: Engine, today: date, channel: str | None = None) -> Digest:
    """The digest that would go out now: after ``channel``'s last one (or the latest anywhere)."""
    since, known = previous_digest(engine.store.db, channel, week_key(today))
    return _build(engine, today, since, known)


def previous_digest(
    db: sqlite_utils.Database, channel: str | None, week: str
) -> tuple[date | None, dict[str, Any] | None]:
    """The date and the known claims/sources of the last digest before ``week``."""
    row = db.execute(
        "select digest_date, known from digest_log where status in ('posted', 'skipped') "
        "and week < ? and (? is null or channel = ?) order by week desc limit 1",
        [week, channel, channel],
    ).fetchone()
    if row is None or not row[0]:
        return None, None
    return date.fromisoformat(row[0]), json.loads(row[1]) if row[1] else None


def _build(engine: Engine, today: date, since: date | None, known: dict[str, Any] | None) -> Digest:
    return build_digest(
        engine,
        today,
        since=since,
        known_claims=set(known["claims"]) if known else None,
        known_sources=set(known["sources"]) if known else None,
    )
