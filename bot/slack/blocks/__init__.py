"""Answer → Slack Block Kit dicts and fallback text, always within Slack's limits."""

from bot.slack.blocks.actions import (
    ACTION_IDS,
    DATA_ACTION_ID,
    RUN_ACTION_ID,
    SHARE_ACTION_ID,
    answer_actions,
    run_label,
)
from bot.slack.blocks.fit import fit_blocks
from bot.slack.blocks.kit import (
    BlockDict,
    chart_image_block,
    context_block,
    escape_mrkdwn,
    header_block,
    section_block,
)
from bot.slack.blocks.message import answer_blocks, answer_fallback_text

__all__ = [
    "ACTION_IDS",
    "DATA_ACTION_ID",
    "RUN_ACTION_ID",
    "SHARE_ACTION_ID",
    "BlockDict",
    "answer_actions",
    "answer_blocks",
    "answer_fallback_text",
    "chart_image_block",
    "context_block",
    "escape_mrkdwn",
    "fit_blocks",
    "header_block",
    "run_label",
    "section_block",
]
