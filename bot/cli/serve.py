"""`fwtrend serve`: check the Slack settings, then run the bot over HTTP or Socket Mode."""

from __future__ import annotations

import click

from bot import __version__
from bot.cli.common import UserError, load_settings, open_engine


@click.command()
@click.option("--socket", is_flag=True, help="Socket Mode (SLACK_APP_TOKEN) instead of HTTP.")
def serve(socket: bool) -> None:
    """Run the Slack bot: HTTP on $PORT (gunicorn), or Socket Mode for local use.

    Example: PORT=3000 fwtrend serve
    """
    from bot.server.serve import (
        ConfigError,
        check_slack_auth,
        check_slack_settings,
        configure_logging,
        run_http,
        run_socket,
    )

    settings = load_settings()
    try:
        check_slack_settings(settings, socket=socket)
        engine = open_engine(settings)  # fails here, clearly, if the store is unusable
        who = check_slack_auth(settings)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    configure_logging()
    if socket:
        click.echo(f"fwtrend {__version__}: Socket Mode as {who}", err=True)
        run_socket(settings, engine)
        return
    click.echo(f"fwtrend {__version__}: HTTP on {settings.host}:{settings.port} as {who}", err=True)
    engine.store.close()  # the worker process opens its own
    run_http(settings)
