"""Number, unit and source formatting shared by every renderer (text, JSON, Slack)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.models import Change, FigureOut, SourceRef, ValueChange

_QUALIFIER_WORDS = {
    "about": "about ",
    "over": "over ",
    "under": "under ",
    "almost": "almost ",
    "at-least": "at least ",
}


def format_number(value: float) -> str:
    """12,345 for counts; 68.2 for fractions; no trailing zeros."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_value(
    value: float, unit: str, qualifier: str = "exact", value_high: float | None = None
) -> str:
    """A value with its unit and qualifier: 'over 85,000 models', '50–75% of papers'."""
    # Years read as years: "2016", not "2,016".
    number = str(int(value)) if unit == "year" else format_number(value)
    if value_high is not None:
        number = f"{number}–{format_number(value_high)}"
    prefix = _QUALIFIER_WORDS.get(qualifier, "")
    if unit == "year":
        return f"{prefix}{number}"
    if unit.startswith("%"):
        rest = unit[1:].strip()
        return f"{prefix}{number}%" + (f" {rest}" if rest else "")
    if unit.startswith("×") or unit.startswith("x "):
        return f"{prefix}{number}{unit}"
    return f"{prefix}{number} {unit}"


def format_change(change: Change) -> str:
    """'+12,345 (+13.7%), Jul 2025 → Jul 2026', or percentage points for shares."""
    sign = "+" if change.absolute >= 0 else "−"
    if change.unit.startswith("%"):
        amount = f"{sign}{format_number(abs(change.absolute))} pp"
    else:
        amount = f"{sign}{format_number(abs(change.absolute))}"
        if change.percent is not None:
            pct_sign = "+" if change.percent >= 0 else "−"
            amount += f" ({pct_sign}{abs(change.percent):.1f}%)"
    text = f"{amount}, {change.start_date:%b %Y} → {change.end_date:%b %Y}"
    if change.breaks:
        # Never growth on its own: the counting rule changed inside the period.
        text += f" (not like for like: the counting rule changed {'; '.join(change.breaks)})"
    return text


def format_figure(fig: FigureOut) -> str:
    """One figure's value with its as-of date: 'over 85,000 models (Oct 2024)'."""
    value = format_value(fig.value, fig.unit, fig.qualifier, fig.value_high)
    segment = f" [{fig.segment}]" if fig.segment else ""
    method = f"; {fig.method}" if fig.method else ""
    note = f" — {fig.note}" if fig.note else ""
    return f"{value}{segment} (as of {fig.as_of_label}{method}){note}"


def format_source(src: SourceRef) -> str:
    """'Title — Author, Publisher, Oct 2024 (2 years old) <url>'."""
    who = ", ".join(part for part in (src.author, src.publisher) if part)
    parts = [
        f"{src.title}",
        f" — {who}" if who else "",
        f", {src.published_label}",
        f" ({src.age})",
    ]
    if src.url:
        parts.append(f" {src.url}")
    return "".join(parts)


def join_and(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ordinal(n: int) -> str:
    """'1st', '2nd', '3rd', '4th', '11th', '21st'."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def format_day(day: date) -> str:
    """'6 Mar 2023': a day, without a leading zero."""
    return f"{day.day} {day:%b %Y}"


def format_delta(move: ValueChange) -> str:
    """'+3,000, +10.0%': a move's absolute and relative size."""
    sign = "+" if move.change >= 0 else "−"
    pct = f", {move.change_pct:+.1f}%" if move.change_pct is not None else ""
    return f"{sign}{format_number(abs(move.change))}{pct}"
