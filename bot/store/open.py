"""Pick and open the store: PostgreSQL when DATABASE_URL says so, else the SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.store.contract import Store, StoreUnavailable
from bot.store.pg_conn import describe_url, is_postgres_url

if TYPE_CHECKING:
    from bot.settings import Settings

StoreTarget = Path | str  # a SQLite file, or a postgresql:// URL


def store_target(settings: Settings) -> StoreTarget:
    """Where this deployment's store lives: DATABASE_URL if set, else FWTREND_DB."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return settings.db_path


def describe_target(target: StoreTarget) -> str:
    """The target for people, without any password."""
    return describe_url(target) if isinstance(target, str) else f"SQLite {target}"


def open_store(
    target: Settings | StoreTarget, knowledge_root: Path, *, prepare: bool = True
) -> Store:
    """Open the store, creating, migrating and loading knowledge as needed (``prepare``).

    ``target``: the settings (DATABASE_URL or FWTREND_DB), a SQLite path or a postgresql:// URL.
    Raises StoreUnavailable (PostgreSQL unreachable) or FileNotFoundError (no such folder).
    """
    if not isinstance(target, Path | str):
        target = store_target(target)
    if isinstance(target, str) and not is_postgres_url(target):
        target = Path(target)
    if isinstance(target, Path):
        from bot.store.sqlite import open_sqlite

        return open_sqlite(target, knowledge_root, prepare=prepare)
    import psycopg

    from bot.store.pg_conn import unavailable
    from bot.store.postgres import PostgresStore

    store = PostgresStore(target)
    if prepare:
        try:
            if store.pending_migrations():
                store.upgrade()
            store.sync_knowledge(knowledge_root)
        except psycopg.Error as exc:
            store.close()
            raise unavailable(target, exc) from None
        except BaseException:
            store.close()
            raise
    return store


__all__ = ["StoreTarget", "StoreUnavailable", "describe_target", "open_store", "store_target"]
