"""An answer's chart on its way to Slack: served by URL, uploaded privately, or following late."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from bot.models import Answer, ChartSpec
from bot.render.charts import chart_alt_text
from bot.slack.chart_uploads import PrivateUploads
from bot.slack.delivery import DeliveryError, SlackDelivery
from bot.slack.messages import chart_message
from bot.store.chart_files import ChartFiles

log = logging.getLogger("fwtrend.replies")

LATE_CHART_TIMEOUT = 120.0  # seconds to keep waiting for a slow upload after the answer went
LATE_CHART_POLL = 1.0  # seconds between checks on a chart that Slack is still processing


class LateChart(BaseModel):
    """A chart uploaded for an answer that already went, to post once Slack has processed it."""

    spec: ChartSpec
    file_id: str
    response_url: str
    deadline: float  # time.time() after which we stop waiting


# Hands a late chart to whoever polls for it; the default polls right here, in this thread.
LateCharts = Callable[[LateChart], None]


@dataclass(frozen=True)
class ChartAttachment:
    image_url: str | None = None
    slack_file_id: str | None = None
    missing: str | None = None  # why there is no image, when there should be
    pending_file_id: str | None = None  # uploaded, still processing: it follows the answer
    reused: bool = False  # slack_file_id is a remembered upload, not one made just now


class ChartAttacher:
    """Puts an answer's PNG where a message can show it, once per distinct chart."""

    def __init__(
        self,
        delivery: SlackDelivery,
        *,
        charts: ChartFiles | None = None,
        public_url: str | None = None,
        late_charts: LateCharts | None = None,
    ) -> None:
        self.delivery = delivery
        self.charts = charts if public_url else None
        self.public_url = public_url.rstrip("/") if public_url else None
        self.late_charts = late_charts or self._wait_for_chart
        self.uploads = PrivateUploads()

    def for_response(self, answer: Answer, png: bytes) -> ChartAttachment:
        """The chart for a response_url message (which cannot carry a file itself)."""
        image_url = self.served_url(png)
        if image_url:
            return ChartAttachment(image_url=image_url)
        # No public URL: upload privately and reference the file once Slack has processed it.
        file_id = self.uploads.get(png)
        if file_id:
            return ChartAttachment(slack_file_id=file_id, reused=True)
        try:
            file_id = self.upload(answer, png)
            if not self.delivery.wait_processed(file_id):
                return ChartAttachment(pending_file_id=file_id)
        except DeliveryError as exc:
            return ChartAttachment(missing=f"upload failed: {exc.reason[:80]}")
        self.uploads.remember(png, file_id)
        return ChartAttachment(slack_file_id=file_id)

    def forget(self, png: bytes) -> None:
        """A remembered upload Slack refused (deleted, or gone with its retention): next time
        the chart is uploaded afresh instead of failing for every answer that shows it."""
        self.uploads.forget(png)

    def served_url(self, png: bytes) -> str | None:
        """The chart's public URL when this web process serves charts, else None."""
        if not (self.public_url and self.charts):
            return None
        return f"{self.public_url}/charts/{self.charts.save(png)}"

    def follow_late(self, answer: Answer, file_id: str, response_url: str) -> None:
        """The answer went without its chart; the chart follows on the same response_url
        (good for 30 minutes) once Slack has processed it."""
        assert answer.chart is not None
        deadline = time.time() + LATE_CHART_TIMEOUT
        late = LateChart(
            spec=answer.chart, file_id=file_id, response_url=response_url, deadline=deadline
        )
        self.late_charts(late)

    def late_chart_step(self, late: LateChart) -> LateChart | None:
        """Check once on a late chart: post it when processed; ``late`` again to check later,
        None when done (posted, or given up on)."""
        if self.delivery.wait_processed(late.file_id, timeout=0):
            self.delivery.respond(late.response_url, chart_message(late.spec, late.file_id))
            return None
        if time.time() + LATE_CHART_POLL > late.deadline:
            log.warning("chart %s still not processed after %s s", late.file_id, LATE_CHART_TIMEOUT)
            return None
        return late

    def _wait_for_chart(self, late: LateChart) -> None:
        # In-process default: poll here until done (the caller is a worker, not an ack).
        pending: LateChart | None = late
        while pending is not None:
            pending = self.late_chart_step(pending)
            if pending is not None:
                time.sleep(LATE_CHART_POLL)

    def upload_into(self, answer: Answer, png: bytes, channel: str, thread_ts: str | None) -> None:
        """Upload the chart into a conversation the bot is in, joining a public channel first
        if Slack says it must."""
        try:
            self.upload(answer, png, channel=channel, thread_ts=thread_ts)
        except DeliveryError as exc:
            if "not_in_channel" not in exc.reason or not self.delivery.join(channel):
                log.warning("chart upload to %s failed: %s", channel, exc.reason)
                return
            self.upload(answer, png, channel=channel, thread_ts=thread_ts)

    def upload(
        self,
        answer: Answer,
        png: bytes,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        assert answer.chart is not None
        return self.delivery.upload_png(
            png,
            filename="fwtrend-chart.png",
            title=answer.chart.title,
            alt_text=chart_alt_text(answer.chart),
            channel=channel,
            thread_ts=thread_ts,
        )
