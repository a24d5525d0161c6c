"""The admin commands' replies in Block Kit: `/fwtrend admin status` and `admin refresh`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.live.view import headline, moves_lines
from bot.slack.blocks import context_block, escape_mrkdwn, fit_blocks, header_block, section_block
from bot.slack.messages import BlockDict, Message
from bot.store.status import StatusReport, series_lines, source_line, status_lines

if TYPE_CHECKING:
    from bot.live.refresh import RefreshReport  # a type only: this process never refreshes


def status_message(report: StatusReport) -> Message:
    """`/fwtrend admin status` for admins."""
    head = [escape_mrkdwn(line) for line in status_lines(report)]
    lines = []
    for src in report.sources:
        lines.append(f"• {escape_mrkdwn(source_line(src))}")
        lines += [f"    ◦ {escape_mrkdwn(line)}" for line in series_lines(src, limit=12)]
    stale = [src.id for src in report.sources if src.stale]
    blocks: list[BlockDict] = [
        header_block("fwtrend status"),
        section_block("summary", "\n".join(head)),
        *_chunked_sections("rows", "*Sources and their series*", lines),
        context_block("footer", f"As of {report.generated_on:%d %b %Y}"),
    ]
    summary = f"{report.points:,} points, {report.claims:,} claims"
    if stale:
        summary += f"; stale: {', '.join(stale)}"
    return Message(text=f"fwtrend status: {summary}", blocks=fit_blocks(blocks, ""))


def _chunked_sections(block_id: str, title: str, lines: list[str]) -> list[BlockDict]:
    """Lines in as many sections as Slack's 3,000-character section limit needs."""
    sections: list[list[str]] = [[title]]
    size = len(title)
    for line in lines:
        if size + len(line) + 1 > 2900:
            sections.append([])
            size = 0
        sections[-1].append(line)
        size += len(line) + 1
    return [
        section_block(block_id if i == 0 else f"{block_id}-{i}", "\n".join(chunk))
        for i, chunk in enumerate(sections)
    ]


def refresh_message(report: RefreshReport, names: dict[str, str]) -> Message:
    """`/fwtrend admin refresh`'s reply: sources ok or failed with reasons, and what moved."""
    sources = []
    for o in report.outcomes:
        if o.ok:
            detail = f"✅ *{o.name}*: {o.points} points ({o.added} new, {o.changed} changed)"
        else:
            detail = f"❌ *{o.name}*: {escape_mrkdwn(o.reason or 'failed')}"
        sources.append(detail)
    moves = [escape_mrkdwn(line) for line in moves_lines(report, names)]
    blocks: list[BlockDict] = [
        header_block("fwtrend refresh"),
        section_block("summary", escape_mrkdwn(headline(report))),
        section_block("rows", "\n".join(sources)),
    ]
    if moves:
        blocks.append(section_block("notes", f"*{moves[0]}*\n" + "\n".join(moves[1:])))
    finished = f"{report.finished_at:%d %b %Y %H:%M} UTC"
    blocks.append(context_block("footer", f"Run {report.run_id or '—'}, finished {finished}"))
    text = "fwtrend refresh: " + headline(report)
    if report.failed:
        text += "; failed: " + ", ".join(o.name for o in report.failed)
    return Message(text=text, blocks=fit_blocks(blocks, ""))
