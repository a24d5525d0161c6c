"""The store's health for admins: per-source freshness, counts, size and version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field

from bot import __version__
from bot.formatting import format_number
from bot.models import SeriesCoverage
from bot.periods import describe_age
from bot.store import Store


class SourceStatus(BaseModel):
    """How fresh one source's evidence is."""

    id: str
    title: str
    kind: str
    points: int
    newest: date | None
    fetched_at: datetime | None = None
    stale: bool = False
    age: str = ""
    last_error: str | None = None  # why the latest refresh of this source failed
    series: list[SeriesCoverage] = Field(default_factory=list)


class StatusReport(BaseModel):
    """What `/fwtrend admin status` and `fwtrend status` show."""

    version: str
    store_path: str  # which store: "SQLite <path>" or "PostgreSQL user@host:port/db"
    store_bytes: int
    points: int
    live_points: int
    claims: int
    sources: list[SourceStatus]
    knowledge_version: str | None
    generated_on: date
    last_refresh: datetime | None = None


def build_status(store: Store, today: date, stale_after: timedelta) -> StatusReport:
    """Read the report from an open store."""
    stats = store.source_stats()
    now = datetime.combine(today, datetime.max.time(), tzinfo=UTC)
    statuses = []
    for src in store.sources().values():
        stat = stats.get(src.id)
        fetched_at = stat.fetched_at if stat else None
        newest_day = stat.newest if stat else None
        seen = fetched_at.date() if fetched_at else newest_day or src.published.end
        statuses.append(
            SourceStatus(
                id=src.id,
                title=src.title,
                kind=src.kind,
                points=stat.points if stat else 0,
                newest=newest_day,
                fetched_at=fetched_at,
                stale=bool(stat and stat.live)
                and fetched_at is not None
                and now - fetched_at > stale_after,
                age=describe_age(seen, today),
            )
        )
    by_id = {s.id: s for s in statuses}
    for cov in store.series_coverage():
        if cov.source_id in by_id:
            by_id[cov.source_id].series.append(cov)
    _add_refresh_outcomes(store, statuses, today)
    counts = store.counts()
    digest = store.meta("knowledge_digest")
    return StatusReport(
        version=__version__,
        store_path=store.describe(),
        store_bytes=store.size_bytes(),
        points=counts["points"],
        live_points=sum(stat.live for stat in stats.values()),
        claims=counts["claims"],
        sources=sorted(statuses, key=lambda s: (s.kind != "api", s.id)),
        knowledge_version=digest[:12] if digest else None,
        generated_on=today,
        last_refresh=store.last_refresh(),
    )


def _add_refresh_outcomes(store: Store, statuses: list[SourceStatus], today: date) -> None:
    """The latest refresh's failure per live source, including ones that never succeeded."""
    by_id = {s.id: s for s in statuses}
    for outcome in store.latest_outcomes():
        if outcome.ok:
            continue
        status = by_id.get(f"live-{outcome.source}")
        if status is None:  # failed every time so far: no points, no sources row
            status = SourceStatus(
                id=f"live-{outcome.source}", title=outcome.source, kind="api", points=0, newest=None
            )
            status.age = describe_age(outcome.finished_at.date(), today)
            statuses.append(status)
        status.last_error = outcome.reason
        status.stale = True


def format_bytes(size: int) -> str:
    """1.2 MB, 830 KB."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{format_number(round(value, 1))} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def source_line(src: SourceStatus) -> str:
    """One source's freshness as words, for text and Slack alike."""
    parts = [f"{src.points:,} points"]
    if src.fetched_at:
        parts.append(f"last fetched {src.fetched_at:%d %b %Y %H:%M} UTC ({src.age})")
    elif src.newest:
        parts.append(f"newest evidence {src.newest:%d %b %Y} ({src.age})")
    if src.last_error:
        parts.append(f"last refresh failed: {src.last_error}")
    if src.stale:
        parts.append("STALE")
    return f"{src.id} — {', '.join(parts)}"


def series_lines(src: SourceStatus, limit: int = 40) -> list[str]:
    """One line per series of a source: what it measures, its size and first and last date."""
    lines = []
    for cov in src.series[:limit]:
        segment = f" [{cov.segment}]" if cov.segment else ""
        lines.append(
            f"{cov.metric} {cov.framework}{segment}: {cov.points:,} points, "
            f"{cov.first:%d %b %Y} to {cov.last:%d %b %Y}"
        )
    if len(src.series) > limit:
        lines.append(f"… and {len(src.series) - limit} more series")
    return lines


def status_lines(report: StatusReport) -> list[str]:
    """The report as plain lines (the CLI prints them; Slack wraps them in blocks)."""
    return [
        f"fwtrend {report.version}; knowledge {report.knowledge_version or 'not loaded'}",
        f"Store: {report.store_path} ({format_bytes(report.store_bytes)})",
        f"{report.points:,} points ({report.live_points:,} live), {report.claims:,} claims, "
        f"{len(report.sources)} sources",
        "Last refresh: "
        + (f"{report.last_refresh:%d %b %Y %H:%M} UTC" if report.last_refresh else "never"),
    ]
