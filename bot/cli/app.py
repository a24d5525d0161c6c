"""The `fwtrend` click group, its help command, and an entry point that never shows a traceback."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from bot import __version__
from bot.cli.ask import ask
from bot.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL
from bot.cli.db import db, kb
from bot.cli.digest import clock, digest
from bot.cli.refresh import refresh, status
from bot.cli.serve import serve
from bot.helptext import HELP_EXAMPLES, PERIOD_HELP


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fwtrend")
def cli() -> None:
    """fwtrend: where PyTorch, TensorFlow, JAX and Keras really stand, with sources.

    Example: fwtrend ask pytorch hf-models
    """


@cli.command(name="help")
def help_command() -> None:
    """Show what you can ask, with examples.

    Example: fwtrend help
    """
    click.echo("fwtrend: where the deep-learning frameworks stand\n")
    for example, what in HELP_EXAMPLES:
        click.echo(f"  fwtrend ask {example:<46} {what}")
    click.echo(f"\n{PERIOD_HELP}")
    click.echo(
        "Other commands: fwtrend refresh, fwtrend digest, fwtrend serve, fwtrend clock,"
        " fwtrend status, fwtrend kb check, fwtrend db upgrade, fwtrend db copy;"
        " --help on any command."
    )


for _command in (ask, kb, db, status, refresh, digest, clock, serve):
    cli.add_command(_command)


def main() -> NoReturn:
    """Console entry point: bad input exits 2, internal errors exit 1, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERNAL)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
        # Click's own usage errors (unknown option, missing argument) are bad input too.
        sys.exit(EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else code)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        click.echo(f"fwtrend: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)
