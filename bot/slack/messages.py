"""Slack messages that are not answers: help, notices, refusals, chart notes, share credits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.models import Answer, ChartSpec, TableRow
from bot.slack.blocks import (
    answer_blocks,
    answer_fallback_text,
    chart_image_block,
    context_block,
    fit_blocks,
    header_block,
    section_block,
)

BlockDict = dict[str, Any]

# Rows the Slack help adds to the engine's examples: ways in that only exist in Slack.
SLACK_COMMAND_ROWS = [
    TableRow(key="help", label="this list"),
    TableRow(key="digest", label="this week's digest, shown only to you"),
]
SLACK_OTHER_ROWS = [
    TableRow(key="@fwtrend <question>", label="in a channel: the answer arrives in a thread"),
    TableRow(key="a direct message to fwtrend", label="the answer arrives in the conversation"),
]
ADMIN_COMMAND_ROWS = [
    TableRow(key="admin status", label="admins: freshness per source, counts, store size, version"),
    TableRow(key="admin refresh [source …]", label="admins: fetch today's numbers from the APIs"),
]
SHARED_BY = "Shared by <@{user}>"
ERROR_TEXT = (
    "Sorry, something went wrong while answering (reference `{ref}`). "
    "Please try again; if it keeps happening, tell an fwtrend admin the reference."
)
EXPIRED_TEXT = "That answer is no longer available to share. Ask again to get a fresh one."
CHART_MISSING = "The chart could not be attached ({reason}); the sparklines above show the trend."
CHART_LATE = "The chart follows as soon as Slack has processed it; the sparklines show the trend."
CHART_FOLLOWS = "The chart for the answer above."
DATA_SENT = "The data behind that answer is in your direct messages with fwtrend ({rows} rows)."
DATA_NONE = "That answer has no figures to export."


class Message(BaseModel):
    """A Slack message payload: fallback ``text`` plus Block Kit ``blocks``."""

    text: str
    blocks: list[BlockDict]


def help_message(engine_help: Answer, *, admin: bool) -> Message:
    """The engine's examples as slash commands, plus the Slack-only ways in."""
    commands = [*engine_help.rows, *SLACK_COMMAND_ROWS, *(ADMIN_COMMAND_ROWS if admin else [])]
    rows = [row.model_copy(update={"key": f"/fwtrend {row.key}"}) for row in commands]
    rows += SLACK_OTHER_ROWS
    answer = engine_help.model_copy(update={"rows": rows})
    return answer_message(answer)


def answer_message(
    answer: Answer,
    *,
    image_url: str | None = None,
    slack_file_id: str | None = None,
    share_value: str | None = None,
    data_value: str | None = None,
    extra_context: str | None = None,
) -> Message:
    """An answer as a message; ``extra_context`` adds a line such as who shared it."""
    blocks = answer_blocks(
        answer,
        image_url=image_url,
        slack_file_id=slack_file_id,
        share_value=share_value,
        data_value=data_value,
    )
    if extra_context:
        blocks = _with_context(blocks, extra_context)
    return Message(text=answer_fallback_text(answer), blocks=blocks)


def notice(text: str, *, title: str | None = None) -> Message:
    """A short message: an optional header and one section (text is Slack mrkdwn)."""
    blocks = [header_block(title)] if title else []
    blocks.append(section_block("summary", text))
    fallback = f"{title}: {text}" if title else text
    return Message(text=fallback[:3000], blocks=fit_blocks(blocks, ""))


def chart_message(spec: ChartSpec, slack_file_id: str) -> Message:
    """A chart on its own, for when it was not ready in time for its answer."""
    image = chart_image_block(spec, slack_file_id=slack_file_id)
    blocks = fit_blocks([image, context_block("footer", CHART_FOLLOWS)], "")
    return Message(text=f"Chart: {spec.title}", blocks=blocks)


def error_message(ref: str) -> Message:
    return notice(ERROR_TEXT.format(ref=ref))


def _with_context(blocks: list[BlockDict], text: str) -> list[BlockDict]:
    # Just above the footer line, where readers look for who and when.
    at = next(
        (i for i, b in enumerate(blocks) if str(b.get("block_id", "")).startswith("fwtrend-foot")),
        len(blocks),
    )
    return fit_blocks([*blocks[:at], context_block("credit", text), *blocks[at:]], "")
