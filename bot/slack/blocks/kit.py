"""Block Kit building blocks: Slack's limits, mrkdwn escaping, blocks that carry their role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.models import ChartSpec
from bot.render.charts import chart_alt_text

BlockDict = dict[str, Any]

# ---------------------------------------------------------------- Slack limits

MAX_BLOCKS = 50
MAX_TEXT = 3000  # section text and any text object
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_HEADER = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTION_ELEMENTS = 25
MAX_ALT_TEXT = 2000
MAX_IMAGE_TITLE = 2000
MAX_IMAGE_URL = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BLOCK_ID = 255
MAX_FALLBACK = 3000
# Not a documented Slack limit: Slack rejects very long block payloads (msg_blocks_too_long was
# reported at ~13k characters), and a reply longer than this is unreadable in a channel anyway.
MAX_MESSAGE_CHARS = 12_000

# ---------------------------------------------------------------- block roles

# Every block carries its role in block_id, so fit_blocks knows what it may drop.
_PREFIX = "fwtrend-"


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so user or claim text can never become a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code_span(text: str) -> str:
    """Text as an inline code span, escaped."""
    # A backtick inside would close the code span early and let the rest render as markup.
    return f"`{escape_mrkdwn(text.replace('`', 'ˋ'))}`"


def mrkdwn_link(url: str | None, label: str) -> str:
    """A Slack <url|label> link, or just the escaped label when there is no URL."""
    text = escape_mrkdwn(label)
    if not url:
        return text
    # Inside <url|label> Slack splits on the first | and ends at >, so those must not occur.
    safe = url.replace(" ", "%20").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe.replace('&', '&amp;')}|{text}>"


def role_id(role: str, index: int = 0) -> str:
    """The block_id for the ``index``-th block of a role: ``fwtrend-<role>-<index>``."""
    return f"{_PREFIX}{role}-{index}"


def block_role(block: BlockDict) -> str | None:
    """The role a block_id carries (a header is always "header"), or None for a foreign block."""
    block_id = block.get("block_id")
    if block.get("type") == "header":
        return "header"
    if isinstance(block_id, str) and block_id.startswith(_PREFIX):
        return block_id[len(_PREFIX) :].split("-", 1)[0]
    return None


# ---------------------------------------------------------------- building blocks


def raw_block(block: Block) -> BlockDict:
    # Built unvalidated on purpose: long texts are cut by fit_blocks, which must see them whole
    # to know the message was trimmed; it validates every block afterwards.
    result: BlockDict = block.get_non_null_attributes()
    return result


def section_block(role: str, text: str, index: int = 0) -> BlockDict:
    """A mrkdwn section whose block_id carries its role (what fit_blocks may drop first)."""
    return raw_block(
        SectionBlock(block_id=role_id(role, index), text=MarkdownTextObject(text=text))
    )


def context_block(role: str, *texts: str, index: int = 0) -> BlockDict:
    """A context line of mrkdwn texts, with its role in the block_id."""
    elements = [MarkdownTextObject(text=t) for t in texts]
    return raw_block(ContextBlock(block_id=role_id(role, index), elements=elements))


def header_block(title: str) -> BlockDict:
    """The message's header (plain text; cut to 150 characters by fit_blocks)."""
    return raw_block(HeaderBlock(block_id=role_id("header"), text=escape_mrkdwn(title)))


def chart_image_block(
    spec: ChartSpec, *, image_url: str | None = None, slack_file_id: str | None = None
) -> BlockDict:
    """The chart as an image block: a public URL or an uploaded file, with its alt text."""
    return picture_block(chart_alt_text(spec), spec.title, image_url, slack_file_id)


def picture_block(
    alt: str, title: str, image_url: str | None, slack_file_id: str | None
) -> BlockDict:
    """An image block from a public URL or an uploaded file, with alt text and title."""
    block = ImageBlock(
        block_id=role_id("chart"),
        alt_text=escape_mrkdwn(alt),
        title=PlainTextObject(text=escape_mrkdwn(title)),
        image_url=image_url,
        slack_file={"id": slack_file_id} if slack_file_id else None,
    )
    return raw_block(block)


def packed_sections(role: str, heading: str | None, lines: Iterable[str]) -> list[BlockDict]:
    """Lines packed into as few sections as fit, so a long list costs few of the 50 blocks."""
    chunks: list[str] = [heading] if heading else []
    blocks: list[BlockDict] = []
    for line in lines:
        # A heading stays with the first line even if fit_blocks must then cut that line.
        started = len(chunks) > (1 if heading and not blocks else 0)
        if started and len("\n".join(chunks)) + 1 + len(line) > MAX_TEXT:
            blocks.append(section_block(role, "\n".join(chunks), len(blocks)))
            chunks = []
        chunks.append(line)
    if chunks:
        blocks.append(section_block(role, "\n".join(chunks), len(blocks)))
    return blocks
