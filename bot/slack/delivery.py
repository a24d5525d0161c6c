"""Sending to Slack: response_url replies, channel posts and chart uploads, with retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.slack.messages import Message

log = logging.getLogger("fwtrend.slack")

# Slack scans an upload before it can be shown; it usually takes well under this.
PROCESSING_TIMEOUT = 8.0
POLL_INTERVAL = 0.25


class DeliveryError(Exception):
    """Slack refused or never got a message; ``reason`` is Slack's error code or what failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def retry_handlers() -> list[RetryHandler]:
    """429s wait for Retry-After, dropped connections and 5xx retry with backoff."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=1),
    ]


def web_client(token: str, base_url: str) -> WebClient:
    """The Web API client every Slack call of fwtrend goes through."""
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=15,
        retry_handlers=retry_handlers(),
    )


class SlackDelivery:
    """The few Slack calls fwtrend makes, each raising DeliveryError with a clear reason."""

    def __init__(
        self,
        client: WebClient,
        *,
        processing_timeout: float = PROCESSING_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.processing_timeout = processing_timeout
        self._sleep = sleep

    def respond(
        self,
        response_url: str,
        message: Message | None,
        *,
        response_type: str = "ephemeral",
        replace_original: bool | None = None,
        delete_original: bool | None = None,
    ) -> None:
        """POST to a response_url (it works where the bot is not a member, and in DMs)."""
        hook = WebhookClient(response_url, timeout=15, retry_handlers=retry_handlers())
        try:
            response = hook.send(
                text=message.text if message else None,
                blocks=message.blocks if message else None,
                response_type=None if delete_original else response_type,
                replace_original=replace_original,
                delete_original=delete_original,
            )
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"response_url unreachable: {type(exc).__name__}") from None
        # WebhookClient never raises for HTTP errors; Slack puts the reason in the body.
        if response.status_code != 200:
            raise DeliveryError(str(response.body or response.status_code).strip()[:200])

    def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """chat.postMessage; returns the message ts (a thread parent for charts)."""
        response = self._call(
            self.client.chat_postMessage,
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["ts"])

    def find_posted(self, channel: str, event_type: str, key: str, oldest: float) -> str | None:
        """The ts of our message since ``oldest`` whose metadata carries ``key``, if any."""
        response = self._call(
            self.client.conversations_history,
            channel=channel,
            oldest=f"{oldest:.6f}",
            limit=200,
            include_all_metadata=True,
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == event_type and payload.get("key") == key:
                return str(message["ts"])
        return None

    def post_ephemeral(
        self, channel: str, user: str, message: Message, *, thread_ts: str | None = None
    ) -> None:
        """chat.postEphemeral: only ``user`` sees it (errors and refusals in channels)."""
        self._call(
            self.client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
        )

    def join(self, channel: str) -> bool:
        """Join a public channel so files can be shared there; False when not allowed."""
        try:
            self._call(self.client.conversations_join, channel=channel)
        except DeliveryError as exc:
            log.info("cannot join %s: %s", channel, exc.reason)
            return False
        return True

    def open_dm(self, user: str) -> str:
        """conversations.open: the id of the bot's direct-message channel with ``user``."""
        response = self._call(self.client.conversations_open, users=user)
        channel = (response.get("channel") or {}).get("id")
        if not channel:
            raise DeliveryError("conversations.open returned no channel")
        return str(channel)

    def upload_png(
        self,
        png: bytes,
        *,
        filename: str,
        title: str,
        alt_text: str,
        channel: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """files_upload_v2 (into ``channel``/``thread_ts``, or private); returns the file id."""
        return self.upload_file(
            png,
            filename=filename,
            title=title,
            alt_text=alt_text,
            channel=channel,
            thread_ts=thread_ts,
        )

    def upload_file(
        self,
        content: bytes,
        *,
        filename: str,
        title: str,
        alt_text: str | None = None,
        channel: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """files_upload_v2 of any file (a chart, a CSV); returns the file id."""
        response = self._call(
            self.client.files_upload_v2,
            content=content,
            filename=filename,
            title=title[:250],
            alt_txt=alt_text[:1000] if alt_text else None,
            channel=channel,
            thread_ts=thread_ts,
            request_file_info=False,
        )
        file = response.get("file") or (response.get("files") or [{}])[0]
        file_id = file.get("id") if isinstance(file, dict) else None
        if not file_id:
            raise DeliveryError("upload returned no file id")
        return str(file_id)

    def wait_processed(self, file_id: str, timeout: float | None = None) -> bool:
        """Poll files.info until Slack has processed the file (it cannot be shown before)."""
        deadline = time.monotonic() + (self.processing_timeout if timeout is None else timeout)
        delay = POLL_INTERVAL
        while True:
            info = self._call(self.client.files_info, file=file_id)
            file = info.get("file") or {}
            if file.get("mimetype") and file.get("filetype"):
                return True
            if time.monotonic() + delay > deadline:
                return False
            self._sleep(delay)
            delay = min(delay * 2, 2.0)

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            detail = exc.response.get("errors") if exc.response is not None else None
            reason = str(error or "slack_error")
            if detail:
                reason += f" {detail}"[:300]
            raise DeliveryError(reason) from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}") from None
