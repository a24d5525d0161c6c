"""An answer message's sections: figures, chart, rows, notes, claims, sources, errors, footer."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.formatting import format_change, format_day, format_figure, format_source
from bot.models import Answer, ClaimOut, FigureOut, Note, SourceRef, TableRow
from bot.render.charts import figure_sparkline
from bot.slack.blocks.kit import (
    MAX_FIELDS,
    BlockDict,
    chart_image_block,
    code_span,
    context_block,
    escape_mrkdwn,
    mrkdwn_link,
    picture_block,
    raw_block,
    role_id,
    section_block,
)

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


def _figure_field(fig: FigureOut, sparkline: str, with_metric: bool, number: int | None) -> str:
    name = f"*{escape_mrkdwn(fig.framework_name)}*"
    if with_metric:
        name += f" · {code_span(fig.metric)}"
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


def figure_blocks(answer: Answer) -> list[BlockDict]:
    with_metric = len({f.metric for f in answer.figures}) > 1
    numbers = source_numbers(answer)
    fields = [
        _figure_field(
            f,
            figure_sparkline(f, answer.chart),
            with_metric,
            numbers.get(f.source.id),
        )
        for f in answer.figures
    ]
    blocks = []
    for start in range(0, len(fields), MAX_FIELDS):
        chunk = [MarkdownTextObject(text=t) for t in fields[start : start + MAX_FIELDS]]
        blocks.append(raw_block(SectionBlock(block_id=role_id("figures", start), fields=chunk)))
    return blocks


def image_block(answer: Answer, image_url: str | None, slack_file_id: str | None) -> BlockDict:
    if answer.chart:
        return chart_image_block(answer.chart, image_url=image_url, slack_file_id=slack_file_id)
    return picture_block(
        CHART_ALT_FALLBACK.format(title=answer.title), answer.title, image_url, slack_file_id
    )


def source_text(src: SourceRef) -> str:
    """format_source's wording, with the title as a Slack link instead of a bare URL."""
    plain = format_source(src.model_copy(update={"url": None}))
    rest = plain[len(src.title) :] if plain.startswith(src.title) else f" — {plain}"
    return mrkdwn_link(src.url, src.title) + escape_mrkdwn(rest)


def source_numbers(answer: Answer) -> dict[str, int]:
    return {src.id: i for i, src in enumerate(answer.sources, 1)}


def note_line(note: Note) -> str:
    return f"{NOTE_MARKS.get(note.kind, '•')} {escape_mrkdwn(note.text)}"


def claim_line(claim: ClaimOut, number: int | None) -> str:
    src = claim.source
    who = src.publisher or src.author or src.title
    ref = f" [{number}]" if number else ""
    cite = escape_mrkdwn(f"{who}, {src.published_label}")
    return f"• {escape_mrkdwn(claim.statement)} — _{cite}_{ref}"


def row_line(row: TableRow, sources: dict[str, SourceRef]) -> str:
    src = sources.get(row.key)
    label = source_text(src) if src else f"*{escape_mrkdwn(row.label)}*"
    detail = f" — {escape_mrkdwn(row.detail)}" if row.detail else ""
    return f"{code_span(row.key)} {label}{detail}"


def error_blocks(answer: Answer) -> list[BlockDict]:
    message = answer.error.message if answer.error else answer.summary or answer.title
    lines = [escape_mrkdwn(message)]
    suggestions = answer.error.suggestions if answer.error else []
    if suggestions:
        options = ", ".join(code_span(s) for s in suggestions[:8])
        # The engine's message often already asks "Did you mean …?"; don't ask twice.
        asked = "did you mean" in message.lower()
        lines.append((TRY_INSTEAD if asked else DID_YOU_MEAN).format(options=options))
    lines.append(HELP_POINTER)
    return [section_block("error", "\n".join(lines))]


def footer_block(answer: Answer) -> BlockDict:
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
