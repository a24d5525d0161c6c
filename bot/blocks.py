"""Turn an Answer into Slack Block Kit dicts and fallback text that always fit Slack's limits."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.action_blocks import SHARE_ACTION_ID, answer_actions
from bot.formatting import format_change, format_day, format_figure, format_source
from bot.models import Answer, ChartSpec, ClaimOut, FigureOut, Note, SourceRef, TableRow
from bot.render.charts import chart_alt_text, chart_sparkline

__all__ = [
    "SHARE_ACTION_ID",
    "answer_blocks",
    "answer_fallback_text",
    "chart_image_block",
    "context_block",
    "escape_mrkdwn",
    "fit_blocks",
    "header_block",
    "section_block",
]

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

# ---------------------------------------------------------------- user-facing strings

UNDERSTOOD = "Understood as: {understood}"
DEFINITION = "*What it measures:* {definition}"
NOTES_HEADING = "*Notes*"
CLAIMS_HEADING = "*Related claims*"
SOURCES_HEADING = "*Sources*"
DID_YOU_MEAN = "Did you mean {options}?"
TRY_INSTEAD = "Try {options}."
HELP_POINTER = "Type `/fwtrend help` for examples."
STALE = "_(stale)_"
EVIDENCE_AS_OF = "Evidence as of {date}"
ANSWERED_ON = "answered {date}"
CHART_ALT_FALLBACK = "Chart: {title}"
MORE_HINT = "Trimmed for Slack — run `fwtrend ask {question}` for the full answer."
MORE_HINT_NO_QUESTION = "Trimmed for Slack — run `fwtrend help` for what you can ask."
NOTE_MARKS = {
    "disagreement": "⚠️",
    "cross-check": "✅",
    "caveat": "ℹ️",
    "stale": "⏳",
    "break": "↕️",
}
LISTING_KINDS = {"help", "sources", "metrics", "frameworks"}
CLAIM_KINDS = {"claims", "search"}

# ---------------------------------------------------------------- block roles

# Every block carries its role in block_id, so fit_blocks knows what it may drop. Lower rank is
# dropped first; roles absent from the table are never dropped unless nothing else is left.
_PREFIX = "fwtrend-"
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
    "error": 8,
    "share": 9,
}
_UNKNOWN_RANK = 3  # a caller's own block is worth about as much as a listing row
_KEEP = {"header", "figures", "footer", "more"}


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so user or claim text can never become a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    # A backtick inside would close the code span early and let the rest render as markup.
    return f"`{escape_mrkdwn(text.replace('`', 'ˋ'))}`"


def _link(url: str | None, label: str) -> str:
    text = escape_mrkdwn(label)
    if not url:
        return text
    # Inside <url|label> Slack splits on the first | and ends at >, so those must not occur.
    safe = url.replace(" ", "%20").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe.replace('&', '&amp;')}|{text}>"


def _id(role: str, index: int = 0) -> str:
    return f"{_PREFIX}{role}-{index}"


def _role(block: BlockDict) -> str | None:
    block_id = block.get("block_id")
    if block.get("type") == "header":
        return "header"
    if isinstance(block_id, str) and block_id.startswith(_PREFIX):
        return block_id[len(_PREFIX) :].split("-", 1)[0]
    return None


# ---------------------------------------------------------------- building blocks


def _raw(block: Block) -> BlockDict:
    # Built unvalidated on purpose: long texts are cut by fit_blocks, which must see them whole
    # to know the message was trimmed; it validates every block afterwards.
    result: BlockDict = block.get_non_null_attributes()
    return result


def section_block(role: str, text: str, index: int = 0) -> BlockDict:
    """A mrkdwn section whose block_id carries its role (what fit_blocks may drop first)."""
    return _raw(SectionBlock(block_id=_id(role, index), text=MarkdownTextObject(text=text)))


def context_block(role: str, *texts: str, index: int = 0) -> BlockDict:
    """A context line of mrkdwn texts, with its role in the block_id."""
    elements = [MarkdownTextObject(text=t) for t in texts]
    return _raw(ContextBlock(block_id=_id(role, index), elements=elements))


def header_block(title: str) -> BlockDict:
    """The message's header (plain text; cut to 150 characters by fit_blocks)."""
    return _raw(HeaderBlock(block_id=_id("header"), text=escape_mrkdwn(title)))


def chart_image_block(
    spec: ChartSpec, *, image_url: str | None = None, slack_file_id: str | None = None
) -> BlockDict:
    """The chart as an image block: a public URL or an uploaded file, with its alt text."""
    return _picture(chart_alt_text(spec), spec.title, image_url, slack_file_id)


def _picture(alt: str, title: str, image_url: str | None, slack_file_id: str | None) -> BlockDict:
    block = ImageBlock(
        block_id=_id("chart"),
        alt_text=escape_mrkdwn(alt),
        title=PlainTextObject(text=escape_mrkdwn(title)),
        image_url=image_url,
        slack_file={"id": slack_file_id} if slack_file_id else None,
    )
    return _raw(block)


def _packed(role: str, heading: str | None, lines: Iterable[str]) -> list[BlockDict]:
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


def _figure_field(fig: FigureOut, sparkline: str, with_metric: bool, number: int | None) -> str:
    name = f"*{escape_mrkdwn(fig.framework_name)}*"
    if with_metric:
        name += f" · {_code(fig.metric)}"
    # The [n] ties the number to its entry in the sources list, as the claims' numbers do.
    ref = f" [{number}]" if number else ""
    lines = [name, escape_mrkdwn(format_figure(fig)) + ref]
    if fig.change:
        lines.append(escape_mrkdwn(format_change(fig.change)))
    if sparkline:
        lines.append(f"`{sparkline}`")
    if fig.stale:
        lines[1] += f" {STALE}"
    return "\n".join(lines)


def _figure_blocks(answer: Answer) -> list[BlockDict]:
    values = {s.label: s.values for s in answer.chart.series} if answer.chart else {}
    with_metric = len({f.metric for f in answer.figures}) > 1
    numbers = _source_numbers(answer)
    fields = [
        _figure_field(
            f,
            chart_sparkline(values.get(f.framework_name, [])),
            with_metric,
            numbers.get(f.source.id),
        )
        for f in answer.figures
    ]
    blocks = []
    for start in range(0, len(fields), MAX_FIELDS):
        chunk = [MarkdownTextObject(text=t) for t in fields[start : start + MAX_FIELDS]]
        blocks.append(_raw(SectionBlock(block_id=_id("figures", start), fields=chunk)))
    return blocks


def _image_block(answer: Answer, image_url: str | None, slack_file_id: str | None) -> BlockDict:
    if answer.chart:
        return chart_image_block(answer.chart, image_url=image_url, slack_file_id=slack_file_id)
    return _picture(
        CHART_ALT_FALLBACK.format(title=answer.title), answer.title, image_url, slack_file_id
    )


def _source_text(src: SourceRef) -> str:
    """format_source's wording, with the title as a Slack link instead of a bare URL."""
    plain = format_source(src.model_copy(update={"url": None}))
    rest = plain[len(src.title) :] if plain.startswith(src.title) else f" — {plain}"
    return _link(src.url, src.title) + escape_mrkdwn(rest)


def _source_numbers(answer: Answer) -> dict[str, int]:
    return {src.id: i for i, src in enumerate(answer.sources, 1)}


def _note_line(note: Note) -> str:
    return f"{NOTE_MARKS.get(note.kind, '•')} {escape_mrkdwn(note.text)}"


def _claim_line(claim: ClaimOut, number: int | None) -> str:
    src = claim.source
    who = src.publisher or src.author or src.title
    ref = f" [{number}]" if number else ""
    cite = escape_mrkdwn(f"{who}, {src.published_label}")
    return f"• {escape_mrkdwn(claim.statement)} — _{cite}_{ref}"


def _row_line(row: TableRow, sources: dict[str, SourceRef]) -> str:
    src = sources.get(row.key)
    label = _source_text(src) if src else f"*{escape_mrkdwn(row.label)}*"
    detail = f" — {escape_mrkdwn(row.detail)}" if row.detail else ""
    return f"{_code(row.key)} {label}{detail}"


def _error_blocks(answer: Answer) -> list[BlockDict]:
    message = answer.error.message if answer.error else answer.summary or answer.title
    lines = [escape_mrkdwn(message)]
    suggestions = answer.error.suggestions if answer.error else []
    if suggestions:
        options = ", ".join(_code(s) for s in suggestions[:8])
        # The engine's message often already asks "Did you mean …?"; don't ask twice.
        asked = "did you mean" in message.lower()
        lines.append((TRY_INSTEAD if asked else DID_YOU_MEAN).format(options=options))
    lines.append(HELP_POINTER)
    return [section_block("error", "\n".join(lines))]


def _footer(answer: Answer) -> BlockDict:
    parts = []
    newest = _newest_evidence(answer)
    if newest:
        parts.append(EVIDENCE_AS_OF.format(date=escape_mrkdwn(newest)))
    if answer.generated_on:
        parts.append(ANSWERED_ON.format(date=format_day(answer.generated_on)))
    text = "; ".join(parts) or "fwtrend"
    return context_block("footer", text[:1].upper() + text[1:])


def _newest_evidence(answer: Answer) -> str | None:
    if answer.figures:
        return max(answer.figures, key=lambda f: f.as_of).as_of_label
    if answer.sources and answer.query and answer.query.kind not in LISTING_KINDS:
        return max(answer.sources, key=lambda s: s.published).published_label
    return None


def _body_blocks(
    answer: Answer, image_url: str | None, slack_file_id: str | None
) -> list[BlockDict]:
    kind = answer.query.kind if answer.query else None
    blocks: list[BlockDict] = []
    if answer.query and kind not in LISTING_KINDS and answer.query.understood:
        understood = escape_mrkdwn(answer.query.understood)
        blocks.append(context_block("understood", UNDERSTOOD.format(understood=understood)))
    if answer.scoreboard:
        from bot.blocks_scoreboard import scoreboard_blocks  # it builds on this module

        blocks += scoreboard_blocks(answer)
    else:
        blocks += _figure_blocks(answer)
    if answer.summary and not answer.figures:
        blocks.append(section_block("summary", escape_mrkdwn(answer.summary)))
    if image_url or slack_file_id:
        blocks.append(_image_block(answer, image_url, slack_file_id))
    by_id = {src.id: src for src in answer.sources} if kind == "sources" else {}
    blocks += _packed("rows", None, (_row_line(row, by_id) for row in answer.rows))
    if answer.metric_definition:
        definition = escape_mrkdwn(answer.metric_definition)
        blocks.append(context_block("definition", DEFINITION.format(definition=definition)))
    if answer.notes:
        blocks += _packed("notes", NOTES_HEADING, (_note_line(n) for n in answer.notes))
    numbers = _source_numbers(answer)
    if answer.scoreboard and answer.scoreboard.sides:
        from bot.blocks_scoreboard import side_blocks

        blocks += side_blocks(answer, numbers)
    elif answer.claims:
        lines = (_claim_line(c, numbers.get(c.source.id)) for c in answer.claims)
        if kind in CLAIM_KINDS and not answer.figures:
            # Here the claims are the answer itself, not extras to shed first.
            blocks += _packed("findings", None, lines)
        else:
            blocks += _packed("claims", CLAIMS_HEADING, lines)
    if answer.sources and kind != "sources":
        lines = (f"*[{numbers[s.id]}]* {_source_text(s)}" for s in answer.sources)
        blocks += _packed("sources", SOURCES_HEADING, lines)
    return blocks


# ---------------------------------------------------------------- public API


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
    ``data_value`` a "Data (CSV)" button (see bot/action_blocks.py).
    """
    if image_url and slack_file_id:
        raise ValueError("give image_url or slack_file_id, not both")
    if share_value is not None and not 0 < len(share_value) <= MAX_BUTTON_VALUE:
        raise ValueError(f"share_value must be 1–{MAX_BUTTON_VALUE} characters")
    header = header_block(answer.title)
    blocks = [header]
    if answer.ok:
        blocks += _body_blocks(answer, image_url, slack_file_id)
    else:
        blocks += _error_blocks(answer)
    blocks.append(_footer(answer))
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
    return _clip(escape_mrkdwn(" ".join(text.split())), MAX_FALLBACK)


def _more_hint(answer: Answer) -> str:
    if not answer.query or not answer.query.text.strip():
        return MORE_HINT_NO_QUESTION
    question = escape_mrkdwn(" ".join(answer.query.text.split()).replace("`", "ˋ"))
    return MORE_HINT.format(question=_clip(question, 500))


# ---------------------------------------------------------------- fitting


def _clip(text: str, limit: int) -> str:
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
        obj["text"] = _clip(obj["text"], limit)
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
    block["alt_text"] = _clip(alt, MAX_ALT_TEXT)
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
        role = _role(block)
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
        footer = [i for i, b in enumerate(blocks) if _role(b) in {"footer", "more"}]
        victims = [i for i in range(1, len(blocks)) if i not in footer]
        del blocks[victims[-1] if victims else -1]
        trimmed = True
    return blocks, trimmed


def _add_hint(blocks: list[BlockDict], more_hint: str) -> list[BlockDict]:
    if any(_role(b) == "more" for b in blocks) or not more_hint.strip():
        return blocks
    hint = context_block("more", _clip(more_hint, MAX_TEXT))
    footers = [i for i, b in enumerate(blocks) if _role(b) == "footer"]
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
