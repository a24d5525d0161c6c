"""The buttons under an answer: post to channel, the data as CSV, run the corrected question."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, PlainTextObject

from bot.models import Answer
from bot.slack.blocks.kit import MAX_BUTTON_TEXT, MAX_BUTTON_VALUE, BlockDict

SHARE_ACTION_ID = "fwtrend_share"
DATA_ACTION_ID = "fwtrend_data"
RUN_ACTION_ID = "fwtrend_run"
ACTION_IDS = (SHARE_ACTION_ID, DATA_ACTION_ID, RUN_ACTION_ID)

SHARE_BUTTON = "Post to channel"
DATA_BUTTON = "Data (CSV)"
RUN_BUTTON = "Run `{question}`"
# The role fit_blocks reads from block_id: buttons are dropped last.
BLOCK_ID = "fwtrend-share"


def answer_actions(
    answer: Answer, *, share_value: str | None = None, data_value: str | None = None
) -> BlockDict | None:
    """The actions block for an answer, or None when it has no buttons.

    An answer with figures gets *Data (CSV)* (when ``data_value``, its stored id, is given); a
    slash-command answer *Post to channel*; an error whose question could be corrected a button
    that runs the corrected question.
    """
    buttons: list[ButtonElement] = []
    if answer.ok and share_value is not None:
        buttons.append(_button(SHARE_BUTTON, SHARE_ACTION_ID, share_value))
    if answer.ok and answer.figures and data_value is not None:
        buttons.append(_button(DATA_BUTTON, DATA_ACTION_ID, data_value))
    corrected = answer.error.corrected if answer.error and not answer.ok else None
    if corrected and corrected.strip() and len(corrected) <= MAX_BUTTON_VALUE:
        buttons.append(_button(run_label(corrected), RUN_ACTION_ID, corrected.strip()))
    if not buttons:
        return None
    block = ActionsBlock(block_id=BLOCK_ID, elements=buttons).to_dict()
    return dict(block)


def run_label(question: str) -> str:
    """``Run `pytorch hf-models``` cut to Slack's 75 characters for a button."""
    room = MAX_BUTTON_TEXT - len(RUN_BUTTON.format(question=""))
    shown = " ".join(question.split()).replace("`", "'")
    if len(shown) > room:
        shown = shown[: room - 1].rstrip() + "…"
    return RUN_BUTTON.format(question=shown)


def _button(text: str, action_id: str, value: str) -> ButtonElement:
    if not 0 < len(value) <= MAX_BUTTON_VALUE:
        raise ValueError(f"a button value must be 1–{MAX_BUTTON_VALUE} characters")
    return ButtonElement(text=PlainTextObject(text=text), action_id=action_id, value=value)
