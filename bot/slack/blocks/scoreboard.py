"""Block Kit for a scoreboard answer: the headline, a section per indicator, both sides' claims."""

from __future__ import annotations

from bot.models import Answer, ClaimOut, ScoreRow
from bot.render.scoreboard_format import cell_line, present, row_base, row_evidence
from bot.slack.blocks.kit import BlockDict, escape_mrkdwn, packed_sections, section_block
from bot.slack.blocks.sections import claim_line


def _row_text(row: ScoreRow) -> str:
    base = row_base(row)
    head = f"*{escape_mrkdwn(row.label)}*"
    if base:
        head += f" · {escape_mrkdwn(base)}"
    head += f" · {escape_mrkdwn(row_evidence(row))}"
    of = present(row)
    cells = sorted(row.cells, key=lambda c: (c.rank is None, c.rank or 0))
    lines = [head]
    for cell in cells:
        line = escape_mrkdwn(cell_line(cell, of, row.base))
        lines.append(f"• *{escape_mrkdwn(cell.framework_name)}* {line}")
    if row.note:
        lines.append(f"_{escape_mrkdwn(row.note)}_")
    return "\n".join(lines)


def scoreboard_blocks(answer: Answer) -> list[BlockDict]:
    """The headline and every row; roles the fitter keeps, since they are the answer itself."""
    board = answer.scoreboard
    assert board is not None
    blocks = [section_block("figures", f"*{escape_mrkdwn(board.headline)}*", 0)]
    for index, row in enumerate(board.rows, 1):
        blocks.append(section_block("figures", _row_text(row), index))
    return blocks


def side_blocks(answer: Answer, numbers: dict[str, int]) -> list[BlockDict]:
    """The claims of each side of a decline question, under the side's label."""
    board = answer.scoreboard
    if board is None or not board.sides:
        return []
    by_id: dict[str, ClaimOut] = {c.id: c for c in answer.claims}
    blocks: list[BlockDict] = []
    for side in board.sides:
        lines = (claim_line(by_id[i], numbers.get(by_id[i].source.id)) for i in side.claim_ids)
        for block in packed_sections("claims", f"*{escape_mrkdwn(side.label)}*", lines):
            # Each side's sections need their own ids: packed_sections numbers from 0 every time.
            block["block_id"] = f"{block['block_id']}-{side.stance}"
            blocks.append(block)
    return blocks
