"""The SQLite metrics store: schema migrations, knowledge loading, and the reads answers need."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.knowledge import KnowledgeBase, knowledge_digest, load_knowledge
from bot.models import Claim, DataPoint, Framework, Metric, SeriesCoverage, Source
from bot.series import read_series

migrations = Migrations("fwtrend")
LIVE_VERSION = "live_version"  # meta key: bumped by every refresh that wrote something
SCOREBOARD = "scoreboard"  # meta key: knowledge/scoreboard.yaml as JSON, loaded with the rest
VOCABULARY = "vocabulary"  # meta key: knowledge/vocabulary.yaml as JSON

_POINT_COLUMNS = (
    "metric, framework, segment, date, value, value_high, qualifier, unit, source_id, "
    'series, provenance, origin, fetched_at, caveat, method, excluded, repo, path, "commit", quote'
)
# Columns m005 added: how a point was counted, why it stays out of trends, and where its row
# came from (repository, path, commit, the source's own sentence).
_PROVENANCE_COLUMNS = ("method", "excluded", "repo", "path", "commit", "quote")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Knowledge tables, the points table and the claim full-text index."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("frameworks").create({"slug": str, "body": str}, pk="slug")
    db.table("metrics").create({"slug": str, "body": str}, pk="slug")
    db.table("sources").create({"id": str, "origin": str, "body": str}, pk="id")
    db.table("claims").create(
        {
            "id": str,
            "source_id": str,
            "statement": str,
            "topics": str,
            "caveats": str,
            "origin": str,
            "body": str,
        },
        pk="id",
    )
    db.table("claims").enable_fts(
        ["statement", "topics", "caveats"], create_triggers=True, tokenize="porter"
    )
    db.table("points").create(
        {
            "id": int,
            "metric": str,
            "framework": str,
            "segment": str,
            "date": str,
            "value": float,
            "value_high": float,
            "qualifier": str,
            "unit": str,
            "source_id": str,
            "series": str,
            "provenance": str,
            "origin": str,
            "fetched_at": str,
            "caveat": str,
        },
        pk="id",
        not_null={
            "metric",
            "framework",
            "segment",
            "date",
            "value",
            "unit",
            "source_id",
            "series",
            "provenance",
            "origin",
        },
    )
    # Answers read one metric for a few frameworks, newest first: this index covers that.
    db.table("points").create_index(["metric", "framework", "date"])
    # A series has one value per date; refreshing the same day updates it in place.
    db.table("points").create_index(["series", "date"], unique=True)
    db.table("points").create_index(["origin"])


@migrations()
def m002_bot_state(db: sqlite_utils.Database) -> None:
    """What the Slack bot must remember: answers it may share, event deliveries it handled."""
    db.table("answers").create(
        {"id": str, "created_at": str, "user_id": str, "channel_id": str, "body": str}, pk="id"
    )
    db.table("answers").create_index(["created_at"])
    db.table("deliveries").create({"key": str, "seen_at": str}, pk="key")
    db.table("deliveries").create_index(["seen_at"])


@migrations()
def m003_refresh(db: sqlite_utils.Database) -> None:
    """Live refreshes: each run and each source's outcome, and the lock that keeps one running."""
    db.table("refresh_runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "trigger": str,
            "ok": int,
            "report": str,
        },
        pk="id",
    )
    db.table("refresh_outcomes").create(
        {
            "run_id": int,
            "source": str,
            "ok": int,
            "reason": str,
            "points": int,
            "added": int,
            "changed": int,
            "seconds": float,
            "finished_at": str,
        },
        pk=("run_id", "source"),
        foreign_keys=[("run_id", "refresh_runs", "id")],
    )
    db.table("refresh_outcomes").create_index(["source", "ok", "finished_at"])
    db.table("locks").create(
        {"name": str, "holder": str, "host": str, "pid": int, "since": str, "expires_at": str},
        pk="name",
    )


@migrations()
def m004_digest(db: sqlite_utils.Database) -> None:
    """The digest log (one row per channel and week) and alerts already sent to admins."""
    db.table("digest_log").create(
        {
            "channel": str,
            "week": str,
            "status": str,  # posting | posted | failed
            "holder": str,
            "host": str,
            "pid": int,
            "claimed_at": str,
            "ts": str,
            "posted_at": str,
            "digest_date": str,
            "known": str,  # JSON: the claim and source ids this digest knew
            "reason": str,
        },
        pk=("channel", "week"),
    )
    db.table("digest_alerts").create(
        {"channel": str, "reason": str, "alerted_at": str}, pk="channel"
    )


@migrations()
def m005_point_provenance(db: sqlite_utils.Database) -> None:
    """Points carry their counting method, trend exclusion and row provenance."""
    for column in _PROVENANCE_COLUMNS:
        db.table("points").add_column(column, str)


class Store:
    """An open metrics store; read methods return pydantic models."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------ knowledge tables

    def _bodies(self, table: str, model: type[Any], key: str) -> dict[str, Any]:
        if table not in self._cache:
            rows = self.db.execute(f"select body from {table} order by rowid").fetchall()
            items = [model.model_validate_json(row[0]) for row in rows]
            self._cache[table] = {getattr(item, key): item for item in items}
        return dict(self._cache[table])

    def invalidate(self) -> None:
        """Forget cached knowledge rows: a refresh added live sources."""
        self._cache.clear()

    def frameworks(self) -> dict[str, Framework]:
        """All frameworks by slug."""
        return self._bodies("frameworks", Framework, "slug")

    def metrics(self) -> dict[str, Metric]:
        """All metrics by slug."""
        return self._bodies("metrics", Metric, "slug")

    def sources(self) -> dict[str, Source]:
        """All sources by id."""
        return self._bodies("sources", Source, "id")

    def claims(self) -> dict[str, Claim]:
        """All claims by id."""
        return self._bodies("claims", Claim, "id")

    def meta(self, key: str) -> str | None:
        """A value from the meta table."""
        row = self.db.execute("select value from meta where key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------ points

    def points(
        self,
        metric: str,
        frameworks: Sequence[str],
        start: date | None = None,
        end: date | None = None,
    ) -> list[DataPoint]:
        """Points of one metric for some frameworks, oldest first, at most one per series-month.

        Answers never need more than monthly resolution, and daily live refreshes would
        otherwise make every answer read years of rows; the newest point of each month stays.
        """
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
            f"select {_POINT_COLUMNS.replace('date,', 'max(date),')} from points "
            f"where {' and '.join(where)} group by series, substr(date, 1, 7) "
            "order by 4, series"
        )
        return [_row_to_point(row) for row in self.db.execute(sql, params).fetchall()]

    def latest(self, metric: str, framework: str, limit: int = 12) -> list[DataPoint]:
        """The newest points of one metric and framework, newest first (an index range scan)."""
        rows = self.db.execute(
            f"select {_POINT_COLUMNS} from points where metric = ? and framework = ? "
            "order by date desc limit ?",
            [metric, framework, limit],
        ).fetchall()
        return [_row_to_point(row) for row in rows]

    def frameworks_with(self, metric: str) -> list[str]:
        """Frameworks that have at least one point for a metric."""
        rows = self.db.execute(
            "select distinct framework from points where metric = ? order by framework", [metric]
        ).fetchall()
        return [row[0] for row in rows]

    def metric_coverage(self) -> dict[str, tuple[int, str | None]]:
        """For each metric: number of points and date of the newest one."""
        rows = self.db.execute(
            "select metric, count(*), max(date) from points group by metric"
        ).fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}

    def series_coverage(self) -> list[SeriesCoverage]:
        """Every series: its metric, framework, source, number of points, first and last date."""
        rows = self.db.execute(
            "select series, metric, framework, segment, source_id, count(*), min(date), "
            "max(date) from points where series not like 'claim:%' "
            "group by series order by metric, framework, series"
        ).fetchall()
        return [
            SeriesCoverage(
                series=r[0],
                metric=r[1],
                framework=r[2],
                segment=r[3],
                source_id=r[4],
                points=r[5],
                first=date.fromisoformat(r[6]),
                last=date.fromisoformat(r[7]),
            )  # fmt: skip
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        return {table: self.db.table(table).count for table in ("points", "claims", "sources")}

    # ------------------------------------------------------------ claim search

    def search_claims(self, terms: Sequence[str], limit: int = 8) -> list[str]:
        """Claim ids ranked by full-text relevance to any of the terms."""
        return [claim_id for claim_id, _ in self.search_claims_scored(terms, limit)]

    def search_claims_scored(self, terms: Sequence[str], limit: int = 8) -> list[tuple[str, float]]:
        """Claim ids with their relevance to any of the terms, most relevant first.

        The score is -bm25 over the porter-stemmed index: higher means more relevant.
        """
        query = fts_query(terms)
        if not query:
            return []
        rows = self.db.execute(
            "select claims.id, -bm25(claims_fts) from claims_fts "
            "join claims on claims.rowid = claims_fts.rowid "
            "where claims_fts match ? order by bm25(claims_fts) limit ?",
            [query, limit],
        ).fetchall()
        return [(row[0], float(row[1])) for row in rows]


_WORD = re.compile(r"[\w][\w.+#-]*", re.UNICODE)


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 query matching any term; each term is a quoted string, so no operator survives."""
    words: list[str] = []
    for term in terms:
        for word in _WORD.findall(term.lower()):
            quoted = '"' + word.replace('"', '""') + '"'
            if quoted not in words:
                words.append(quoted)
    return " OR ".join(words[:32])


def _row_to_point(row: Sequence[Any]) -> DataPoint:
    (
        metric,
        framework,
        segment,
        day,
        value,
        value_high,
        qualifier,
        unit,
        source_id,
        series,
        provenance,
        origin,
        fetched_at,
        caveat,
        method,
        excluded,
        repo,
        path,
        commit,
        quote,
    ) = row
    # Rows were validated on the way in; constructing without re-validating keeps reads fast.
    return DataPoint.model_construct(
        metric=metric,
        framework=framework,
        segment=segment,
        date=date.fromisoformat(day),
        value=value,
        value_high=value_high,
        qualifier=qualifier or "exact",
        unit=unit,
        source_id=source_id,
        series=series,
        provenance=provenance,
        origin=origin,
        fetched_at=datetime.fromisoformat(fetched_at) if fetched_at else None,
        caveat=caveat,
        method=method or "",
        excluded=excluded,
        repo=repo,
        path=path,
        commit=commit,
        quote=quote,
    )


# ---------------------------------------------------------------- loading knowledge


def _claim_points(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for claim in kb.claims.values():
        for index, fig in enumerate(claim.figures):
            if fig.framework is None:
                continue
            yield {
                "metric": fig.metric,
                "framework": fig.framework,
                "segment": fig.segment or "",
                "date": fig.as_of.end.isoformat(),
                "value": fig.value,
                "value_high": fig.value_high,
                "qualifier": fig.qualifier,
                "unit": fig.unit,
                "source_id": claim.source,
                "series": f"claim:{claim.id}:{index}",
                "provenance": f"claim:{claim.id}",
                "origin": "knowledge",
                "fetched_at": None,
                "caveat": claim.caveats[0] if claim.caveats else None,
            }


def _series_points(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    for entry in kb.series:
        for point in read_series(entry, kb.series_path(entry)):
            yield point.model_dump(mode="json")


def _load_knowledge(db: sqlite_utils.Database, kb: KnowledgeBase) -> None:
    # Only what came from knowledge/ is replaced; live data (origin='live') is left alone.
    db.execute("delete from points where origin = 'knowledge'")
    db.execute("delete from claims where origin = 'knowledge'")
    db.execute("delete from sources where origin = 'knowledge'")
    db.execute("delete from frameworks")
    db.execute("delete from metrics")
    db.table("frameworks").insert_all(
        {"slug": f.slug, "body": f.model_dump_json()} for f in kb.frameworks.values()
    )
    db.table("metrics").insert_all(
        {"slug": m.slug, "body": m.model_dump_json()} for m in kb.metrics.values()
    )
    db.table("sources").insert_all(
        {"id": s.id, "origin": "knowledge", "body": s.model_dump_json()}
        for s in kb.sources.values()
    )
    db.table("claims").insert_all(
        {
            "id": c.id,
            "source_id": c.source,
            "statement": c.statement,
            "topics": " ".join(t.replace("-", " ") for t in c.topics),
            "caveats": " ".join(c.caveats),
            "origin": "knowledge",
            "body": c.model_dump_json(),
        }
        for c in kb.claims.values()
    )
    db.table("points").insert_all(_claim_points(kb), batch_size=2000)
    db.table("points").insert_all(_series_points(kb), batch_size=2000)
    db.table("meta").upsert({"key": "knowledge_digest", "value": kb.digest}, pk="key")
    if kb.scoreboard is not None:
        db.table("meta").upsert(
            {"key": SCOREBOARD, "value": kb.scoreboard.model_dump_json()}, pk="key"
        )
    # The phrasing vocabulary travels with the rest of the knowledge, so every process that
    # answers from this store understands questions the same way.
    db.table("meta").upsert({"key": VOCABULARY, "value": kb.vocabulary.model_dump_json()}, pk="key")
    db.table("meta").upsert(
        {
            "key": "knowledge_loaded_at",
            "value": datetime.now().astimezone().isoformat(timespec="seconds"),
        },
        pk="key",
    )


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """All or nothing: one transaction that holds SQLite's write lock from its first line."""
    # BEGIN IMMEDIATE takes the write lock up front, so two processes opening a fresh store
    # at once queue here instead of both migrating or both loading.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


def connect(path: Path) -> sqlite_utils.Database:
    """A connection in WAL mode, so the web process reads while a refresh writes."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("pragma journal_mode = wal")
    db.execute("pragma synchronous = normal")
    return db


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


def open_store(path: Path, knowledge_root: Path) -> Store:
    """Open (creating, migrating and loading as needed) the store at ``path``."""
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"the store's folder {path.parent} does not exist")
    db = connect(path)
    if migrations.pending(db):
        upgrade(db)
    sync_knowledge(db, knowledge_root)
    return Store(db, path)
