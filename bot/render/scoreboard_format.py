"""Scoreboard wording shared by the text, JSON and Slack renderers: rows, cells and evidence."""

from __future__ import annotations

from bot.formatting import format_number, format_value
from bot.models import Change, ScoreCell, ScoreRow

OLD_FLAG = "older than two years"
ARROWS = {"rising": "↑", "falling": "↓", "flat": "→"}


def format_amount(change: Change) -> str:
    """'+10.9%' for a count, '+6.3 pp' for a share (the bare change, if no percent)."""
    if change.unit.startswith("%") or change.percent is None:
        sign = "+" if change.absolute >= 0 else "−"
        unit = " pp" if change.unit.startswith("%") else ""
        return f"{sign}{format_number(abs(round(change.absolute, 2)))}{unit}"
    sign = "+" if change.percent >= 0 else "−"
    return f"{sign}{abs(change.percent):.1f}%"


def format_move(change: Change) -> str:
    """'+10.9% since Jul 2025', or percentage points for shares."""
    return f"{format_amount(change)} since {change.start_date:%b %Y}"


def cell_value(cell: ScoreCell, base: str = "") -> str:
    """A cell's value with its unit (and its package or tag, if not the row's base)."""
    fig = cell.figure
    if fig is None:
        return f"— {cell.note or 'no figure'}"
    value = format_value(fig.value, fig.unit, fig.qualifier, fig.value_high)
    return f"{value} [{fig.segment}]" if fig.segment and fig.segment != base else value


def cell_standing(cell: ScoreCell, of: int) -> str:
    """'#1 of 4, 54.2% of the total'."""
    if cell.figure is None or cell.rank is None or of < 2:
        return ""
    text = f"#{cell.rank} of {of}"
    # Shares that already add to 100 (papers naming one framework) need no second percentage.
    if cell.share is not None and abs(cell.share - cell.figure.value) > 0.5:
        text += f", {format_number(cell.share)}% of the total"
    return text


def cell_trend(cell: ScoreCell) -> str:
    """'↑ rising +10.9% since Jul 2025', or '' without a trend."""
    fig = cell.figure
    if fig is None or cell.direction is None or fig.change is None:
        return "no trend (single figure)" if fig is not None else ""
    return f"{ARROWS[cell.direction]} {cell.direction} {format_move(fig.change)}"


def cell_line(cell: ScoreCell, of: int, base: str = "") -> str:
    """Every part of a cell in one line: value, standing, trend and note."""
    parts = [cell_value(cell, base), cell_standing(cell, of), cell_trend(cell)]
    if cell.figure is not None and cell.note:
        parts.append(cell.note)
    return " · ".join(p for p in parts if p)


def row_evidence(row: ScoreRow) -> str:
    """'31 Jul 2026 [1]', flagged when the evidence is more than two years old."""
    ref = f" [{row.source_number}]" if row.source_number else ""
    flag = f" ⚠ {OLD_FLAG}" if row.old else ""
    return f"{row.as_of_label}{ref}{flag}"


def row_base(row: ScoreRow) -> str:
    """What the values are of: 'base: ML developers', a share's unit, or '' for plain counts."""
    if row.base and row.base != row.unit:
        return f"base: {row.base}"
    return row.unit if row.unit.startswith("%") else ""


def present(row: ScoreRow) -> int:
    """How many frameworks have a value in the row."""
    return sum(c.figure is not None for c in row.cells)
