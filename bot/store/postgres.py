"""The PostgreSQL store (psycopg 3 + psycopg_pool): for platforms whose processes share no disk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.knowledge import knowledge_digest, load_knowledge
from bot.models import DataPoint, SeriesCoverage, Source
from bot.store.contract import (
    LIVE_VERSION,
    LatestOutcome,
    Neighbour,
    RefreshRecord,
    SourceStats,
    Store,
    search_words,
)
from bot.store.locks import PostgresLock, StoreLock
from bot.store.pg_conn import connect_kwargs, describe_url, make_pool, normalize_url
from bot.store.pg_migrations import apply_migrations, pending_migrations
from bot.store.pg_state import PostgresStateMixin
from bot.store.rows import (
    COVERAGE_SQL,
    POINT_SELECT,
    coverage_from_row,
    knowledge_meta,
    knowledge_points,
    knowledge_rows,
    point_upsert_sql,
    point_values,
    row_to_point,
)

_UPSERT = point_upsert_sql("%s")
# ts_rank normalization 1 divides by 1 + log(document length): FTS5's bm25 also favours
# short claims, and this is the option that orders results most like it (tests/test_store.py).
RANK_NORMALIZATION = 1


class PostgresStore(PostgresStateMixin, Store):
    """The store in a PostgreSQL database; every method borrows a pooled connection."""

    backend = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = normalize_url(url)
        self.pool = make_pool(self.url)

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._conn() as conn:
            return list(conn.execute(sql, list(params)).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._conn() as conn:
            return conn.execute(sql, list(params)).fetchone()

    # ------------------------------------------------------------ lifecycle

    def describe(self) -> str:
        return describe_url(self.url)

    def size_bytes(self) -> int:
        row = self._one(
            "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = current_schema() and c.relkind = 'r'"
        )
        return int(row[0])

    def ping(self) -> None:
        self._rows("select 1")

    def close(self) -> None:
        self.pool.close()

    def pending_migrations(self) -> list[str]:
        with self._conn() as conn:
            return pending_migrations(conn)

    def upgrade(self) -> list[str]:
        with self._tx() as conn:
            return apply_migrations(conn)

    def sync_knowledge(self, root: Path) -> bool:
        digest = knowledge_digest(root)
        if self.meta("knowledge_digest") == digest:
            return False
        kb = load_knowledge(root)
        with self._tx() as conn:
            # Processes starting at once queue here; the later ones find the release loaded.
            conn.execute("select pg_advisory_xact_lock(hashtext(current_schema() || ':knowledge'))")
            row = conn.execute("select value from meta where key = 'knowledge_digest'").fetchone()
            if row is not None and row[0] == digest:
                return False
            # Only what came from knowledge/ is replaced; live data (origin='live') stays.
            conn.execute("delete from points where origin = 'knowledge'")
            conn.execute("delete from claims where origin = 'knowledge'")
            conn.execute("delete from sources where origin = 'knowledge'")
            conn.execute("delete from frameworks")
            conn.execute("delete from metrics")
            for table, rows in knowledge_rows(kb).items():
                copy_rows(conn, table, rows)
            copy_rows(conn, "points", knowledge_points(kb))
            for key, value in knowledge_meta(kb).items():
                conn.execute(
                    "insert into meta (key, value) values (%s, %s) "
                    "on conflict (key) do update set value = excluded.value",
                    [key, value],
                )
        self.invalidate()
        return True

    # ------------------------------------------------------------ reads

    def _bodies_json(self, table: str) -> list[str]:
        return [row[0] for row in self._rows(f"select body from {table} order by pos")]

    def meta(self, key: str) -> str | None:
        row = self._one("select value from meta where key = %s", [key])
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
        where = ["metric = %s and framework = any(%s)"]
        params: list[Any] = [metric, list(frameworks)]
        if start is not None:
            where.append("date >= %s")
            params.append(start)
        if end is not None:
            where.append("date <= %s")
            params.append(end)
        # The newest point of each series-month, like SQLite's group by with max(date).
        sql = (
            f"select {POINT_SELECT} from (select distinct on (series, date_trunc('month', date)) "
            f"{POINT_SELECT} from points where {' and '.join(where)} "
            "order by series, date_trunc('month', date), date desc) monthly order by date, series"
        )
        return [row_to_point(row) for row in self._rows(sql, params)]

    def latest(self, metric: str, framework: str, limit: int = 12) -> list[DataPoint]:
        rows = self._rows(
            f"select {POINT_SELECT} from points where metric = %s and framework = %s "
            "order by date desc, id desc limit %s",
            [metric, framework, limit],
        )
        return [row_to_point(row) for row in rows]

    def latest_per_series(self, day: date) -> dict[str, DataPoint]:
        rows = self._rows(
            f"select distinct on (series) {POINT_SELECT} from points where date <= %s "
            "order by series, date desc",
            [day],
        )
        return {point.series: point for point in map(row_to_point, rows)}

    def frameworks_with(self, metric: str) -> list[str]:
        rows = self._rows(
            "select distinct framework from points where metric = %s order by framework", [metric]
        )
        return [row[0] for row in rows]

    def metric_coverage(self) -> dict[str, tuple[int, str | None]]:
        rows = self._rows("select metric, count(*), max(date) from points group by metric")
        return {r[0]: (int(r[1]), r[2].isoformat() if r[2] else None) for r in rows}

    def series_coverage(self) -> list[SeriesCoverage]:
        return [coverage_from_row(row) for row in self._rows(COVERAGE_SQL)]

    def counts(self) -> dict[str, int]:
        row = self._one(
            "select (select count(*) from points), (select count(*) from claims), "
            "(select count(*) from sources)"
        )
        return {"points": int(row[0]), "claims": int(row[1]), "sources": int(row[2])}

    def source_stats(self) -> dict[str, SourceStats]:
        rows = self._rows(
            "select source_id, count(*), max(date), max(fetched_at), "
            "count(*) filter (where origin = 'live') from points group by source_id"
        )
        return {
            r[0]: SourceStats(source_id=r[0], points=r[1], newest=r[2], fetched_at=r[3], live=r[4])
            for r in rows
        }

    def search_claims_scored(self, terms: Sequence[str], limit: int = 8) -> list[tuple[str, float]]:
        words = search_words(terms)
        if not words:
            return []
        # Each word is a phrase of its own (as FTS5's quoted strings), OR-ed: no operators.
        query = " || ".join("phraseto_tsquery('english', %s)" for _ in words)
        rows = self._rows(
            f"select id, ts_rank(search, q, {RANK_NORMALIZATION}) as score "
            f"from claims, ({'select ' + query}) as query(q) where search @@ q "
            "order by score desc, id limit %s",
            [*words, limit],
        )
        return [(row[0], float(row[1])) for row in rows]

    # ------------------------------------------------------------ refresh

    def neighbours(self, points: Sequence[DataPoint]) -> list[Neighbour]:
        with self._conn() as conn:
            return _neighbours(conn, points)

    def write_live_source(self, entry: Source, points: Sequence[DataPoint]) -> list[Neighbour]:
        with self._tx() as conn:
            conn.execute(
                "insert into sources (id, origin, body) values (%s, 'live', %s) "
                "on conflict (id) do update set origin = 'live', body = excluded.body",
                [entry.id, entry.model_dump_json()],
            )
            seen = _neighbours(conn, points)
            with conn.cursor() as cursor:
                cursor.executemany(_UPSERT, [point_values(p) for p in points])
        return seen

    def record_refresh(self, run: RefreshRecord) -> int:
        with self._tx() as conn:
            row = conn.execute(
                "insert into refresh_runs (started_at, finished_at, trigger, ok, report) "
                "values (%s, %s, %s, %s, %s) returning id",
                [run.started_at, run.finished_at, run.trigger, run.ok, run.report_json],
            ).fetchone()
            run_id = int(row[0])
            conn.execute(
                "insert into meta (key, value) values (%s, %s) "
                "on conflict (key) do update set value = excluded.value",
                [LIVE_VERSION, str(run_id)],
            )
            with conn.cursor() as cursor:
                cursor.executemany(
                    "insert into refresh_outcomes (run_id, source, ok, reason, points, added, "
                    "changed, seconds, finished_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        [
                            run_id,
                            o.source,
                            o.ok,
                            o.reason,
                            o.points,
                            o.added,
                            o.changed,
                            round(o.seconds, 3),
                            run.finished_at,
                        ]
                        for o in run.outcomes
                    ],
                )
        return run_id

    def latest_outcomes(self) -> list[LatestOutcome]:
        rows = self._rows(
            "select distinct on (source) source, ok, reason, finished_at from refresh_outcomes "
            "order by source, finished_at desc"
        )
        return [LatestOutcome(source=r[0], ok=r[1], reason=r[2], finished_at=r[3]) for r in rows]

    def last_refresh(self) -> datetime | None:
        row = self._one("select max(finished_at) from refresh_runs")
        return row[0] if row else None

    def lock(self, name: str, ttl: timedelta, holder: str) -> StoreLock:
        return PostgresLock(self.url, connect_kwargs(), name, ttl, holder)


def _neighbours(conn: Any, points: Sequence[DataPoint]) -> list[Neighbour]:
    """Each point's stored value that day and the point before it, in one round trip."""
    if not points:
        return []
    rows = conn.execute(
        "select n.i, p.date, p.value from unnest(%s::text[], %s::date[]) "
        "with ordinality as n(series, day, i) cross join lateral ("
        "select date, value from points where series = n.series and date <= n.day "
        "order by date desc limit 2) p order by n.i, p.date desc",
        [[p.series for p in points], [p.date for p in points]],
    ).fetchall()
    found: dict[int, list[tuple[date, float]]] = {}
    for index, day, value in rows:
        found.setdefault(int(index) - 1, []).append((day, float(value)))
    result = []
    for index, point in enumerate(points):
        near = found.get(index, [])
        same_day = near[0][1] if near and near[0][0] == point.date else None
        before = [item for item in near if item[0] < point.date][:1]
        if before:
            result.append(
                Neighbour(same_day=same_day, previous_date=before[0][0], previous=before[0][1])
            )
        else:
            result.append(Neighbour(same_day=same_day))
    return result


def copy_rows(conn: Any, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts with the same keys) into a table: the fast way to load thousands."""
    batch = list(rows)
    if not batch:
        return 0
    columns = list(batch[0])
    with conn.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)  # quoted: "commit" is a keyword
        with cursor.copy(f"copy {table} ({names}) from stdin") as copy:
            for row in batch:
                copy.write_row([row[c] for c in columns])
    return len(batch)
