"""The digest in words: plain text for `fwtrend digest --preview`, Block Kit for Slack."""

from __future__ import annotations

from bot.digest.content import Digest, DigestMove, ThenAndNow
from bot.formatting import format_day, format_delta, format_source, format_value
from bot.slack.blocks import (
    chart_image_block,
    context_block,
    escape_mrkdwn,
    fit_blocks,
    header_block,
    section_block,
)
from bot.slack.messages import BlockDict, Message

VERDICTS = {
    "holds": "still holds",
    "grew": "is out of date: the number has grown",
    "fell": "is out of date: the number has fallen",
}


def move_text(move: DigestMove, ref: int | None = None) -> str:
    """'PyTorch · GitHub stars: 102,410 stars as of 23 Nov 2026 (+443, +0.4% since 16 Nov …)'."""
    segment = f" [{move.segment}]" if move.segment else ""
    share = f"; {move.share:.1f}% of the frameworks' total" if move.share is not None else ""
    cite = f" [{ref}]" if ref else ""
    return (
        f"{move.framework_name} · {move.metric_label}{segment}: "
        f"{format_value(move.value, move.unit)} as of {format_day(move.as_of)} "
        f"({format_delta(move)} since {format_day(move.previous_as_of)}{share})"
        f"{cite}"
    )


def then_and_now_text(item: ThenAndNow, refs: dict[str, int]) -> str:
    """The claim, who said it when, and today's value with a verdict."""
    src = item.claim.source
    who = src.publisher or src.author or src.title
    then = format_value(item.figure_value, item.unit)
    now = format_value(item.now_value, item.unit)
    change = 100 * (item.now_value - item.figure_value) / abs(item.figure_value)
    return (
        f"{who} ({item.figure_when}) [{refs.get(src.id, '?')}]: {item.claim.statement}\n"
        f"{item.framework_name} then: {then}; now {now} as of {format_day(item.now_as_of)} "
        f"[{refs.get(item.now_source_id, '?')}] ({change:+.0f}%): the figure "
        f"{VERDICTS[item.verdict]}."
    )


def _refs(digest: Digest) -> dict[str, int]:
    return {src.id: n for n, src in enumerate(digest.sources, 1)}


def digest_lines(digest: Digest) -> list[str]:
    """The whole digest as plain text lines."""
    refs = _refs(digest)
    span = f"{format_day(digest.since)} → {format_day(digest.today)}"
    lines = [f"fwtrend weekly digest, {digest.week} ({span})"]
    if digest.quiet:
        lines.append(quiet_text(digest))
    if digest.moves:
        lines += ["", "What moved:"]
        lines += [f"  • {move_text(m, refs.get(m.source_id))}" for m in digest.moves]
        if digest.more_moves:
            lines.append(f"  … and {digest.more_moves} smaller moves")
    if digest.then_and_now:
        lines += ["", "Then and now:", f"  {then_and_now_text(digest.then_and_now, refs)}"]
    if digest.new_claims or digest.new_sources:
        lines += ["", "New since the last digest:"]
        lines += [f"  • claim: {c.statement}" for c in digest.new_claims]
        lines += [f"  • source: {format_source(s)}" for s in digest.new_sources]
    if digest.stale_sources:
        lines += ["", "Stale or failing sources:"]
        lines += [f"  • {line}" for line in digest.stale_sources]
    if digest.sources:
        lines += ["", "Sources:"]
        lines += [f"  [{n}] {format_source(s)}" for n, s in enumerate(digest.sources, 1)]
    return lines


def quiet_text(digest: Digest) -> str:
    return f"Nothing moved since {format_day(digest.since)}: no tracked figure changed this week."


def digest_message(digest: Digest, *, slack_file_id: str | None = None) -> Message:
    """The digest as one Slack message (the chart, when uploaded, inside it)."""
    refs = _refs(digest)
    title = f"fwtrend weekly: {digest.week}"
    blocks: list[BlockDict] = [header_block(title)]
    if digest.quiet:
        blocks.append(section_block("summary", escape_mrkdwn(quiet_text(digest))))
    if digest.moves:
        lines = [f"• {escape_mrkdwn(move_text(m, refs.get(m.source_id)))}" for m in digest.moves]
        if digest.more_moves:
            lines.append(f"_… and {digest.more_moves} smaller moves_")
        heading = f"*What moved since {format_day(digest.since)}*"
        blocks.append(section_block("figures", heading + "\n" + "\n".join(lines)))
    if digest.chart and slack_file_id:
        blocks.append(chart_image_block(digest.chart, slack_file_id=slack_file_id))
    if digest.then_and_now:
        text = escape_mrkdwn(then_and_now_text(digest.then_and_now, refs))
        blocks.append(section_block("notes", "*Then and now*\n" + text))
    if digest.new_claims or digest.new_sources:
        new = [f"• {escape_mrkdwn(c.statement)}" for c in digest.new_claims]
        new += [f"• source: {escape_mrkdwn(format_source(s))}" for s in digest.new_sources]
        blocks.append(section_block("claims", "*New since the last digest*\n" + "\n".join(new)))
    if digest.stale_sources:
        stale = "\n".join(f"• {escape_mrkdwn(line)}" for line in digest.stale_sources)
        blocks.append(section_block("rows", "*Stale or failing sources*\n" + stale))
    if digest.sources:
        cited = "\n".join(
            f"[{n}] {escape_mrkdwn(format_source(s))}" for n, s in enumerate(digest.sources, 1)
        )
        blocks.append(section_block("sources", "*Sources*\n" + cited))
    footer = f"Weekly digest for {digest.week}; `/fwtrend help` for questions"
    blocks.append(context_block("footer", footer))
    text = title + ": " + (quiet_text(digest) if digest.quiet else f"{len(digest.moves)} moves")
    return Message(text=text, blocks=fit_blocks(blocks, "Trimmed: `fwtrend digest --preview`."))
