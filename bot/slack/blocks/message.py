"""Assemble an answer's Block Kit message and its fallback text, fitted to Slack's limits."""

from __future__ import annotations

import json

from bot.models import Answer
from bot.recent import RecentFor
from bot.slack.blocks.actions import answer_actions
from bot.slack.blocks.fit import clip_text, fit_blocks
from bot.slack.blocks.kit import (
    MAX_BUTTON_VALUE,
    MAX_FALLBACK,
    BlockDict,
    context_block,
    escape_mrkdwn,
    header_block,
    packed_sections,
    section_block,
)
from bot.slack.blocks.scoreboard import scoreboard_blocks, side_blocks
from bot.slack.blocks.sections import (
    CLAIM_KINDS,
    CLAIMS_HEADING,
    DEFINITION,
    DID_YOU_MEAN,
    LISTING_KINDS,
    MORE_HINT,
    MORE_HINT_NO_QUESTION,
    NOTES_HEADING,
    SOURCES_HEADING,
    UNDERSTOOD,
    claim_line,
    error_blocks,
    figure_blocks,
    footer_block,
    image_block,
    note_line,
    row_line,
    source_numbers,
    source_text,
)


def _body_blocks(
    answer: Answer, image_url: str | None, slack_file_id: str | None
) -> list[BlockDict]:
    kind = answer.query.kind if answer.query else None
    blocks: list[BlockDict] = []
    if answer.query and kind not in LISTING_KINDS and answer.query.understood:
        understood = escape_mrkdwn(answer.query.understood)
        blocks.append(context_block("understood", UNDERSTOOD.format(understood=understood)))
    if answer.lead:  # who leads, or who is closing in: the direct answer, before the detail
        blocks.append(section_block("lead", escape_mrkdwn(answer.lead)))
    blocks += scoreboard_blocks(answer) if answer.scoreboard else figure_blocks(answer)
    if answer.summary and not answer.figures:
        blocks.append(section_block("summary", escape_mrkdwn(answer.summary)))
    if image_url or slack_file_id:
        blocks.append(image_block(answer, image_url, slack_file_id))
    by_id = {src.id: src for src in answer.sources} if kind == "sources" else {}
    blocks += packed_sections("rows", None, (row_line(row, by_id) for row in answer.rows))
    if answer.metric_definition:
        definition = escape_mrkdwn(answer.metric_definition)
        blocks.append(context_block("definition", DEFINITION.format(definition=definition)))
    if answer.notes:
        blocks += packed_sections("notes", NOTES_HEADING, (note_line(n) for n in answer.notes))
    numbers = source_numbers(answer)
    if answer.scoreboard and answer.scoreboard.sides:
        blocks += side_blocks(answer, numbers)
    elif answer.claims:
        lines = (claim_line(c, numbers.get(c.source.id)) for c in answer.claims)
        if kind in CLAIM_KINDS and not answer.figures:
            # Here the claims are the answer itself, not extras to shed first.
            blocks += packed_sections("findings", None, lines)
        else:
            blocks += packed_sections("claims", CLAIMS_HEADING, lines)
    if answer.sources and kind != "sources":
        lines = (f"*[{numbers[s.id]}]* {source_text(s)}" for s in answer.sources)
        blocks += packed_sections("sources", SOURCES_HEADING, lines)
    return blocks


# Fitted messages of recent answers. The engine hands out the same Answer object for the
# same question all day (answers are finished once returned), and fitting its blocks to
# Slack's limits costs more than the rest of a reply: so an answer is fitted once per chart
# placement, with stand-in button values that each reply swaps for its own.
_FITTED_KEPT = 64
_FITTED: RecentFor[Answer, str] = RecentFor(_FITTED_KEPT)
_SHARE_STAND_IN = "fwtrend-share-value"
_DATA_STAND_IN = "fwtrend-data-value"


def answer_blocks(
    answer: Answer,
    *,
    image_url: str | None = None,
    slack_file_id: str | None = None,
    share_value: str | None = None,
    data_value: str | None = None,
) -> list[BlockDict]:
    """The Block Kit message for an answer, already fitted to Slack's limits.

    ``image_url`` (public) or ``slack_file_id`` adds the chart; ``share_value`` adds a
    "Post to channel" button whose value comes back in the ``fwtrend_share`` action, and
    ``data_value`` a "Data (CSV)" button (see actions.py). The blocks are the caller's own.
    """
    if image_url and slack_file_id:
        raise ValueError("give image_url or slack_file_id, not both")
    for value in (share_value, data_value):
        if value is not None and not 0 < len(value) <= MAX_BUTTON_VALUE:
            raise ValueError(f"button values must be 1–{MAX_BUTTON_VALUE} characters")
    placement = (image_url, slack_file_id, share_value is None, data_value is None)
    fitted = _FITTED.get(answer, placement)
    if fitted is None:
        first = _fit_answer(
            answer,
            image_url,
            slack_file_id,
            None if share_value is None else _SHARE_STAND_IN,
            None if data_value is None else _DATA_STAND_IN,
        )
        fitted = json.dumps(first, ensure_ascii=False)
        _FITTED.put(answer, fitted, placement)
    # A fresh copy each time (json is the fastest deep copy of plain dicts), with this
    # reply's button values in place of the stand-ins.
    blocks: list[BlockDict] = json.loads(fitted)
    values = {_SHARE_STAND_IN: share_value, _DATA_STAND_IN: data_value}
    for block in blocks:
        for element in block.get("elements", ()) if block.get("type") == "actions" else ():
            if element.get("value") in values:
                element["value"] = values[element["value"]]
    return blocks


def _fit_answer(
    answer: Answer,
    image_url: str | None,
    slack_file_id: str | None,
    share_value: str | None,
    data_value: str | None,
) -> list[BlockDict]:
    header = header_block(answer.title)
    blocks = [header]
    if answer.ok:
        blocks += _body_blocks(answer, image_url, slack_file_id)
    else:
        blocks += error_blocks(answer)
    blocks.append(footer_block(answer))
    actions = answer_actions(answer, share_value=share_value, data_value=data_value)
    if actions is not None:
        blocks.append(actions)
    return fit_blocks(blocks, _more_hint(answer))


def answer_fallback_text(answer: Answer) -> str:
    """The message's `text`: what notifications and screen readers show instead of the blocks."""
    if not answer.ok and answer.error:
        body = answer.error.message
        if answer.error.suggestions and "did you mean" not in body.lower():
            body += " " + DID_YOU_MEAN.format(options=", ".join(answer.error.suggestions[:8]))
    else:
        body = answer.summary
    text = f"{answer.title}: {body}" if body else answer.title
    return clip_text(escape_mrkdwn(" ".join(text.split())), MAX_FALLBACK)


def _more_hint(answer: Answer) -> str:
    if not answer.query or not answer.query.text.strip():
        return MORE_HINT_NO_QUESTION
    question = escape_mrkdwn(" ".join(answer.query.text.split()).replace("`", "ˋ"))
    return MORE_HINT.format(question=clip_text(question, 500))
