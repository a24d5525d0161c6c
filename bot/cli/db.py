"""`fwtrend kb` and `fwtrend db`: check the knowledge, upgrade the store, copy it to Postgres."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import EXIT_BAD_INPUT, UserError, load_settings, open_store_or_exit


@click.group()
def kb() -> None:
    """Work with the curated knowledge base."""


@kb.command(name="check")
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Knowledge directory to check (default: the configured one).",
)
def kb_check(root: Path | None) -> None:
    """Validate every knowledge entry; list each invalid one with file, entry and field.

    Example: fwtrend kb check --dir knowledge
    """
    from bot.knowledge import check_knowledge, default_knowledge_dir

    root = root or load_settings().knowledge_dir or default_knowledge_dir()
    kbase, errors = check_knowledge(root)
    if errors:
        for err in errors:
            click.echo(str(err), err=True)
        click.echo(f"{len(errors)} invalid entries in {root}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"ok: {len(kbase.frameworks)} frameworks, {len(kbase.metrics)} metrics, "
        f"{len(kbase.sources)} sources, {len(kbase.claims)} claims, "
        f"{len(kbase.series)} series files in {root}"
    )


@click.group()
def db() -> None:
    """Manage the metrics store."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Apply pending migrations and load knowledge changes into the store.

    Example: FWTREND_DB=/data/fwtrend.db fwtrend db upgrade
    """
    from bot.knowledge import default_knowledge_dir

    settings = load_settings()
    store = open_store_or_exit(settings, prepare=False)
    try:
        applied = store.upgrade()
        loaded = store.sync_knowledge(settings.knowledge_dir or default_knowledge_dir())
    finally:
        store.close()
    click.echo(
        f"{store.describe()}: {len(applied)} migrations applied"
        f"{' (' + ', '.join(applied) + ')' if applied else ''}; knowledge "
        f"{'reloaded' if loaded else 'already current'}"
    )


@db.command(name="copy")
@click.option(
    "--to", "url", required=True, metavar="URL", help="postgresql:// URL of an empty database."
)
def db_copy(url: str) -> None:
    """Copy the SQLite store (FWTREND_DB) into an empty PostgreSQL database, in one go.

    Live history, the digest log, refresh runs, kept answers and charts are copied exactly and
    verified by counts; the knowledge base is loaded afresh.

    Example: fwtrend db copy --to postgresql://user@db.example.com/fwtrend
    """
    from bot.knowledge import default_knowledge_dir
    from bot.store import SqliteStore, StoreUnavailable, describe_target
    from bot.store.pg_conn import is_postgres_url

    if not is_postgres_url(url):
        raise UserError("--to must be a postgresql:// URL")
    settings = load_settings().model_copy(update={"database_url": None})
    if not settings.db_path.exists():
        raise UserError(f"no SQLite store at {settings.db_path} (set FWTREND_DB)")
    source = open_store_or_exit(settings)
    assert isinstance(source, SqliteStore)
    from bot.store.copy import CopyRefused, copy_to_postgres

    try:
        counts = copy_to_postgres(source, url, settings.knowledge_dir or default_knowledge_dir())
    except (CopyRefused, StoreUnavailable) as exc:
        raise UserError(str(exc)) from None
    finally:
        source.close()
    click.echo(f"copied {source.describe()} to {describe_target(url)}, verified:")
    for table, count in counts.items():
        click.echo(f"  {table:<18} {count:>8,} rows")
