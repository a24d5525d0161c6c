"""The floor for bench_slack.py: a Bolt app under the same gunicorn settings that only acks."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.settings import Settings

bolt = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    # Bolt runs each listener on this pool while the request thread waits for ack(): as many
    # as the web process has request threads, so neither side queues behind the other.
    listener_executor=ThreadPoolExecutor(Settings().web_threads),
)


@bolt.command("/fwtrend")
def ack_only(ack: Ack, command: dict[str, Any]) -> None:
    ack()


api = SlackRequestHandler(bolt)
