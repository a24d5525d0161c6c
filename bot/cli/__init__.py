"""The `fwtrend` command line: one module per command group, wired together in app.py."""

from bot.cli.app import cli, main
from bot.cli.common import UserError, load_settings, open_engine, open_store_or_exit

__all__ = ["UserError", "cli", "load_settings", "main", "open_engine", "open_store_or_exit"]
