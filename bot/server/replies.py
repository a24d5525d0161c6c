"""From a Slack request to a delivered reply: triage fast, answer after the ack, attach charts."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from bot.answers import Engine
from bot.models import Answer, Query
from bot.render.charts import render_chart
from bot.render.csv_export import answer_csv
from bot.server.admin import AdminGate
from bot.server.admin_messages import refresh_message, status_message
from bot.server.commands import ADMIN_ACTIONS, Command, parse_command
from bot.slack.charts import ChartAttacher, ChartAttachment, LateChart, LateCharts
from bot.slack.delivery import DeliveryError, SlackDelivery
from bot.slack.messages import (
    CHART_LATE,
    CHART_MISSING,
    DATA_NONE,
    DATA_SENT,
    EXPIRED_TEXT,
    SHARED_BY,
    Message,
    answer_message,
    error_message,
    help_message,
    notice,
)
from bot.slack.state import BotState, SavedAnswer
from bot.store import LockBusy
from bot.store.chart_files import ChartFiles
from bot.store.status import build_status
from bot.understand import QueryError

if TYPE_CHECKING:
    # Only workers refresh and post digests: the acknowledging process never imports them
    # (with them come the live sources, httpx and rich: ~20 MB it would hold for nothing).
    from bot.digest.post import DigestPoster
    from bot.live.refresh import RefreshReport

log = logging.getLogger("fwtrend.replies")

# (source names, who asked) → the report; raises LockBusy when a refresh is already running.
Refresher = Callable[[list[str], str], "RefreshReport"]

ADMIN_USAGE = "Admin commands: {actions}. Example: `/fwtrend admin status`."
REFRESH_STARTED = "Refreshing {names} from the public APIs; the summary follows here."
REFRESH_UNKNOWN = "Unknown source {unknown}. Choose from {choices}, or none for all of them."
REFRESH_BUSY = "A refresh is already running (since {since}); try again when it has finished."
REFRESH_UNAVAILABLE = "Refreshing is not available in this process."
DIGEST_UNAVAILABLE = "The digest preview is not available in this process."
ALREADY_SHARED = "This answer is already posted in the channel."
DATA_EXPIRED = "That answer is no longer available. Ask again to get a fresh one."


class Origin(BaseModel):
    """Where a request came from, and so where its reply goes."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    channel_id: str
    response_url: str | None = None  # slash commands and buttons: reply through it
    thread_ts: str | None = None  # mentions: answer in this thread
    is_dm: bool = False


class Triage(BaseModel):
    """The fast first look at a request: either a reply right away, or work to do after the ack
    (``ack``: what to say meanwhile, for work that takes a while)."""

    model_config = ConfigDict(frozen=True)

    command: Command
    reply: Message | None = None
    query: Query | None = None
    ack: Message | None = None


class Replier:
    """Everything the bot does for a request, with Slack reduced to a SlackDelivery."""

    def __init__(
        self,
        engine: Engine,
        state: BotState,
        delivery: SlackDelivery,
        gate: AdminGate,
        *,
        charts: ChartFiles | None = None,
        public_url: str | None = None,
        refresher: Refresher | None = None,
        digests: DigestPoster | None = None,
        late_charts: LateCharts | None = None,
    ) -> None:
        self.engine = engine
        self.state = state
        self.delivery = delivery
        self.gate = gate
        self.refresher = refresher
        self.digests = digests
        self.attacher = ChartAttacher(
            delivery, charts=charts, public_url=public_url, late_charts=late_charts
        )

    # ------------------------------------------------------------ the fast path (before ack)

    def first_look(self, text: str, user_id: str) -> Triage:
        """What the acknowledgement itself can say: help, admin refusals and usage, a refresh
        starting. Questions are only recognised as questions here; the worker parses them, so
        every acknowledgement costs the same few microseconds whatever was asked."""
        command = parse_command(text)
        if command.action == "help":
            return Triage(command=command, reply=self.help(user_id))
        if command.action == "admin":
            refusal = self.gate.refusal(user_id, command.admin_action or "")
            if refusal:
                return Triage(command=command, reply=notice(refusal))
            if command.admin_action not in ADMIN_ACTIONS:
                actions = ", ".join(f"`{a}`" for a in ADMIN_ACTIONS)
                return Triage(command=command, reply=notice(ADMIN_USAGE.format(actions=actions)))
            if command.admin_action == "refresh":
                return self._triage_refresh(command)
        # digest: built after the ack (it reads the whole store); ask: parsed after the ack
        return Triage(command=command)

    def triage(self, text: str, user_id: str) -> Triage:
        """first_look, and a question parsed too: a bad one gets its error reply."""
        return self._parse_question(self.first_look(text, user_id), user_id)

    def _parse_question(self, triage: Triage, user_id: str) -> Triage:
        if triage.command.action != "ask" or triage.reply is not None or triage.query:
            return triage
        command = triage.command
        try:
            query = self.engine.parse(command.text)
        except QueryError as exc:
            return Triage(command=command, reply=answer_message(self.engine.error_answer(exc.info)))
        if query.kind == "help":
            return Triage(command=command, reply=self.help(user_id))
        return Triage(command=command, query=query)

    def _triage_refresh(self, command: Command) -> Triage:
        # Here, not at the top: an admin refresh is rare, the live sources are heavy.
        from bot.live.refresh import unknown_sources
        from bot.live.sources import SOURCES

        unknown = unknown_sources(command.admin_args)
        if unknown:
            choices = ", ".join(f"`{name}`" for name in SOURCES)
            text = REFRESH_UNKNOWN.format(unknown=", ".join(unknown), choices=choices)
            return Triage(command=command, reply=notice(text))
        names = ", ".join(command.admin_args) or "every source"
        return Triage(command=command, ack=notice(REFRESH_STARTED.format(names=names)))

    def help(self, user_id: str) -> Message:
        engine_help = self.engine.answer(Query(kind="help", text="help"))
        return help_message(engine_help, admin=self.gate.is_admin(user_id))

    # ------------------------------------------------------------ after the ack

    def run(self, triage: Triage, origin: Origin) -> None:
        """Do the work a triage left and deliver it; never raises."""
        try:
            triage = self._parse_question(triage, origin.user_id)  # a first look leaves it
            if triage.ack is not None and not origin.response_url:
                self.deliver_private(origin, triage.ack)  # a slash command's ack carried it
            if triage.reply is not None:
                self.deliver_private(origin, triage.reply)
            elif triage.command.action == "admin":
                self.admin(triage.command, origin)
            elif triage.command.action == "digest":
                self.digest_preview(origin)
            elif triage.query is not None:
                self.deliver_answer(self._answer(triage.query), origin)
        except Exception:  # noqa: BLE001 - a reply must always come back
            self.report_failure(origin)

    def _answer(self, query: Query) -> Answer:
        try:
            return self.engine.answer(query)
        except QueryError as exc:  # understood, but nothing to show (e.g. no data for it)
            return self.engine.error_answer(exc.info)

    def report_failure(self, origin: Origin) -> None:
        """Log the traceback under a short reference and tell the user that reference."""
        ref = secrets.token_hex(4)
        log.exception("reply failed (ref %s, user %s, channel %s)", ref, *_ids(origin))
        self._apologize(origin, ref)

    def report_lost(self, origin: Origin, why: str) -> None:
        """An answer that no worker could finish (``why``): the user still hears back."""
        ref = secrets.token_hex(4)
        log.error("answer lost: %s (ref %s, user %s, channel %s)", why, ref, *_ids(origin))
        self._apologize(origin, ref)

    def _apologize(self, origin: Origin, ref: str) -> None:
        try:
            self.deliver_private(origin, error_message(ref))
        except DeliveryError as exc:
            log.error("could not report failure %s: %s", ref, exc.reason)

    def admin(self, command: Command, origin: Origin) -> None:
        # The gate already passed in triage; checking again keeps admin work behind it even
        # if a caller skips triage.
        if self.gate.refusal(origin.user_id, command.admin_action or "") is not None:
            return
        if command.admin_action == "refresh":
            self._refresh(command.admin_args, origin)
            return
        report = build_status(self.engine.store, self.engine.today, self.engine.stale_after)
        self.deliver_private(origin, status_message(report))

    def _refresh(self, names: list[str], origin: Origin) -> None:
        if self.refresher is None:
            self.deliver_private(origin, notice(REFRESH_UNAVAILABLE))
            return
        try:
            report = self.refresher(names, f"slack admin {origin.user_id}")
        except LockBusy as exc:
            since = f"{exc.since:%H:%M} UTC"
            self.deliver_private(origin, notice(REFRESH_BUSY.format(since=since)))
            return
        names_by_slug = {slug: f.name for slug, f in self.engine.frameworks.items()}
        self.deliver_private(origin, refresh_message(report, names_by_slug))

    def digest_preview(self, origin: Origin) -> None:
        """This week's digest as this channel would get it, shown to the caller only."""
        if self.digests is None:
            self.deliver_private(origin, notice(DIGEST_UNAVAILABLE))
            return
        from bot.digest.view import digest_message  # a worker's job: see the imports above

        digest = self.digests.preview(self.engine.today, origin.channel_id or None)
        file_id = self.digests.attach_chart(digest)
        self.deliver_private(origin, digest_message(digest, slack_file_id=file_id))

    def deliver_answer(self, answer: Answer, origin: Origin) -> None:
        """A slash command gets an ephemeral answer with a share button; a mention or DM a
        visible reply in its thread or conversation."""
        if not answer.ok:
            self.deliver_private(origin, answer_message(answer))
        elif origin.response_url:
            self._answer_ephemeral(answer, origin, origin.response_url)
        else:
            self._answer_visible(answer, origin)

    def share(self, answer_id: str, origin: Origin) -> None:
        """Post a saved answer to the channel exactly as it was shown: never re-asked."""
        assert origin.response_url, "a share comes from a button, which has a response_url"
        saved = self.state.load_answer(answer_id)
        if saved is None:
            self.deliver_private(origin, notice(EXPIRED_TEXT))
            return
        if not self.state.first_delivery(f"share:{answer_id}"):
            self.deliver_private(origin, notice(ALREADY_SHARED))
            return
        message = answer_message(
            saved.answer,
            image_url=saved.image_url,
            slack_file_id=saved.slack_file_id,
            data_value=answer_id,  # the channel's copy exports the very same figures
            extra_context=SHARED_BY.format(user=origin.user_id),
        )
        self.delivery.respond(origin.response_url, message, response_type="in_channel")
        try:  # the private copy with its button has done its job
            self.delivery.respond(origin.response_url, None, delete_original=True)
        except DeliveryError as exc:
            log.info("could not remove the ephemeral original: %s", exc.reason)

    def send_data(self, answer_id: str, origin: Origin) -> None:
        """Upload the figures of a saved answer as CSV into the clicker's DM with the bot."""
        saved = self.state.load_answer(answer_id)
        if saved is None:
            self.deliver_private(origin, notice(DATA_EXPIRED))
            return
        if not saved.answer.figures:
            self.deliver_private(origin, notice(DATA_NONE))
            return
        # A response_url message cannot carry a file, and an ephemeral file is not a thing in
        # Slack: the DM is the one place only the clicker sees it.
        dm = self.delivery.open_dm(origin.user_id)
        self.delivery.upload_file(
            answer_csv(saved.answer).encode(),
            filename="fwtrend-data.csv",
            title=f"Data: {saved.answer.title}",
            channel=dm,
        )
        self.deliver_private(origin, notice(DATA_SENT.format(rows=len(saved.answer.figures))))

    def deliver_private(self, origin: Origin, message: Message) -> None:
        """Only the asker sees it: response_url, an ephemeral in a channel, or the DM itself."""
        if origin.response_url:
            self.delivery.respond(origin.response_url, message)
        elif origin.is_dm:
            self.delivery.post(origin.channel_id, message)
        else:
            self.delivery.post_ephemeral(
                origin.channel_id, origin.user_id, message, thread_ts=origin.thread_ts
            )

    # ------------------------------------------------------------ answers and charts

    def late_chart_step(self, late: LateChart) -> LateChart | None:
        """Check once on a late chart (an answer worker's follow-up job)."""
        return self.attacher.late_chart_step(late)

    def _answer_ephemeral(self, answer: Answer, origin: Origin, response_url: str) -> None:
        png = render_chart(answer.chart) if answer.chart else None
        chart = self.attacher.for_response(answer, png) if png else ChartAttachment()
        saved = SavedAnswer(
            answer=answer,
            image_url=chart.image_url,
            slack_file_id=chart.slack_file_id,
            user_id=origin.user_id,
            channel_id=origin.channel_id,
        )
        share_id = self.state.save_answer(saved)
        note = None
        if chart.pending_file_id:
            note = CHART_LATE
        elif chart.missing:
            note = CHART_MISSING.format(reason=chart.missing)
        message = answer_message(
            answer,
            image_url=chart.image_url,
            slack_file_id=chart.slack_file_id,
            share_value=share_id,
            data_value=share_id,
            extra_context=note,
        )
        try:
            self.delivery.respond(response_url, message)
        except DeliveryError as exc:
            if not (chart.image_url or chart.slack_file_id):
                raise
            if chart.reused and png is not None:
                # The upload we remembered is gone from Slack (deleted, or past retention):
                # forget it and answer once more with a fresh upload (forgotten, it cannot loop).
                log.warning("remembered chart refused (%s); uploading it again", exc.reason)
                self.attacher.forget(png)
                self._answer_ephemeral(answer, origin, response_url)
                return
            # Slack could not fetch or show the image: the answer still goes, without it, and
            # the share button then posts exactly that.
            log.warning("reply with chart refused (%s); sending without it", exc.reason)
            plain = saved.model_copy(update={"image_url": None, "slack_file_id": None})
            plain_id = self.state.save_answer(plain)
            fallback = answer_message(
                answer,
                share_value=plain_id,
                data_value=plain_id,
                extra_context=CHART_MISSING.format(reason=exc.reason[:80]),
            )
            self.delivery.respond(response_url, fallback)
            return
        if chart.pending_file_id:
            self.attacher.follow_late(answer, chart.pending_file_id, response_url)

    def _answer_visible(self, answer: Answer, origin: Origin) -> None:
        png = render_chart(answer.chart) if answer.chart else None
        image_url = self.attacher.served_url(png) if png else None
        data_id = None
        if answer.figures:  # kept so the Data (CSV) button exports exactly these figures
            saved = SavedAnswer(
                answer=answer,
                image_url=image_url,
                user_id=origin.user_id,
                channel_id=origin.channel_id,
            )
            data_id = self.state.save_answer(saved)
        message = answer_message(answer, image_url=image_url, data_value=data_id)
        ts = self.delivery.post(origin.channel_id, message, thread_ts=origin.thread_ts)
        if png and not image_url:
            # The bot is in this conversation (it was mentioned or messaged), so the chart
            # can go right under the answer.
            thread = origin.thread_ts if origin.thread_ts else None if origin.is_dm else ts
            self.attacher.upload_into(answer, png, origin.channel_id, thread)


def _ids(origin: Origin) -> tuple[str, str]:
    return origin.user_id, origin.channel_id
