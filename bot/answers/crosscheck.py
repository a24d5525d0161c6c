"""Check each claimed figure against the measured series that overlap it; pure functions.

A verdict says whether the series bear the claim out, gives both numbers with their dates and
how far apart they are. Floors ("over N") are read as floors on both sides, figures on
different bases are reported as such rather than as a disagreement, and a ratio claim
("nearly twice PyTorch's questions") is checked against the ratio of two series of one source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from bot.formatting import format_number, format_value
from bot.models import DataPoint, Metric, Note, Source
from bot.series import FLOORS, FLOW_METRICS

VerdictWord = Literal[
    "agrees", "roughly agrees", "disagrees", "contradicted", "different base", "no overlap"
]
AGREE_WITHIN, ROUGHLY_WITHIN = 0.05, 0.12  # relative gap for counts
AGREE_PP, ROUGHLY_PP = 2.0, 5.0  # percentage points for shares
FAR_OFF = 2.0  # a claim off by this factor or more is contradicted, not merely disagreeing
NEAR = timedelta(days=183)  # how far outside a claim's period a sparse series may be read
_SEVERITY = ["agrees", "roughly agrees", "different base", "disagrees", "contradicted"]


class Measured(BaseModel):
    """What one series shows for a claim's period."""

    series: str
    source_id: str
    text: str  # "61,308 stars (Feb 2023)" or "over 900,000 models (12 Sep 2024)"
    value: float  # the value compared (closest to the claim)
    qualifier: str
    start: date
    end: date
    segment: str


class Verdict(BaseModel):
    """One claimed figure checked against every series that overlaps it."""

    claim_id: str
    metric: str
    framework: str
    verdict: VerdictWord
    claimed: str
    claimed_value: float
    measured: list[Measured]
    apart: float | None = None  # closest measured value minus the claimed one
    apart_pct: float | None = None
    text: str


def _label(day_a: date, day_b: date) -> str:
    """'12 Sep 2024' for a day, 'Jun 2024' for a month end or a month, 'Jan 2023–Mar 2023'."""
    if day_a == day_b:
        month_end = (day_a + timedelta(days=1)).month != day_a.month
        return f"{day_a:%b %Y}" if month_end else f"{day_a.day} {day_a:%b %Y}"
    if (day_a.year, day_a.month) == (day_b.year, day_b.month):
        return f"{day_a:%b %Y}"
    if (day_a.month, day_b.month, day_b.day) == (1, 12, 31):  # whole years (or their months)
        return str(day_a.year) if day_a.year == day_b.year else f"{day_a.year}–{day_b.year}"
    return f"{day_a:%b %Y}–{day_b:%b %Y}"


def _window(points: Sequence[DataPoint], start: date, end: date, flow: bool) -> list[DataPoint]:
    """Points inside the period, else the nearest on each side within NEAR (never for flows)."""
    inside = [p for p in points if start <= p.date <= end]
    if inside or flow:
        return inside
    before = [p for p in points if start - NEAR <= p.date < start]
    after = [p for p in points if end < p.date <= end + NEAR]
    return ([before[-1]] if before else []) + ([after[0]] if after else [])


def _relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-9)


def _judge(claim: DataPoint, m: float, m_qualifier: str, share: bool) -> str:
    """Verdict for one measured value, reading floors as floors."""
    c = claim.value
    if claim.value_high is not None:
        return "agrees" if c <= m <= claim.value_high else "disagrees"
    if m_qualifier in FLOORS and not share:
        # The series says "at least m": a claim below that floor is wrong by at least that much.
        if c >= m:
            return "agrees"
        return "contradicted" if m >= FAR_OFF * c else "disagrees"
    if claim.qualifier in FLOORS and not share and m >= c:
        # A floor far below the count reads as the count: "over 100,000" when there were 680k.
        return "agrees" if m < FAR_OFF * c else "contradicted"
    if claim.qualifier == "under" and m <= c:
        return "agrees"
    if share:
        gap = abs(c - m)
        return (
            "agrees" if gap <= AGREE_PP else "roughly agrees" if gap <= ROUGHLY_PP else "disagrees"
        )
    gap = _relative(c, m)
    if gap <= AGREE_WITHIN:
        return "agrees"
    if gap <= ROUGHLY_WITHIN:
        return "roughly agrees"
    return "contradicted" if max(c, m) >= FAR_OFF * min(c, m) > 0 else "disagrees"


def _measure(
    claim: DataPoint, period: tuple[date, date], series: list[DataPoint]
) -> Measured | None:
    flow = claim.metric in FLOW_METRICS
    picked = _window(series, period[0], period[1], flow)
    if not picked:
        return None
    first, last = picked[0], picked[-1]
    unit = last.unit
    if flow:
        total = sum(p.value for p in picked)
        text = f"{format_number(total)} {unit} ({_label(first.date, last.date)} summed)"
        return Measured(
            series=last.series, source_id=last.source_id, text=text, value=total,
            qualifier="exact", start=first.date, end=last.date, segment=last.segment,
        )  # fmt: skip
    closest = min(picked, key=lambda p: abs(p.value - claim.value))
    if len(picked) <= 2 or any(p.qualifier != "exact" for p in picked):
        # Few points, or floors among them: each with its own qualifier and date.
        text = " and ".join(
            f"{format_value(p.value, unit, p.qualifier)} ({_label(p.date, p.date)})" for p in picked
        )
    else:
        low, high = min(p.value for p in picked), max(p.value for p in picked)
        span = f"{format_number(low)}–{format_value(high, unit)}"
        text = f"{span} ({_label(first.date, last.date)})"
    return Measured(
        series=closest.series, source_id=closest.source_id, text=text, value=closest.value,
        qualifier=closest.qualifier, start=first.date, end=last.date, segment=closest.segment,
    )  # fmt: skip


def _without_framework(series: str) -> str:
    """'file.csv:tensorflow:so-questions:src' -> 'file.csv:so-questions:src' (pairs the tags)."""
    parts = series.split(":")
    return ":".join(parts[:1] + parts[2:])


def _ratio_series(
    claim: DataPoint, by_key: dict[tuple[str, str], list[DataPoint]], relative_to: str
) -> list[tuple[str, list[DataPoint]]]:
    """Per source series: points of the framework divided by the other's in the same month."""
    mine: dict[str, list[DataPoint]] = defaultdict(list)
    other: dict[str, dict[date, DataPoint]] = defaultdict(dict)
    for p in by_key.get((claim.metric, claim.framework), []):
        mine[_without_framework(p.series)].append(p)
    for p in by_key.get((claim.metric, relative_to), []):
        other[_without_framework(p.series)][p.date] = p
    out = []
    for tag, points in mine.items():
        pairs = [(p, other[tag][p.date]) for p in points if p.date in other.get(tag, {})]
        pairs = [(a, b) for a, b in pairs if b.value > 0]
        if pairs:
            out.append((tag, [a for a, _ in pairs] + [b for _, b in pairs]))
    return out


def _check_ratio(
    claim: DataPoint,
    claim_id: str,
    period: tuple[date, date],
    by_key: dict[tuple[str, str], list[DataPoint]],
    relative_to: str,
    names: dict[str, str],
    base: str | None,
) -> Verdict | None:
    """A 'twice as many' claim against the ratio of summed counts over the claim's period."""
    start, end = period
    best: tuple[float, date, date, str, str, str] | None = None
    nearest: tuple[float, date, date, str, str, str] | None = None
    for _, points in _ratio_series(claim, by_key, relative_to):
        a_all = sorted((p for p in points if p.framework == claim.framework), key=lambda p: p.date)
        b_by = {p.date: p for p in points if p.framework == relative_to}
        inside = [p for p in a_all if start <= p.date <= end]
        year = [p for p in a_all if p.date < start][-12:]
        for chosen, slot in ((inside, "best"), (year, "nearest")):
            if not chosen:
                continue
            ratio = sum(p.value for p in chosen) / sum(b_by[p.date].value for p in chosen)
            head = chosen[0]
            item = (ratio, head.date, chosen[-1].date, head.source_id, head.series, head.segment)
            if slot == "best" and best is None:
                best = item
            if slot == "nearest" and (nearest is None or item[2] > nearest[2]):
                nearest = item
    found = best or nearest
    if found is None:
        return None
    ratio, first, last, source_id, series, segment = found
    claimed = format_value(claim.value, claim.unit, claim.qualifier)
    other_name = names.get(relative_to, relative_to)
    summed = ", counts summed" if first != last else ""
    shown = f"{ratio:.2f}× {other_name} ({_label(first, last)}{summed})"
    measured = Measured(
        series=series, source_id=source_id, text=shown, value=round(ratio, 2),
        qualifier="exact", start=first, end=last, segment="",
    )  # fmt: skip
    if best is None:
        word: VerdictWord = "no overlap"
        text = (
            f"No series counts both tags in {_label(start, end)}; the nearest, {shown}, "
            f"is {ratio / claim.value:.1f} times the claimed {claimed}."
        )
    elif base and (segment or base) != (claim.segment or base):
        word = "different base"
        text = (
            f"Claimed {claimed} [{claim.segment or base}]; the series shows {shown} "
            f"[{segment or base}]: a different base, so neither confirms nor contradicts it."
        )
    else:
        word = _judge_word(_judge(claim, ratio, "exact", False))
        text = f"Claimed {claimed}; the series shows {shown}: {word}."
    return Verdict(
        claim_id=claim_id, metric=claim.metric, framework=claim.framework, verdict=word,
        claimed=f"{claimed} ({_label(start, end)})", claimed_value=claim.value,
        measured=[measured], apart=round(ratio - claim.value, 2),
        apart_pct=round(100 * (ratio - claim.value) / claim.value, 1), text=text,
    )  # fmt: skip


def _judge_word(word: str) -> VerdictWord:
    assert word in _SEVERITY or word == "no overlap"
    return word  # type: ignore[return-value]


def check_claims(
    claim_points: Sequence[DataPoint],
    periods: dict[str, tuple[date, date]],
    measured: Sequence[DataPoint],
    metrics: dict[str, Metric],
    names: dict[str, str],
    relative: dict[str, str],
) -> list[Verdict]:
    """A verdict for every claimed figure one or more measured series overlap.

    ``relative`` maps a ratio figure's point series to the framework it is a multiple of.
    """
    by_key: dict[tuple[str, str], list[DataPoint]] = defaultdict(list)
    for p in sorted(measured, key=lambda p: p.date):
        if not p.excluded:
            by_key[(p.metric, p.framework)].append(p)
    verdicts = []
    for claim in claim_points:
        claim_id = claim.provenance.removeprefix("claim:")
        period = periods[claim.series]
        if claim.series in relative:
            base = metrics[claim.metric].base if claim.metric in metrics else None
            other = relative[claim.series]
            ratio = _check_ratio(claim, claim_id, period, by_key, other, names, base)
            if ratio:
                verdicts.append(ratio)
            continue
        metric = metrics.get(claim.metric)
        verdict = _check_one(claim, claim_id, period, by_key, metric)
        if verdict:
            verdicts.append(verdict)
    return verdicts


def _check_one(
    claim: DataPoint,
    claim_id: str,
    period: tuple[date, date],
    by_key: dict[tuple[str, str], list[DataPoint]],
    metric: Metric | None,
) -> Verdict | None:
    share = claim.unit.startswith("%")
    base = metric.base if metric else None
    groups: dict[str, list[DataPoint]] = defaultdict(list)
    for p in by_key.get((claim.metric, claim.framework), []):
        if p.source_id == claim.source_id:
            continue
        if p.segment == claim.segment or not p.segment or base:
            groups[p.series].append(p)
    found = [m for s in groups.values() if (m := _measure(claim, period, s)) is not None]
    if not found:
        return None
    claim_segment = claim.segment or (base or "")
    if claim.segment and base:
        claimed_base = f" [{claim.segment}]"
    else:
        claimed_base = ""
    words = []
    for m in found:
        if base and (m.segment or base) != claim_segment:
            words.append("different base")
        else:
            words.append(_judge(claim, m.value, m.qualifier, share))
    word = _judge_word(max(words, key=_SEVERITY.index))
    closest = min(found, key=lambda m: abs(m.value - claim.value))
    apart = closest.value - claim.value
    if claim.value_high is not None:  # a range: distance to its nearer end, 0 inside it
        apart = max(0.0, closest.value - claim.value_high) or min(0.0, closest.value - claim.value)
    pct = None if claim.value == 0 else round(100 * apart / claim.value, 1)
    claimed = format_value(claim.value, claim.unit, claim.qualifier, claim.value_high)
    label = _label(*period)
    parts = "; ".join(f"{m.text}{f' [{m.segment}]' if base and m.segment else ''}" for m in found)
    far = _distance(claim, closest, apart, pct, share)
    if word == "different base":
        tail = "a different base, so neither confirms nor contradicts the other"
    elif word == "contradicted":
        tail = f"contradicted: {far}"
    else:
        tail = f"the series {word}: {far}"
    text = f"Claimed {claimed}{claimed_base} ({label}); measured {parts}: {tail}."
    return Verdict(
        claim_id=claim_id, metric=claim.metric, framework=claim.framework, verdict=word,
        claimed=f"{claimed} ({label})", claimed_value=claim.value, measured=found,
        apart=round(apart, 2), apart_pct=pct, text=text,
    )  # fmt: skip


def _distance(
    claim: DataPoint, closest: Measured, apart: float, pct: float | None, share: bool
) -> str:
    """How far the closest measured figure is from the claim, in words a reader takes in at
    once: a multiple when it is twice the claim or more (or half or less), else the gap."""
    if claim.value_high is not None and apart == 0:
        return "within the claimed range"
    times = closest.value / claim.value if claim.value > 0 and not share else None
    if times is not None and apart and (times >= 2 or 0 < times <= 0.5):
        return f"the closest, {closest.text}, is {times:.1f} times the claimed figure"
    gap = f"{format_number(round(abs(apart), 2))}{' pp' if share else ''}"
    if pct is None or share:
        return f"{gap} apart"
    return f"{gap} ({abs(pct):.1f}%) apart" if abs(pct) < 10 else f"{gap} ({abs(pct):.0f}%) apart"


# How each verdict is marked in an answer: only agreement gets the check mark.
_NOTE_KIND: dict[str, Literal["cross-check", "disagreement", "caveat"]] = {
    "agrees": "cross-check",
    "roughly agrees": "cross-check",
    "disagrees": "disagreement",
    "contradicted": "disagreement",
}


def verdict_notes(
    verdicts: Sequence[Verdict], sources: dict[str, Source], names: dict[str, str]
) -> list[Note]:
    """Each verdict as an answer note, citing the claim's source and every series' source;
    ``names`` are the frameworks' display names by slug."""
    notes = []
    for v in verdicts:
        ids = list(dict.fromkeys(m.source_id for m in v.measured))
        named = ", ".join(_name(sources, i) for i in ids)
        notes.append(
            Note(
                kind=_NOTE_KIND.get(v.verdict, "caveat"),
                text=f"{names.get(v.framework, v.framework)}: {v.text} (checked against "
                f"{named}; verdict: {v.verdict})",
                claim_ids=[v.claim_id],
                source_ids=ids,
            )
        )
    return notes


def _name(sources: dict[str, Source], source_id: str) -> str:
    src = sources.get(source_id)
    return src.title if src else source_id
