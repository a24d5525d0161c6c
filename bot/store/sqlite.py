"""The SQLite store (sqlite-utils): the default, one file that every process on a host shares."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.knowledge import KnowledgeBase, knowledge_digest, load_knowledge
from bot.models import DataPoint, SeriesCoverage, Source
from bot.store.contract import (
    LIVE_VERSION,
    LatestOutcome,
    Neighbour,
    RefreshRecord,
    SourceStats,
    Store,
    StoreBroken,
)
from bot.store.locks import SqliteLock, StoreLock
from bot.store.rows import (
    COVERAGE_SQL,
    POINT_SELECT,
    coverage_from_row,
    knowledge_meta,
    knowledge_points,
    knowledge_rows,
    point_upsert_sql,
)
from bot.store.rows import point_values as point_values
from bot.store.rows import row_to_point as row_to_point
from bot.store.sqlite_db import connect, fts_query, write_transaction
from bot.store.sqlite_migrations import migrations
from bot.store.sqlite_state import SqliteStateMixin

_UPSERT = point_upsert_sql("?")


class SqliteStore(SqliteStateMixin, Store):
    """The store in one SQLite file; one connection, guarded so threads take turns on it."""

    backend = "sqlite"

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        super().__init__()
        self.db = db
        self.path: Path = path
        self._guard = threading.RLock()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._guard:
            return self.db.execute(sql, list(params)).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._guard:
            return self.db.execute(sql, list(params)).fetchone()

    # ------------------------------------------------------------ lifecycle

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def size_bytes(self) -> int:
        # Count the write-ahead log a running server keeps beside the file.
        total = 0
        for suffix in ("", "-wal", "-shm"):
            path = self.path.with_name(self.path.name + suffix)
            if path.exists():
                total += path.stat().st_size
        return total

    def ping(self) -> None:
        self._rows("select 1 from points limit 1")

    def close(self) -> None:
        with self._guard:
            self.db.close()

    def pending_migrations(self) -> list[str]:
        with self._guard:
            return [m.name for m in migrations.pending(self.db)]

    def upgrade(self) -> list[str]:
        with self._guard:
            return upgrade(self.db)

    def sync_knowledge(self, root: Path) -> bool:
        with self._guard:
            changed = sync_knowledge(self.db, root)
        if changed:
            self.invalidate()
        return changed

    # ------------------------------------------------------------ reads

    def _bodies_json(self, table: str) -> list[str]:
        return [row[0] for row in self._rows(f"select body from {table} order by rowid")]

    def meta(self, key: str) -> str | None:
        row = self._one("select value from meta where key = ?", [key])
        return None if row is None else str(row[0])

    def points(
        self,
        metric: str,
        frameworks: Sequence[str],
        start: date | None = None,
        end: date | None = None,
    ) -> list[DataPoint]:
        if not frameworks:
            return []
        where = [f"metric = ? and framework in ({', '.join('?' for _ in frameworks)})"]
        params: list[Any] = [metric, *frameworks]
        if start is not None:
            where.append("date >= ?")
            params.append(start.isoformat())
        if end is not None:
            where.append("date <= ?")
            params.append(end.isoformat())
        # SQLite's bare-column rule: with max(date), the other columns come from that row.
        sql = (
            f"select {POINT_SELECT.replace('date,', 'max(date),')} from points "
            f"where {' and '.join(where)} group by series, substr(date, 1, 7) "
            "order by 4, series"
        )
        return [row_to_point(row) for row in self._rows(sql, params)]

    def latest(self, metric: str, framework: str, limit: int = 12) -> list[DataPoint]:
        rows = self._rows(
            f"select {POINT_SELECT} from points where metric = ? and framework = ? "
            "order by date desc, id desc limit ?",
            [metric, framework, limit],
        )
        return [row_to_point(row) for row in rows]

    def latest_per_series(self, day: date) -> dict[str, DataPoint]:
        rows = self._rows(
            f"select {POINT_SELECT.replace('date,', 'max(date),')} from points "
            "where date <= ? group by series",
            [day.isoformat()],
        )
        return {point.series: point for point in map(row_to_point, rows)}

    def frameworks_with(self, metric: str) -> list[str]:
        rows = self._rows(
            "select distinct framework from points where metric = ? order by framework", [metric]
        )
        return [row[0] for row in rows]

    def metric_coverage(self) -> dict[str, tuple[int, str | None]]:
        rows = self._rows("select metric, count(*), max(date) from points group by metric")
        return {row[0]: (row[1], row[2]) for row in rows}

    def series_coverage(self) -> list[SeriesCoverage]:
        return [coverage_from_row(row) for row in self._rows(COVERAGE_SQL)]

    def counts(self) -> dict[str, int]:
        with self._guard:
            return {t: self.db.table(t).count for t in ("points", "claims", "sources")}

    def source_stats(self) -> dict[str, SourceStats]:
        rows = self._rows(
            "select source_id, count(*), max(date), max(fetched_at), sum(origin = 'live') "
            "from points group by source_id"
        )
        return {
            row[0]: SourceStats(
                source_id=row[0],
                points=row[1],
                newest=date.fromisoformat(row[2]) if row[2] else None,
                fetched_at=datetime.fromisoformat(row[3]) if row[3] else None,
                live=row[4] or 0,
            )
            for row in rows
        }

    def search_claims_scored(self, terms: Sequence[str], limit: int = 8) -> list[tuple[str, float]]:
        query = fts_query(terms)
        if not query:
            return []
        # bm25() is lower for better matches; negated, higher means more relevant.
        rows = self._rows(
            "select claims.id, -bm25(claims_fts) from claims_fts "
            "join claims on claims.rowid = claims_fts.rowid "
            "where claims_fts match ? order by bm25(claims_fts), claims.id limit ?",
            [query, limit],
        )
        return [(row[0], float(row[1])) for row in rows]

    # ------------------------------------------------------------ refresh

    def neighbours(self, points: Sequence[DataPoint]) -> list[Neighbour]:
        with self._guard:
            return [self._neighbour(point) for point in points]

    def _neighbour(self, point: DataPoint) -> Neighbour:
        day = point.date.isoformat()
        # The point's own date (if stored already) and the one before it, in one read.
        rows = self.db.execute(
            "select date, value from points where series = ? and date <= ? "
            "order by date desc limit 2",
            [point.series, day],
        ).fetchall()
        same_day = rows[0][1] if rows and rows[0][0] == day else None
        before = [row for row in rows if row[0] < day][:1]
        if not before:
            return Neighbour(same_day=same_day)
        return Neighbour(
            same_day=same_day,
            previous_date=date.fromisoformat(before[0][0]),
            previous=float(before[0][1]),
        )

    def write_live_source(self, entry: Source, points: Sequence[DataPoint]) -> list[Neighbour]:
        with self._guard, write_transaction(self.db):
            self.db.execute(
                "insert or replace into sources (id, origin, body) values (?, 'live', ?)",
                [entry.id, entry.model_dump_json()],
            )
            seen = [self._neighbour(point) for point in points]
            for point in points:
                self.db.execute(_UPSERT, point_values(point))
        return seen

    def record_refresh(self, run: RefreshRecord) -> int:
        with self._guard, write_transaction(self.db):
            cursor = self.db.execute(
                "insert into refresh_runs (started_at, finished_at, trigger, ok, report) "
                "values (?, ?, ?, ?, ?)",
                [
                    run.started_at.isoformat(),
                    run.finished_at.isoformat(),
                    run.trigger,
                    int(run.ok),
                    run.report_json,
                ],
            )
            run_id = int(cursor.lastrowid or 0)
            self.db.execute(
                "insert or replace into meta (key, value) values (?, ?)",
                [LIVE_VERSION, str(run_id)],
            )
            for o in run.outcomes:
                self.db.execute(
                    "insert into refresh_outcomes (run_id, source, ok, reason, points, added, "
                    "changed, seconds, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        o.source,
                        int(o.ok),
                        o.reason,
                        o.points,
                        o.added,
                        o.changed,
                        round(o.seconds, 3),
                        run.finished_at.isoformat(),
                    ],
                )
        return run_id

    def latest_outcomes(self) -> list[LatestOutcome]:
        rows = self._rows(
            "select source, ok, reason, max(finished_at) from refresh_outcomes group by source"
        )
        return [
            LatestOutcome(
                source=r[0], ok=bool(r[1]), reason=r[2], finished_at=datetime.fromisoformat(r[3])
            )
            for r in rows
        ]

    def last_refresh(self) -> datetime | None:
        row = self._one("select max(finished_at) from refresh_runs")
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def lock(self, name: str, ttl: timedelta, holder: str) -> StoreLock:
        return SqliteLock(self.db, self._guard, name, ttl, holder)


# ---------------------------------------------------------------- migrations and knowledge


def _load_knowledge(db: sqlite_utils.Database, kb: KnowledgeBase) -> None:
    # Only what came from knowledge/ is replaced; live data (origin='live') is left alone.
    db.execute("delete from points where origin = 'knowledge'")
    db.execute("delete from claims where origin = 'knowledge'")
    db.execute("delete from sources where origin = 'knowledge'")
    db.execute("delete from frameworks")
    db.execute("delete from metrics")
    for table, rows in knowledge_rows(kb).items():
        db.table(table).insert_all(rows)
    db.table("points").insert_all(knowledge_points(kb), batch_size=2000)
    db.table("meta").upsert_all(
        [{"key": key, "value": value} for key, value in knowledge_meta(kb).items()], pk="key"
    )


def upgrade(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return their names."""
    with write_transaction(db):
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return pending


def sync_knowledge(db: sqlite_utils.Database, root: Path) -> bool:
    """Reload knowledge/ into the store if it changed since the last load; True if it did."""
    digest = knowledge_digest(root)
    if _stored_digest(db) == digest:
        return False
    kb = load_knowledge(root)
    with write_transaction(db):
        # Another process may have loaded the same release while we waited for the lock.
        if _stored_digest(db) == digest:
            return False
        _load_knowledge(db, kb)
    return True


def _stored_digest(db: sqlite_utils.Database) -> str | None:
    if not db.table("meta").exists():
        return None
    row = db.execute("select value from meta where key = 'knowledge_digest'").fetchone()
    return None if row is None else str(row[0])


def open_sqlite(path: Path, knowledge_root: Path, *, prepare: bool = True) -> SqliteStore:
    """Open (creating, migrating and loading as needed) the SQLite store at ``path``."""
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"the store's folder {path.parent} does not exist")
    try:
        db = connect(path)
        if prepare:
            if migrations.pending(db):
                upgrade(db)
            sync_knowledge(db, knowledge_root)
    except sqlite3.DatabaseError as exc:
        raise StoreBroken(
            f"cannot use the store at {path}: {exc}. Move it aside or point FWTREND_DB "
            "elsewhere; it will be rebuilt from the knowledge base."
        ) from None
    return SqliteStore(db, path)


__all__ = ["SqliteStore", "connect", "fts_query", "open_sqlite", "sync_knowledge", "upgrade"]
