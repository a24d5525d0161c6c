"""The weekly digest's content: what moved since the last one, then and now, what is new; pure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from bot.answers import Engine
from bot.formatting import format_value
from bot.models import ChartBar, ChartSpec, ClaimOut, DataPoint, SourceRef, ValueChange
from bot.store.status import build_status, source_line

MAX_MOVES = 10
CHART_BARS = 8
# A dated claim "still holds" while today's value is within this fraction of it.
HOLDS_WITHIN = 0.10
SHARE_KINDS = {"count", "rate"}


class DigestMove(ValueChange):
    """One series' change since the previous digest."""

    metric: str
    metric_label: str
    framework: str
    framework_name: str
    segment: str
    unit: str
    as_of: date
    previous_as_of: date
    source_id: str
    share: float | None = None  # % of the frameworks' total, where the metric adds up


class ThenAndNow(BaseModel):
    """A dated claim set against today's value of the same measure."""

    claim: ClaimOut
    framework_name: str
    figure_value: float
    figure_when: str
    unit: str
    now_value: float
    now_as_of: date
    now_source_id: str
    verdict: Literal["holds", "grew", "fell"]


class Digest(BaseModel):
    """One week's digest, ready to render as text or Slack blocks."""

    week: str
    today: date
    since: date
    moves: list[DigestMove]
    more_moves: int = 0
    then_and_now: ThenAndNow | None = None
    new_claims: list[ClaimOut] = []
    new_sources: list[SourceRef] = []
    stale_sources: list[str] = []
    chart: ChartSpec | None = None
    sources: list[SourceRef] = []  # every source a number above comes from, cited as [n]
    first: bool = False  # no earlier digest to compare claims and sources with

    @property
    def quiet(self) -> bool:
        return not (self.moves or self.new_claims or self.new_sources or self.stale_sources)


def week_key(day: date) -> str:
    """ISO week, e.g. '2026-W48': the unit of "once per channel per week"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def build_digest(
    engine: Engine,
    today: date,
    *,
    since: date | None = None,
    known_claims: set[str] | None = None,
    known_sources: set[str] | None = None,
) -> Digest:
    """The digest for the week ending ``today``, compared with the digest of ``since``.

    ``known_claims``/``known_sources``: what the previous digest knew (None: there was none).
    """
    since = since or today - timedelta(days=7)
    moves = _moves(engine, today, since)
    shown = moves[:MAX_MOVES]
    status = build_status(engine.store, today, engine.stale_after)
    claims = engine.store.claims()
    sources = engine.store.sources()
    new_claims = sorted(set(claims) - known_claims) if known_claims is not None else []
    new_sources = sorted(set(sources) - known_sources) if known_sources is not None else []
    then_and_now = _then_and_now(engine, today)
    cited = dict.fromkeys(m.source_id for m in shown)
    if then_and_now is not None:
        cited[then_and_now.claim.source.id] = None
        cited[then_and_now.now_source_id] = None
    return Digest(
        week=week_key(today),
        today=today,
        since=since,
        moves=shown,
        more_moves=len(moves) - len(shown),
        then_and_now=then_and_now,
        new_claims=[engine.claim_out(claims[c]) for c in new_claims],
        new_sources=[engine.source_ref(s) for s in new_sources],
        stale_sources=[source_line(s) for s in status.sources if s.stale],
        chart=_chart(shown, today, since),
        sources=[engine.source_ref(source_id) for source_id in cited],
        first=known_claims is None,
    )


def _moves(engine: Engine, today: date, since: date) -> list[DigestMove]:
    now, before = engine.store.latest_per_series(today), engine.store.latest_per_series(since)
    metrics = engine.metrics
    moves = []
    for series, point in now.items():
        base = before.get(series)
        if (
            base is None
            or point.date <= base.date
            or point.value == base.value
            or point.metric not in metrics
        ):
            continue
        moves.append(
            DigestMove(
                metric=point.metric,
                metric_label=metrics[point.metric].label,
                framework=point.framework,
                framework_name=engine.framework_name(point.framework),
                segment=point.segment,
                unit=point.unit,
                value=point.value,
                as_of=point.date,
                previous=base.value,
                previous_as_of=base.date,
                source_id=point.source_id,
            )
        )
    _add_shares(engine, moves, now)
    return sorted(moves, key=lambda m: (-abs(m.change_pct or 0), m.metric, m.framework))


def _add_shares(engine: Engine, moves: list[DigestMove], now: dict[str, DataPoint]) -> None:
    # Shares only within one snapshot: the same metric and segment, from the same source on
    # the same day, for real frameworks (not site-wide totals).
    totals: dict[tuple[str, str, str, str], float] = defaultdict(float)
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for p in now.values():
        if p.framework in engine.frameworks and engine.metrics[p.metric].kind in SHARE_KINDS:
            key = (p.metric, p.segment, p.source_id, p.date.isoformat())
            totals[key] += p.value
            counts[key] += 1
    for move in moves:
        key = (move.metric, move.segment, move.source_id, move.as_of.isoformat())
        if counts.get(key, 0) >= 2 and move.framework in engine.frameworks and totals[key]:
            move.share = 100 * move.value / totals[key]


def _then_and_now(engine: Engine, today: date) -> ThenAndNow | None:
    candidates = []
    for claim in sorted(engine.store.claims().values(), key=lambda c: c.id):
        for figure in claim.figures:
            if not figure.framework or figure.relative_to or figure.value == 0:
                continue
            latest = [
                p
                for p in engine.store.latest(figure.metric, figure.framework, limit=5)
                if p.origin == "live"
                and p.unit == figure.unit
                and p.segment == (figure.segment or "")
                and p.date <= today
            ]
            if latest:
                candidates.append((claim, figure, latest[0]))
    if not candidates:
        return None
    # A different claim each week, the same one all week.
    claim, figure, point = candidates[today.isocalendar()[1] % len(candidates)]
    ratio = point.value / figure.value
    verdict: Literal["holds", "grew", "fell"] = (
        "holds" if abs(ratio - 1) <= HOLDS_WITHIN else "grew" if ratio > 1 else "fell"
    )
    return ThenAndNow(
        claim=engine.claim_out(claim),
        framework_name=engine.framework_name(point.framework),
        figure_value=figure.value,
        figure_when=figure.as_of.label,
        unit=figure.unit,
        now_value=point.value,
        now_as_of=point.date,
        now_source_id=point.source_id,
        verdict=verdict,
    )


def _move_label(move: DigestMove) -> str:
    segment = f" ({move.segment})" if move.segment else ""
    return f"{move.framework_name} · {move.metric_label}{segment}"


def _chart(moves: list[DigestMove], today: date, since: date) -> ChartSpec | None:
    bars = [
        ChartBar(
            label=f"{m.framework_name} · {m.metric_label}"
            + (f" ({m.segment})" if m.segment else ""),
            value=round(m.change_pct, 2),
            note=format_value(m.value, m.unit),
        )
        for m in moves[:CHART_BARS]
        if m.change_pct is not None
    ]
    if not bars:
        return None
    return ChartSpec(
        kind="bar",
        title=f"What moved, {since:%d %b} → {today:%d %b %Y}",
        unit="% change",
        as_of=today.isoformat(),
        footnote=f"Change of each figure since {since:%d %b %Y}; biggest moves first.",
        bars=bars,
    )
