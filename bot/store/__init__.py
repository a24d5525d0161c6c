"""The metrics store: one contract (contract.py), SQLite by default, PostgreSQL via DATABASE_URL."""

from bot.store.contract import (
    LIVE_VERSION,
    DigestClaim,
    LatestOutcome,
    Neighbour,
    OutcomeRecord,
    RefreshRecord,
    SourceStats,
    Store,
    StoreBroken,
    StoreUnavailable,
)
from bot.store.locks import LockBusy, StoreLock
from bot.store.open import StoreTarget, describe_target, open_store, store_target
from bot.store.rows import SCOREBOARD, VOCABULARY
from bot.store.sqlite import SqliteStore, sync_knowledge, upgrade
from bot.store.sqlite_db import connect, fts_query, write_transaction
from bot.store.sqlite_migrations import migrations

__all__ = [
    "LIVE_VERSION",
    "SCOREBOARD",
    "VOCABULARY",
    "DigestClaim",
    "LatestOutcome",
    "LockBusy",
    "Neighbour",
    "OutcomeRecord",
    "RefreshRecord",
    "SourceStats",
    "SqliteStore",
    "Store",
    "StoreBroken",
    "StoreLock",
    "StoreTarget",
    "StoreUnavailable",
    "connect",
    "describe_target",
    "fts_query",
    "migrations",
    "open_store",
    "store_target",
    "sync_knowledge",
    "upgrade",
    "write_transaction",
]
