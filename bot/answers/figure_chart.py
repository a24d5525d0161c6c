"""The chart of a figures answer: one line per shown series, thinned for the picture only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import ChartBar, ChartBreak, ChartSeries, ChartSpec, DataPoint, FigureOut
from bot.series import FLOORS

MAX_CHART_POINTS = 160  # a 600 px chart shows no more; the figures always use every point


def _short_method(point: DataPoint) -> str:
    if point.segment:
        return point.segment
    return point.method.split(" (")[0].split(";")[0]


def thin(points: Sequence[DataPoint], limit: int = MAX_CHART_POINTS) -> list[DataPoint]:
    """Every k-th point, keeping the first, the last and both sides of every method change."""
    if len(points) <= limit:
        return list(points)
    step = -(-len(points) // limit)
    keep = {0, len(points) - 1}
    keep |= set(range(0, len(points), step))
    for i in range(1, len(points)):
        if points[i].method != points[i - 1].method:
            keep |= {i - 1, i}
    return [points[i] for i in sorted(keep)]


def series_line(name: str, points: Sequence[DataPoint], labelled: bool) -> ChartSeries | None:
    """A chart line of one series (excluded points left out), or None under three points."""
    usable = thin([p for p in points if not p.excluded])
    if len(usable) < 3:
        return None
    label = f"{name} ({_short_method(usable[-1])})" if labelled else name
    return ChartSeries(
        label=label,
        dates=[p.date for p in usable],
        values=[p.value for p in usable],
        floors=[p.qualifier in FLOORS for p in usable],
    )


def figures_chart(
    label: str,
    unit: str,
    figures: Sequence[FigureOut],
    lines: list[ChartSeries],
    breaks: Sequence[ChartBreak] = (),
) -> ChartSpec | None:
    """A line chart of the series shown, else bars when the figures share one unit."""
    names = {f.source.publisher or f.source.author or f.source.title for f in figures}
    footnote = "Source: " + "; ".join(sorted(names))
    if any(any(line.floors) for line in lines):
        footnote += ". Hollow markers: stated floors ('over N'), not counts"
    if breaks:
        footnote += ". Dashed lines: the counting rule changed"
    as_of = max(f.as_of for f in figures).isoformat()
    if lines:
        unique = sorted({(b.date, b.label): b for b in breaks}.values(), key=lambda b: b.date)
        return ChartSpec(
            kind="line", title=label, unit=unit, as_of=as_of, footnote=footnote, series=lines,
            breaks=unique,
        )  # fmt: skip
    units = {f.unit for f in figures}
    if len(figures) >= 2 and len(units) == 1:
        bars = [
            ChartBar(
                label=f"{f.framework_name} ({f.segment})" if f.segment else f.framework_name,
                value=f.value,
                note=("over " if f.qualifier in FLOORS else "") + f.as_of_label,
            )
            for f in figures
        ]
        return ChartSpec(
            kind="bar", title=label, unit=units.pop(), as_of=as_of, footnote=footnote, bars=bars
        )
    return None
