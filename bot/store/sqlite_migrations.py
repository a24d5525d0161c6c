"""SQLite schema migrations (sqlite-utils): every table the store keeps."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("fwtrend")


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
def m005_charts(db: sqlite_utils.Database) -> None:
    """Served chart PNGs, so any web process serves any chart and a restart loses none."""
    db.table("charts").create(
        {"name": str, "png": bytes, "created_at": str, "last_shown": str}, pk="name"
    )
    db.table("charts").create_index(["last_shown"])


@migrations()
def m006_point_provenance(db: sqlite_utils.Database) -> None:
    """Points carry their counting method, trend exclusion and row provenance."""
    for column in ("method", "excluded", "repo", "path", "commit", "quote"):
        db.table("points").add_column(column, str)
