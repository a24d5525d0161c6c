"""Live refresh: every source at once, each written in one transaction, every run recorded."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from bot.live.sources import SOURCES, FetchContext, LiveSource, SourceError
from bot.live.sources.http import ClientOptions, make_http_client, service_clients
from bot.models import DataPoint, ValueChange
from bot.settings import Settings
from bot.store import LockBusy, OutcomeRecord, RefreshRecord, Store, StoreLock

__all__ = [
    "LockBusy",
    "Move",
    "RefreshReport",
    "SourceOutcome",
    "refresh",
    "refresh_with_settings",
    "run_refresh",
]

# A source that takes longer than this fails, so a refresh always ends.
SOURCE_TIMEOUT = 180.0
HTTP_TIMEOUT = 20.0  # one request
LOCK_NAME = "refresh"
LOCK_TTL = timedelta(minutes=5)
BEAT_EVERY = 30.0
MAX_MOVES = 5

Stage = Literal["fetching", "writing", "done", "failed"]
Progress = Callable[[str, Stage, str], None]


class SourceOutcome(BaseModel):
    """How one source did in a refresh."""

    name: str
    title: str
    ok: bool
    reason: str | None = None
    points: int = 0
    added: int = 0
    changed: int = 0
    seconds: float = 0.0


class Move(ValueChange):
    """A live value against the previous one of the same series."""

    metric: str
    framework: str
    segment: str
    unit: str
    previous_date: date
    date: date
    source_id: str


class RefreshReport(BaseModel):
    """What a refresh did: per-source outcomes and the biggest moves."""

    run_id: int | None = None
    trigger: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime
    outcomes: list[SourceOutcome]
    moves: list[Move]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


def unknown_sources(names: Sequence[str]) -> list[str]:
    """Names that are not live sources (for a clear error before anything starts)."""
    return [name for name in names if name not in SOURCES]


def refresh_with_settings(settings: Settings, names: Sequence[str], trigger: str) -> RefreshReport:
    """A refresh of the configured store on a connection of its own (Slack, the clock)."""
    from bot.knowledge import default_knowledge_dir
    from bot.store import open_store

    store = open_store(settings, settings.knowledge_dir or default_knowledge_dir())
    try:
        return run_refresh(store, settings, names=names, trigger=trigger, today=settings.today)
    finally:
        store.close()


def run_refresh(store: Store, settings: Settings, **options: Any) -> RefreshReport:
    """``refresh`` from synchronous code (the CLI, the Slack worker threads)."""
    return asyncio.run(refresh(store, settings, **options))


async def refresh(
    store: Store,
    settings: Settings,
    *,
    names: Sequence[str] | None = None,
    dry_run: bool = False,
    trigger: str = "cli",
    progress: Progress | None = None,
    client_options: ClientOptions | None = None,
    http_timeout: float = HTTP_TIMEOUT,
    today: date | None = None,
) -> RefreshReport:
    """Fetch the chosen sources concurrently and store each one's points, all or nothing.

    Raises LockBusy when another refresh is running (dry runs write nothing and need no lock).
    """
    sources = [SOURCES[name] for name in (names or SOURCES)]
    lock = store.lock(LOCK_NAME, LOCK_TTL, holder=f"{trigger}, pid {os.getpid()}")
    if not dry_run:
        lock.acquire()
    started = datetime.now(UTC)
    try:
        ctx = FetchContext(
            frameworks=list(store.frameworks().values()),
            fetched_at=started,
            today=today or started.date(),
        )
        writer = _Writer(store, ctx.today, dry_run)
        async with make_http_client(timeout=http_timeout) as http:
            clients = service_clients(settings, http, **(client_options or {}))
            beat = asyncio.create_task(_keep_alive(lock)) if not dry_run else None
            try:
                results = await asyncio.gather(
                    *(_run_one(s, clients[s.service], ctx, writer, progress) for s in sources)
                )
            finally:
                if beat is not None:
                    beat.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await beat
        report = RefreshReport(
            trigger=trigger,
            dry_run=dry_run,
            started_at=started,
            finished_at=datetime.now(UTC),
            outcomes=[outcome for outcome, _ in results],
            moves=_biggest([move for _, moves in results for move in moves]),
        )
        if not dry_run:
            report.run_id = store.record_refresh(_record(report))
        store.invalidate()  # new live sources and their dates
        return report
    finally:
        if not dry_run:
            lock.release()


async def _run_one(
    source: LiveSource,
    client: Any,
    ctx: FetchContext,
    writer: _Writer,
    progress: Progress | None,
) -> tuple[SourceOutcome, list[Move]]:
    def tell(stage: Stage, detail: str = "") -> None:
        if progress is not None:
            progress(source.name, stage, detail)

    started = time.monotonic()
    tell("fetching")
    try:
        points = await asyncio.wait_for(source.fetch(client, ctx), SOURCE_TIMEOUT)
        tell("writing", f"{len(points)} points")
        added, changed, moves = writer.write(source, points)
    except SourceError as exc:
        reason = exc.reason
    except TimeoutError:
        reason = f"gave up after {SOURCE_TIMEOUT:.0f} s"
    except Exception as exc:  # noqa: BLE001 - one broken source must not stop the others
        reason = f"internal error: {type(exc).__name__}"
    else:
        tell("done", f"{added} added, {changed} changed")
        outcome = SourceOutcome(
            name=source.name,
            title=source.title,
            ok=True,
            points=len(points),
            added=added,
            changed=changed,
            seconds=time.monotonic() - started,
        )
        return outcome, moves
    tell("failed", reason)
    failed = SourceOutcome(
        name=source.name,
        title=source.title,
        ok=False,
        reason=reason,
        seconds=time.monotonic() - started,
    )
    return failed, []


async def _keep_alive(lock: StoreLock) -> None:
    while True:
        await asyncio.sleep(BEAT_EVERY)
        lock.beat()


class _Writer:
    """Writes one source's points in one transaction: a failure leaves nothing behind."""

    def __init__(self, store: Store, today: date, dry_run: bool) -> None:
        self.store = store
        self.today = today
        self.dry_run = dry_run

    def write(self, source: LiveSource, points: list[DataPoint]) -> tuple[int, int, list[Move]]:
        if self.dry_run:
            seen = self.store.neighbours(points)
        else:
            seen = self.store.write_live_source(source.source_entry(self.today), points)
        added = changed = 0
        moves = []
        for point, near in zip(points, seen, strict=True):
            if near.same_day is None:
                added += 1
            elif near.same_day != point.value:
                changed += 1
            if near.previous_date is not None and near.previous is not None:
                moves.append(_move(point, near.previous_date, near.previous))
        return added, changed, moves


def _move(point: DataPoint, previous_date: date, previous: float) -> Move:
    return Move(
        metric=point.metric,
        framework=point.framework,
        segment=point.segment,
        unit=point.unit,
        previous=previous,
        previous_date=previous_date,
        value=point.value,
        date=point.date,
        source_id=point.source_id,
    )


def _biggest(moves: list[Move]) -> list[Move]:
    changed = [m for m in moves if m.change != 0 and m.change_pct is not None]
    return sorted(changed, key=lambda m: abs(m.change_pct or 0), reverse=True)[:MAX_MOVES]


def _record(report: RefreshReport) -> RefreshRecord:
    return RefreshRecord(
        started_at=report.started_at,
        finished_at=report.finished_at,
        trigger=report.trigger,
        ok=report.ok,
        report_json=report.model_dump_json(),
        outcomes=[
            OutcomeRecord(
                source=o.name,
                ok=o.ok,
                reason=o.reason,
                points=o.points,
                added=o.added,
                changed=o.changed,
                seconds=o.seconds,
            )
            for o in report.outcomes
        ],
    )
