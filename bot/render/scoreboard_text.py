"""A scoreboard as terminal text: one block per indicator, one line per framework."""

from __future__ import annotations

import textwrap

from bot.models import Scoreboard, ScoreRow
from bot.render.scoreboard_format import cell_line, present, row_base, row_evidence


def _row_lines(row: ScoreRow, width: int) -> list[str]:
    base = row_base(row)
    head = f" {row.label}{f' ({base})' if base else ''}, {row_evidence(row)}"
    lines = textwrap.wrap(head, width, subsequent_indent="   ")
    of = present(row)
    # Leader first, then by rank; frameworks without a value in this source last.
    cells = sorted(row.cells, key=lambda c: (c.rank is None, c.rank or 0))
    for cell in cells:
        text = f"   {cell.framework_name:<11} {cell_line(cell, of, row.base)}"
        lines += textwrap.wrap(text, width, subsequent_indent=" " * 15)
    if row.note:
        lines += textwrap.wrap(row.note, width, initial_indent="   ", subsequent_indent="   ")
    return lines


def scoreboard_lines(board: Scoreboard, width: int) -> list[str]:
    """Every row of the scoreboard, each headed by its indicator, base, date and source."""
    lines: list[str] = []
    for row in board.rows:
        lines += [""] + _row_lines(row, width)
    return lines
