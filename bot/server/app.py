"""Slack at the edge: the Bolt app, its listeners and adapters; the only slack_bolt importer."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.server.replies import Origin, Replier
from bot.slack.blocks import DATA_ACTION_ID, RUN_ACTION_ID, SHARE_ACTION_ID
from bot.workers.jobs import Job

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("fwtrend.slack")

EVENTS_PATH = "/slack/events"
# `/fwtrend`, and also e.g. `/fwtrend-dev` for a staging app in the same workspace.
COMMAND = re.compile(r"^/fwtrend(?:[-_][a-z0-9]+)?$")
# Takes a job after the acknowledgement and returns at once (the answer workers' pool).
Work = Callable[[Job], None]


class _SkipTokenNotice(logging.Filter):
    # Bolt notices SLACK_BOT_TOKEN in the environment next to our client; that is intended.
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(
    client: WebClient,
    replier: Replier,
    work: Work,
    *,
    signing_secret: str | None,
) -> App:
    """The Bolt app; ``signing_secret=None`` means Socket Mode (no HTTP requests to verify).

    ``work`` takes each job after the acknowledgement (the answer workers' pool). Constructing
    the app calls auth.test, so a bad token fails here, at start-up.
    """
    bolt_log = logging.getLogger("fwtrend.bolt")
    bolt_log.addFilter(_SkipTokenNotice())
    app = App(
        # Bolt names a per-request logger after the app and copies this logger's level onto
        # it: a name inside the "fwtrend" tree would silence every fwtrend.* INFO line.
        name="fwtrend-bolt-app",
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        # Each listener only acks and hands its job to a worker (microseconds), so it runs in
        # the request's own thread: Bolt's default runs it on another thread and has the
        # request poll for the ack every 10 ms, which adds a thread hop and up to 10 ms to
        # every acknowledgement.
        process_before_response=True,
        logger=bolt_log,
    )
    _register(app, replier, work)
    return app


def _button_origin(body: dict[str, Any]) -> Origin:
    return Origin(
        user_id=(body.get("user") or {}).get("id", ""),
        channel_id=(body.get("channel") or body.get("container") or {}).get("id", ""),
        response_url=body.get("response_url"),
    )


def _register(app: App, replier: Replier, work: Work) -> None:
    @app.middleware
    def answer_each_event_once(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        # Slack redelivers an event it thinks we missed (X-Slack-Retry-Num); its event_id
        # stays the same, so a second delivery is acknowledged and dropped.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not replier.state.first_delivery(f"event:{event_id}"):
            log.info("dropped a redelivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        origin = Origin(
            user_id=command.get("user_id", ""),
            channel_id=command.get("channel_id", ""),
            response_url=command.get("response_url"),
        )
        try:
            triage = replier.first_look(command.get("text", ""), origin.user_id)
        except Exception:  # noqa: BLE001 - still acknowledge; the error reply follows
            log.exception("triage failed; a worker answers instead")
            ack()
            # The reply is a Slack call: a worker makes it (triaging again, and apologising
            # if that fails too), so the acknowledgement is not kept waiting.
            work(Job(kind="converse", origin=origin, text=command.get("text", "")))
            return
        # Help and admin refusals are answered in the acknowledgement itself; slow work (a
        # refresh) says there that it has started. A question, good or bad, goes to a worker,
        # which parses it and replies: parsing here would make every ack as slow as its text.
        said = triage.reply or triage.ack
        if said is not None:
            ack(text=said.text, blocks=said.blocks, response_type="ephemeral")
        else:
            ack()
        if triage.reply is None:
            work(Job(kind="command", origin=origin, triage=triage))

    @app.action(SHARE_ACTION_ID)
    def on_share(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        work(Job(kind="share", origin=_button_origin(body), value=str(action.get("value", ""))))

    @app.action(DATA_ACTION_ID)
    def on_data(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        work(Job(kind="data", origin=_button_origin(body), value=str(action.get("value", ""))))

    @app.action(RUN_ACTION_ID)
    def on_run(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        # "Did you mean …": the corrected question, answered as if typed as a slash command.
        ack()
        work(Job(kind="converse", origin=_button_origin(body), text=str(action.get("value", ""))))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        origin = Origin(
            user_id=event.get("user", ""),
            channel_id=event.get("channel", ""),
            thread_ts=event.get("thread_ts") or event.get("ts"),
        )
        work(Job(kind="converse", origin=origin, text=event.get("text", "")))

    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        # Only people's direct messages; edits, joins, bots (ourselves included) are not asks.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        origin = Origin(
            user_id=event.get("user", ""), channel_id=event.get("channel", ""), is_dm=True
        )
        work(Job(kind="converse", origin=origin, text=event.get("text", "")))


def wsgi_handler(app: App) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    """Bolt's WSGI adapter for POST /slack/events (commands, events and interactivity)."""
    return SlackRequestHandler(app, path=EVENTS_PATH)


def start_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over a WebSocket and serve until interrupted (local use)."""
    SocketModeHandler(app, app_token, web_client=app.client).start()  # type: ignore[no-untyped-call]
