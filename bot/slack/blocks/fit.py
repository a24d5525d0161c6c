"""Fit Block Kit to Slack's limits: cut texts at word boundaries, drop the least important."""

from __future__ import annotations

import copy
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.slack.blocks.kit import (
    MAX_ACTION_ELEMENTS,
    MAX_ALT_TEXT,
    MAX_BLOCK_ID,
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_CONTEXT_ELEMENTS,
    MAX_FIELD,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_IMAGE_TITLE,
    MAX_IMAGE_URL,
    MAX_MESSAGE_CHARS,
    MAX_TEXT,
    BlockDict,
    block_role,
    context_block,
)

# Every block carries its role in block_id (see kit.role_id), so fit_blocks knows what it may
# drop. Lower rank is dropped first; roles absent from the table are never dropped unless
# nothing else is left.
_DROP_RANK = {
    "claims": 0,
    "sources": 1,
    "notes": 2,
    "rows": 3,
    "findings": 3,
    "definition": 4,
    "summary": 5,
    "chart": 6,
    "understood": 7,
    "lead": 8,
    "error": 8,
    "share": 9,
}
_UNKNOWN_RANK = 3  # a caller's own block is worth about as much as a listing row
_KEEP = {"header", "figures", "footer", "more"}


def clip_text(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary and ended with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    # Never leave half a <link|label> or &entity; behind: Slack would show it raw.
    opened, closed = cut.rfind("<"), cut.rfind(">")
    if opened > closed:
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp > cut.rfind(";") and len(cut) - amp < 6:
        cut = cut[:amp]
    # An odd number of backticks would leave a code span open to the end of the text.
    if cut.count("`") % 2:
        cut = cut[: cut.rfind("`")]
    return cut.rstrip(" \n,:.–-") + "…"  # not ";", which may end an &entity;


def _fit_text(obj: Any, limit: int) -> bool:
    """Clip a text object's text in place; True when it was cut."""
    if isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) > limit:
        obj["text"] = clip_text(obj["text"], limit)
        return True
    return False


def _fit_section(block: BlockDict) -> tuple[list[BlockDict], bool]:
    cut = _fit_text(block.get("text"), MAX_TEXT)
    fields = block.get("fields")
    if not fields:
        return ([block] if block.get("text", {}).get("text", "").strip() else []), cut
    for field in fields:
        cut |= _fit_text(field, MAX_FIELD)
    if len(fields) <= MAX_FIELDS:
        return [block], cut
    # Too many fields for one section: carry on in more sections rather than lose figures.
    parts = []
    for start in range(0, len(fields), MAX_FIELDS):
        part = {key: value for key, value in block.items() if key not in {"fields", "text"}}
        if start == 0 and "text" in block:
            part["text"] = block["text"]
        part["fields"] = fields[start : start + MAX_FIELDS]
        if "block_id" in block and start:
            part["block_id"] = f"{block['block_id']}-{start}"
        parts.append(part)
    return parts, cut


def _fit_image(block: BlockDict) -> tuple[list[BlockDict], bool]:
    url, file = block.get("image_url"), block.get("slack_file")
    if bool(url) == bool(file) or (url and len(url) > MAX_IMAGE_URL):
        return [], True  # Slack rejects an image with neither, both or an over-long URL
    alt = str(block.get("alt_text") or "").strip() or "Chart"
    block["alt_text"] = clip_text(alt, MAX_ALT_TEXT)
    return [block], (block["alt_text"] != alt) | _fit_text(block.get("title"), MAX_IMAGE_TITLE)


def _fit_actions(block: BlockDict) -> tuple[list[BlockDict], bool]:
    elements = block.get("elements") or []
    kept = [e for e in elements if len(str(e.get("value", ""))) <= MAX_BUTTON_VALUE]
    kept = kept[:MAX_ACTION_ELEMENTS]
    cut = len(kept) != len(elements)
    for element in kept:
        cut |= _fit_text(element.get("text"), MAX_BUTTON_TEXT)
    block["elements"] = kept
    return ([block] if kept else []), cut


def _fit_context(block: BlockDict) -> tuple[list[BlockDict], bool]:
    elements = block.get("elements") or []
    block["elements"] = elements[:MAX_CONTEXT_ELEMENTS]
    cut = len(elements) > MAX_CONTEXT_ELEMENTS
    for element in block["elements"]:
        cut |= _fit_text(element, MAX_TEXT)
    return ([block] if block["elements"] else []), cut


def _fit_one(block: BlockDict) -> tuple[list[BlockDict], bool]:
    """One block within its own limits (possibly split or dropped), and whether it was cut."""
    cut = False
    if isinstance(block.get("block_id"), str) and len(block["block_id"]) > MAX_BLOCK_ID:
        block["block_id"] = block["block_id"][:MAX_BLOCK_ID]
    kind = block.get("type")
    if kind == "header":
        return [block], _fit_text(block.get("text"), MAX_HEADER)
    if kind == "section":
        return _fit_section(block)
    if kind == "image":
        return _fit_image(block)
    if kind == "actions":
        return _fit_actions(block)
    if kind == "context":
        return _fit_context(block)
    return [block], cut


def _valid(block: BlockDict) -> BlockDict | None:
    try:
        parsed = Block.parse(block)
        return parsed.to_dict() if parsed is not None else None
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError):
        return None


def _text_size(value: Any) -> int:
    """Characters a reader sees in a block: every "text" string, not URLs or alt text."""
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(_text_size(v) for v in value.values())
    if isinstance(value, list):
        return sum(_text_size(v) for v in value)
    return 0


def _too_big(blocks: list[BlockDict], reserve: int) -> bool:
    # reserve is room for the hint line: one block and a few hundred characters.
    text_budget = MAX_MESSAGE_CHARS - (600 if reserve else 0)
    return len(blocks) + reserve > MAX_BLOCKS or _text_size(blocks) > text_budget


def _next_drop(blocks: list[BlockDict]) -> int | None:
    """Index of the block to drop next: the last one of the least important role."""
    best: tuple[int, int] | None = None
    for index, block in enumerate(blocks):
        role = block_role(block)
        if role in _KEEP:
            continue
        rank = _DROP_RANK.get(role or "", _UNKNOWN_RANK)
        if best is None or rank <= best[0]:
            best = (rank, index)
    return best[1] if best else None


def _drop_to_fit(blocks: list[BlockDict], trimmed: bool) -> tuple[list[BlockDict], bool]:
    reserve = 1 if trimmed or _too_big(blocks, 0) else 0
    while _too_big(blocks, reserve):
        index = _next_drop(blocks)
        if index is None:
            break
        del blocks[index]
        trimmed, reserve = True, 1
    # Only blocks we never drop are left and still too many: keep the first and the footer.
    while len(blocks) + reserve > MAX_BLOCKS:
        footer = [i for i, b in enumerate(blocks) if block_role(b) in {"footer", "more"}]
        victims = [i for i in range(1, len(blocks)) if i not in footer]
        del blocks[victims[-1] if victims else -1]
        trimmed = True
    return blocks, trimmed


def _add_hint(blocks: list[BlockDict], more_hint: str) -> list[BlockDict]:
    if any(block_role(b) == "more" for b in blocks) or not more_hint.strip():
        return blocks
    hint = context_block("more", clip_text(more_hint, MAX_TEXT))
    footers = [i for i, b in enumerate(blocks) if block_role(b) == "footer"]
    at = footers[0] if footers else len(blocks)
    if not footers and blocks and blocks[-1].get("type") == "actions":
        at -= 1
    return blocks[:at] + [hint] + blocks[at:]


def _unique_ids(blocks: list[BlockDict]) -> list[BlockDict]:
    # Slack rejects a message whose block_ids repeat; an id-less block gets one from Slack.
    seen: set[str] = set()
    for block in blocks:
        block_id = block.get("block_id")
        if block_id in seen:
            del block["block_id"]
        elif isinstance(block_id, str):
            seen.add(block_id)
    return blocks


def fit_blocks(blocks: list[BlockDict], more_hint: str) -> list[BlockDict]:
    """Blocks cut and pruned to Slack's limits, with a ``more_hint`` context line if anything went.

    Texts are cut at a word boundary with "…"; whole blocks go claims first, then sources, then
    notes; the header, the figures and the footer context stay. The input is not modified.
    """
    trimmed = False
    fitted: list[BlockDict] = []
    for block in blocks:
        parts, cut = _fit_one(copy.deepcopy(block))
        valid = [v for v in (_valid(p) for p in parts) if v is not None]
        trimmed |= cut or len(valid) != len(parts) or not parts
        fitted += valid
    fitted, trimmed = _drop_to_fit(_unique_ids(fitted), trimmed)
    return _add_hint(fitted, more_hint) if trimmed else fitted
