"""Pick headline figures, compute changes, and spot disagreements and cross-checks; pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from bot.formatting import format_number, format_value
from bot.models import Change, DataPoint, DateWindow, Metric, Note, Source
from bot.series import FLOW_METRICS

# Relative gap under which two numbers count as the same figure, and above which they clash.
AGREE_WITHIN = 0.05
ROUGHLY_WITHIN = 0.12
# Shares are compared in percentage points rather than relative terms.
AGREE_PP = 2.0
ROUGHLY_PP = 5.0

_ORIGIN_RANK = {"live": 0, "series": 1, "claim": 2}


def evidence_rank(point: DataPoint) -> int:
    """Live data beats a shipped series, which beats a figure quoted in an article."""
    if point.origin == "live":
        return _ORIGIN_RANK["live"]
    return _ORIGIN_RANK["claim" if point.series.startswith("claim:") else "series"]


def is_claim(point: DataPoint) -> bool:
    """Whether a point restates a figure from a claim rather than a measured series."""
    return point.series.startswith("claim:")


def headline(points: Sequence[DataPoint]) -> DataPoint | None:
    """The newest point; on a tie, the whole-population one from the best kind of evidence."""
    if not points:
        return None
    return max(points, key=lambda p: (p.date, p.segment == "", -evidence_rank(p)))


def series_of(points: Iterable[DataPoint], key: str) -> list[DataPoint]:
    """The points of one series, oldest first."""
    return sorted((p for p in points if p.series == key), key=lambda p: p.date)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def compute_change(series: Sequence[DataPoint], window: DateWindow | None) -> Change | None:
    """How a series moved over the window (default: the last 12 months of it)."""
    if len(series) < 2 or series[0].metric in FLOW_METRICS:
        return None
    end = series[-1]
    start_day = window.start if window and window.start else _months_before(end.date, 12)
    candidates = [p for p in series if p.date >= start_day and p.date < end.date]
    if not candidates:
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
    )


def _gap(a: float, b: float, unit: str) -> tuple[float, bool]:
    """Distance between two values: percentage points for shares, else relative."""
    if unit.startswith("%"):
        return abs(a - b), True
    return abs(a - b) / max(abs(a), abs(b), 1e-9), False


def _verdict(claimed: DataPoint, measured: Sequence[float]) -> str:
    """How well the closest measured value over the claim's period bears the claim out."""
    if claimed.value_high is not None:
        inside = any(claimed.value <= m <= claimed.value_high for m in measured)
        return "agrees" if inside else "disagrees"
    if claimed.qualifier == "over" and max(measured) >= claimed.value:
        return "agrees"
    if claimed.qualifier == "under" and min(measured) <= claimed.value:
        return "agrees"
    gap, points = min(_gap(claimed.value, m, claimed.unit) for m in measured)
    agree, roughly = (AGREE_PP, ROUGHLY_PP) if points else (AGREE_WITHIN, ROUGHLY_WITHIN)
    if gap <= agree:
        return "agrees"
    return "roughly agrees" if gap <= roughly else "disagrees"


def _measured_for(
    claim_point: DataPoint, period: tuple[date, date], series: Sequence[DataPoint]
) -> tuple[list[float], str] | None:
    """The series values a claim's period covers, and how to describe them."""
    start, end = period
    inside = [p for p in series if start <= p.date <= end]
    if claim_point.metric in FLOW_METRICS:
        # A flow claim ("13.7k new stars last year") is the sum of the months it covers.
        if not inside:
            return None
        total = sum(p.value for p in inside)
        return [
            total
        ], f"{format_number(total)} ({inside[0].date:%b %Y}–{inside[-1].date:%b %Y} summed)"
    if not inside:
        # A claim dated by a month or a year is checked against the nearest series point.
        near = [p for p in series if abs((p.date - end).days) <= 31]
        if not near:
            return None
        inside = [min(near, key=lambda p: abs((p.date - end).days))]
    values = [p.value for p in inside]
    if len(inside) == 1:
        return values, f"{format_number(values[0])} ({inside[0].date:%b %Y})"
    low, high = min(values), max(values)
    return values, (
        f"{format_number(low)}–{format_number(high)} "
        f"({inside[0].date:%b %Y}–{inside[-1].date:%b %Y})"
    )


def cross_checks(
    claim_points: Sequence[DataPoint],
    periods: dict[str, tuple[date, date]],
    measured: Sequence[DataPoint],
    sources: dict[str, Source],
) -> list[Note]:
    """Check each claimed figure against an independent measured series over its period."""
    notes: list[Note] = []
    by_key: dict[tuple[str, str, str], list[DataPoint]] = defaultdict(list)
    for point in measured:
        by_key[(point.metric, point.framework, point.segment)].append(point)
    for claim_point in claim_points:
        series = sorted(
            by_key.get((claim_point.metric, claim_point.framework, claim_point.segment), []),
            key=lambda p: p.date,
        )
        series = [p for p in series if p.source_id != claim_point.source_id]
        found = _measured_for(claim_point, periods[claim_point.series], series) if series else None
        if found is None:
            continue
        values, shown = found
        verdict = _verdict(claim_point, values)
        claim_id = claim_point.provenance.removeprefix("claim:")
        src = sources.get(series[0].source_id)
        said = format_value(
            claim_point.value, claim_point.unit, claim_point.qualifier, claim_point.value_high
        )
        text = (
            f"{_src_name(sources, claim_point.source_id)} said {said} for "
            f"{claim_point.framework}; the {src.title if src else 'series'} shows "
            f"{shown}: the series {verdict}."
        )
        notes.append(
            Note(
                kind="cross-check",
                text=text,
                claim_ids=[claim_id],
                source_ids=[claim_point.source_id, series[0].source_id],
            )
        )
    return notes


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
