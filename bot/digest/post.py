"""Posting the digest exactly once per channel and week, through parallel clocks and crashes."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from bot.answers import Engine
from bot.digest.content import Digest, build_digest, week_key
from bot.digest.view import digest_message
from bot.render.charts import chart_alt_text, render_chart
from bot.settings import Settings
from bot.slack.delivery import DeliveryError, SlackDelivery
from bot.slack.messages import notice
from bot.store import Store

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
        self.store = engine.store

    @classmethod
    def from_settings(
        cls, settings: Settings, engine: Engine, delivery: SlackDelivery, *, holder: str
    ) -> DigestPoster:
        """A poster for this deployment: its admins and its quiet-week choice."""
        return cls(
            engine,
            delivery,
            sorted(set(settings.admins)),  # Settings has checked and trimmed each id
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
        claim = self.store.claim_digest(channel, week, self.holder, force=force, ttl=CLAIM_TTL)
        if claim.outcome in ("go", "recover"):
            return claim.outcome
        return PostResult(channel=channel, week=week, outcome=claim.outcome, ts=claim.ts)

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
        self.store.finish_digest(
            channel,
            week,
            status,
            today=today,
            ts=ts,
            known_json=json.dumps(known) if known is not None else None,
            reason=reason,
        )

    def _previous(self, channel: str, week: str) -> tuple[date | None, dict[str, Any] | None]:
        return previous_digest(self.store, channel, week)

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
        claimed_at = self.store.digest_claimed_at(channel, week)
        # Look back to well before the abandoned claim: the post may have gone out just then.
        oldest = claimed_at.timestamp() - 3600 if claimed_at else 0.0
        try:
            return self.delivery.find_posted(channel, MARKER, f"{channel}:{week}", oldest)
        except DeliveryError as exc:
            log.warning("could not check %s for an earlier digest: %s", channel, exc.reason)
            return None

    def _alert_once(self, channel: str, reason: str) -> None:
        if not self.store.note_digest_alert(channel, reason):
            return  # the admins know already
        log.error("digest for %s failed: %s", channel, reason)
        message = notice(ALERT.format(channel=channel, reason=reason))
        for admin in self.admins:
            try:
                self.delivery.post(admin, message)  # a user id: the bot's DM with them
            except DeliveryError as exc:
                log.error("could not tell admin %s: %s", admin, exc.reason)

    def _clear_alert(self, channel: str) -> None:
        self.store.clear_digest_alert(channel)


def preview_digest(engine: Engine, today: date, channel: str | None = None) -> Digest:
    """The digest that would go out now: after ``channel``'s last one (or the latest anywhere)."""
    since, known = previous_digest(engine.store, channel, week_key(today))
    return _build(engine, today, since, known)


def previous_digest(
    store: Store, channel: str | None, week: str
) -> tuple[date | None, dict[str, Any] | None]:
    """The date and the known claims/sources of the last digest before ``week``."""
    day, known = store.previous_digest(channel, week)
    return day, json.loads(known) if known else None


def _build(engine: Engine, today: date, since: date | None, known: dict[str, Any] | None) -> Digest:
    return build_digest(
        engine,
        today,
        since=since,
        known_claims=set(known["claims"]) if known else None,
        known_sources=set(known["sources"]) if known else None,
    )
