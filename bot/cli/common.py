"""What every command shares: exit codes, the user-error exception, settings, store, engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bot.answers import Engine
    from bot.settings import Settings
    from bot.store import Store

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_SOURCE_FAILED = 1
EXIT_BUSY = 3


class UserError(click.ClickException):
    """Bad input or configuration: a clear message and exit code 2."""

    exit_code = EXIT_BAD_INPUT


def load_settings() -> Settings:
    """Settings from the environment, with a clear message when one is malformed."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise UserError(f"invalid setting: {problems}") from None


def open_store_or_exit(settings: Settings, *, prepare: bool = True) -> Store:
    """The configured store (DATABASE_URL or FWTREND_DB), or a clear one-line error."""
    from bot.knowledge import KnowledgeError, default_knowledge_dir
    from bot.store import StoreBroken, StoreUnavailable, open_store

    root = settings.knowledge_dir or default_knowledge_dir()
    try:
        return open_store(settings, root, prepare=prepare)
    except FileNotFoundError as exc:
        raise UserError(f"{exc} (set FWTREND_DB to a writable path)") from None
    except StoreUnavailable as exc:
        raise UserError(f"{exc} (check DATABASE_URL)") from None
    except KnowledgeError as exc:
        lines = "\n".join(f"  {err}" for err in exc.errors[:10])
        raise click.ClickException(f"the knowledge base at {root} is invalid:\n{lines}") from None
    except StoreBroken as exc:
        raise click.ClickException(str(exc)) from None


def open_engine(settings: Settings) -> Engine:
    """Open the store (creating and loading it as needed) and build the answer engine."""
    from bot.answers import Engine

    store = open_store_or_exit(settings)
    return Engine(store, today=settings.today, stale_after_days=settings.stale_after_days)
