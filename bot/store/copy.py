"""`fwtrend db copy`: an existing SQLite store's history into an empty PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.store.contract import StoreUnavailable
from bot.store.postgres import PostgresStore, copy_rows
from bot.store.rows import POINT_COLUMNS, sql_name
from bot.store.sqlite import SqliteStore

# What is history (copied exactly) as (table, columns, which rows); knowledge is re-synced.
HISTORY: list[tuple[str, tuple[str, ...], str]] = [
    ("sources", ("id", "origin", "body"), "origin = 'live'"),
    ("points", POINT_COLUMNS, "origin = 'live'"),
    ("refresh_runs", ("id", "started_at", "finished_at", "trigger", "ok", "report"), "true"),
    (
        "refresh_outcomes",
        (
            "run_id",
            "source",
            "ok",
            "reason",
            "points",
            "added",
            "changed",
            "seconds",
            "finished_at",
        ),
        "true",
    ),
    (
        "digest_log",
        (
            "channel",
            "week",
            "status",
            "holder",
            "host",
            "pid",
            "claimed_at",
            "ts",
            "posted_at",
            "digest_date",
            "known",
            "reason",
        ),
        "true",
    ),
    ("digest_alerts", ("channel", "reason", "alerted_at"), "true"),
    ("answers", ("id", "created_at", "user_id", "channel_id", "body"), "true"),
    ("deliveries", ("key", "seen_at"), "true"),
    ("charts", ("name", "png", "created_at", "last_shown"), "true"),
    ("meta", ("key", "value"), "key = 'live_version'"),
]
_BOOLEANS = {("refresh_runs", "ok"), ("refresh_outcomes", "ok")}


class CopyRefused(Exception):
    """The target is not empty, or the source is not a SQLite store."""


def _history_counts(target: PostgresStore) -> dict[str, int]:
    with target._conn() as conn:
        return {
            table: int(conn.execute(f"select count(*) from {table} where {where}").fetchone()[0])
            for table, _, where in HISTORY
        }


def copy_to_postgres(source: SqliteStore, url: str, knowledge_root: Path) -> dict[str, int]:
    """Copy every history row in one transaction; return the verified per-table counts.

    Refuses (CopyRefused) a target that already holds history; the knowledge tables there
    are (re)loaded from ``knowledge_root`` rather than copied.
    """
    target = PostgresStore(url)
    try:
        target.upgrade()  # an empty database gets the schema; a migrated one stays as it is
        held = {t: n for t, n in _history_counts(target).items() if n}
        if held:
            listed = ", ".join(f"{n} {t}" for t, n in held.items())
            raise CopyRefused(
                f"{target.describe()} is not empty ({listed}); copy only into an empty database"
            )
        target.sync_knowledge(knowledge_root)
        expected: dict[str, int] = {}
        with target._tx() as conn:
            for table, columns, where in HISTORY:
                rows = source.db.execute(
                    f"select {', '.join(map(sql_name, columns))} from {table} where {where}"
                ).fetchall()
                expected[table] = copy_rows(conn, table, (_row(table, columns, r) for r in rows))
            conn.execute(
                "select setval(pg_get_serial_sequence('refresh_runs', 'id'), "
                "coalesce((select max(id) from refresh_runs), 0) + 1, false)"
            )
            for table, _, where in HISTORY:
                got = conn.execute(f"select count(*) from {table} where {where}").fetchone()[0]
                if got != expected[table]:  # raising rolls the whole copy back
                    raise StoreUnavailable(f"{table}: copied {got} rows of {expected[table]}")
        return expected
    finally:
        target.close()


def _row(table: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(columns, values, strict=True))
    for column in columns:
        if (table, column) in _BOOLEANS and row[column] is not None:
            row[column] = bool(row[column])
    return row
