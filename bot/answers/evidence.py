"""Pick headline figures, compute changes, and spot disagreements and cross-checks; pure."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from bot.formatting import format_day, format_value
from bot.models import Change, ChartBreak, DataPoint, DateWindow, Metric, Note, Source
from bot.series import FLOORS, FLOW_METRICS

# Relative gap above which two claims clash (shares: percentage points).
AGREE_WITHIN = 0.05
AGREE_PP = 2.0

_ORIGIN_RANK = {"live": 0, "series": 1, "claim": 2}


def evidence_rank(point: DataPoint) -> int:
    """Live data beats a shipped series, which beats a figure quoted in an article."""
    if point.origin == "live":
        return _ORIGIN_RANK["live"]
    return _ORIGIN_RANK["claim" if point.series.startswith("claim:") else "series"]


def is_claim(point: DataPoint) -> bool:
    """Whether a point restates a figure from a claim rather than a measured series."""
    return point.series.startswith("claim:")


def headline(points: Sequence[DataPoint], primary: str = "") -> DataPoint | None:
    """The newest usable point; on a tie, the whole-population one from the best evidence.

    Points left out of trends never head an answer; where a framework has several parts
    (PyPI packages), the ``primary`` segment (its main package) stands for it.
    """
    usable = [p for p in points if not p.excluded]
    if primary and any(p.segment == primary for p in usable):
        usable = [p for p in usable if p.segment in ("", primary)]
    if not usable:
        return None
    return max(usable, key=lambda p: (p.date, p.segment in ("", primary), -evidence_rank(p)))


def series_of(points: Iterable[DataPoint], key: str) -> list[DataPoint]:
    """The points of one series, oldest first."""
    return sorted((p for p in points if p.series == key), key=lambda p: p.date)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


# A year inside a method ("all conferences of 2019 pooled") names the period a point covers,
# not how it was counted: a yearly series whose every point pools its own year has one rule.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@functools.lru_cache(maxsize=256)  # a few distinct methods, compared for every pair of points
def _rule(method: str) -> str:
    return _YEAR.sub("<year>", method)


def breaks_in(series: Sequence[DataPoint]) -> list[ChartBreak]:
    """Where the counting method changes between consecutive points of one series."""
    ordered = [p for p in series if not p.excluded]
    return [
        ChartBreak(date=b.date, label=f"{a.method} → {b.method}")
        for a, b in zip(ordered, ordered[1:], strict=False)
        if a.method and b.method and _rule(a.method) != _rule(b.method)
    ]


def within(points: Sequence[DataPoint], window: DateWindow | None) -> list[DataPoint]:
    """The points an answer about "in 2024" or "before 2020" may stand on: none after the
    period's end and, for a period with both ends, none before its start. "since 2020" alone
    asks about a trend, not an older figure, so it keeps every point."""
    if window is None or window.end is None:
        return list(points)
    start = window.start
    return [p for p in points if p.date <= window.end and (start is None or p.date >= start)]


def compute_change(series: Sequence[DataPoint], window: DateWindow | None) -> Change | None:
    """How a series moved over the window (default: the last 12 months of it).

    Excluded points never take part. A floor ("over N") has no measurable change. By default
    the change starts after the last break (a change of counting rule) so it is never
    growth that only the rule made; a window the user asked for may span breaks, and then
    the change names them.
    """
    series = [p for p in series if not p.excluded]
    if len(series) < 2 or series[0].metric in FLOW_METRICS:
        return None
    end = series[-1]
    asked = bool(window and window.start)
    start_day = window.start if window and window.start else _months_before(end.date, 12)
    candidates = [p for p in series if p.date >= start_day and p.date < end.date]
    crossed = [b for b in breaks_in(series) if candidates and candidates[0].date < b.date]
    crossed = [b for b in crossed if b.date <= end.date]
    if crossed and not asked:
        candidates = [p for p in candidates if p.date >= crossed[-1].date]
        crossed = []
    if not candidates or end.qualifier in FLOORS or candidates[0].qualifier in FLOORS:
        return None
    start = candidates[0]
    absolute = end.value - start.value
    percent = None if start.value == 0 else 100.0 * absolute / start.value
    return Change(
        start_date=start.date,
        start_value=start.value,
        end_date=end.date,
        end_value=end.value,
        absolute=absolute,
        percent=percent,
        unit=end.unit,
        breaks=[f"{format_day(b.date)}: {b.label}" for b in crossed],
    )


def _gap(a: float, b: float, unit: str) -> tuple[float, bool]:
    """Distance between two values: percentage points for shares, else relative."""
    if unit.startswith("%"):
        return abs(a - b), True
    return abs(a - b) / max(abs(a), abs(b), 1e-9), False


def _src_name(sources: dict[str, Source], source_id: str) -> str:
    src = sources.get(source_id)
    if src is None:
        return source_id
    return src.publisher or src.author or src.title


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def disagreements(
    claim_points: Sequence[DataPoint],
    periods: dict[str, tuple[date, date]],
    metric: Metric,
    sources: dict[str, Source],
) -> list[Note]:
    """Sources that state clashing figures for the same framework and overlapping time."""
    notes: list[Note] = []
    by_framework: dict[str, list[DataPoint]] = defaultdict(list)
    for point in claim_points:
        by_framework[point.framework].append(point)
    for framework, points in by_framework.items():
        clash: list[DataPoint] = []
        for i, a in enumerate(points):
            for b in points[i + 1 :]:
                if a.source_id == b.source_id:
                    continue
                if not _overlap(periods[a.series], periods[b.series]):
                    continue
                if a.unit != b.unit:
                    continue  # a ratio and a count never clash
                gap, pp = _gap(a.value, b.value, a.unit)
                if gap > (AGREE_PP if pp else AGREE_WITHIN):
                    clash += [p for p in (a, b) if p not in clash]
        if not clash:
            continue
        parts = []
        for p in sorted(clash, key=lambda p: p.value):
            seg = f" ({p.segment})" if p.segment else ""
            parts.append(
                f"{_src_name(sources, p.source_id)}: "
                f"{format_value(p.value, p.unit, p.qualifier, p.value_high)}{seg}"
            )
        why = (
            " They measure different things, which may explain it."
            if len({p.segment for p in clash}) > 1
            else ""
        )
        notes.append(
            Note(
                kind="disagreement",
                text=f"Sources disagree on {metric.label} for {framework}: "
                f"{'; '.join(parts)}.{why}",
                claim_ids=list(dict.fromkeys(p.provenance.removeprefix("claim:") for p in clash)),
                source_ids=list(dict.fromkeys(p.source_id for p in clash)),
            )
        )
    return notes
