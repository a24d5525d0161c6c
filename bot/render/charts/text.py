"""Chart words: sparklines, alt text, compact numbers, clipping and the footnote sentence."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from bot.models import ChartBar, ChartSeries, ChartSpec, FigureOut
from bot.render.charts.style import (
    _MINUS,
    _MONTHS,
    _NBSP,
    _SPARKS,
    ALT_TEXT_LIMIT,
)

Points = list[tuple[date, float]]


def figure_sparkline(fig: FigureOut, chart: ChartSpec | None) -> str:
    """The sparkline of the charted line that ends at this figure, or "" when none does: a
    framework's figures from different series (a snapshot beside the rebuilt history, another
    metric) each get their own line's shape, never another's."""
    name = fig.framework_name
    for line in chart.series if chart else []:
        if (
            (line.label == name or line.label.startswith(f"{name} ("))  # "PyTorch (snapshots)"
            and line.dates
            and line.dates[-1] == fig.as_of
            and line.values[-1] == fig.value
        ):
            return chart_sparkline(line.values)
    return ""


def chart_sparkline(values: Sequence[float], width: int = 16) -> str:
    """Return ``values`` as ▁▂▃▄▅▆▇█, averaged down to at most ``width`` characters.

    A constant series is a flat line of ``▄``; missing (non-finite) values are spaces.
    """
    if width < 1:
        raise ValueError("sparkline width must be at least 1")
    if not values:
        return ""
    buckets = _resample(list(values), width)
    finite = [v for v in buckets if v is not None]
    if not finite:
        return " " * len(buckets)
    low, high = min(finite), max(finite)
    span = high - low
    flat = span <= 1e-12 * max(abs(low), abs(high), 1.0)
    chars = []
    for value in buckets:
        if value is None:
            chars.append(" ")
        elif flat:
            chars.append(_SPARKS[3])
        else:
            chars.append(_SPARKS[round((value - low) / span * (len(_SPARKS) - 1))])
    return "".join(chars)


def chart_alt_text(spec: ChartSpec) -> str:
    """Describe the chart in one plain paragraph under 1000 characters (alt text, text fallback)."""
    if spec.kind == "scoreboard":
        return scoreboard_alt_text(spec)
    percent = _is_percent(spec.unit)
    title = _one_line(spec.title) or "Untitled chart"
    if spec.kind == "line":
        lines = _line_data(spec.series)
        if not lines:
            return _clip(f"Line chart: {title}. There is no data to show.", ALT_TEXT_LIMIT)
        start = min(points[0][0] for _, points in lines)
        end = max(points[-1][0] for _, points in lines)
        monthly = all(d.day == 1 for _, points in lines for d, _ in points)
        head = (
            f"Line chart: {_clip(title, 200)}. {_unit_phrase(spec.unit)}, "
            f"{_date_label(start, monthly)} to {_date_label(end, monthly)}."
        )
        parts = [_describe_line(label, points, percent, monthly) for label, points in lines]
    else:
        if not spec.bars:
            return _clip(f"Bar chart: {title}. There is no data to show.", ALT_TEXT_LIMIT)
        head = f"Bar chart: {_clip(title, 200)}. {_unit_phrase(spec.unit)}:"
        parts = [_describe_bar(bar, percent) for bar in spec.bars]

    tail = _footnote_text(spec).replace(_NBSP, " ")
    tail_budget = min(len(tail), 240)
    body = _join_within(parts, ALT_TEXT_LIMIT - len(head) - tail_budget - 2)
    text = " ".join(p for p in (head, body, _clip(tail, tail_budget)) if p)
    return _clip(text, ALT_TEXT_LIMIT)


def format_compact(value: float, percent: bool = False, minus: str = _MINUS) -> str:
    """Three significant digits with a k/M/B suffix: 850, 12.3k, 1.2M; 45.5% if ``percent``."""
    if math.isnan(value):
        return "n/a"
    sign = minus if value < 0 else ""
    if math.isinf(value):
        return sign + "∞"
    size = abs(value)
    if percent:
        return f"{sign}{_significant(size)}%"
    suffixes = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    for index, (scale, suffix) in enumerate(suffixes):
        if size >= scale * 0.9995:
            text = _significant(size / scale)
            if float(text) >= 1000 and index > 0:  # 999,950 is 1M, not 1000k
                scale, suffix = suffixes[index - 1]
                text = _significant(size / scale)
            return f"{sign}{text}{suffix}"
    return f"{sign}{_significant(size)}"


def _line_data(series: Sequence[ChartSeries]) -> list[tuple[str, Points]]:
    """Series that have points, each sorted by date, without non-finite values."""
    lines = []
    for one in series:
        if len(one.dates) != len(one.values):
            raise ValueError(
                f"series {one.label!r} has {len(one.dates)} dates but {len(one.values)} values"
            )
        points = sorted(
            ((d, float(v)) for d, v in zip(one.dates, one.values, strict=True) if math.isfinite(v)),
            key=lambda point: point[0],
        )
        if points:
            lines.append((one.label, points))
    return lines


def _resample(values: list[float], width: int) -> list[float | None]:
    """Average consecutive values into at most ``width`` buckets; None where nothing is finite."""
    count = len(values)
    buckets = min(width, count)
    out: list[float | None] = []
    for index in range(buckets):
        chunk = values[index * count // buckets : (index + 1) * count // buckets]
        finite = [v for v in chunk if math.isfinite(v)]
        out.append(sum(finite) / len(finite) if finite else None)
    return out


def _significant(size: float) -> str:
    """A non-negative number to three significant digits, without trailing zeros."""
    if size == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(size)))
    text = f"{size:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_percent(unit: str) -> bool:
    text = unit.strip().lower()
    return text == "%" or text.startswith("% ") or text in {"percent", "percentage", "pct"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, with an ellipsis."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit * 2 // 3 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–-") + "…"


def _plain(text: str) -> str:
    """Escape dollar signs so matplotlib never reads user text as mathtext."""
    return text.replace("$", r"\$")


def _date_label(day: date, monthly: bool) -> str:
    month = _MONTHS[day.month - 1]
    return f"{month} {day.year}" if monthly else f"{day.day} {month} {day.year}"


def _unit_phrase(unit: str) -> str:
    unit = _one_line(unit)
    if not unit:
        return "Values"
    return "Values in percent" if _is_percent(unit) else f"Values in {_clip(unit, 60)}"


def _footnote_text(spec: ChartSpec, note_limit: int | None = None) -> str:
    """'Source note. Data as of 2025-04-30.' — the date phrase held together by no-break spaces."""
    note = _one_line(spec.footnote)
    if note_limit is not None:
        note = _clip(note, note_limit)
    note = note if not note or note[-1] in ".!?…" else note + "."
    as_of = _one_line(spec.as_of)
    dated = f"Data as of {as_of}.".replace(" ", _NBSP) if as_of else ""
    return " ".join(p for p in (note, dated) if p)


def _describe_line(label: str, points: Points, percent: bool, monthly: bool) -> str:
    (first_day, first), (last_day, last) = points[0], points[-1]
    name = _clip(label, 60) or "Unnamed series"
    if len(points) == 1:
        return f"{name} {format_compact(last, percent, '-')} ({_date_label(last_day, monthly)})"
    verb = "rose" if last > first else "fell" if last < first else "stayed"
    return (
        f"{name} {verb} from {format_compact(first, percent, '-')} "
        f"({_date_label(first_day, monthly)}) to {format_compact(last, percent, '-')} "
        f"({_date_label(last_day, monthly)})"
    )


def _describe_bar(bar: ChartBar, percent: bool) -> str:
    text = f"{_clip(bar.label, 60) or 'Unnamed'} {format_compact(bar.value, percent, '-')}"
    note = _one_line(bar.note)
    return f"{text} ({_clip(note, 80)})" if note else text


def _join_within(parts: list[str], budget: int) -> str:
    """'a; b; c.' — dropping trailing parts for '; and N more.' when over ``budget``."""
    for keep in range(len(parts), 0, -1):
        rest = len(parts) - keep
        text = "; ".join(parts[:keep]) + (f"; and {rest} more." if rest else ".")
        if len(text) <= budget:
            return text
    return _clip(parts[0], max(budget, 40)) if parts else ""


def scoreboard_alt_text(spec: ChartSpec) -> str:
    """'Stacked bars: … all-time stars (Jul 2026): TensorFlow 54%, PyTorch 28%, …'."""
    head = f"Stacked 100% bars, one per indicator: {_clip(spec.title, 200)}."
    parts = []
    for stack in spec.stacks:
        shares = ", ".join(f"{p.label} {p.value:.0f}%" for p in stack.parts)
        note = f" ({stack.note})" if stack.note else ""
        parts.append(f"{stack.label}{note}: {shares}")
    tail = _footnote_text(spec).replace(_NBSP, " ")
    budget = ALT_TEXT_LIMIT - len(head) - min(len(tail), 240) - 2
    body = _join_within(parts, budget)
    return _clip(" ".join(p for p in (head, body, _clip(tail, 240)) if p), 1000)
