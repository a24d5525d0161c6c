"""SQLite connections and transactions, and the FTS5 query both stores' callers rely on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from bot.store.contract import search_words


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


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 query matching any term; each term is a quoted string, so no operator survives."""
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in search_words(terms))
